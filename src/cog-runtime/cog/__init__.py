"""Cog.Sdk's runtime: the `cog` package inside every image Cog.Sdk builds.

It runs predictors written for Cog's current API (`BaseRunner` with `run()`, plain functions,
async methods and iterators, `current_scope()` metrics) and its older ones (`BasePredictor` with
`predict()`, the 2021 `cog.Model` with `@cog.input`), and serves them with Cog's HTTP API:
    python -m cog.server.http              the server (port 5000)
    python -m cog.command.openapi_schema   the OpenAPI schema, without running setup()
Standard library only, Python 3.8 and later, so that it installs offline into any image.
"""

import sys as _sys
import typing as _typing

from cog.decorators import concurrent, streaming
from cog.input import FieldInfo, Input
from cog.model import BaseModel
from cog.predictor import BasePredictor, BaseRunner, Model, Predictor, input
from cog.scope import current_scope
from cog.types import (AsyncConcatenateIterator, CancelationException, ConcatenateIterator, File, Opaque, Path,
                       Secret, URLFile, URLPath)

__version__ = "0.1.0"


class _ExperimentalFeatureWarning(FutureWarning):
    """Cog no longer emits this; it exists so that `warnings.filterwarnings(..., category=...)` still works."""


def __getattr__(name: str) -> _typing.Any:
    """Cog's two deprecated names, each announcing its deprecation once on stderr when first used."""
    if name == "ExperimentalFeatureWarning":
        print("cog: ExperimentalFeatureWarning is deprecated and will be removed in a future release. Remove "
              "`ExperimentalFeatureWarning` from your imports and any associated `warnings.filterwarnings(...)` calls.",
              file=_sys.stderr)
        globals()[name] = _ExperimentalFeatureWarning
        return _ExperimentalFeatureWarning
    if name == "emit_metric":
        print("cog: emit_metric() is deprecated and will be removed in a future release. "
              "Use current_scope().record_metric(name, value) instead.", file=_sys.stderr)

        def emit_metric(name: str, value: _typing.Any) -> None:
            current_scope().record_metric(name, value)

        globals()[name] = emit_metric
        return emit_metric
    raise AttributeError("module 'cog' has no attribute {!r}".format(name))


__all__ = [
    "__version__",
    "AsyncConcatenateIterator",
    "BaseModel",
    "BasePredictor",
    "BaseRunner",
    "CancelationException",
    "ConcatenateIterator",
    "ExperimentalFeatureWarning",
    "FieldInfo",
    "File",
    "Input",
    "Model",
    "Opaque",
    "Path",
    "Predictor",
    "Secret",
    "URLFile",
    "URLPath",
    "concurrent",
    "current_scope",
    "emit_metric",
    "input",
    "streaming",
]
