"""The base classes a predictor subclasses, and the original (2021) `@cog.input` decorator.

Subclassing is optional: any class with run() (or predict(), or train()) works, and so does a
plain function. The base classes add `self.scope` and `self.record_metric()`.
"""

import inspect
import typing
import warnings

from cog.input import REQUIRED, FieldInfo
from cog.scope import Scope, current_scope


class BaseRunner:
    """Cog's current style: override setup() to load weights once and a typed run()."""

    def setup(self, weights: typing.Optional[str] = None) -> None:
        """Load the model once, before the first prediction. Optional."""

    def run(self, *args: typing.Any, **kwargs: typing.Any) -> typing.Any:
        if user_method_owner(type(self), "predict") is not None and user_method_owner(type(self), "run") is None:
            return self.predict(*args, **kwargs)
        raise NotImplementedError("run has not been implemented by parent class.")

    def predict(self, *args: typing.Any, **kwargs: typing.Any) -> typing.Any:
        warnings.warn("{}.predict() is deprecated; use run() instead".format(type(self).__name__),
                      DeprecationWarning, stacklevel=2)
        return self.run(*args, **kwargs)

    @property
    def scope(self) -> Scope:
        """The running prediction's scope (metrics, context); a no-op scope outside one."""
        return current_scope()

    def record_metric(self, key: str, value: typing.Any, mode: str = "replace") -> None:
        self.scope.record_metric(key, value, mode=mode)


class BasePredictor(BaseRunner):
    """The older name of BaseRunner, with predict() as its method."""


Predictor = BasePredictor


class Model(BasePredictor):
    """The original (2021) style: predict() inputs are declared with `@cog.input(...)`."""


FRAMEWORK_CLASSES = (BaseRunner, BasePredictor, Model, object)


def user_method_owner(cls: type, name: str) -> typing.Optional[type]:
    """The class that defines method `name` for the user, looking no further than the base classes above."""
    for owner in inspect.getmro(cls):
        if owner in FRAMEWORK_CLASSES:
            return None
        if callable(owner.__dict__.get(name)):
            return owner
    return None


# On predict(): a list of (name, type, FieldInfo), one per `@cog.input`, in the order written.
DECLARED_INPUTS_ATTRIBUTE = "_cog_inputs"


def input(name: str, type: typing.Any = str, default: typing.Any = REQUIRED, min: typing.Any = None,  # noqa: A001,A002
          max: typing.Any = None, options: typing.Optional[typing.List[typing.Any]] = None,  # noqa: A002
          help: typing.Optional[str] = None) -> typing.Callable[[typing.Any], typing.Any]:  # noqa: A002
    """Declare one predict() input, original style. Without `default` the input is required."""

    def declare(predict: typing.Any) -> typing.Any:
        declared = predict.__dict__.setdefault(DECLARED_INPUTS_ATTRIBUTE, [])
        # Decorators apply bottom-up; inserting first keeps the order they are written in.
        declared.insert(0, (name, type, FieldInfo(default, help, ge=min, le=max, choices=options)))
        return predict

    return declare
