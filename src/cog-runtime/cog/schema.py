"""What run() accepts and returns, read from its signature, and the OpenAPI document built from it.

Cog builds this schema statically at `cog build`; here it is read from the live signature with the
standard library, following Cog's mapping (component names, `x-order`, choices as an `allOf`
reference to an enum component, `anyOf` for unions, `x-cog-*` extensions) because clients such as
`cog predict` and Replicate read it.
"""

import collections.abc
import dataclasses
import inspect
import io
import pathlib
import sys
import types as python_types
import typing

from cog.input import REQUIRED, FieldInfo
from cog.model import BaseModel
from cog.predictor import DECLARED_INPUTS_ATTRIBUTE
from cog.types import AsyncConcatenateIterator, ConcatenateIterator, Opaque, Secret

VERSION = "0.1.0"
STATUSES = ["starting", "processing", "succeeded", "canceled", "failed"]
NONE_TYPE = type(None)
# `X | None` (3.10+) has its own origin type; looked up by name so that 3.8 still imports this module.
UNION_ORIGINS = tuple(origin for origin in (typing.Union, getattr(python_types, "UnionType", None)) if origin)
SYNC_ITERATORS = (collections.abc.Iterator, collections.abc.Generator, collections.abc.Iterable, ConcatenateIterator)
ASYNC_ITERATORS = (collections.abc.AsyncIterator, collections.abc.AsyncGenerator, collections.abc.AsyncIterable,
                   AsyncConcatenateIterator)
CONCATENATE_ITERATORS = (ConcatenateIterator, AsyncConcatenateIterator)
# get_type_hints keeps Annotated[...] (for cog.Opaque) only when asked, which Python 3.8 cannot be.
TYPE_HINT_OPTIONS = {"include_extras": True} if sys.version_info >= (3, 9) else {}
# The kinds of TypeSpec that a file input or output is.
FILE_KINDS = ("path", "file")
SCALARS = {str: "str", int: "int", float: "float", bool: "bool", Secret: "secret"}
JSON_TYPES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean", "path": "string",
              "file": "string", "secret": "string", "list": "array", "dict": "object", "model": "object",
              "any": "object", "opaque": "object"}


class TypeSpec:
    """A value type the runtime carries over JSON.

    kind: str, int, float, bool, secret, path, file, list (of `item`), dict (of `values`, for outputs),
    model (a BaseModel, dataclass, pydantic model or TypedDict `model`), union (of `members`),
    any, opaque, or unknown (no annotation).
    """

    def __init__(self, kind: str, item: "typing.Optional[TypeSpec]" = None, nullable: bool = False,
                 model: typing.Optional[type] = None, members: "typing.Optional[typing.List[TypeSpec]]" = None,
                 values: "typing.Optional[TypeSpec]" = None) -> None:
        self.kind = kind
        self.item = item
        self.nullable = nullable
        self.model = model
        self.members = members or []
        self.values = values

    @property
    def is_file(self) -> bool:
        return self.kind in FILE_KINDS

    def json_schema(self, seen: typing.Tuple[type, ...] = ()) -> typing.Dict[str, typing.Any]:
        if self.kind == "union":
            schema = {"anyOf": [dict(member.json_schema(seen), **({"nullable": True} if self.nullable else {}))
                                for member in self.members]}  # type: typing.Dict[str, typing.Any]
        elif self.kind == "unknown":
            schema = {}
        else:
            schema = {"type": JSON_TYPES[self.kind]}
        if self.is_file:
            schema["format"] = "uri"
        elif self.kind == "secret":
            schema.update({"format": "password", "writeOnly": True, "x-cog-secret": True})
        elif self.kind == "list":
            schema["items"] = self.item.json_schema(seen) if self.item else {}
        elif self.kind == "dict" and self.values is not None:
            schema["additionalProperties"] = self.values.json_schema(seen)
        elif self.kind == "model" and self.model is not None and self.model not in seen:
            schema.update(_model_schema(self.model, seen + (self.model,)))
        if self.nullable:
            schema["nullable"] = True
        return schema


def title_case(name: str) -> str:
    """Cog's titles: `num_outputs` is "Num Outputs" (each part's first letter raised, the rest kept)."""
    return " ".join(part[:1].upper() + part[1:] for part in name.split("_") if part)


