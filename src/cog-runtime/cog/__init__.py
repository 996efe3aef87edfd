"""Cog.Sdk's prediction runtime: the `cog` package inside every image Cog.Sdk builds.

It accepts predictors written for Cog (`cog.BasePredictor` with typed `predict()` and `Input(...)`)
and for the original Cog (`cog.Model` with `@cog.input(...)`), and serves them with Cog's HTTP API:
    python -m cog.server.http              the server (port 5000)
    python -m cog.command.openapi_schema   the OpenAPI schema, without running setup()
Standard library only, Python 3.8 and later, so that it installs offline into any image.
"""

from cog.predictor import BasePredictor, Model, Predictor, input
from cog.types import BaseModel, CancelationException, ConcatenateIterator, File, Input, Path, Secret

__version__ = "0.1.0"

__all__ = [
    "BaseModel",
    "BasePredictor",
    "CancelationException",
    "ConcatenateIterator",
    "File",
    "Input",
    "Model",
    "Path",
    "Predictor",
    "Secret",
    "input",
]
