"""The types a predictor declares its inputs and outputs with.

They carry meaning for the runtime (a `Path` input is downloaded, a returned `Path` is sent back
as a data URL, a `Secret` is never echoed) and otherwise behave like the plain values they wrap,
so user code written against Cog's own package runs unchanged.
"""

import io
import pathlib
import typing

T = typing.TypeVar("T")


class Path(pathlib.PosixPath):
    """A file. As an input it is a downloaded temporary file; returned, it is sent back inline."""


class File(io.IOBase):
    """A file handed to predict() already opened for binary reading (Cog's older file type)."""


class Secret:
    """A string input that must not leak: it prints as stars and is masked in responses."""

    MASK = "**********"

    def __init__(self, secret_value: typing.Optional[str] = None) -> None:
        self._secret_value = secret_value

    def get_secret_value(self) -> typing.Optional[str]:
        return self._secret_value

    def __repr__(self) -> str:
        return "Secret('{}')".format(self.MASK)

    def __str__(self) -> str:
        return self.MASK


class ConcatenateIterator(typing.Iterator[T]):
    """Marks a predict() that yields pieces of text meant to be read joined (a token stream).

    Only the schema differs from `Iterator[str]`: it tells clients to concatenate the items.
    """


class CancelationException(BaseException):
    """Raised inside predict() when its prediction is canceled.

    A BaseException, so that a predictor's broad `except Exception` does not swallow the cancel.
    """


class FieldInfo:
    """`Input(...)`: the default and constraints of one predict() parameter.

    Leaving `default` out (or passing `...`) makes the input required.
    """

    def __init__(
        self,
        default: typing.Any = ...,
        description: typing.Optional[str] = None,
        ge: typing.Optional[float] = None,
        le: typing.Optional[float] = None,
        min_length: typing.Optional[int] = None,
        max_length: typing.Optional[int] = None,
        regex: typing.Optional[str] = None,
        choices: typing.Optional[typing.List[typing.Any]] = None,
        deprecated: typing.Optional[bool] = None,
    ) -> None:
        self.default = default
        self.description = description
        self.ge = ge
        self.le = le
        self.min_length = min_length
        self.max_length = max_length
        self.regex = regex
        self.choices = list(choices) if choices is not None else None
        self.deprecated = deprecated


# Called like Cog's `Input(...)` function; an instance is what a parameter's default holds.
Input = FieldInfo


class BaseModel:
    """A structured output: declare fields as class annotations, return an instance.

    A small stand-in for the pydantic model Cog uses, so the runtime needs no third-party package.
    Fields without a class-level default are required by the constructor.
    """

    def __init__(self, **values: typing.Any) -> None:
        for name in type(self).field_types():
            if name in values:
                setattr(self, name, values.pop(name))
            elif not hasattr(type(self), name):
                raise TypeError("{}() missing field '{}'".format(type(self).__name__, name))
        if values:
            raise TypeError("{}() got unknown fields: {}".format(type(self).__name__, ", ".join(sorted(values))))

    @classmethod
    def field_types(cls) -> typing.Dict[str, typing.Any]:
        return typing.get_type_hints(cls)

    def dict(self) -> typing.Dict[str, typing.Any]:
        return {name: getattr(self, name) for name in type(self).field_types()}

    def __repr__(self) -> str:
        fields = ", ".join("{}={!r}".format(name, value) for name, value in self.dict().items())
        return "{}({})".format(type(self).__name__, fields)