def _is_typeddict(annotation: typing.Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, dict) and hasattr(annotation, "__total__")


def _is_pydantic(annotation: typing.Any) -> bool:
    return isinstance(annotation, type) and (hasattr(annotation, "model_fields") or hasattr(annotation, "__fields__"))


def _is_model(annotation: typing.Any) -> bool:
    return isinstance(annotation, type) and (issubclass(annotation, BaseModel) or dataclasses.is_dataclass(annotation)
                                             or _is_pydantic(annotation))


def describe_type(annotation: typing.Any, role: str = "input") -> TypeSpec:
    """The TypeSpec of a parameter's or field's annotation (role "input" or "output");
    raises TypeError for what the runtime cannot carry, in Cog's words where Cog has them."""
    if annotation is inspect.Parameter.empty:
        return TypeSpec("unknown")
    if annotation is None or annotation is NONE_TYPE:
        if role == "input":
            raise TypeError("None is not a valid input type")
        return TypeSpec("unknown", nullable=True)
    metadata = getattr(annotation, "__metadata__", None)
    if metadata is not None:
        # Annotated[T, ...]: T, or an opaque JSON object when cog.Opaque is among the marks.
        inner = typing.get_args(annotation)[0]
        if any(mark is Opaque for mark in metadata):
            inner_origin = typing.get_origin(inner)
            return TypeSpec("list", item=TypeSpec("opaque")) if inner_origin is list else TypeSpec("opaque")
        return describe_type(inner, role)
    if annotation is typing.Any:
        return TypeSpec("any")
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin in UNION_ORIGINS:
        return _union(arguments, role)
    if origin is list or annotation is list:
        return TypeSpec("list", item=describe_type(arguments[0], role) if arguments else None)
    if origin is dict or annotation is dict:
        values = describe_type(arguments[1], role) if role == "output" and len(arguments) == 2 else None
        return TypeSpec("dict", values=values)
    if origin in SYNC_ITERATORS + ASYNC_ITERATORS or annotation in SYNC_ITERATORS + ASYNC_ITERATORS:
        raise TypeError("an iterator is only supported as the return type")
    if annotation in SCALARS:
        return TypeSpec(SCALARS[annotation])
    if isinstance(annotation, type):
        if issubclass(annotation, pathlib.PurePath):
            return TypeSpec("path")
        if issubclass(annotation, io.IOBase):
            return TypeSpec("file")
        if _is_typeddict(annotation):
            return TypeSpec("model" if role == "output" else "dict", model=annotation)
        if role == "output" and _is_model(annotation):
            return TypeSpec("model", model=annotation)
    raise TypeError("unsupported type {}".format(_type_name(annotation)))


def _type_name(annotation: typing.Any) -> str:
    return annotation.__name__ if isinstance(annotation, type) else repr(annotation)


def _union(arguments: typing.Tuple[typing.Any, ...], role: str) -> TypeSpec:
    members = [describe_type(argument, role) for argument in arguments if argument is not NONE_TYPE]
    nullable = len(members) < len(arguments)
    if len(members) == 1:
        members[0].nullable = nullable
        return members[0]
    if role == "input":
        for member in members:
            if member.is_file or member.kind == "secret":
                raise TypeError("{} is not supported in union inputs".format(
                    {"path": "Path", "file": "File", "secret": "Secret"}[member.kind]))
    return TypeSpec("union", members=members, nullable=nullable)


def _type_hints(owner: typing.Any) -> typing.Dict[str, typing.Any]:
    try:
        return typing.get_type_hints(owner, **TYPE_HINT_OPTIONS)
    except Exception:  # noqa: BLE001 - an unresolvable forward reference: fall back to the raw annotations
        return dict(getattr(owner, "__annotations__", {}))


