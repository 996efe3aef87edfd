"""`@cog.streaming` and `@cog.concurrent`: marks on run() that the runtime reads when it loads it."""

import inspect
import typing

F = typing.TypeVar("F", bound=typing.Callable[..., typing.Any])
STREAMING_ATTRIBUTE = "__cog_streaming__"
CONCURRENT_ATTRIBUTE = "__cog_concurrent_max__"


def streaming(function: typing.Optional[F] = None) -> typing.Any:
    """`@streaming` or `@streaming()`: clients may ask for the outputs as server-sent events."""

    def mark(inner: F) -> F:
        setattr(inner, STREAMING_ATTRIBUTE, True)
        return inner

    return mark if function is None else mark(function)


def concurrent(function: typing.Optional[F] = None, *, max: int = 1) -> typing.Any:  # noqa: A002 - Cog's keyword
    """`@concurrent(max=N)`: run up to N predictions at once (an async run() is needed above 1)."""
    if isinstance(max, bool) or not isinstance(max, int):
        raise TypeError("concurrent max must be an integer")
    if max < 1:
        raise ValueError("concurrent max must be at least 1")

    def mark(inner: F) -> F:
        if max > 1 and not (inspect.iscoroutinefunction(inner) or inspect.isasyncgenfunction(inner)):
            raise TypeError("concurrent max greater than 1 requires an async function")
        setattr(inner, CONCURRENT_ATTRIBUTE, max)
        return inner

    if function is None:
        return mark
    if not callable(function):
        raise TypeError("concurrent must be used as @concurrent or @concurrent(max=...)")
    return mark(function)
