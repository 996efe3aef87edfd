"""The image's HTTP server: `python -m cog.server.http [--host H] [--port P]`.

Serves Cog's prediction API (/health-check, /openapi.json, /predictions, /shutdown) with the
standard library's ThreadingHTTPServer, so the image needs no web framework. Each request gets a
thread; the Runner allows one prediction at a time.
"""

import argparse
import json
import logging
import os
import re
import sys
import threading
import typing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cog.runner import Busy, NotReady, Prediction, Runner
from cog.schema import InputErrors

log = logging.getLogger("cog")
DEFAULT_HOST = "0.0.0.0"
DEFAULT_PORT = 5000
PREDICTION_PATH = re.compile(r"^/predictions/([^/]+)$")
CANCEL_PATH = re.compile(r"^/predictions/([^/]+)/cancel$")


class CogServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: typing.Tuple[str, int], runner: Runner) -> None:
        super().__init__(address, CogRequestHandler)
        self.runner = runner

    def shutdown_soon(self) -> None:
        """Stop serving from another thread: shutdown() waits for the loop this request runs in."""
        threading.Thread(target=self.shutdown, name="cog-shutdown", daemon=True).start()


class CogRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "cog-sdk-runtime"
    server = None  # type: CogServer  # type: ignore[assignment]

    def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
        path = self.path.split("?")[0]
        runner = self.server.runner
        if path == "/":
            self._send(200, {"openapi_url": "/openapi.json", "health_check_url": "/health-check",
                             "predictions_url": "/predictions"})
        elif path == "/health-check":
            self._send(200, runner.health())
        elif path == "/openapi.json":
            if runner.schema is None:
                self._send(503, {"detail": "The schema is not available: setup has not loaded the predictor"})
            else:
                self._send(200, runner.schema)
        elif PREDICTION_PATH.match(path):
            self._send_prediction(runner.get(PREDICTION_PATH.match(path).group(1)))  # type: ignore[union-attr]
        else:
            self._not_found()

    def do_POST(self) -> None:  # noqa: N802
        path = self.path.split("?")[0]
        if path == "/predictions":
            self._predict(None)
        elif CANCEL_PATH.match(path):
            self._read_body()
            self._send_prediction(self.server.runner.cancel(CANCEL_PATH.match(path).group(1)))  # type: ignore[union-attr]
        elif path == "/shutdown":
            self._read_body()
            log.info("shutdown requested")
            self._send(200, {})
            self.server.shutdown_soon()
        else:
            self._not_found()

    def do_PUT(self) -> None:  # noqa: N802
        match = PREDICTION_PATH.match(self.path.split("?")[0])
        if match:
            self._predict(match.group(1))
        else:
            self._not_found()

    def _predict(self, prediction_id: typing.Optional[str]) -> None:
        """POST /predictions and PUT /predictions/{id}; a PUT of a known id answers with that prediction."""
        runner = self.server.runner
        body = self._read_body()
        if body is None:
            return
        respond_async = "respond-async" in self.headers.get("Prefer", "")
        prediction = runner.get(prediction_id) if prediction_id else None
        if prediction is None:
            try:
                prediction = runner.submit(body, prediction_id)
            except InputErrors as errors:
                self._send(422, {"detail": errors.detail})
                return
            except Busy:
                self._send(409, {"detail": "Already running a prediction"})
                return
            except NotReady as problem:
                self._send(503, {"detail": "Cannot run a prediction: {}".format(problem)})
                return
        if respond_async:
            self._send(202, prediction.response())
        else:
            prediction.done.wait()
            self._send(200, prediction.response())

    def _read_body(self) -> typing.Optional[typing.Dict[str, typing.Any]]:
        """The JSON object sent, {} when empty; None after answering 422 for anything else."""
        text = self._read_content().decode("utf-8")
        try:
            body = json.loads(text) if text.strip() else {}
        except ValueError as problem:
            body = problem
        if isinstance(body, dict):
            return body
        message = "invalid JSON: {}".format(body) if isinstance(body, ValueError) else "expected a JSON object"
        self._send(422, {"detail": [{"loc": ["body"], "msg": message, "type": "value_error.jsondecode"}]})
        return None

    def _read_content(self) -> bytes:
        """The request body, sent with a Content-Length or chunked (as .NET's JsonContent and Go stream it)."""
        if "chunked" not in self.headers.get("Transfer-Encoding", "").lower():
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))
        chunks = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                # Skip trailers up to the blank line that ends the body.
                while self.rfile.readline().strip():
                    pass
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _send_prediction(self, prediction: typing.Optional[Prediction]) -> None:
        if prediction is None:
            self._not_found()
        else:
            self._send(200, prediction.response())

    def _not_found(self) -> None:
        self._send(404, {"detail": "Not Found"})

    def _send(self, status: int, body: typing.Any) -> None:
        content = json.dumps(body, separators=(",", ":")).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, format: str, *args: typing.Any) -> None:  # noqa: A002 - the base class's name
        # Per-request lines would drown the build log; they are kept for debugging.
        log.debug("%s %s", self.address_string(), format % args)


def configure_logging() -> None:
    """Runtime messages go to the real stderr, outside the capture of user output into job logs."""
    handler = logging.StreamHandler(sys.__stderr__)
    handler.setFormatter(logging.Formatter("%(asctime)s cog: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.DEBUG if os.environ.get("COG_LOG_LEVEL", "").lower() == "debug" else logging.INFO)
    log.propagate = False


def main(argv: typing.Optional[typing.List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cog.server.http", description="Serve the predictor over HTTP.")
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", DEFAULT_PORT)))
    # Flags of Cog's own server (--threads, --upload-url, ...) are accepted and ignored, so that
    # a CMD written for Cog still starts.
    arguments, ignored = parser.parse_known_args(argv)
    configure_logging()
    if ignored:
        log.info("ignoring unsupported arguments: %s", " ".join(ignored))
    runner = Runner()
    server = CogServer((arguments.host, arguments.port), runner)
    runner.start_setup()
    log.info("serving on http://%s:%d", arguments.host, server.server_address[1])
    try:
        # A short poll interval makes POST /shutdown take effect promptly.
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
