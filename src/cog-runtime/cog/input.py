"""`Input(...)`: the default, description and constraints of one run() parameter."""

import dataclasses
import typing

# The default of an input declared without one: the input is then required (unless it is Optional).
REQUIRED = ...


@dataclasses.dataclass(frozen=True)
class FieldInfo:
    """What `Input()` returns; the runtime reads it from the parameter's default."""

    default: typing.Any = REQUIRED
    description: typing.Optional[str] = None
    ge: typing.Optional[float] = None
    le: typing.Optional[float] = None
    min_length: typing.Optional[int] = None
    max_length: typing.Optional[int] = None
    regex: typing.Optional[str] = None
    choices: typing.Optional[typing.List[typing.Any]] = None
    deprecated: typing.Optional[bool] = None
    accept: typing.Optional[str] = None


def Input(  # noqa: N802 - Cog's public name
    default: typing.Any = REQUIRED,
    *,
    default_factory: typing.Optional[typing.Callable[..., typing.Any]] = None,
    description: typing.Optional[str] = None,
    ge: typing.Optional[float] = None,
    le: typing.Optional[float] = None,
    min_length: typing.Optional[int] = None,
    max_length: typing.Optional[int] = None,
    regex: typing.Optional[str] = None,
    choices: typing.Optional[typing.List[typing.Any]] = None,
    deprecated: typing.Optional[bool] = None,
    accept: typing.Optional[str] = None,
) -> typing.Any:
    """Declare one input. Leaving `default` out makes it required; `accept` ("image/*,.png") is for files."""
    if default_factory is not None:
        raise TypeError("default_factory is not supported in Input(). Use a literal default value instead: "
                        "Input(default=...). Mutable defaults like lists should be constructed in run().")
    return FieldInfo(default, description, ge, le, min_length, max_length, regex,
                     list(choices) if choices is not None else None, deprecated, accept)
