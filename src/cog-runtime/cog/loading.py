"""Finding and loading the user's predictor or trainer.

The reference (`run.py:Runner`, `predict.py:Predictor`, `train.py:train`) comes from the
environment the image sets, or else from ./cog.yaml. It names a class (instantiated with no
arguments; `setup()` optional) or a plain function. In a class the method is run() or, in the
older style, predict(), or train() for a trainer.
"""

import importlib.util
import inspect
import logging
import os
import re
import sys
import typing
import warnings

from cog.decorators import CONCURRENT_ATTRIBUTE, STREAMING_ATTRIBUTE
from cog.predictor import user_method_owner
from cog.schema import InputSpec, target_inputs, unwrap_input_defaults

log = logging.getLogger("cog")
COG_YAML = "cog.yaml"
PREDICT = "predict"
TRAIN = "train"
# Per mode: the environment variables that name the target (ours, then Cog's), and the cog.yaml keys
# that have named it over time (`model:` in 2021, then `predict:`, now `run:`).
REFERENCE_VARIABLES = {PREDICT: ("COG_PREDICTOR", "COG_PREDICT_TYPE_STUB"), TRAIN: ("COG_TRAINER", "COG_TRAIN_TYPE_STUB")}
REFERENCE_KEYS = {PREDICT: ("run", "predict", "model"), TRAIN: ("train",)}
CONCURRENCY_VARIABLE = "COG_MAX_CONCURRENCY"
DEFAULT_CLASS_NAMES = ("Runner", "Predictor")


class PredictorNotFound(Exception):
    """The reference is missing, or does not name a usable class or function."""


def reference(mode: str, directory: str = ".") -> typing.Optional[str]:
    """`file.py:Name` for the mode from the environment (the image sets it), else from ./cog.yaml."""
    for variable in REFERENCE_VARIABLES[mode]:
        value = os.environ.get(variable, "").strip()
        if value:
            return value
    settings = read_cog_yaml(os.path.join(directory, COG_YAML))
    return next((settings[key] for key in REFERENCE_KEYS[mode] if key in settings), None)


def references() -> typing.Dict[str, typing.Optional[str]]:
    """The predictor's and the trainer's reference, each None when not configured."""
    return {mode: reference(mode) for mode in (PREDICT, TRAIN)}


def missing_reference_message(mode: str = PREDICT) -> str:
    example = "predict.py:Predictor" if mode == PREDICT else "train.py:Trainer"
    return "No {}: set {} to '{}' or add '{}: \"{}\"' to {}".format(
        "predictor" if mode == PREDICT else "trainer", REFERENCE_VARIABLES[mode][0], example,
        REFERENCE_KEYS[mode][0], example, COG_YAML)


