"""The image's HTTP server: `python -m cog.server.http [--host H] [--port P] [--upload-url U] [--x-mode M]`.

Serves Cog's API (/health-check, /openapi.json, /predictions, /trainings, /shutdown) with the
standard library's ThreadingHTTPServer, so the image needs no web framework. Each request gets a
thread; the Worker runs the jobs.
"""

import argparse
import json
import logging
import os
import queue
import re
import signal
import sys
import threading
import typing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cog
from cog import loading
from cog.inputs import InputErrors
from cog.server.jobs import Job
from cog.server.webhooks import EVENTS
from cog.server.worker import Busy, NotReady, NotServed, Worker

log = logging.getLogger("cog")
DEFAULT_HOST = "0.0.0.0"
DEFAULT_PORT = 5000
JOB_PATH = re.compile(r"^/(predictions|trainings)(?:/([^/]+))?(/cancel)?$")
KINDS = {"predictions": "prediction", "trainings": "training"}
TRACE_HEADERS = ("traceparent", "tracestate")
KEEP_ALIVE_SECONDS = 15


class CogServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: typing.Tuple[str, int], worker: Worker) -> None:
        super().__init__(address, CogRequestHandler)
        self.worker = worker

    def shutdown_soon(self) -> None:
        """Stop serving from another thread: shutdown() waits for the loop this request runs in."""
        threading.Thread(target=self.shutdown, name="cog-shutdown", daemon=True).start()


