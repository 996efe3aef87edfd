"""The model's lifecycle: load and set up once, then run predictions (or trainings) as they come.

States: STARTING while setup() runs (in the background), then READY, or SETUP_FAILED. Each job
runs on its own thread; async run() methods, async setup() and async healthcheck() share one
event loop on a thread of its own, as in Cog. Up to `max_concurrency` jobs run at once (above 1
only for async methods); at capacity a new one is refused rather than queued.
"""

import asyncio
import collections
import concurrent.futures
import contextlib
import ctypes
import inspect
import io
import logging
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
import traceback
import typing
import uuid

import cog
from cog import inputs, loading, schema, scope
from cog.outputs import OutputEncoder, UploadFailed
from cog.server import uploads
from cog.server.jobs import Job, now
from cog.server.logs import OutputRouter
from cog.server.webhooks import WebhookSender
from cog.types import CancelationException, Path

log = logging.getLogger("cog")
SETUP_TIMEOUT_VARIABLE = "COG_SETUP_TIMEOUT"
HEALTHCHECK_TIMEOUT_SECONDS = 5.0
# Cog's rule: more than one prediction at a time needs Python 3.11 (and an async method).
CONCURRENCY_PYTHON = (3, 11)
# Finished jobs kept for GET /predictions/{id} and idempotent PUTs; older ones are forgotten.
KEPT_JOBS = 100
CANCELLATIONS = (CancelationException, asyncio.CancelledError, concurrent.futures.CancelledError)
TIMEOUTS = (concurrent.futures.TimeoutError, asyncio.TimeoutError)
USER_AGENT = "cog-sdk-runtime/" + cog.__version__


class Busy(Exception):
    """Every slot is taken."""


class NotReady(Exception):
    """setup() has not finished, or failed."""


class NotServed(Exception):
    """A prediction asked of a server in train mode, or a training of one in predict mode."""


def describe(problem: BaseException) -> str:
    """`ValueError: boom`, as Cog names errors (a bare `sys.exit()` is just `SystemExit`)."""
    text = str(problem)
    return "{}: {}".format(type(problem).__name__, text) if text else type(problem).__name__


def setup_timeout() -> typing.Optional[int]:
    """$COG_SETUP_TIMEOUT in whole seconds; unset, 0 or not a number means no limit, as in Cog."""
    value = os.environ.get(SETUP_TIMEOUT_VARIABLE, "").strip()
    try:
        seconds = int(value) if value else 0
    except ValueError:
        log.warning("ignoring %s=%s: not a whole number of seconds", SETUP_TIMEOUT_VARIABLE, value)
        return None
    return seconds if seconds > 0 else None


def _raise_in_thread(thread_id: int, exception: typing.Optional[type]) -> None:
    """Make `thread_id` raise `exception` at its next Python instruction (None clears a pending one).

    The only way to interrupt synchronous user code from outside; blocking C calls finish first.
    """
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id),
                                               ctypes.py_object(exception) if exception else ctypes.c_void_p(0))


def _weights_for(setup: typing.Callable[..., typing.Any]) -> typing.Any:
    """setup()'s `weights`: $COG_WEIGHTS as given (a URL or a path; None when unset), as Cog passes it, or
    a cog.Path of a local path where setup() annotates `weights` as a Path, as Cog 0.9 did."""
    weights = os.environ.get("COG_WEIGHTS") or None
    annotation = inspect.signature(setup).parameters["weights"].annotation
    try:
        wants_path = schema.describe_type(annotation).kind == "path"
    except TypeError:
        wants_path = False
    return Path(weights) if weights and wants_path and "://" not in weights else weights


def _is_iterator(value: typing.Any) -> bool:
    # Open files iterate over their lines, but a returned file is a file output.
    return hasattr(value, "__next__") and not isinstance(value, (str, bytes, io.IOBase))


