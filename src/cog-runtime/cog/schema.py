"""What predict() accepts and returns: read from its signature, turned into OpenAPI, used to validate.

Cog builds pydantic models for this; here it is done by hand with the standard library so the
runtime installs offline. The OpenAPI shape follows Cog's (component names, `x-order`, choices as
an `allOf` reference to an enum component) because clients such as `cog predict` read it.
"""

import collections.abc
import inspect
import pathlib
import re
import types as python_types
import typing

from cog.predictor import DECLARED_INPUTS_ATTRIBUTE
from cog.types import BaseModel, ConcatenateIterator, FieldInfo, File, Secret

REQUIRED = ...
STATUSES = ["starting", "processing", "succeeded", "canceled", "failed"]
NONE_TYPE = type(None)
# `X | None` (3.10+) has its own origin type; looked up by name so 3.8 still imports this module.
UNION_ORIGINS = tuple(origin for origin in (typing.Union, getattr(python_types, "UnionType", None)) if origin)
ITERATOR_ORIGINS = (collections.abc.Iterator, collections.abc.Generator, collections.abc.Iterable, ConcatenateIterator)


class TypeSpec:
    """A supported value type: kind is one of str, int, float, bool, path, file, secret, list, object, any."""

    JSON_TYPES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean", "path": "string",
                  "file": "string", "secret": "string", "list": "array", "object": "object"}

    def __init__(self, kind: str, item: "typing.Optional[TypeSpec]" = None, nullable: bool = False,
                 model: typing.Optional[type] = None) -> None:
        self.kind = kind
        self.item = item
        self.nullable = nullable
        self.model = model

    @property
    def is_file(self) -> bool:
        return self.kind in ("path", "file")

    def json_schema(self) -> typing.Dict[str, typing.Any]:
        if self.kind == "any":
            return {}
        schema = {"type": self.JSON_TYPES[self.kind]}  # type: typing.Dict[str, typing.Any]
        if self.is_file:
            schema["format"] = "uri"
        elif self.kind == "secret":
            schema.update({"format": "password", "writeOnly": True, "x-cog-secret": True})
        elif self.kind == "list" and self.item is not None:
            schema["items"] = self.item.json_schema()
        elif self.kind == "object" and self.model is not None:
            schema.update(_model_schema(self.model))
        return schema


SCALAR_KINDS = {str: "str", int: "int", float: "float", bool: "bool", Secret: "secret"}


def describe_type(annotation: typing.Any) -> TypeSpec:
    """The TypeSpec of an annotation; raises TypeError for types the runtime cannot carry over JSON."""
    if annotation is inspect.Parameter.empty or annotation is typing.Any:
        return TypeSpec("any")
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin in UNION_ORIGINS:
        members = [member for member in arguments if member is not NONE_TYPE]
        if len(members) == 1 and len(arguments) == 2:
            spec = describe_type(members[0])
            spec.nullable = True
            return spec
        raise TypeError("unsupported union type {!r}: only Optional[X] is allowed".format(annotation))
    if origin is list or annotation is list:
        return TypeSpec("list", item=describe_type(arguments[0]) if arguments else TypeSpec("any"))
    if origin is dict or annotation is dict:
        return TypeSpec("object")
    if annotation in SCALAR_KINDS:
        return TypeSpec(SCALAR_KINDS[annotation])
    if isinstance(annotation, type):
        if issubclass(annotation, pathlib.PurePath):
            return TypeSpec("path")
        if issubclass(annotation, File):
            return TypeSpec("file")
        if issubclass(annotation, BaseModel):
            return TypeSpec("object", model=annotation)
    raise TypeError("unsupported type {!r}".format(annotation))


def title_case(name: str) -> str:
    return name.replace("_", " ").title()


class InputSpec:
    """One predict() input: its name, its type, and its default and constraints (`field`)."""

    def __init__(self, name: str, type_spec: TypeSpec, field: FieldInfo) -> None:
        self.name = name
        self.type = type_spec
        self.field = field

    @property
    def required(self) -> bool:
        return self.field.default is REQUIRED

    @property
    def accepts_none(self) -> bool:
        return self.type.nullable or self.field.default is None


