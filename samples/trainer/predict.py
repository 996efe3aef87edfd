"""The predictor that uses the trained weights: setup() loads the word table once, predict() continues a prompt
with the word that most often came next in the training text."""
import json
import os
from typing import Optional

from cog import BasePredictor, Input, Path

# Where `CogTrain -p:CogOutput=weights/` puts the weights, inside the project and so inside the next image.
TRAINED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "weights", "weights.json")
UNTRAINED = {"hello": {"world": 1}}


class Predictor(BasePredictor):
    def setup(self, weights: Optional[Path] = None) -> None:
        # On Replicate, a trained model gets its weights as COG_WEIGHTS (setup's `weights`); here, from the project.
        source = str(weights) if weights else TRAINED if os.path.exists(TRAINED) else None
        if source:
            with open(source, encoding="utf-8") as table:
                self.table = json.load(table)
        else:
            self.table = UNTRAINED
        print("loaded {} words from {}".format(len(self.table), source or "nowhere: not trained yet"))

    def predict(
        self,
        prompt: str = Input(description="The first word"),
        words: int = Input(description="How many words to add", default=5, ge=1, le=50),
    ) -> str:
        sentence = prompt.lower().split()
        for _ in range(words):
            nexts = self.table.get(sentence[-1]) if sentence else None
            if not nexts:
                break
            sentence.append(max(nexts, key=lambda word: (nexts[word], word)))
        return " ".join(sentence)