class EventLoop:
    """The one asyncio loop that async setup(), run() and healthcheck() share (so loop-bound clients
    created in setup() work in run()), running on its own thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="cog-event-loop", daemon=True).start()

    def submit(self, coroutine: typing.Awaitable[typing.Any]) -> "concurrent.futures.Future[typing.Any]":
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)  # type: ignore[arg-type]


class Worker:
    def __init__(self, mode: typing.Optional[str] = None, upload_url: typing.Optional[str] = None) -> None:
        self.references = loading.references()
        # Without --x-mode: predictions, unless only a trainer is configured.
        self.mode = mode or (loading.TRAIN if self.references[loading.TRAIN] and not self.references[loading.PREDICT]
                             else loading.PREDICT)
        self.status = "STARTING"
        self.setup_result = {"started_at": None, "completed_at": None, "logs": "", "status": "starting"}  # type: typing.Dict[str, typing.Any]
        self.schema = None  # type: typing.Optional[typing.Dict[str, typing.Any]]
        self.target = None  # type: typing.Optional[loading.Target]
        self.max_concurrency = 1
        self._upload = uploads.uploader(upload_url) if upload_url else None
        self._lock = threading.Lock()
        self._event_loop_lock = threading.Lock()
        self._in_flight = {}  # type: typing.Dict[str, Job]
        self._finished = collections.OrderedDict()  # type: typing.Dict[str, Job]
        self._setup_lines = []  # type: typing.List[str]
        self._setup_future = None  # type: typing.Optional[concurrent.futures.Future]
        self._health_future = None  # type: typing.Optional[concurrent.futures.Future]
        self._event_loop = None  # type: typing.Optional[EventLoop]
        self.router = OutputRouter(self._fallback_sink)
        scope.fallback = self._fallback_scope

    @property
    def job_kind(self) -> str:
        return "training" if self.mode == loading.TRAIN else "prediction"

    @property
    def streaming(self) -> bool:
        return self.target is not None and self.target.streaming and self.mode == loading.PREDICT

    def event_loop(self) -> EventLoop:
        with self._event_loop_lock:
            if self._event_loop is None:
                self._event_loop = EventLoop()
            return self._event_loop

    # Setup

    def start_setup(self) -> None:
        self.router.install()
        self.setup_result["started_at"] = now()
        thread = threading.Thread(target=self._setup, name="cog-setup", daemon=True)
        thread.start()
        timeout = setup_timeout()
        if timeout:
            threading.Thread(target=self._limit_setup, args=(thread, timeout), name="cog-setup-timeout", daemon=True).start()

    def _record_setup_output(self, source: str, text: str) -> None:
        self._setup_lines.append(text)

    def _setup(self) -> None:
        log.info("setup started")
        with self.router.into(self._record_setup_output):
            try:
                self._load_and_set_up()
            except BaseException:  # noqa: BLE001 - any failure, SystemExit included, is a failed setup
                sys.stderr.write(traceback.format_exc())
                self._finish_setup(False)
                return
        self._finish_setup(True)

    def _load_and_set_up(self) -> None:
        if self.references[self.mode] is None:
            raise loading.PredictorNotFound(loading.missing_reference_message(self.mode))
        targets = loading.load_targets(self.references)
        self.schema = schema.openapi_schema(targets.get(loading.PREDICT), targets.get(loading.TRAIN))
        target = targets[self.mode]
        self.max_concurrency = loading.max_concurrency(target)
        if self.max_concurrency > 1:
            if not target.is_async:
                raise RuntimeError("COG_MAX_CONCURRENCY > 1 requires an async {} method (concurrency is {})".format(
                    target.name, self.max_concurrency))
            if sys.version_info < CONCURRENCY_PYTHON:
                raise RuntimeError("concurrency {} requires Python 3.11 or later; this is Python {}".format(
                    self.max_concurrency, platform.python_version()))
        target.instantiate()
        setup = target.optional_method("setup")
        if setup is not None:
            weights = (_weights_for(setup),) if "weights" in inspect.signature(setup).parameters else ()
            if inspect.iscoroutinefunction(setup):
                self._setup_future = self.event_loop().submit(
                    self._in_context(setup(*weights), self._record_setup_output))
                self._setup_future.result()
            else:
                setup(*weights)
        self.target = target

    def _limit_setup(self, setup_thread: threading.Thread, seconds: int) -> None:
        setup_thread.join(seconds)
        if setup_thread.is_alive() and self.status == "STARTING":
            self._setup_lines.append("worker setup timed out after {} seconds ({})\n".format(seconds, SETUP_TIMEOUT_VARIABLE))
            self._finish_setup(False)
            # Stop the setup where it can be stopped: an async one at its next await, a sync one at its
            # next Python instruction.
            if self._setup_future is not None:
                self._setup_future.cancel()
            elif setup_thread.ident is not None:
                _raise_in_thread(setup_thread.ident, CancelationException)

    def _finish_setup(self, succeeded: bool) -> None:
        with self._lock:
            if self.status != "STARTING":
                return  # it timed out earlier
            self.setup_result.update(completed_at=now(), logs="".join(self._setup_lines),
                                     status="succeeded" if succeeded else "failed")
            self.status = "READY" if succeeded else "SETUP_FAILED"
        if succeeded:
            log.info("setup finished")
        else:
            log.error("setup failed")

    # Health

    def health(self) -> typing.Dict[str, typing.Any]:
        with self._lock:
            status = self.status
            if status == "READY" and len(self._in_flight) >= self.max_concurrency:
                status = "BUSY"
            body = {"status": status, "setup": dict(self.setup_result),
                    "version": {"python_sdk": cog.__version__, "python": platform.python_version()}}
        if status in ("READY", "BUSY"):
            problem = self._user_healthcheck()
            if problem is not None:
                body.update(status="UNHEALTHY", user_healthcheck_error=problem)
        return body

    def _user_healthcheck(self) -> typing.Optional[str]:
        """The predictor's healthcheck() (sync or async), given 5 seconds; polls arriving meanwhile share it."""
        check = self.target.optional_method("healthcheck") if self.target else None
        if check is None:
            return None
        with self._lock:
            if self._health_future is None or self._health_future.done():
                self._health_future = self._start_healthcheck(check)
            future = self._health_future
        try:
            result = future.result(timeout=HEALTHCHECK_TIMEOUT_SECONDS)
        except TIMEOUTS:
            return "Healthcheck failed: user-defined healthcheck timed out after {:.1f} seconds".format(
                HEALTHCHECK_TIMEOUT_SECONDS)
        except Exception as problem:  # noqa: BLE001 - the predictor's own failure, reported
            return "Healthcheck failed: " + describe(problem)
        return "Healthcheck failed: user-defined healthcheck returned False" if result is False else None

    def _start_healthcheck(self, check: typing.Callable[[], typing.Any]) -> "concurrent.futures.Future[typing.Any]":
        if inspect.iscoroutinefunction(check):
            return self.event_loop().submit(asyncio.wait_for(check(), HEALTHCHECK_TIMEOUT_SECONDS))
        future = concurrent.futures.Future()  # type: concurrent.futures.Future

        def run() -> None:
            try:
                future.set_result(check())
            except BaseException as problem:  # noqa: BLE001
                future.set_exception(problem)

        threading.Thread(target=run, name="cog-healthcheck", daemon=True).start()
        return future

    # Jobs

    def find(self, job_id: str) -> typing.Optional[Job]:
        with self._lock:
            return self._in_flight.get(job_id) or self._finished.get(job_id)

    def submit(self, kind: str, request: typing.Dict[str, typing.Any], job_id: typing.Optional[str] = None,
               webhook_headers: typing.Optional[typing.Dict[str, str]] = None,
               before_start: typing.Optional[typing.Callable[[Job], None]] = None) -> Job:
        """Validate a request and start its job; raises NotServed, NotReady, InputErrors or Busy."""
        if kind != self.job_kind:
            raise NotServed("this server runs {}s (start it with --x-mode {} for {}s)".format(
                self.job_kind, loading.TRAIN if kind == "training" else loading.PREDICT, kind))
        if self.status != "READY" or self.target is None:
            raise NotReady(self.status)
        target = self.target
        values, ignored = inputs.validate(target.inputs, request.get("input"))
        if ignored:
            log.warning("ignoring inputs that %s does not take: %s", target.name, ", ".join(ignored))
        masked = {spec.name: "**********" if spec.type.kind == "secret" and values[spec.name] is not None
                  else request["input"][spec.name] for spec in target.inputs if spec.name in (request.get("input") or {})}
        context = request.get("context") if isinstance(request.get("context"), dict) else None
        with self._lock:
            if len(self._in_flight) >= self.max_concurrency:
                raise Busy()
            job = Job(kind, job_id or request.get("id") or uuid.uuid4().hex, masked, request.get("created_at"), context)
            self._in_flight[job.id] = job
        if request.get("webhook"):
            events = request.get("webhook_events_filter") or ("start", "output", "logs", "completed")
            job.listen(WebhookSender(request["webhook"], events, webhook_headers or {}, USER_AGENT))
        if before_start is not None:
            before_start(job)
        threading.Thread(target=self._run, args=(job, values), name="cog-" + kind, daemon=True).start()
        return job

    def cancel(self, job_id: str) -> typing.Optional[Job]:
        with self._lock:
            job = self._in_flight.get(job_id) or self._finished.get(job_id)
            if job is None or job.done.is_set():
                return job
            job.cancel_requested = True
            if job.interruptible and job.thread_id is not None:
                _raise_in_thread(job.thread_id, CancelationException)
            task = job.task
        if task is not None:
            self.event_loop().loop.call_soon_threadsafe(task.cancel)
        log.info("%s %s cancel requested", job.kind, job_id)
        return job

    def _run(self, job: Job, values: typing.Dict[str, typing.Any]) -> None:
        job.start()
        started = time.monotonic()
        directory = tempfile.mkdtemp(prefix="cog-input-")
        opened = []  # type: typing.List[typing.Any]
        status, error = "succeeded", None
        log.info("%s %s started", job.kind, job.id)
        try:
            with self.router.into(job.write_log), self._scope(job):
                try:
                    arguments = inputs.arguments(self.target.inputs, values, directory, opened)  # type: ignore[union-attr]
                    self._execute(job, arguments, OutputEncoder(self._upload))
                except BaseException as problem:  # noqa: BLE001 - whatever run() raises ends the job
                    if job.cancel_requested or isinstance(problem, CANCELLATIONS):
                        status = "canceled"
                    else:
                        status, error = "failed", describe(problem)
                        sys.stderr.write(traceback.format_exc())
        finally:
            for handle in opened:
                handle.close()
            shutil.rmtree(directory, ignore_errors=True)
            elapsed = time.monotonic() - started
            with self._lock:
                self._in_flight.pop(job.id, None)
                self._finished[job.id] = job
                while len(self._finished) > KEPT_JOBS:
                    self._finished.pop(next(iter(self._finished)))
            job.finish(status, error, elapsed)
            log.info("%s %s %s in %.3fs", job.kind, job.id, status, elapsed)

    @staticmethod
    @contextlib.contextmanager
    def _scope(job: Job) -> typing.Iterator[None]:
        token = scope.CURRENT.set(job.scope)
        try:
            yield
        finally:
            scope.CURRENT.reset(token)

    def _execute(self, job: Job, arguments: typing.Dict[str, typing.Any], encoder: OutputEncoder) -> None:
        """Call run() and publish what it returns or yields, whichever of Cog's forms it takes."""
        target = self.target
        assert target is not None
        if target.is_async and not target.is_async_generator:
            result = self._on_event_loop(job, target.callable(**arguments))
        else:
            with self._interruptible(job):
                result = target.callable(**arguments)
        if inspect.isasyncgen(result):
            self._drain_async(job, result, encoder)
        elif _is_iterator(result) or isinstance(result, (list, tuple)):
            job.begin_list()
            with self._interruptible(job):
                for item in result:
                    self._publish(job, encoder, item)
        else:
            try:
                job.set_output(encoder.item(result))
            except UploadFailed as problem:
                sys.stderr.write("{}\n".format(problem))
                job.set_output(None)

    @staticmethod
    def _publish(job: Job, encoder: OutputEncoder, item: typing.Any) -> None:
        try:
            job.add_output(encoder.item(item))
        except UploadFailed as problem:
            # As in Cog, the item is left out and the job still succeeds; its logs say why.
            sys.stderr.write("{}\n".format(problem))

    @contextlib.contextmanager
    def _interruptible(self, job: Job) -> typing.Iterator[None]:
        """Synchronous user code runs here; only here may a cancel be raised into this thread."""
        with self._lock:
            if job.cancel_requested:
                raise CancelationException()
            job.thread_id = threading.get_ident()
            job.interruptible = True
        try:
            yield
        finally:
            with self._lock:
                job.interruptible = False
                # A cancel that arrived too late to be raised must not fire in the runtime's own code.
                _raise_in_thread(threading.get_ident(), None)

    async def _in_context(self, awaitable: typing.Awaitable[typing.Any], sink: typing.Callable[[str, str], None],
                          job: typing.Optional[Job] = None) -> typing.Any:
        """Run `awaitable` on the event loop with the log sink and scope of its setup or job, which tasks
        it starts inherit; a job's task is kept so that a cancel can reach it."""
        if job is not None:
            with self._lock:
                job.task = asyncio.current_task()
                canceled = job.cancel_requested
            if canceled:
                getattr(awaitable, "close", lambda: None)()
                raise asyncio.CancelledError()
        with self.router.into(sink), (self._scope(job) if job else contextlib.nullcontext()):
            return await awaitable

    def _on_event_loop(self, job: Job, awaitable: typing.Awaitable[typing.Any]) -> typing.Any:
        return self.event_loop().submit(self._in_context(awaitable, job.write_log, job)).result()

    def _drain_async(self, job: Job, generator: typing.AsyncIterator[typing.Any], encoder: OutputEncoder) -> None:
        """Items of an async generator are published as they come (Cog collects them first; streaming
        them is what Cog's documentation promises)."""
        items = collections.deque()  # type: typing.Deque[typing.Any]
        arrived = threading.Semaphore(0)
        end = object()

        async def pump() -> None:
            try:
                async for item in generator:
                    items.append(item)
                    arrived.release()
            finally:
                items.append(end)
                arrived.release()

        job.begin_list()
        future = self.event_loop().submit(self._in_context(pump(), job.write_log, job))
        while True:
            arrived.acquire()
            item = items.popleft()
            if item is end:
                break
            self._publish(job, encoder, item)
        future.result()

    # Output of threads the predictor starts itself, which carry no ContextVars.

    def _only_job(self) -> typing.Optional[Job]:
        with self._lock:
            return next(iter(self._in_flight.values())) if len(self._in_flight) == 1 else None

    def _fallback_sink(self) -> typing.Optional[typing.Callable[[str, str], None]]:
        if self.status == "STARTING":
            return self._record_setup_output
        job = self._only_job()
        return job.write_log if job is not None else None

    def _fallback_scope(self) -> typing.Optional[scope.Scope]:
        job = self._only_job()
        return job.scope if job is not None else None
