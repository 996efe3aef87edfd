"""One prediction or training: its state in the shape of Cog's response, and the events it emits.

Events (start, output, log, metric, completed) are what server-sent events stream and what
webhooks are sent on. Listeners (webhooks) are called as each event happens and must not block;
subscribers (event streams) get their own queue, first filled with the history kept so far.
"""

import collections
import datetime
import os
import queue
import threading
import typing

from cog.scope import Scope

HISTORY_VARIABLE = "COG_STREAM_HISTORY_CAPACITY"
DEFAULT_HISTORY = 1024
KINDS = ("prediction", "training")
Event = typing.Tuple[str, typing.Dict[str, typing.Any]]
Listener = typing.Callable[[str, "Job"], None]


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


def history_capacity() -> int:
    try:
        return max(0, int(os.environ.get(HISTORY_VARIABLE, DEFAULT_HISTORY)))
    except ValueError:
        return DEFAULT_HISTORY


def apply_metric(metrics: typing.Dict[str, typing.Any], name: str, value: typing.Any, mode: str) -> None:
    """Cog's aggregation: a dotted name builds nested objects; replace (None deletes), increment, append."""
    *parents, key = name.split(".")
    node = metrics
    for part in parents:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    if mode == "replace":
        if value is None:
            node.pop(key, None)
        else:
            node[key] = value
    elif mode == "increment":
        current = node.get(key, 0)
        if isinstance(current, (int, float)) and not isinstance(current, bool):
            total = current + value
            node[key] = total if isinstance(current, int) and isinstance(value, int) else float(total)
    elif key not in node:
        node[key] = [value]
    elif isinstance(node[key], list):
        node[key].append(value)
    else:
        node[key] = [node[key], value]


class Job:
    """A prediction or training from request to its final status."""

    def __init__(self, kind: str, job_id: str, masked_input: typing.Dict[str, typing.Any],
                 created_at: typing.Optional[str] = None, context: typing.Optional[typing.Dict[str, str]] = None) -> None:
        self.kind = kind
        self.id = job_id
        self.input = masked_input
        self.status = "starting"
        self.output = None  # type: typing.Any
        self.error = None  # type: typing.Optional[str]
        self.metrics = {}  # type: typing.Dict[str, typing.Any]
        self.predict_time = None  # type: typing.Optional[float]
        self.created_at = created_at or now()
        self.started_at = None  # type: typing.Optional[str]
        self.completed_at = None  # type: typing.Optional[str]
        self.scope = Scope(self.record_metric, context)
        self.done = threading.Event()
        # Cancellation, read and written under the worker's lock.
        self.cancel_requested = False
        self.thread_id = None  # type: typing.Optional[int]
        self.interruptible = False
        self.task = None  # type: typing.Any
        self._logs = []  # type: typing.List[str]
        self._partial_lines = {"stdout": "", "stderr": ""}
        self._lock = threading.RLock()
        self._listeners = []  # type: typing.List[Listener]
        self._subscribers = []  # type: typing.List[queue.Queue]
        self._history = collections.deque(maxlen=history_capacity())  # type: typing.Deque[Event]
        self._event_count = 0

    @property
    def logs(self) -> str:
        with self._lock:
            return "".join(self._logs)

    def response(self) -> typing.Dict[str, typing.Any]:
        """The state as Cog's server sends it: the response body, and every webhook's."""
        with self._lock:
            metrics = dict(self.metrics)
            if self.predict_time is not None:
                metrics["predict_time"] = self.predict_time
            # A copy: an iterator's output list grows in the job's thread while this is serialised.
            output = list(self.output) if isinstance(self.output, list) else self.output
            return {"id": self.id, "input": self.input, "output": output, "logs": "".join(self._logs),
                    "error": self.error, "status": self.status, "metrics": metrics, "created_at": self.created_at,
                    "started_at": self.started_at, "completed_at": self.completed_at}

    def listen(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def subscribe(self) -> "queue.Queue[typing.Optional[Event]]":
        """A queue of the events so far (as many as the history keeps) and then each new one; None ends it.
        When the history no longer holds the first events, the queue starts with an `error` event."""
        events = queue.Queue()  # type: queue.Queue
        with self._lock:
            skipped = self._event_count - len(self._history)
            # A history of 0 means no replay at all, rather than a replay that lost events.
            if skipped and self._history.maxlen:
                events.put(("error", {"error": "SSE stream replay truncated; events were dropped", "skipped": skipped}))
                events.put(None)
                return events
            for event in self._history:
                events.put(event)
            if self.done.is_set():
                events.put(None)
            else:
                self._subscribers.append(events)
        return events

    def _emit(self, name: str, data: typing.Dict[str, typing.Any]) -> None:
        with self._lock:
            self._history.append((name, data))
            self._event_count += 1
            for subscriber in self._subscribers:
                subscriber.put((name, data))
            for listener in self._listeners:
                listener(name, self)

    def start(self) -> None:
        with self._lock:
            self.status = "processing"
            self.started_at = now()
            self._emit("start", {"id": self.id, "status": self.status})

    def begin_list(self) -> None:
        """The output is a list of the items to come (an iterator's, or a returned list's): [] until then."""
        with self._lock:
            self.output = []

    def add_output(self, item: typing.Any) -> None:
        with self._lock:
            self.output.append(item)
            self._emit("output", {"chunk": item, "index": len(self.output) - 1})

    def set_output(self, value: typing.Any) -> None:
        with self._lock:
            self.output = value
            self._emit("output", {"chunk": value, "index": 0})

    def write_log(self, source: str, text: str) -> None:
        """Record text the job wrote; each complete line is a `log` event."""
        with self._lock:
            self._logs.append(text)
            lines = (self._partial_lines[source] + text).split("\n")
            self._partial_lines[source] = lines.pop()
            for line in lines:
                self._emit("log", {"source": source, "data": line + "\n"})

    def record_metric(self, name: str, value: typing.Any, mode: str) -> None:
        with self._lock:
            apply_metric(self.metrics, name, value, mode)
            self._emit("metric", {"name": name, "value": value, "mode": mode})

    def finish(self, status: str, error: typing.Optional[str], predict_time: float) -> None:
        with self._lock:
            for source, rest in self._partial_lines.items():
                if rest:
                    self._emit("log", {"source": source, "data": rest})
            self.status = status
            self.error = error
            self.predict_time = predict_time
            self.completed_at = now()
            self._emit("completed", {key: value for key, value in self.response().items() if key != "input"})
            for subscriber in self._subscribers:
                subscriber.put(None)
            self._subscribers = []
            self.done.set()