def _json(value: typing.Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _media_types(header: str) -> typing.List[str]:
    return [part.split(";")[0].strip().lower() for part in header.split(",")]


class CogRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "cog-sdk-runtime"
    server = None  # type: CogServer  # type: ignore[assignment]

    @property
    def worker(self) -> Worker:
        return self.server.worker

    def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
        path = self.path.split("?")[0]
        match = JOB_PATH.match(path)
        if path == "/":
            self._send(200, self._index())
        elif path == "/health-check":
            self._send(200, self.worker.health())
        elif path == "/openapi.json":
            if self.worker.schema is None:
                self._send(503, {"error": "OpenAPI schema not available: the predictor is still loading"})
            else:
                self._send(200, self.worker.schema)
        elif match and match.group(2) and not match.group(3):
            self._send_job(self.worker.find(match.group(2)))
        else:
            self._not_found()

    def do_POST(self) -> None:  # noqa: N802
        path = self.path.split("?")[0]
        match = JOB_PATH.match(path)
        if match and not match.group(2):
            self._create(KINDS[match.group(1)], None)
        elif match and match.group(3):
            self._read_body()
            self._send_job(self.worker.cancel(match.group(2)))
        elif path == "/shutdown":
            self._read_body()
            log.info("shutdown requested")
            self._send(200, {})
            self.server.shutdown_soon()
        else:
            self._not_found()

    def do_PUT(self) -> None:  # noqa: N802
        match = JOB_PATH.match(self.path.split("?")[0])
        if match and match.group(2) and not match.group(3):
            self._create(KINDS[match.group(1)], match.group(2))
        else:
            self._not_found()

    def _index(self) -> typing.Dict[str, typing.Any]:
        index = {"cog_version": cog.__version__, "openapi_url": "/openapi.json", "shutdown_url": "/shutdown",
                 "healthcheck_url": "/health-check"}
        for path, kind in KINDS.items():
            if self.worker.references[loading.TRAIN if kind == "training" else loading.PREDICT]:
                index.update({path + "_url": "/" + path,
                              path + "_idempotent_url": "/{}/{{{}_id}}".format(path, kind),
                              path + "_cancel_url": "/{}/{{{}_id}}/cancel".format(path, kind)})
        return index

    def _create(self, kind: str, job_id: typing.Optional[str]) -> None:
        """POST /predictions and PUT /predictions/{id} (and the same for trainings)."""
        body = self._read_body()
        if body is None or not self._valid_request(kind, job_id, body):
            return
        streaming = "text/event-stream" in _media_types(self.headers.get("Accept", ""))
        if streaming and kind == "training":
            self._send(406, {"error": "Training endpoints do not support streaming responses."})
            return
        if streaming and self.worker.target is not None and not self.worker.streaming:
            self._send(406, {"error": "This model does not support streaming responses. "
                                      "Add @cog.streaming to predict() to enable SSE."})
            return
        respond_async = "respond-async" in _media_types(self.headers.get("Prefer", ""))
        existing = self.worker.find(job_id) if job_id else None
        if existing is not None:
            # An idempotent PUT of a known id answers with that job instead of starting another.
            if streaming:
                self._stream(existing, existing.subscribe(), created_here=False)
            elif respond_async:
                self._send(202, existing.response())
            else:
                existing.done.wait()
                self._send(200, existing.response())
            return
        created = {}  # type: typing.Dict[str, typing.Any]

        def before_start(job: Job) -> None:
            created["response"] = job.response()
            if streaming:
                created["events"] = job.subscribe()

        trace = {name: self.headers[name] for name in TRACE_HEADERS if self.headers.get(name)}
        try:
            job = self.worker.submit(kind, body, job_id, trace, before_start)
        except InputErrors as errors:
            self._send(422, {"detail": errors.detail})
        except NotServed as problem:
            self._send(404, {"detail": str(problem)})
        except NotReady as problem:
            message = ("Setup failed; GET /health-check for its logs." if str(problem) == "SETUP_FAILED" else
                       "Setup has not finished yet. Wait until it has finished, or GET /health-check for status.")
            self._send(503, {"error": message, "detail": message, "status": "failed"})
        except Busy:
            message = "At capacity - all prediction slots busy"
            self._send(409, {"error": message, "detail": message, "status": "failed"})
        else:
            if streaming:
                self._stream(job, created["events"], created_here=True)
            elif respond_async:
                self._send(202, created["response"])
            else:
                job.done.wait()
                self._send(200, job.response())

    def _valid_request(self, kind: str, job_id: typing.Optional[str], body: typing.Dict[str, typing.Any]) -> bool:
        """Answers 422 for an id that differs from the URL's, or an unknown webhook event."""
        problems = []
        if job_id and body.get("id") not in (None, job_id):
            problems.append({"loc": ["body", "id"], "msg": "{} ID must match the ID supplied in the URL".format(kind),
                             "type": "value_error"})
        events = body.get("webhook_events_filter")
        if events is not None and (not isinstance(events, list) or any(event not in EVENTS for event in events)):
            problems.append({"loc": ["body", "webhook_events_filter"],
                             "msg": "expected a list of: {}".format(", ".join(EVENTS)), "type": "type_error.enum"})
        if problems:
            self._send(422, {"detail": problems})
        return not problems

    def _stream(self, job: Job, events: "queue.Queue[typing.Any]", created_here: bool) -> None:
        """Server-sent events until the job ends: start, output, log, metric, completed."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            while True:
                try:
                    event = events.get(timeout=KEEP_ALIVE_SECONDS)
                except queue.Empty:
                    self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
                    continue
                if event is None:
                    return
                name, data = event
                self.wfile.write("event: {}\ndata: {}\n\n".format(name, _json(data)).encode("utf-8"))
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            # The client went away: a job it started is canceled, as in Cog.
            if created_here:
                self.worker.cancel(job.id)

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

    def _send_job(self, job: typing.Optional[Job]) -> None:
        if job is None:
            self._not_found()
        else:
            self._send(200, job.response())

    def _not_found(self) -> None:
        self._send(404, {"detail": "Not Found"})

    def _send(self, status: int, body: typing.Any) -> None:
        content = _json(body).encode("utf-8")
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
    parser = argparse.ArgumentParser(prog="python -m cog.server.http", description="Serve the model over HTTP.")
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", DEFAULT_PORT)))
    parser.add_argument("--upload-url", help="PUT file outputs to this URL and return where they landed")
    parser.add_argument("--x-mode", choices=[loading.PREDICT, loading.TRAIN],
                        help="serve predictions (run:) or trainings (train:); default: predict when run: is set")
    # Cog parses this with type=bool: any non-empty value means true.
    parser.add_argument("--await-explicit-shutdown", type=bool, default=False,
                        help="ignore SIGTERM; stop only on POST /shutdown or SIGINT")
    parser.add_argument("-v", "--version", action="store_true")
    # Other flags of Cog's own server (--threads, ...) are accepted and ignored, so that a CMD
    # written for Cog still starts.
    arguments, ignored = parser.parse_known_args(argv)
    if arguments.version:
        print("cog-sdk-runtime {}".format(cog.__version__))
        return 0
    configure_logging()
    if ignored:
        log.info("ignoring unsupported arguments: %s", " ".join(ignored))
    worker = Worker(arguments.x_mode, arguments.upload_url)
    server = CogServer((arguments.host, arguments.port), worker)
    if not arguments.await_explicit_shutdown:
        signal.signal(signal.SIGTERM, lambda number, frame: server.shutdown_soon())
    worker.start_setup()
    log.info("serving %ss on http://%s:%d", worker.job_kind, arguments.host, server.server_address[1])
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