def _predict_function(predictor: type) -> typing.Callable[..., typing.Any]:
    return getattr(predictor, "predict")


def _annotations(function: typing.Callable[..., typing.Any]) -> typing.Dict[str, typing.Any]:
    try:
        return typing.get_type_hints(function)
    except Exception:  # noqa: BLE001 - an unresolvable forward reference: fall back to the raw annotations
        return dict(getattr(function, "__annotations__", {}))


def predictor_inputs(predictor: type) -> typing.List[InputSpec]:
    """The inputs of predict(), from `@cog.input` declarations or else from its typed signature."""
    predict = _predict_function(predictor)
    declared = getattr(predict, DECLARED_INPUTS_ATTRIBUTE, None)
    if declared is not None:
        return [_declared_input(*declaration) for declaration in declared]
    annotations = _annotations(predict)
    inputs = []
    for parameter in list(inspect.signature(predict).parameters.values())[1:]:
        if parameter.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            continue
        try:
            type_spec = describe_type(annotations.get(parameter.name, inspect.Parameter.empty))
        except TypeError as problem:
            raise TypeError("predict() input '{}': {}".format(parameter.name, problem)) from None
        field = parameter.default if isinstance(parameter.default, FieldInfo) else FieldInfo(
            REQUIRED if parameter.default is inspect.Parameter.empty else parameter.default)
        inputs.append(InputSpec(parameter.name, type_spec, field))
    return inputs


def _declared_input(name: str, annotation: typing.Any, field: FieldInfo) -> InputSpec:
    try:
        return InputSpec(name, describe_type(annotation), field)
    except TypeError as problem:
        raise TypeError("@cog.input '{}': {}".format(name, problem)) from None


def output_schema(predictor: type) -> typing.Dict[str, typing.Any]:
    """The `Output` component from predict()'s return annotation."""
    annotation = _annotations(_predict_function(predictor)).get("return", inspect.Parameter.empty)
    origin = typing.get_origin(annotation) or annotation
    if origin in ITERATOR_ORIGINS:
        arguments = typing.get_args(annotation)
        item = describe_type(arguments[0]) if arguments else TypeSpec("any")
        schema = {"title": "Output", "type": "array", "items": item.json_schema(), "x-cog-array-type": "iterator"}
        if origin is ConcatenateIterator:
            schema["x-cog-array-display"] = "concatenate"
        return schema
    schema = {"title": "Output"}
    schema.update(describe_type(annotation).json_schema())
    return schema


def _model_schema(model: type) -> typing.Dict[str, typing.Any]:
    """Properties of a BaseModel output; fields without a class default are required."""
    properties = {}
    required = []
    for name, annotation in model.field_types().items():  # type: ignore[attr-defined]
        properties[name] = dict({"title": title_case(name)}, **describe_type(annotation).json_schema())
        if not hasattr(model, name):
            required.append(name)
    schema = {"properties": properties}  # type: typing.Dict[str, typing.Any]
    if required:
        schema["required"] = required
    return schema


def input_schema(inputs: typing.List[InputSpec]) -> typing.Dict[str, typing.Dict[str, typing.Any]]:
    """The `Input` component plus one enum component per input with choices, keyed by component name."""
    components = {}
    properties = {}
    for order, spec in enumerate(inputs):
        field = spec.field
        prop = {"title": title_case(spec.name), "x-order": order}  # type: typing.Dict[str, typing.Any]
        if field.choices is not None:
            components[spec.name] = dict(spec.type.json_schema(), title=spec.name, enum=field.choices,
                                         description="An enumeration.")
            prop["allOf"] = [{"$ref": "#/components/schemas/" + spec.name}]
        else:
            prop.update(spec.type.json_schema())
        if field.description:
            prop["description"] = field.description
        if not spec.required and field.default is not None:
            prop["default"] = field.default
        if spec.accepts_none:
            prop["nullable"] = True
        for keyword, value in (("minimum", field.ge), ("maximum", field.le), ("minLength", field.min_length),
                               ("maxLength", field.max_length), ("pattern", field.regex)):
            if value is not None:
                prop[keyword] = value
        properties[spec.name] = prop
    schema = {"title": "Input", "type": "object", "properties": properties}  # type: typing.Dict[str, typing.Any]
    required = [spec.name for spec in inputs if spec.required]
    if required:
        schema["required"] = required
    components["Input"] = schema
    return components


