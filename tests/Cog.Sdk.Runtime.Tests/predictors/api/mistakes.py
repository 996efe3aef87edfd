"""Predictors Cog's build refuses, each with the reason the runtime gives too."""
from typing import Union

from cog import BaseRunner, ConcatenateIterator, Input, Path, streaming


class StreamingWithoutIterator(BaseRunner):
    @streaming
    def run(self, prompt: str) -> str:
        return prompt


class PathInAUnion(BaseRunner):
    def run(self, source: Union[str, Path]) -> str:
        return str(source)


class ConcatenatedNumbers(BaseRunner):
    def run(self, count: int) -> ConcatenateIterator[int]:
        yield from range(count)


class AcceptOnAString(BaseRunner):
    def run(self, text: str = Input(accept="text/*")) -> str:
        return text


class BothRunAndPredict(BaseRunner):
    def run(self) -> str:
        return "run"

    def predict(self) -> str:
        return "predict"


class Neither:
    def setup(self) -> None:
        pass
