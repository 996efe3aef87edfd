"""Files over HTTP: input URLs become local files, output files become data URLs or uploads.

The one place in the runtime that maps MIME types and file extensions (by mime_types.json, which CogPredict reads
too), so that a downloaded input's extension (which models such as PIL or ffmpeg pick a decoder by), an output's
Content-Type and the name CogPredict gives the output file agree.
"""

import base64
import json
import mimetypes
import os
import tempfile
import typing
import urllib.parse
import urllib.request

DOWNLOAD_TIMEOUT_SECONDS = 120
# Preferred over mimetypes' answers, which vary by Python version and by the image's /etc/mime.types. The table is
# shared with CogPredict, which names output files by it: the first row for a MIME type gives its extension, the first
# row for an extension its MIME type.
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "mime_types.json"), encoding="utf-8") as _table:
    _TYPES = json.load(_table)["types"]
EXTENSIONS_BY_MIME = {}
MIMES_BY_EXTENSION = {}
for _extension, _mime in _TYPES:
    EXTENSIONS_BY_MIME.setdefault(_mime, _extension)
    MIMES_BY_EXTENSION.setdefault(_extension, _mime)
DEFAULT_MIME = "application/octet-stream"


def extension_for(mime: str) -> str:
    mime = mime.split(";")[0].strip().lower()
    return EXTENSIONS_BY_MIME.get(mime) or mimetypes.guess_extension(mime) or ""


def mime_for(file_name: str) -> str:
    extension = os.path.splitext(file_name)[1].lower()
    return MIMES_BY_EXTENSION.get(extension) or mimetypes.guess_type(file_name)[0] or DEFAULT_MIME


def data_url(content: bytes, mime: str) -> str:
    return "data:{};base64,{}".format(mime, base64.b64encode(content).decode("ascii"))


def data_url_content(url: str) -> typing.Tuple[bytes, str]:
    """The bytes and MIME type of a data: URL."""
    header, _, payload = url[len("data:"):].partition(",")
    mime = header.split(";")[0] or "text/plain"
    content = base64.b64decode(payload) if header.endswith(";base64") else urllib.parse.unquote_to_bytes(payload)
    return content, mime


def url_file_name(url: str) -> str:
    """The file name a URL stands for: `file.<ext>` for a data: URL, else the URL path's last part."""
    if url.startswith("data:"):
        return "file" + extension_for(data_url_content(url)[1])
    return os.path.basename(urllib.parse.unquote(urllib.parse.urlparse(url).path)).replace("\0", "_")


def download_request(url: str) -> urllib.request.Request:
    """A GET of an input URL, with $COG_USER_AGENT when it is set (as Cog sends it)."""
    user_agent = os.environ.get("COG_USER_AGENT")
    return urllib.request.Request(url, headers={"User-Agent": user_agent} if user_agent else {})


def download(url: str, directory: str) -> str:
    """Save a data: or http(s): URL into `directory`; the file name keeps the URL's name and extension."""
    if url.startswith("data:"):
        content, mime = data_url_content(url)
        stem, extension = "input", extension_for(mime)
    else:
        with urllib.request.urlopen(download_request(url), timeout=DOWNLOAD_TIMEOUT_SECONDS) as response:
            content = response.read()
            content_type = response.headers.get("Content-Type", "")
        stem, extension = os.path.splitext(url_file_name(url))
        if not extension:
            extension = extension_for(content_type)
        stem = stem or "input"
    handle, path = tempfile.mkstemp(prefix=stem + "-", suffix=extension, dir=directory)
    with os.fdopen(handle, "wb") as target:
        target.write(content)
    return path