def openapi_schema(predictor: type) -> typing.Dict[str, typing.Any]:
    """The OpenAPI 3.0.2 document served at /openapi.json."""
    components = input_schema(predictor_inputs(predictor))
    components.update(_fixed_components(output_schema(predictor)))

    def reference(name: str) -> typing.Dict[str, str]:
        return {"$ref": "#/components/schemas/" + name}

    def json_response(schema: typing.Dict[str, typing.Any], description: str) -> typing.Dict[str, typing.Any]:
        return {"description": description, "content": {"application/json": {"schema": schema}}}

    validation_error = json_response(reference("HTTPValidationError"), "Validation Error")
    prediction_id = [{"name": "prediction_id", "in": "path", "required": True,
                      "schema": {"title": "Prediction ID", "type": "string"}}]
    prediction_body = {"content": {"application/json": {"schema": reference("PredictionRequest")}}}
    prediction_responses = {"200": json_response(reference("PredictionResponse"), "Successful Response"),
                            "422": validation_error}
    empty = json_response({}, "Successful Response")
    paths = {
        "/": {"get": {"summary": "Root", "operationId": "root__get", "responses": {"200": empty}}},
        "/health-check": {"get": {"summary": "Healthcheck", "operationId": "healthcheck_health_check_get",
                                  "responses": {"200": empty}}},
        "/predictions": {"post": {"summary": "Predict", "operationId": "predict_predictions_post",
                                  "requestBody": prediction_body, "responses": prediction_responses}},
        "/predictions/{prediction_id}": {
            "put": {"summary": "Predict Idempotent", "operationId": "predict_idempotent_predictions__prediction_id__put",
                    "parameters": prediction_id, "requestBody": prediction_body, "responses": prediction_responses},
            "get": {"summary": "Get Prediction", "operationId": "get_prediction_predictions__prediction_id__get",
                    "parameters": prediction_id, "responses": prediction_responses}},
        "/predictions/{prediction_id}/cancel": {
            "post": {"summary": "Cancel", "operationId": "cancel_predictions__prediction_id__cancel_post",
                     "parameters": prediction_id, "responses": {"200": empty, "422": validation_error}}},
        "/shutdown": {"post": {"summary": "Start Shutdown", "operationId": "start_shutdown_shutdown_post",
                               "responses": {"200": empty}}},
    }
    return {"openapi": "3.0.2", "info": {"title": "Cog", "version": "0.1.0"}, "paths": paths,
            "components": {"schemas": components}}


def _fixed_components(output: typing.Dict[str, typing.Any]) -> typing.Dict[str, typing.Any]:
    """The components every predictor shares: the request/response envelopes and the error shape."""
    nullable_string = {"type": "string", "nullable": True}
    return {
        "Output": output,
        "Status": {"title": "Status", "enum": STATUSES, "type": "string", "description": "An enumeration."},
        "PredictionRequest": {"title": "PredictionRequest", "type": "object", "properties": {
            "id": dict(nullable_string, title="Id"),
            "input": {"$ref": "#/components/schemas/Input"},
            "created_at": dict(nullable_string, title="Created At", format="date-time")}},
        "PredictionResponse": {"title": "PredictionResponse", "type": "object", "properties": {
            "id": dict(nullable_string, title="Id"),
            "input": {"$ref": "#/components/schemas/Input"},
            "output": {"$ref": "#/components/schemas/Output"},
            "logs": {"title": "Logs", "type": "string", "default": ""},
            "error": dict(nullable_string, title="Error"),
            "status": {"$ref": "#/components/schemas/Status"},
            "metrics": {"title": "Metrics", "type": "object"},
            "created_at": dict(nullable_string, title="Created At", format="date-time"),
            "started_at": dict(nullable_string, title="Started At", format="date-time"),
            "completed_at": dict(nullable_string, title="Completed At", format="date-time")}},
        "HTTPValidationError": {"title": "HTTPValidationError", "type": "object", "properties": {
            "detail": {"title": "Detail", "type": "array", "items": {"$ref": "#/components/schemas/ValidationError"}}}},
        "ValidationError": {"title": "ValidationError", "required": ["loc", "msg", "type"], "type": "object",
                            "properties": {
                                "loc": {"title": "Location", "type": "array", "items": {"type": "string"}},
                                "msg": {"title": "Message", "type": "string"},
                                "type": {"title": "Error Type", "type": "string"}}},
    }


