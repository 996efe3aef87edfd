"""The older style: BasePredictor with predict(), and a sync iterator whose items join to the greeting."""
from typing import Iterator

from cog import BasePredictor


class Predictor(BasePredictor):
    def predict(self, text: str, times: int = 1) -> Iterator[str]:
        for index in range(times):
            yield ("" if index == 0 else " ") + "hello " + text
