"""Training in both of Cog's forms: a Trainer class (setup() once, train() per training) and a
plain train() function."""
import io
import os
import tempfile
from typing import Optional

from cog import BaseModel, File, Input, Path


class TrainingOutput(BaseModel):
    weights: Path
    epochs: int


class Trainer:
    def setup(self) -> None:
        self.base = "base-model"

    def train(self, data: str = Input(description="Training text"), epochs: int = Input(default=1, ge=1),
              steps: int = Input(default=1, choices=[1, 2, 3])) -> TrainingOutput:
        for epoch in range(epochs):
            print("epoch {}".format(epoch))
        weights = Path(os.path.join(tempfile.mkdtemp(), "weights.txt"))
        weights.write_text("{} tuned on {} x{}".format(self.base, data, epochs))
        return TrainingOutput(weights=weights, epochs=epochs)


def train(data: str, note: Optional[str] = None) -> File:
    return io.StringIO("weights for " + data)
