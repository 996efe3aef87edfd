"""Runs setup() once and predictions one at a time, each in its own thread, capturing their output.

Kept apart from the HTTP layer so that the state machine (STARTING -> READY/SETUP_FAILED, BUSY
while predicting) reads in one place.
"""

import collections
import contextlib
import ctypes
import datetime
import inspect
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
import traceback
import typing
import uuid

from cog import files
from cog.predictor import load_predictor_class, predictor_reference
from cog.schema import InputSpec, openapi_schema, predictor_inputs, validate_inputs
from cog.types import CancelationException, Path, Secret

log = logging.getLogger("cog")
# Finished predictions kept for GET /predictions/{id} and idempotent PUTs; older ones are forgotten.
KEPT_PREDICTIONS = 100


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


class RoutedStream:
    """Stands in for sys.stdout/sys.stderr: user output still reaches the container log and,
    while a setup or prediction runs, is also recorded into that job's logs."""

    def __init__(self, original: typing.TextIO, capture: "OutputCapture") -> None:
        self._original = original
        self._capture = capture

    def write(self, text: str) -> int:
        self._capture.record(text)
        return self._original.write(text)

    def flush(self) -> None:
        self._original.flush()

    def __getattr__(self, name: str) -> typing.Any:
        return getattr(self._original, name)


class OutputCapture:
    """Where user output goes. Output from any thread is recorded, because predictors start threads;
    only one job runs at a time, so there is no one else's output to mix in."""

    def __init__(self) -> None:
        self._lines = None  # type: typing.Optional[typing.List[str]]
        self._lock = threading.Lock()

    def install(self) -> None:
        if not isinstance(sys.stdout, RoutedStream):
            sys.stdout = RoutedStream(sys.stdout, self)  # type: ignore[assignment]
            sys.stderr = RoutedStream(sys.stderr, self)  # type: ignore[assignment]

    def record(self, text: str) -> None:
        with self._lock:
            if self._lines is not None:
                self._lines.append(text)

    @contextlib.contextmanager
    def into(self, lines: typing.List[str]) -> typing.Iterator[None]:
        with self._lock:
            self._lines = lines
        try:
            yield
        finally:
            with self._lock:
                self._lines = None


class Busy(Exception):
    """A prediction is already running."""


class NotReady(Exception):
    """setup() has not finished, or failed."""


class Prediction:
    """One prediction's state, in the shape of Cog's response body."""

    def __init__(self, prediction_id: str, masked_input: typing.Dict[str, typing.Any],
                 created_at: typing.Optional[str]) -> None:
        self.id = prediction_id
        self.masked_input = masked_input
        self.output = None  # type: typing.Any
        self.log_lines = []  # type: typing.List[str]
        self.error = None  # type: typing.Optional[str]
        self.status = "processing"
        self.created_at = created_at or now()
        self.started_at = None  # type: typing.Optional[str]
        self.completed_at = None  # type: typing.Optional[str]
        self.predict_time = None  # type: typing.Optional[float]
        self.cancel_requested = False
        self.thread_id = None  # type: typing.Optional[int]
        self.done = threading.Event()

    def response(self) -> typing.Dict[str, typing.Any]:
        metrics = {"predict_time": self.predict_time} if self.predict_time is not None else {}
        # A copy: an iterator's output list grows in the prediction thread while this is serialised.
        output = list(self.output) if isinstance(self.output, list) else self.output
        return {"id": self.id, "input": self.masked_input, "output": output, "logs": "".join(self.log_lines),
                "error": self.error, "status": self.status, "metrics": metrics, "created_at": self.created_at,
                "started_at": self.started_at, "completed_at": self.completed_at}


def _raise_in_thread(thread_id: int, exception: typing.Optional[type]) -> None:
    """Make `thread_id` raise `exception` at its next Python instruction (None clears a pending one).

    The only way to interrupt user code from outside; blocking C calls finish first.
    """
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id),
                                               ctypes.py_object(exception) if exception else ctypes.c_void_p(0))


