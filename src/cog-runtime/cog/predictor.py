"""Predictor base classes, the original `@cog.input` decorator, and finding the user's predictor.

Two styles are accepted because both exist in the wild: Cog's current `BasePredictor` with typed
predict() parameters, and the original (2021) `cog.Model` whose inputs are declared with
`@cog.input(...)` decorators.
"""

import importlib.util
import os
import re
import sys
import typing

from cog.types import FieldInfo

COG_YAML = "cog.yaml"
PREDICTOR_ENV = "COG_PREDICTOR"
# The cog.yaml keys that have named the predictor over time: `model:` (2021), `predict:`, `run:`.
PREDICTOR_KEYS = ("run", "predict", "model")


class BasePredictor:
    """Cog's current style: override setup() to load weights and a typed predict()."""

    def setup(self) -> None:
        """Load the model once, before the first prediction. Optional."""

    def predict(self, **kwargs: typing.Any) -> typing.Any:
        raise NotImplementedError("predict() must be implemented by the predictor")


Predictor = BasePredictor


class Model(BasePredictor):
    """The original style: predict() inputs are declared with `@cog.input(...)`."""


# On predict(): a list of (name, type, FieldInfo), one per `@cog.input`, in the order written.
DECLARED_INPUTS_ATTRIBUTE = "_cog_inputs"


def input(name: str, type: typing.Any = str, default: typing.Any = ..., min: typing.Any = None,
          max: typing.Any = None, options: typing.Optional[typing.List[typing.Any]] = None,
          help: typing.Optional[str] = None) -> typing.Callable[[typing.Any], typing.Any]:
    """Declare one predict() input, original style. Without `default` the input is required."""

    def declare(predict: typing.Any) -> typing.Any:
        declared = predict.__dict__.setdefault(DECLARED_INPUTS_ATTRIBUTE, [])
        # Decorators apply bottom-up; inserting first keeps the order they are written in.
        declared.insert(0, (name, type, FieldInfo(default, help, ge=min, le=max, choices=options)))
        return predict

    return declare


class PredictorNotFound(Exception):
    """The predictor reference is missing or does not point at a class."""


def predictor_reference(directory: str = ".") -> str:
    """`file.py:Name` from $COG_PREDICTOR (the image sets it), else from ./cog.yaml."""
    reference = os.environ.get(PREDICTOR_ENV, "").strip()
    if reference:
        return reference
    reference = _reference_from_cog_yaml(os.path.join(directory, COG_YAML))
    if reference:
        return reference
    raise PredictorNotFound(
        "No predictor: set {} to 'predict.py:Predictor' or add 'predict: \"predict.py:Predictor\"' to {}".format(
            PREDICTOR_ENV, COG_YAML))


def _reference_from_cog_yaml(path: str) -> typing.Optional[str]:
    """A line scan, not a YAML parser: the runtime must install without third-party packages.

    Only top-level keys are looked at, and only values of the form `file.py:Name`: at HEAD `model:`
    names a registry repository, not a predictor.
    """
    if not os.path.isfile(path):
        return None
    found = {}
    pattern = re.compile(r"^(\w+)\s*:\s*['\"]?([^'\"#\s]+\.py:\w+)['\"]?\s*(#.*)?$")
    with open(path, encoding="utf-8") as config:
        for line in config:
            match = pattern.match(line.rstrip("\r\n"))
            if match and match.group(1) in PREDICTOR_KEYS:
                found.setdefault(match.group(1), match.group(2))
    for key in PREDICTOR_KEYS:
        if key in found:
            return found[key]
    return None


def load_predictor_class(reference: str) -> type:
    """Import `file.py` (relative to the working directory) and return its class `Name`."""
    file_name, separator, class_name = reference.rpartition(":")
    if not separator or not file_name.endswith(".py") or not class_name:
        raise PredictorNotFound("Predictor reference '{}' must be in the form 'predict.py:Predictor'".format(reference))
    path = os.path.abspath(file_name)
    if not os.path.isfile(path):
        raise PredictorNotFound("Predictor file '{}' not found in {}".format(file_name, os.getcwd()))
    # The predictor's own folder goes on sys.path so that it can import its sibling modules.
    folder = os.path.dirname(path)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    module_name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise PredictorNotFound("Cannot import '{}'".format(file_name))
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    predictor = getattr(module, class_name, None)
    if not isinstance(predictor, type):
        raise PredictorNotFound("'{}' has no class named '{}'".format(file_name, class_name))
    if not callable(getattr(predictor, "predict", None)):
        raise PredictorNotFound("'{}' has no predict() method".format(reference))
    return predictor
