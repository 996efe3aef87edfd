"""Files over JSON: input URLs become local files, returned files become data URLs.

The extension of a downloaded input follows its MIME type or URL, because models (PIL, ffmpeg)
often pick a decoder from the file name.
"""

import base64
import io
import mimetypes
import os
import pathlib
import tempfile
import typing
import urllib.parse
import urllib.request

from cog.types import BaseModel, Path, Secret

DOWNLOAD_TIMEOUT_SECONDS = 120
# Preferred over mimetypes' answers, which vary by Python version and by the image's /etc/mime.types.
EXTENSIONS_BY_MIME = {
    "image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
    "image/svg+xml": ".svg", "audio/mpeg": ".mp3", "audio/wav": ".wav", "audio/x-wav": ".wav",
    "audio/ogg": ".ogg", "audio/flac": ".flac", "video/mp4": ".mp4", "video/webm": ".webm",
    "text/plain": ".txt", "application/json": ".json", "application/zip": ".zip", "application/pdf": ".pdf",
}
MIMES_BY_EXTENSION = {extension: mime for mime, extension in EXTENSIONS_BY_MIME.items()}
MIMES_BY_EXTENSION.update({".jpeg": "image/jpeg", ".wav": "audio/wav"})
DEFAULT_MIME = "application/octet-stream"


def extension_for(mime: str) -> str:
    mime = mime.split(";")[0].strip().lower()
    return EXTENSIONS_BY_MIME.get(mime) or mimetypes.guess_extension(mime) or ""


def mime_for(file_name: str) -> str:
    extension = os.path.splitext(file_name)[1].lower()
    return MIMES_BY_EXTENSION.get(extension) or mimetypes.guess_type(file_name)[0] or DEFAULT_MIME


def download(url: str, directory: str) -> Path:
    """Save a data: or http(s): URL into `directory` and return its path."""
    if url.startswith("data:"):
        header, _, payload = url[len("data:"):].partition(",")
        mime = header.split(";")[0] or "text/plain"
        content = base64.b64decode(payload) if header.endswith(";base64") else urllib.parse.unquote_to_bytes(payload)
        stem, extension = "input", extension_for(mime)
    else:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response:
            content = response.read()
            content_type = response.headers.get("Content-Type", "")
        stem, extension = os.path.splitext(os.path.basename(urllib.parse.unquote(urllib.parse.urlparse(url).path)))
        if not extension:
            extension = extension_for(content_type)
        stem = stem or "input"
    handle, path = tempfile.mkstemp(prefix=stem + "-", suffix=extension, dir=directory)
    with os.fdopen(handle, "wb") as target:
        target.write(content)
    return Path(path)


def data_url(content: bytes, mime: str) -> str:
    return "data:{};base64,{}".format(mime, base64.b64encode(content).decode("ascii"))


def encode_output(value: typing.Any) -> typing.Any:
    """Make a predict() result JSON-ready: files inline as data URLs, models as objects, secrets masked."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, pathlib.PurePath):
        return data_url(pathlib.Path(value).read_bytes(), mime_for(str(value)))
    if isinstance(value, io.IOBase):
        name = str(getattr(value, "name", ""))
        return data_url(value.read(), mime_for(name))
    if isinstance(value, BaseModel):
        return encode_output(value.dict())
    if isinstance(value, Secret):
        return Secret.MASK
    if isinstance(value, dict):
        return {str(key): encode_output(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode_output(item) for item in value]
    raise TypeError("predict() returned a {} the runtime cannot send as JSON".format(type(value).__name__))
