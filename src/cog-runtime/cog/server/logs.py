"""User output (print, logging) recorded into the logs of the setup or prediction that wrote it.

sys.stdout and sys.stderr are replaced by streams that still write to the container log and also
hand the text to the current sink: a ContextVar, so that concurrent async predictions each get
their own lines. Threads a predictor starts do not inherit ContextVars; their output goes to the
`fallback` sink (setup's while setting up, else the only running prediction's).
"""

import contextlib
import contextvars
import sys
import typing

# Receives (source, text), source being "stdout" or "stderr".
Sink = typing.Callable[[str, str], None]
CURRENT = contextvars.ContextVar("cog_log_sink")  # type: contextvars.ContextVar[Sink]


class RoutedStream:
    """Stands in for sys.stdout or sys.stderr."""

    def __init__(self, original: typing.TextIO, source: str, router: "OutputRouter") -> None:
        self._original = original
        self._source = source
        self._router = router

    def write(self, text: str) -> int:
        sink = self._router.sink()
        if sink is not None and text:
            sink(self._source, text)
        return self._original.write(text)

    def flush(self) -> None:
        self._original.flush()

    def __getattr__(self, name: str) -> typing.Any:
        return getattr(self._original, name)


class OutputRouter:
    def __init__(self, fallback: typing.Callable[[], typing.Optional[Sink]]) -> None:
        self._fallback = fallback

    def install(self) -> None:
        if not isinstance(sys.stdout, RoutedStream):
            sys.stdout = RoutedStream(sys.stdout, "stdout", self)  # type: ignore[assignment]
            sys.stderr = RoutedStream(sys.stderr, "stderr", self)  # type: ignore[assignment]

    def sink(self) -> typing.Optional[Sink]:
        return CURRENT.get(None) or self._fallback()

    @staticmethod
    @contextlib.contextmanager
    def into(sink: Sink) -> typing.Iterator[None]:
        """Record what this thread or task writes into `sink`."""
        token = CURRENT.set(sink)
        try:
            yield
        finally:
            CURRENT.reset(token)
