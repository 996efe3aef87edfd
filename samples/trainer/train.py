"""Training in Cog's function form: learn which word follows which in a text file, and return the table as the
weights file (`TrainingOutput.weights`), which CogTrain writes under its output folder."""
import json
import os
import re
import tempfile
from collections import Counter, defaultdict

from cog import BaseModel, Input, Path


class TrainingOutput(BaseModel):
    weights: Path
    words: int


def train(
    text: Path = Input(description="A plain text file to learn from", accept=".txt,text/plain"),
    min_count: int = Input(description="Forget word pairs seen fewer times than this", default=1, ge=1),
) -> TrainingOutput:
    words = re.findall(r"[a-z']+", text.read_text(encoding="utf-8").lower())
    follows = defaultdict(Counter)
    for word, after in zip(words, words[1:]):
        follows[word][after] += 1
    table = {
        word: {after: count for after, count in counts.most_common() if count >= min_count}
        for word, counts in follows.items()
    }
    table = {word: nexts for word, nexts in table.items() if nexts}
    print("learned {} words from {} words of text".format(len(table), len(words)))

    weights = Path(os.path.join(tempfile.mkdtemp(), "weights.json"))
    weights.write_text(json.dumps(table, indent=1, sort_keys=True), encoding="utf-8")
    return TrainingOutput(weights=weights, words=len(table))
