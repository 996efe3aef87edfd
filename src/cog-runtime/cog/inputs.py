"""A request's `input`: checked against run()'s inputs (422 on a problem), then turned into arguments.

Coercion is lax like pydantic's in Cog 0.9 ("3" is an int, "true" a bool), error types use
pydantic's codes, and inputs run() does not declare are dropped, as both Cog runtimes do.
File inputs stay URL strings until `arguments()` downloads them, within the prediction.
"""

import re
import typing

from cog import files
from cog.schema import InputSpec, TypeSpec
from cog.types import Path, Secret

TRUE_WORDS = ("true", "yes", "on", "1")
FALSE_WORDS = ("false", "no", "off", "0")
FILE_URL_SCHEMES = ("data:", "http://", "https://")


class InvalidValue(Exception):
    """One input value that does not fit its declaration; msg and type follow pydantic's wording."""

    def __init__(self, message: str, error_type: str, location: typing.Tuple[typing.Any, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.error_type = error_type
        self.location = location


class InputErrors(Exception):
    """All problems with a request's input, in the 422 `detail` shape."""

    def __init__(self, detail: typing.List[typing.Dict[str, typing.Any]]) -> None:
        super().__init__("; ".join("{}: {}".format(item["loc"][-1], item["msg"]) for item in detail))
        self.detail = detail


def validate(inputs: typing.List[InputSpec], raw: typing.Any) -> typing.Tuple[typing.Dict[str, typing.Any], typing.List[str]]:
    """(values with defaults applied, names of the undeclared inputs dropped); raises InputErrors."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise InputErrors([{"loc": ["body", "input"], "msg": "value is not a valid dict", "type": "type_error.dict"}])
    known = {spec.name for spec in inputs}
    detail = []
    values = {}
    for spec in inputs:
        if spec.name not in raw:
            if spec.required:
                detail.append({"loc": ["body", "input", spec.name], "msg": "field required", "type": "value_error.missing"})
            else:
                values[spec.name] = spec.default
            continue
        try:
            values[spec.name] = _value(spec, raw[spec.name])
        except InvalidValue as problem:
            detail.append({"loc": ["body", "input", spec.name] + list(problem.location), "msg": problem.message,
                           "type": problem.error_type})
    if detail:
        raise InputErrors(detail)
    return values, [name for name in raw if name not in known]


def _value(spec: InputSpec, value: typing.Any) -> typing.Any:
    if value is None:
        if spec.accepts_none:
            return None
        raise InvalidValue("none is not an allowed value", "type_error.none.not_allowed")
    if spec.type.kind != "list":
        return _checked(spec, spec.type, value)
    # A single value for a list input is taken as a list of one, as `cog predict -i x=...` sends it.
    items = value if isinstance(value, list) else [value]
    converted = []
    for index, item in enumerate(items):
        try:
            converted.append(_checked(spec, spec.type.item or TypeSpec("unknown"), item))
        except InvalidValue as problem:
            raise InvalidValue(problem.message, problem.error_type, (index,) + problem.location) from None
    return converted


def _checked(spec: InputSpec, type_spec: TypeSpec, value: typing.Any) -> typing.Any:
    value = convert(type_spec, value)
    field = spec.field
    if field.choices is not None and value not in field.choices:
        raise InvalidValue("value is not a valid enumeration member; permitted: {}".format(
            ", ".join(repr(choice) for choice in field.choices)), "type_error.enum")
    if field.ge is not None and value < field.ge:
        raise InvalidValue("ensure this value is greater than or equal to {}".format(field.ge), "value_error.number.not_ge")
    if field.le is not None and value > field.le:
        raise InvalidValue("ensure this value is less than or equal to {}".format(field.le), "value_error.number.not_le")
    if field.min_length is not None and len(value) < field.min_length:
        raise InvalidValue("ensure this value has at least {} characters".format(field.min_length),
                           "value_error.any_str.min_length")
    if field.max_length is not None and len(value) > field.max_length:
        raise InvalidValue("ensure this value has at most {} characters".format(field.max_length),
                           "value_error.any_str.max_length")
    if field.regex is not None and not re.match(field.regex, value):
        raise InvalidValue('string does not match regex "{}"'.format(field.regex), "value_error.str.regex")
    return value


def convert(type_spec: TypeSpec, value: typing.Any, exact: bool = False) -> typing.Any:
    """Coerce like pydantic's lax mode ("3" is an int), but never a bool into a number or a number into
    a bool; `exact` accepts only values already of the type (for choosing a union's member)."""
    kind = type_spec.kind
    if value is None and type_spec.nullable:
        return None
    if kind in ("any", "opaque", "unknown"):
        return value
    if kind == "union":
        for lax in (False, True):
            for member in type_spec.members:
                try:
                    return convert(member, value, exact=not lax)
                except InvalidValue:
                    pass
        raise InvalidValue("value is not any of: {}".format(", ".join(member.kind for member in type_spec.members)),
                           "type_error.union")
    if kind == "list":
        if not isinstance(value, list):
            raise InvalidValue("value is not a valid list", "type_error.list")
        converted = []
        for index, item in enumerate(value):
            try:
                converted.append(convert(type_spec.item or TypeSpec("unknown"), item, exact))
            except InvalidValue as problem:
                raise InvalidValue(problem.message, problem.error_type, (index,) + problem.location) from None
        return converted
    if kind in ("dict", "model"):
        if isinstance(value, dict):
            return value
        raise InvalidValue("value is not a valid dict", "type_error.dict")
    if kind in ("str", "secret"):
        if isinstance(value, str):
            return value
        raise InvalidValue("str type expected", "type_error.str")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if not exact and isinstance(value, str) and value.strip().lower() in TRUE_WORDS + FALSE_WORDS:
            return value.strip().lower() in TRUE_WORDS
        raise InvalidValue("value could not be parsed to a boolean", "type_error.bool")
    if kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if not exact and isinstance(value, float) and value.is_integer():
            return int(value)
        if not exact and isinstance(value, str) and re.match(r"^\s*[-+]?\d+\s*$", value):
            return int(value)
        raise InvalidValue("value is not a valid integer", "type_error.integer")
    if kind == "float":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value if exact else float(value)
        if not exact and isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        raise InvalidValue("value is not a valid float", "type_error.float")
    if type_spec.is_file:
        if isinstance(value, str) and value.startswith(FILE_URL_SCHEMES):
            return value
        raise InvalidValue("expected a URL (data:, http:// or https://)", "value_error.url.scheme")
    raise InvalidValue("unsupported input type", "type_error")


def arguments(inputs: typing.List[InputSpec], values: typing.Dict[str, typing.Any], directory: str,
              opened: typing.List[typing.Any]) -> typing.Dict[str, typing.Any]:
    """run()'s keyword arguments: file URLs downloaded into `directory` (files opened are added to
    `opened`, to be closed after the prediction), secrets wrapped."""

    def prepared(type_spec: TypeSpec, value: typing.Any) -> typing.Any:
        if value is None:
            return None
        if type_spec.kind == "list" and type_spec.item is not None and isinstance(value, list):
            return [prepared(type_spec.item, item) for item in value]
        if type_spec.kind == "path":
            return Path(files.download(value, directory))
        if type_spec.kind == "file":
            handle = open(files.download(value, directory), "rb")
            opened.append(handle)
            return handle
        if type_spec.kind == "secret":
            return Secret(value)
        return value

    return {spec.name: prepared(spec.type, values[spec.name]) for spec in inputs}