def read_cog_yaml(path: str) -> typing.Dict[str, str]:
    """The few cog.yaml settings the runtime reads, by a line scan rather than a YAML parser (the runtime
    installs without third-party packages): top-level `key: file.py:Name` values, and `concurrency.max`.
    At HEAD `model:` may name a registry repository; only `file.py:Name` values count as references."""
    if not os.path.isfile(path):
        return {}
    settings = {}  # type: typing.Dict[str, str]
    reference_line = re.compile(r"^(\w+)\s*:\s*['\"]?([^'\"#\s]+\.py(:\w+)?)['\"]?\s*(#.*)?$")
    nested_line = re.compile(r"^\s+(\w+)\s*:\s*['\"]?([^'\"#\s]+)['\"]?\s*(#.*)?$")
    section = ""
    with open(path, encoding="utf-8", errors="replace") as config:
        for line in config:
            line = line.rstrip("\r\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if not line[0].isspace():
                section = line.split(":")[0].strip()
                match = reference_line.match(line)
                if match:
                    settings.setdefault(match.group(1), match.group(2))
                continue
            match = nested_line.match(line)
            if match and section == "concurrency" and match.group(1) == "max":
                settings["concurrency.max"] = match.group(2)
    return settings


_modules = {}  # type: typing.Dict[str, typing.Any]


def import_file(file_name: str) -> typing.Any:
    """Import `file.py` (relative to the working directory) once, under its base name, as Cog does."""
    path = os.path.abspath(file_name)
    if path in _modules:
        return _modules[path]
    if not os.path.isfile(path):
        raise PredictorNotFound("Predictor file '{}' not found in {}".format(file_name, os.getcwd()))
    # The file's own folder goes on sys.path so that it can import its sibling modules.
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
    _modules[path] = module
    return module


class Target:
    """What a mode runs: a function, or a method of a class instantiated at setup; its inputs and marks."""

    def __init__(self, reference: str, mode: str, owner: typing.Optional[type], function: typing.Any) -> None:
        self.reference = reference
        self.mode = mode
        self.owner = owner
        self.function = function
        self.method_name = function.__name__
        # Read before unwrap_input_defaults() replaces the Input(...) defaults with plain values.
        self.inputs = target_inputs(function, skip_self=owner is not None)  # type: typing.List[InputSpec]
        self.return_annotation = inspect.signature(function).return_annotation
        unwrap_input_defaults(function)
        self.instance = None  # type: typing.Any

    @property
    def name(self) -> str:
        return "{}.{}()".format(self.owner.__name__, self.method_name) if self.owner else self.method_name + "()"

    @property
    def is_async_generator(self) -> bool:
        return inspect.isasyncgenfunction(self.function)

    @property
    def is_async(self) -> bool:
        return inspect.iscoroutinefunction(self.function) or self.is_async_generator

    @property
    def streaming(self) -> bool:
        return bool(getattr(self.function, STREAMING_ATTRIBUTE, False))

    @property
    def concurrent_max(self) -> typing.Optional[int]:
        return getattr(self.function, CONCURRENT_ATTRIBUTE, None)

    def instantiate(self) -> None:
        """Create the class's instance (its __init__ runs here, during setup); nothing for a function."""
        if self.owner is not None:
            self.instance = self.owner()

    @property
    def callable(self) -> typing.Callable[..., typing.Any]:
        return getattr(self.instance, self.method_name) if self.owner is not None else self.function

    def optional_method(self, name: str) -> typing.Optional[typing.Callable[..., typing.Any]]:
        """setup() or healthcheck() of the instance, when it has one; never for a function."""
        method = getattr(self.instance, name, None) if self.owner is not None else None
        return method if callable(method) else None


_targets = {}  # type: typing.Dict[typing.Tuple[str, str], Target]


def load_target(reference: str, mode: str) -> Target:
    """Import the reference's file and find its class (and method) or function; loaded once per mode."""
    key = (reference, mode)
    if key not in _targets:
        _targets[key] = _load(reference, mode)
    return _targets[key]


def load_targets(configured: typing.Dict[str, typing.Optional[str]]) -> typing.Dict[str, Target]:
    """The target of each mode that has a reference; the schema describes all of them."""
    return {mode: load_target(ref, mode) for mode, ref in configured.items() if ref}


def _load(reference: str, mode: str) -> Target:
    file_name, _, name = reference.partition(":")
    if not file_name.endswith(".py"):
        raise PredictorNotFound("Reference '{}' must be in the form 'predict.py:Predictor'".format(reference))
    module = import_file(file_name)
    if not name:
        name = next((candidate for candidate in DEFAULT_CLASS_NAMES if hasattr(module, candidate)), "")
        if not name:
            raise PredictorNotFound("module '{}' has no Runner or Predictor".format(module.__name__))
        if name == "Predictor":
            warnings.warn("Predictor is deprecated; use Runner instead", DeprecationWarning)
    found = getattr(module, name, None)
    if found is None:
        raise PredictorNotFound("'{}' has no class or function named '{}'".format(file_name, name))
    if not inspect.isclass(found):
        if not callable(found):
            raise PredictorNotFound("'{}' in '{}' is not a class or function".format(name, file_name))
        return Target(reference, mode, None, found)
    return Target(reference, mode, found, getattr(found, _method_name(found, mode)))


def _method_name(cls: type, mode: str) -> str:
    if mode == TRAIN:
        if user_method_owner(cls, "train") is None:
            raise PredictorNotFound("train method not found: {}".format(cls.__name__))
        return "train"
    defines_run = user_method_owner(cls, "run") is not None
    defines_predict = user_method_owner(cls, "predict") is not None
    if defines_run and defines_predict:
        raise PredictorNotFound("{} must define either run() or predict(), not both".format(cls.__name__))
    if not defines_run and not defines_predict:
        raise PredictorNotFound("run or predict method not found: {}".format(cls.__name__))
    return "run" if defines_run else "predict"


def max_concurrency(target: Target, directory: str = ".") -> int:
    """How many predictions may run at once: $COG_MAX_CONCURRENCY, else cog.yaml's concurrency.max,
    else `@concurrent(max=N)` on the method, else 1 (Cog's order of precedence)."""
    for source, value in ((CONCURRENCY_VARIABLE, os.environ.get(CONCURRENCY_VARIABLE)),
                          ("cog.yaml concurrency.max", read_cog_yaml(os.path.join(directory, COG_YAML)).get("concurrency.max"))):
        if value is None or not value.strip():
            continue
        try:
            number = int(value)
        except ValueError:
            number = 0
        if number < 1:
            log.warning("ignoring %s=%s: expected a whole number of at least 1; using 1", source, value)
            return 1
        return number
    return target.concurrent_max or 1
