"""The model the trainer trains: setup() gets the weights a training wrote (COG_WEIGHTS)."""
from typing import Optional

from cog import BasePredictor, Input, Path


class Predictor(BasePredictor):
    def setup(self, weights: Optional[Path] = None) -> None:
        self.weights = weights

    def predict(self, prompt: str, steps: int = Input(default=1, choices=[1, 2])) -> str:
        return "{} with weights {} ({})".format(prompt, self.weights, type(self.weights).__name__)