class Runner:
    """The predictor's lifecycle: load and setup() in the background, then predictions one at a time."""

    def __init__(self) -> None:
        self.capture = OutputCapture()
        self.status = "STARTING"
        self.setup_result = {"started_at": None, "completed_at": None, "logs": "", "status": "starting"}  # type: typing.Dict[str, typing.Any]
        self.schema = None  # type: typing.Optional[typing.Dict[str, typing.Any]]
        self._setup_lines = []  # type: typing.List[str]
        self._inputs = []  # type: typing.List[InputSpec]
        self._predictor = None  # type: typing.Any
        self._lock = threading.Lock()
        self._current = None  # type: typing.Optional[Prediction]
        self._in_user_code = False
        self._predictions = collections.OrderedDict()  # type: typing.Dict[str, Prediction]

    def start_setup(self) -> None:
        self.capture.install()
        threading.Thread(target=self._setup, name="cog-setup", daemon=True).start()

    def _setup(self) -> None:
        self.setup_result["started_at"] = now()
        log.info("setup started")
        try:
            with self.capture.into(self._setup_lines):
                try:
                    predictor_class = load_predictor_class(predictor_reference())
                    self._inputs = predictor_inputs(predictor_class)
                    self.schema = openapi_schema(predictor_class)
                    self._predictor = predictor_class()
                    self._call_setup(self._predictor)
                except BaseException:  # noqa: BLE001 - any failure, SystemExit included, is a failed setup
                    sys.stderr.write(traceback.format_exc())
                    raise
        except BaseException:  # noqa: BLE001
            self._finish_setup("failed", "SETUP_FAILED")
            log.error("setup failed")
            return
        self._finish_setup("succeeded", "READY")
        log.info("setup finished")

    @staticmethod
    def _call_setup(predictor: typing.Any) -> None:
        """Call setup(), passing Cog's optional `weights` argument (from $COG_WEIGHTS) when it takes one."""
        if "weights" in inspect.signature(predictor.setup).parameters:
            weights = os.environ.get("COG_WEIGHTS")
            predictor.setup(weights=Path(weights) if weights else None)
        else:
            predictor.setup()

    def _finish_setup(self, result: str, status: str) -> None:
        self.setup_result.update(completed_at=now(), logs="".join(self._setup_lines), status=result)
        self.status = status

    def health(self) -> typing.Dict[str, typing.Any]:
        status = self.status
        with self._lock:
            if status == "READY" and self._current is not None:
                status = "BUSY"
        return {"status": status, "setup": dict(self.setup_result)}

    def get(self, prediction_id: str) -> typing.Optional[Prediction]:
        with self._lock:
            return self._predictions.get(prediction_id)

    def submit(self, raw: typing.Dict[str, typing.Any], prediction_id: typing.Optional[str] = None) -> Prediction:
        """Validate the request and start its prediction; raises InputErrors, Busy or NotReady."""
        if self.status != "READY":
            raise NotReady("setup failed" if self.status == "SETUP_FAILED" else "setup has not finished")
        raw_input = raw.get("input") or {}
        values = validate_inputs(self._inputs, raw_input)
        secrets = {spec.name for spec in self._inputs if spec.type.kind == "secret"}
        masked = {name: Secret.MASK if name in secrets and value is not None else value
                  for name, value in raw_input.items()}
        prediction = Prediction(prediction_id or raw.get("id") or uuid.uuid4().hex, masked, raw.get("created_at"))
        with self._lock:
            if self._current is not None:
                raise Busy()
            self._current = prediction
            self._predictions[prediction.id] = prediction
            while len(self._predictions) > KEPT_PREDICTIONS:
                self._predictions.pop(next(iter(self._predictions)))
        thread = threading.Thread(target=self._predict, args=(prediction, values), name="cog-prediction", daemon=True)
        thread.start()
        return prediction

    def cancel(self, prediction_id: str) -> typing.Optional[Prediction]:
        with self._lock:
            prediction = self._predictions.get(prediction_id)
            if prediction is None or prediction.done.is_set():
                return prediction
            prediction.cancel_requested = True
            if self._in_user_code and prediction.thread_id is not None:
                _raise_in_thread(prediction.thread_id, CancelationException)
        log.info("prediction %s cancel requested", prediction_id)
        return prediction

    def _predict(self, prediction: Prediction, values: typing.Dict[str, typing.Any]) -> None:
        prediction.thread_id = threading.get_ident()
        prediction.started_at = now()
        started = time.monotonic()
        input_directory = tempfile.mkdtemp(prefix="cog-input-")
        opened = []  # type: typing.List[typing.Any]
        log.info("prediction %s started", prediction.id)
        try:
            with self.capture.into(prediction.log_lines):
                try:
                    arguments = self._arguments(values, input_directory, opened)
                    self._run_user_code(prediction, arguments)
                    prediction.status = "succeeded"
                except BaseException as problem:  # noqa: BLE001 - whatever predict() raises ends the prediction
                    if prediction.cancel_requested or isinstance(problem, CancelationException):
                        prediction.status = "canceled"
                    else:
                        prediction.status = "failed"
                        prediction.error = str(problem) or type(problem).__name__
                        sys.stderr.write(traceback.format_exc())
        finally:
            for handle in opened:
                handle.close()
            shutil.rmtree(input_directory, ignore_errors=True)
            prediction.predict_time = time.monotonic() - started
            prediction.completed_at = now()
            with self._lock:
                self._current = None
            prediction.done.set()
            log.info("prediction %s %s in %.3fs", prediction.id, prediction.status, prediction.predict_time)

    def _run_user_code(self, prediction: Prediction, arguments: typing.Dict[str, typing.Any]) -> None:
        """Call predict() and drain its iterator; only here may a cancel be raised into this thread."""
        with self._lock:
            if prediction.cancel_requested:
                raise CancelationException()
            self._in_user_code = True
        try:
            result = self._predictor.predict(**arguments)
            if inspect.isgenerator(result) or (hasattr(result, "__next__") and not isinstance(result, (str, bytes))):
                # Items are published as they come, so that an async client polling sees progress.
                prediction.output = []
                for item in result:
                    prediction.output.append(files.encode_output(item))
            else:
                prediction.output = files.encode_output(result)
        finally:
            with self._lock:
                self._in_user_code = False
                # A cancel that arrived too late to be raised must not fire in the runtime's own code.
                _raise_in_thread(threading.get_ident(), None)

    def _arguments(self, values: typing.Dict[str, typing.Any], directory: str, opened: typing.List[typing.Any]) -> typing.Dict[str, typing.Any]:
        """predict()'s keyword arguments: file URLs downloaded, secrets wrapped."""

        def prepared(kind: str, value: typing.Any) -> typing.Any:
            if value is None:
                return None
            if kind == "path":
                return files.download(value, directory)
            if kind == "file":
                handle = open(files.download(value, directory), "rb")
                opened.append(handle)
                return handle
            if kind == "secret":
                return Secret(value)
            return value

        arguments = {}
        for spec in self._inputs:
            value = values[spec.name]
            if spec.type.kind == "list" and isinstance(value, list) and spec.type.item is not None:
                arguments[spec.name] = [prepared(spec.type.item.kind, item) for item in value]
            else:
                arguments[spec.name] = prepared(spec.type.kind, value)
        return arguments