def _model_fields(model: type) -> typing.List[typing.Tuple[str, typing.Any, bool]]:
    """(name, annotation, required) of each field of a BaseModel, dataclass, pydantic model or TypedDict."""
    hints = _type_hints(model)
    if _is_typeddict(model):
        required_keys = getattr(model, "__required_keys__", set(hints) if model.__total__ else set())  # type: ignore[attr-defined]
        return [(name, hint, name in required_keys) for name, hint in hints.items()]
    if dataclasses.is_dataclass(model):
        return [(field.name, hints.get(field.name, field.type),
                 field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING)  # type: ignore[misc]
                for field in dataclasses.fields(model)]
    if hasattr(model, "model_fields"):
        return [(name, info.annotation, info.is_required()) for name, info in model.model_fields.items()]  # type: ignore[attr-defined]
    if hasattr(model, "__fields__"):
        return [(name, field.outer_type_, field.required) for name, field in model.__fields__.items()]  # type: ignore[attr-defined]
    # A BaseModel that opted out of becoming a dataclass: its annotations, required unless given a class default.
    return [(name, hint, not hasattr(model, name)) for name, hint in hints.items()]


def _model_schema(model: type, seen: typing.Tuple[type, ...]) -> typing.Dict[str, typing.Any]:
    properties = {}
    required = []
    for name, annotation, is_required in _model_fields(model):
        field_type = describe_type(annotation, "output")
        properties[name] = dict(field_type.json_schema(seen), title=title_case(name))
        if is_required and not field_type.nullable:
            required.append(name)
    schema = {"properties": properties}  # type: typing.Dict[str, typing.Any]
    if required:
        schema["required"] = required
    return schema


class InputSpec:
    """One run() input: its name, its type, and its default and constraints (`field`)."""

    def __init__(self, name: str, type_spec: TypeSpec, field: FieldInfo) -> None:
        self.name = name
        self.type = type_spec
        self.field = field
        if type_spec.kind == "union" and (field.choices is not None or any(
                value is not None for value in (field.ge, field.le, field.min_length, field.max_length, field.regex))):
            raise TypeError("constraints and choices are not supported on union inputs")
        if field.accept is not None and not type_spec.is_file and not (type_spec.item and type_spec.item.is_file):
            raise TypeError("accept is only valid on Path or File inputs")

    @property
    def required(self) -> bool:
        return self.field.default is REQUIRED and not self.type.nullable

    @property
    def accepts_none(self) -> bool:
        """Optional[X], and also X with a default of None (Cog's documented meaning, and Cog 0.9's)."""
        return self.type.nullable or self.field.default is None

    @property
    def default(self) -> typing.Any:
        """The value run() receives when the input is left out: its default, or None for an optional input."""
        default = None if self.field.default is REQUIRED else self.field.default
        return list(default) if isinstance(default, list) else default


def target_inputs(function: typing.Callable[..., typing.Any], skip_self: bool) -> typing.List[InputSpec]:
    """The inputs of run()/predict()/train(), from `@cog.input` declarations (2021) or from its signature."""
    declared = getattr(function, DECLARED_INPUTS_ATTRIBUTE, None)
    if declared is not None:
        return [_input(name, annotation, field, "@cog.input") for name, annotation, field in declared]
    hints = _type_hints(function)
    parameters = list(inspect.signature(function).parameters.values())[1 if skip_self else 0:]
    inputs = []
    for parameter in parameters:
        if parameter.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            continue
        field = parameter.default if isinstance(parameter.default, FieldInfo) else FieldInfo(
            REQUIRED if parameter.default is inspect.Parameter.empty else parameter.default)
        inputs.append(_input(parameter.name, hints.get(parameter.name, inspect.Parameter.empty), field,
                             "{}() input".format(function.__name__)))
    return inputs


def _input(name: str, annotation: typing.Any, field: FieldInfo, where: str) -> InputSpec:
    try:
        return InputSpec(name, describe_type(annotation, "input"), field)
    except TypeError as problem:
        raise TypeError("{} '{}': {}".format(where, name, problem)) from None


def unwrap_input_defaults(function: typing.Any) -> None:
    """Replace each `Input(...)` default with its value, so that Python itself fills a left-out argument
    (when the predictor calls its own run(), say), as Cog does."""

    def plain(value: typing.Any) -> typing.Any:
        return (None if value.default is REQUIRED else value.default) if isinstance(value, FieldInfo) else value

    if getattr(function, "__defaults__", None):
        function.__defaults__ = tuple(plain(value) for value in function.__defaults__)
    if getattr(function, "__kwdefaults__", None):
        function.__kwdefaults__ = {name: plain(value) for name, value in function.__kwdefaults__.items()}


