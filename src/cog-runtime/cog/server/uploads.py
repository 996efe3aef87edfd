"""`--upload-url`: each file output PUT to `<url>/<file name>`, and the URL it landed at returned.

As in Cog: the body is the raw bytes with the file's Content-Type; the returned URL is the
response's Location header, else the URL put to, without its query string.
"""

import logging
import typing
import urllib.error
import urllib.parse
import urllib.request

from cog.outputs import Upload, UploadFailed

log = logging.getLogger("cog")
TIMEOUT_SECONDS = 25


def uploader(base_url: str) -> Upload:
    def upload(content: bytes, name: str, mime: str) -> str:
        url = base_url.rstrip("/") + "/" + urllib.parse.quote(name)
        request = urllib.request.Request(url, data=content, method="PUT", headers={"Content-Type": mime})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                location = response.headers.get("Location")
                landed = urllib.parse.urljoin(url, location) if location else response.geturl()
        except (urllib.error.HTTPError, OSError) as problem:
            raise UploadFailed("upload of {} to {} failed: {}".format(name, url, problem)) from None
        return urllib.parse.urlunsplit(urllib.parse.urlsplit(landed)._replace(query="", fragment=""))

    return upload
