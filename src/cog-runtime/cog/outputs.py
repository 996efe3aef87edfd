"""What run() returns, made JSON: files become data URLs (or uploaded URLs), objects become dicts.

As in Cog, only a file returned at the top level, as an item of a returned list, or yielded by an
iterator is uploaded when the server has an upload URL; files nested in objects are always data URLs.
"""

import dataclasses
import datetime
import enum
import io
import logging
import os
import pathlib
import typing

from cog import files
from cog.types import Secret

log = logging.getLogger("cog")
# Uploads a file's bytes under a name and returns its URL.
Upload = typing.Callable[[bytes, str, str], str]


class UploadFailed(Exception):
    """The upload URL refused a file; the output item is left out, as Cog does."""


def _file_content(value: typing.Any) -> typing.Tuple[bytes, str]:
    """(bytes, file name) of a path or an open file; text files are sent as UTF-8."""
    if isinstance(value, pathlib.PurePath):
        return pathlib.Path(value).read_bytes(), os.path.basename(str(value))
    if value.seekable():
        value.seek(0)
    content = value.read()
    return (content.encode("utf-8") if isinstance(content, str) else content), os.path.basename(str(getattr(value, "name", "")))


def _is_file(value: typing.Any) -> bool:
    return isinstance(value, (pathlib.PurePath, io.IOBase))


class OutputEncoder:
    """Encodes one job's outputs; with `upload`, top-level files are uploaded rather than inlined."""

    def __init__(self, upload: typing.Optional[Upload] = None) -> None:
        self._upload = upload
        self._count = 0

    def item(self, value: typing.Any) -> typing.Any:
        """A value returned or yielded by run(); raises UploadFailed when its file could not be uploaded."""
        if self._upload is not None and _is_file(value):
            content, name = _file_content(value)
            if not name or isinstance(value, io.IOBase):
                # Open files get a numbered name that keeps their extension, as in Cog.
                name = "{}{}".format(self._count, os.path.splitext(name)[1] or ".bin")
            self._count += 1
            return self._upload(content, name, files.mime_for(name))
        return encode(value)


def encode(value: typing.Any) -> typing.Any:
    """Any value made JSON-ready: files as data URLs, models and dataclasses as objects, secrets masked."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if _is_file(value):
        content, name = _file_content(value)
        return files.data_url(content, files.mime_for(name))
    if isinstance(value, Secret):
        return Secret.MASK
    if isinstance(value, enum.Enum):
        return encode(value.value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): encode(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: encode(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if hasattr(value, "model_dump"):  # pydantic 2
        return encode(value.model_dump())
    if hasattr(value, "dict") and hasattr(value, "__fields__"):  # pydantic 1
        return encode(value.dict())
    if isinstance(value, (list, tuple, set, frozenset)) or hasattr(value, "__next__"):
        return [encode(item) for item in value]
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return encode(value.tolist())
    if hasattr(value, "__annotations__") and hasattr(value, "__dict__"):
        # A BaseModel that opted out of becoming a dataclass.
        return {name: encode(getattr(value, name)) for name in type(value).__annotations__ if hasattr(value, name)}
    raise TypeError("Failed to serialize output: {} is not JSON serializable".format(type(value).__name__))