def output_schema(annotation: typing.Any, title: str, streaming: bool = False) -> typing.Dict[str, typing.Any]:
    """The `Output` (or `TrainingOutput`) component from the return annotation."""
    origin = typing.get_origin(annotation) or annotation
    if origin in SYNC_ITERATORS + ASYNC_ITERATORS:
        arguments = typing.get_args(annotation)
        item = describe_type(arguments[0], "output") if arguments else TypeSpec("unknown")
        schema = {"title": title, "type": "array", "items": item.json_schema(), "x-cog-array-type": "iterator"}
        if origin in CONCATENATE_ITERATORS:
            if item.kind != "str":
                raise TypeError("ConcatenateIterator element type must be str, got {}".format(
                    _type_name(arguments[0]) if arguments else "nothing"))
            schema["x-cog-array-display"] = "concatenate"
        return schema
    if streaming:
        raise TypeError("@streaming requires the return type to be an Iterator, AsyncIterator, "
                        "ConcatenateIterator or AsyncConcatenateIterator")
    return dict(describe_type(annotation, "output").json_schema(), title=title)


def input_components(inputs: typing.List[InputSpec], title: str) -> typing.Dict[str, typing.Dict[str, typing.Any]]:
    """The `Input` (or `TrainingInput`) component plus one enum component per input with choices."""
    components = {}
    properties = {}
    for order, spec in enumerate(inputs):
        field = spec.field
        prop = {"x-order": order}  # type: typing.Dict[str, typing.Any]
        if field.choices is not None:
            kind = spec.type.item if spec.type.kind == "list" and spec.type.item else spec.type
            components[spec.name] = {"title": spec.name, "description": "An enumeration.", "enum": field.choices,
                                     "type": JSON_TYPES.get(kind.kind, "string")}
            prop["allOf"] = [{"$ref": "#/components/schemas/" + spec.name}]
        else:
            prop["title"] = title_case(spec.name)
            prop.update(spec.type.json_schema())
        if field.default is not REQUIRED:
            prop["default"] = field.default
        if spec.accepts_none:
            prop["nullable"] = True
        for keyword, value in (("description", field.description), ("minimum", field.ge), ("maximum", field.le),
                               ("minLength", field.min_length), ("maxLength", field.max_length),
                               ("pattern", field.regex), ("deprecated", field.deprecated),
                               ("x-cog-accept", field.accept)):
            if value is not None:
                prop[keyword] = value
        properties[spec.name] = prop
    schema = {"title": title, "type": "object", "properties": properties}  # type: typing.Dict[str, typing.Any]
    required = [spec.name for spec in inputs if spec.required]
    if required:
        schema["required"] = required
    components[title] = schema
    return components


class Endpoint:
    """The names one kind of job (prediction or training) uses in the document."""

    def __init__(self, kind: str) -> None:
        training = kind == "training"
        self.path = "/trainings" if training else "/predictions"
        self.id_name = "training_id" if training else "prediction_id"
        self.input = "TrainingInput" if training else "Input"
        self.output = "TrainingOutput" if training else "Output"
        self.request = "TrainingRequest" if training else "PredictionRequest"
        self.response = "TrainingResponse" if training else "PredictionResponse"
        self.verb = "train" if training else "predict"
        self.summary = "Train" if training else "Predict"
        self.noun = kind


def _reference(name: str) -> typing.Dict[str, str]:
    return {"$ref": "#/components/schemas/" + name}


