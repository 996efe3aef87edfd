"""The types a predictor declares its inputs and outputs with.

They carry meaning for the runtime (a `Path` input is downloaded, a returned `Path` is sent back
as a data URL or uploaded, a `Secret` is never echoed) and otherwise behave like the plain values
they wrap, so user code written against Cog's own package runs unchanged.
"""

import dataclasses
import io
import os
import pathlib
import sys
import tempfile
import typing
import urllib.parse
import urllib.request

from cog import files

Item = typing.TypeVar("Item")
URL_SCHEMES = ("data", "http", "https")


class Path(pathlib.PosixPath):
    """A file. As an input it is a downloaded temporary file; returned, it is sent back to the client."""

    @classmethod
    def validate(cls, value: typing.Any) -> pathlib.Path:
        """Cog's conversion: a path stays a path, a URL becomes a URLPath downloaded on demand."""
        if isinstance(value, pathlib.Path):
            return value
        if urllib.parse.urlparse(value).scheme in URL_SCHEMES:
            return URLPath(source=value, filename=files.url_file_name(value))
        return Path(value)


class URLPath(Path):
    """A URL given as a Path, downloaded the first time convert() is called."""

    def __new__(cls, *, source: str, filename: str, fileobj: typing.Any = None) -> "URLPath":
        return super().__new__(cls, filename)  # type: ignore[call-arg]

    def __init__(self, *, source: str, filename: str, fileobj: typing.Any = None) -> None:
        if sys.version_info >= (3, 12):
            # From 3.12 pathlib parses its arguments in __init__ rather than __new__.
            super().__init__(filename)  # type: ignore[call-arg]
        self.source = source
        self.filename = filename
        self._path = None  # type: typing.Optional[Path]

    def convert(self) -> Path:
        if self._path is None:
            self._path = Path(files.download(self.source, tempfile.mkdtemp(prefix="cog-input-")))
        return self._path

    def unlink(self, missing_ok: bool = False) -> None:
        if self._path is not None:
            self._path.unlink()
            self._path = None

    def __str__(self) -> str:
        return self.source


class File(io.IOBase):
    """A file handed to predict() opened for binary reading (Cog's older file type; prefer Path)."""

    @classmethod
    def validate(cls, value: typing.Any) -> io.IOBase:
        if isinstance(value, io.IOBase):
            return value
        scheme = urllib.parse.urlparse(value).scheme
        if scheme == "data":
            return io.BytesIO(files.data_url_content(value)[0])
        if scheme in ("http", "https"):
            return URLFile(value)
        raise ValueError("'{}' is not a valid URL scheme. 'data', 'http', or 'https' is supported.".format(scheme))


class URLFile(io.IOBase):
    """An http(s) URL read as a file; the request is made on the first read."""

    def __init__(self, url: str, filename: typing.Optional[str] = None) -> None:
        super().__init__()
        if urllib.parse.urlparse(url).scheme not in ("http", "https"):
            raise ValueError("URLFile requires URL to conform to HTTP or HTTPS protocol")
        self.name = filename or os.path.basename(urllib.parse.urlparse(url).path)
        self.url = url
        self._response = None  # type: typing.Any

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._response is None:
            self._response = urllib.request.urlopen(files.download_request(self.url), timeout=files.DOWNLOAD_TIMEOUT_SECONDS)
        return self._response.read(size)

    def close(self) -> None:
        if self._response is not None:
            self._response.close()
        super().close()


@dataclasses.dataclass(frozen=True)
class Secret:
    """A string input that must not leak: it prints as stars and is masked in responses."""

    secret_value: typing.Optional[str] = None

    MASK = "**********"

    def get_secret_value(self) -> typing.Optional[str]:
        return self.secret_value

    def __repr__(self) -> str:
        return "Secret({})".format(self)

    def __str__(self) -> str:
        return self.MASK if self.secret_value is not None else ""


class ConcatenateIterator(typing.Iterator[Item]):
    """Marks a run() that yields pieces of text meant to be read joined (a token stream).

    Only the schema differs from `Iterator[str]`: it tells clients to concatenate the items.
    """

    def __next__(self) -> Item:
        raise NotImplementedError


class AsyncConcatenateIterator(typing.AsyncIterator[Item]):
    """The async counterpart of ConcatenateIterator, for `async def run()` generators."""

    async def __anext__(self) -> Item:
        raise NotImplementedError


class _OpaqueMarker:
    """`Annotated[T, cog.Opaque]`: the schema describes T as a plain JSON object; values pass through."""

    def __repr__(self) -> str:
        return "cog.Opaque"


Opaque = _OpaqueMarker()


class CancelationException(BaseException):
    """Raised inside a synchronous run() when its prediction is canceled.

    A BaseException, so that a predictor's broad `except Exception` does not swallow the cancel.
    """
