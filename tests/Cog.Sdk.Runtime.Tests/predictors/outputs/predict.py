"""Returns the output shape it is asked for: files at the top level, in a list, yielded, nested, or
opened; for the upload and output-encoding tests."""
import io
import os
import tempfile
import time
from typing import Any, Iterator

from cog import BasePredictor, Input, Path


def _file(folder: str, name: str, text: str) -> Path:
    path = Path(os.path.join(folder, name))
    path.write_text(text)
    return path


class Predictor(BasePredictor):
    def predict(
        self,
        shape: str = Input(choices=["path", "list", "iterator", "nested", "open", "text"]),
        count: int = 2,
        pause: float = 0.0,
    ) -> Any:
        folder = tempfile.mkdtemp()
        if shape == "path":
            return _file(folder, "single.txt", "one file")
        if shape == "list":
            return [_file(folder, "item{}.txt".format(index), "item {}".format(index)) for index in range(count)]
        if shape == "iterator":
            return self._yield(folder, count, pause)
        if shape == "nested":
            return {"file": _file(folder, "nested.txt", "nested"), "files": [_file(folder, "deep.json", "{}")]}
        if shape == "open":
            return open(_file(folder, "opened.png", "not really a png"), "rb")
        return io.StringIO("hello text")

    def _yield(self, folder: str, count: int, pause: float) -> Iterator[Path]:
        for index in range(count):
            print("writing item {}".format(index))
            time.sleep(pause)
            yield _file(folder, "yield{}.txt".format(index), "yielded {}".format(index))