def _json_response(schema: typing.Dict[str, typing.Any], description: str) -> typing.Dict[str, typing.Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


VALIDATION_ERROR_RESPONSE = _json_response(_reference("HTTPValidationError"), "Validation Error")
EMPTY_RESPONSE = _json_response({}, "Successful Response")


def _endpoint_document(target: typing.Any, endpoint: Endpoint) -> typing.Tuple[dict, dict]:
    """(components, paths) of one job kind, from its loading.Target."""
    components = input_components(target.inputs, endpoint.input)
    components[endpoint.output] = output_schema(target.return_annotation, endpoint.output, target.streaming)
    string = {"type": "string"}
    components[endpoint.request] = {"title": endpoint.request, "type": "object", "properties": {
        "id": dict(string, title="Id"), "input": _reference(endpoint.input)}}
    components[endpoint.response] = {"title": endpoint.response, "type": "object", "properties": {
        "input": _reference(endpoint.input), "output": _reference(endpoint.output), "id": dict(string, title="Id"),
        "version": dict(string, title="Version"),
        "created_at": dict(string, title="Created At", format="date-time"),
        "started_at": dict(string, title="Started At", format="date-time"),
        "completed_at": dict(string, title="Completed At", format="date-time"),
        "status": dict(string, title="Status"), "error": dict(string, title="Error"), "logs": dict(string, title="Logs"),
        "metrics": {"title": "Metrics", "type": "object"}}}
    identifier = [{"name": endpoint.id_name, "in": "path", "required": True,
                   "schema": {"title": title_case(endpoint.id_name), "type": "string"}}]
    body = {"content": {"application/json": {"schema": _reference(endpoint.request)}}}
    responses = {"200": _json_response(_reference(endpoint.response), "Successful Response"),
                 "422": VALIDATION_ERROR_RESPONSE}
    create = {"summary": endpoint.summary, "description": "Run a single {} on the model".format(endpoint.noun),
              "operationId": "{}_{}_post".format(endpoint.verb, endpoint.path.strip("/")),
              "requestBody": body, "responses": responses}  # type: typing.Dict[str, typing.Any]
    if target.streaming and endpoint.noun == "prediction":
        create["x-cog-streaming"] = True
    item = "{}/{{{}}}".format(endpoint.path, endpoint.id_name)
    operation_suffix = "{}__{}_".format(endpoint.path.strip("/"), endpoint.id_name)
    paths = {
        endpoint.path: {"post": create},
        item: {
            "put": {"summary": endpoint.summary + " Idempotent", "operationId": "{}_idempotent_{}_put".format(
                endpoint.verb, operation_suffix), "parameters": identifier, "requestBody": body, "responses": responses},
            "get": {"summary": "Get " + endpoint.noun.title(), "operationId": "get_{}_{}_get".format(
                endpoint.noun, operation_suffix), "parameters": identifier, "responses": responses}},
        item + "/cancel": {"post": {"summary": "Cancel", "operationId": "cancel_{}_cancel_post".format(operation_suffix),
                                    "parameters": identifier,
                                    "responses": {"200": EMPTY_RESPONSE, "422": VALIDATION_ERROR_RESPONSE}}},
    }
    return components, paths


def openapi_schema(predictor: typing.Any, trainer: typing.Any = None) -> typing.Dict[str, typing.Any]:
    """The OpenAPI 3.0.2 document served at /openapi.json, from the predictor's and the trainer's
    loading.Target (either may be None). Where both define a component (an enum named after an input
    both have), the predictor's wins, as in Cog."""
    components = {}  # type: typing.Dict[str, typing.Any]
    paths = {
        "/": {"get": {"summary": "Root", "operationId": "root__get", "responses": {"200": EMPTY_RESPONSE}}},
        "/health-check": {"get": {"summary": "Healthcheck", "operationId": "healthcheck_health_check_get",
                                  "responses": {"200": EMPTY_RESPONSE}}},
    }  # type: typing.Dict[str, typing.Any]
    for target, kind in ((trainer, "training"), (predictor, "prediction")):
        if target is not None:
            endpoint_components, endpoint_paths = _endpoint_document(target, Endpoint(kind))
            components.update(endpoint_components)
            paths.update(endpoint_paths)
    paths["/shutdown"] = {"post": {"summary": "Start Shutdown", "operationId": "start_shutdown_shutdown_post",
                                   "responses": {"200": EMPTY_RESPONSE}}}
    components.update(_shared_components())
    return {"openapi": "3.0.2", "info": {"title": "Cog", "version": VERSION}, "paths": paths,
            "components": {"schemas": components}}


def _shared_components() -> typing.Dict[str, typing.Any]:
    """The status enum and the 422 error shape, the same for every model."""
    return {
        "Status": {"title": "Status", "description": "An enumeration.", "enum": STATUSES, "type": "string"},
        "HTTPValidationError": {"title": "HTTPValidationError", "type": "object", "properties": {
            "detail": {"title": "Detail", "type": "array", "items": _reference("ValidationError")}}},
        "ValidationError": {"title": "ValidationError", "required": ["loc", "msg", "type"], "type": "object",
                            "properties": {
                                "loc": {"title": "Location", "type": "array",
                                        "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                                "msg": {"title": "Message", "type": "string"},
                                "type": {"title": "Error Type", "type": "string"}}},
    }
