"""`current_scope()`: the running prediction's metrics and context, as Cog's runtime provides them.

The scope follows the prediction through a ContextVar, so that concurrent async predictions and the
tasks they spawn each record into their own. Threads a predictor starts itself do not inherit
ContextVars; for them `fallback` names the scope when only one prediction is running.
"""

import contextvars
import re
import typing

MAX_NAME_LENGTH = 128
MAX_NAME_SEGMENTS = 4
MODES = {None: "replace", "replace": "replace", "incr": "increment", "increment": "increment", "append": "append"}
VALUE_TYPES = (bool, int, float, str, list, dict)
SEGMENT_CHARACTERS = re.compile(r"^[A-Za-z0-9_]*$")

# Receives (name, value, mode) for each accepted metric; value None deletes it.
MetricSink = typing.Callable[[str, typing.Any, str], None]


def _mode(mode: typing.Optional[str]) -> str:
    if mode not in MODES:
        raise TypeError("Invalid metric mode: '{}'. Expected 'replace', 'incr', or 'append'.".format(mode))
    return MODES[mode]


def _type_name(value: typing.Any) -> str:
    # bool before int: True is an int to isinstance, not to a metric.
    for kind in VALUE_TYPES:
        if isinstance(value, kind):
            return kind.__name__
    raise TypeError("Unsupported metric value type: {}. Expected bool, int, float, str, list, or dict.".format(
        type(value).__name__))


def check_name(name: str, reserved: bool = True) -> None:
    """Cog's metric name rules (deleting skips the reserved names); a ValueError says which one is broken."""
    if not name:
        raise ValueError("metric name must not be empty")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError("metric name must be {} characters or fewer (got {} characters)".format(MAX_NAME_LENGTH, len(name)))
    segments = name.split(".")
    if len(segments) > MAX_NAME_SEGMENTS:
        raise ValueError("metric name must have at most {} dot-separated segments (got {})".format(
            MAX_NAME_SEGMENTS, len(segments)))
    if name.startswith("."):
        raise ValueError("metric name must not start with a dot")
    if name.endswith("."):
        raise ValueError("metric name must not end with a dot")
    for segment in segments:
        if not segment:
            raise ValueError("metric name must not contain empty segments (consecutive dots)")
        if not segment[0].isascii() or not segment[0].isalpha():
            raise ValueError("metric name segment '{}' must start with a letter".format(segment))
        if "__" in segment:
            raise ValueError("metric name segment '{}' must not contain consecutive underscores".format(segment))
        if not SEGMENT_CHARACTERS.match(segment):
            invalid = next(character for character in segment if not re.match(r"[A-Za-z0-9_]", character))
            raise ValueError("metric name segment '{}' contains invalid character '{}'".format(segment, invalid))
        if segment.endswith("_"):
            raise ValueError("metric name segment '{}' must end with a letter or digit".format(segment))
    if reserved and name == "predict_time":
        raise ValueError("'predict_time' is reserved by the runtime")
    if reserved and name.startswith("cog."):
        raise ValueError("the 'cog.' prefix is reserved for system metrics")


class MetricRecorder:
    """`scope.metrics`: record(), `metrics[k] = v`, `metrics[k] = None` or `del metrics[k]` to delete."""

    def __init__(self, sink: typing.Optional[MetricSink]) -> None:
        self._sink = sink
        self._types = {}  # type: typing.Dict[str, str]

    def record(self, key: str, value: typing.Any, mode: typing.Optional[str] = "replace") -> None:
        mode = _mode(mode)
        if self._sink is None:
            return
        check_name(key)
        type_name = _type_name(value)
        if self._types.get(key, type_name) != type_name:
            raise TypeError("Metric '{}' has type {}, cannot set to {} without deleting first".format(
                key, self._types[key], type_name))
        if mode == "increment" and type_name not in ("int", "float"):
            raise TypeError("Increment mode requires int or float, got {}".format(type_name))
        self._types[key] = type_name
        self._sink(key, value, mode)

    def delete(self, key: str) -> None:
        if self._sink is None:
            return
        check_name(key, reserved=False)
        self._types.pop(key, None)
        self._sink(key, None, "replace")

    def __setitem__(self, key: str, value: typing.Any) -> None:
        if value is None:
            self.delete(key)
        else:
            self.record(key, value)

    def __delitem__(self, key: str) -> None:
        self.delete(key)

    def __repr__(self) -> str:
        return "MetricRecorder(keys={})".format(len(self._types)) if self._sink else "MetricRecorder(inactive)"


class Scope:
    """One prediction's scope: `metrics`, `context` (the request's "context" object), `record_metric()`."""

    def __init__(self, sink: typing.Optional[MetricSink] = None,
                 context: typing.Optional[typing.Dict[str, str]] = None) -> None:
        self.metrics = MetricRecorder(sink)
        self.context = dict(context or {})

    def record_metric(self, key: str, value: typing.Any, mode: typing.Optional[str] = "replace") -> None:
        self.metrics.record(key, value, mode)

    def __repr__(self) -> str:
        return "Scope({!r})".format(self.metrics)


CURRENT = contextvars.ContextVar("cog_scope")  # type: contextvars.ContextVar[Scope]
# Set by the server: the scope for a thread without one (the only running prediction's), or None.
fallback = lambda: None  # type: typing.Callable[[], typing.Optional[Scope]]  # noqa: E731


def current_scope() -> Scope:
    """The running prediction's scope; outside a prediction a scope that ignores what it is given."""
    scope = CURRENT.get(None) or fallback()
    return scope if scope is not None else Scope()