class InvalidValue(Exception):
    """One input value that does not fit its declaration; msg and type follow pydantic's wording."""

    def __init__(self, message: str, error_type: str, index: typing.Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        self.error_type = error_type
        self.index = index


class InputErrors(Exception):
    """All problems with a request's input, in the 422 `detail` shape."""

    def __init__(self, detail: typing.List[typing.Dict[str, typing.Any]]) -> None:
        super().__init__("; ".join("{}: {}".format(item["loc"][-1], item["msg"]) for item in detail))
        self.detail = detail


def _error(location: typing.List[typing.Any], message: str, error_type: str) -> typing.Dict[str, typing.Any]:
    return {"loc": ["body", "input"] + location, "msg": message, "type": error_type}


def validate_inputs(inputs: typing.List[InputSpec], raw: typing.Any) -> typing.Dict[str, typing.Any]:
    """Check and convert a request's `input`, applying defaults; raises InputErrors listing every problem.

    File inputs stay URL strings here: downloading belongs to the prediction, not to validation.
    """
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise InputErrors([{"loc": ["body", "input"], "msg": "value is not a valid dict", "type": "type_error.dict"}])
    known = {spec.name: spec for spec in inputs}
    detail = [_error([name], "unexpected input: predict() has no input named '{}'".format(name),
                     "value_error.extra") for name in raw if name not in known]
    values = {}
    for spec in inputs:
        if spec.name not in raw:
            if spec.required:
                detail.append(_error([spec.name], "field required", "value_error.missing"))
            else:
                values[spec.name] = list(spec.field.default) if isinstance(spec.field.default, list) else spec.field.default
            continue
        try:
            values[spec.name] = convert_value(spec, raw[spec.name])
        except InvalidValue as problem:
            location = [spec.name] if problem.index is None else [spec.name, problem.index]
            detail.append(_error(location, problem.message, problem.error_type))
    if detail:
        raise InputErrors(detail)
    return values


def convert_value(spec: InputSpec, value: typing.Any) -> typing.Any:
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
            converted.append(_checked(spec, spec.type.item or TypeSpec("any"), item))
        except InvalidValue as problem:
            raise InvalidValue(problem.message, problem.error_type, index) from None
    return converted


def _checked(spec: InputSpec, type_spec: TypeSpec, value: typing.Any) -> typing.Any:
    value = _converted_scalar(type_spec, value)
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


TRUE_WORDS = ("true", "yes", "on", "1")
FALSE_WORDS = ("false", "no", "off", "0")
FILE_URL_SCHEMES = ("data:", "http://", "https://")


def _converted_scalar(type_spec: TypeSpec, value: typing.Any) -> typing.Any:
    """Coerce like pydantic's lax mode ("3" is an int), but never a bool into a number or a number into a bool."""
    kind = type_spec.kind
    if kind == "any" or kind == "object":
        return value
    if kind in ("str", "secret"):
        if isinstance(value, str):
            return value
        raise InvalidValue("str type expected", "type_error.str")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in TRUE_WORDS + FALSE_WORDS:
            return value.strip().lower() in TRUE_WORDS
        raise InvalidValue("value could not be parsed to a boolean", "type_error.bool")
    if kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.match(r"^\s*[-+]?\d+\s*$", value):
            return int(value)
        raise InvalidValue("value is not a valid integer", "type_error.integer")
    if kind == "float":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
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
