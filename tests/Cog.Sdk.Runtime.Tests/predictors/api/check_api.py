"""Checks of the `cog` package's Python API that need no server, run by ApiTests on each Python.

Prints one line per check and exits 1 when one fails.
"""
import contextlib
import dataclasses
import io
import sys
import warnings

failures = []


def check(name, condition):
    print(("ok   " if condition else "FAIL ") + name)
    if not condition:
        failures.append(name)


def raises(exception, text, call):
    try:
        call()
    except exception as problem:
        return text in str(problem)
    return False


# The two deprecated names announce themselves once on stderr, and still work.
announced = io.StringIO()
with contextlib.redirect_stderr(announced):
    import cog

    warning = cog.ExperimentalFeatureWarning
    cog.ExperimentalFeatureWarning  # noqa: B018 - the second use must not announce again
    emit_metric = cog.emit_metric
check("ExperimentalFeatureWarning is a FutureWarning", issubclass(warning, FutureWarning))
check("its deprecation is announced once", announced.getvalue().count("ExperimentalFeatureWarning is deprecated") == 1)
check("emit_metric's deprecation is announced", "emit_metric() is deprecated" in announced.getvalue())
warnings.filterwarnings("ignore", category=cog.ExperimentalFeatureWarning)
emit_metric("outside", 1)  # outside a prediction: ignored

COG_NAMES = ["__version__", "BaseRunner", "BasePredictor", "BaseModel", "Opaque", "Input", "FieldInfo", "Path", "Secret",
             "File", "URLFile", "URLPath", "ConcatenateIterator", "AsyncConcatenateIterator", "CancelationException",
             "current_scope", "streaming", "concurrent", "ExperimentalFeatureWarning", "emit_metric"]
check("every name Cog exports", all(hasattr(cog, name) for name in COG_NAMES))
check("from cog import *", not raises(Exception, "", lambda: exec("from cog import *", {})))
check("CancelationException escapes `except Exception`", not issubclass(cog.CancelationException, Exception))
from cog.exceptions import CancelationException  # noqa: E402 - the name Cog's documentation also gives it

check("cog.exceptions.CancelationException", CancelationException is cog.CancelationException)


class Output(cog.BaseModel):
    text: str
    score: float = 0.5


class Manual(cog.BaseModel, auto_dataclass=False):
    text: str


class Mixin:
    pass


def bad_primary_base():
    class Bad(Mixin, cog.BaseModel):
        pass


def opting_out_under_an_auto_parent():
    class Child(Output, auto_dataclass=False):
        pass


check("a BaseModel is a dataclass", dataclasses.is_dataclass(Output) and Output("a") == Output(text="a", score=0.5))
check("auto_dataclass=False leaves the class alone", not dataclasses.is_dataclass(Manual))
check("a BaseModel's first base must be a BaseModel", raises(TypeError, "must inherit from BaseModel", bad_primary_base))
check("auto_dataclass=False under an auto parent", raises(ValueError, "broken field inheritance", opting_out_under_an_auto_parent))

check("Input(default_factory=...) is refused", raises(TypeError, "default_factory is not supported", lambda: cog.Input(default_factory=list)))
check("Input takes its default positionally", cog.Input(3).default == 3 and cog.Input(default=None, accept="image/*").accept == "image/*")
check("concurrent max must be an integer", raises(TypeError, "must be an integer", lambda: cog.concurrent(max="2")))
check("concurrent max must be at least 1", raises(ValueError, "at least 1", lambda: cog.concurrent(max=0)))
check("concurrent max above 1 needs async", raises(TypeError, "requires an async function", lambda: cog.concurrent(max=2)(lambda: None)))


@cog.concurrent(max=4)
async def run_async():
    pass


@cog.streaming
def streamed():
    yield "x"


check("@concurrent marks the function", run_async.__cog_concurrent_max__ == 4)
check("@streaming returns the function", streamed.__name__ == "streamed" and list(streamed()) == ["x"])
check("Secret prints masked", str(cog.Secret("k")) == "**********" and repr(cog.Secret("k")) == "Secret(**********)"
      and cog.Secret("k").get_secret_value() == "k" and str(cog.Secret()) == "")
url_path = cog.Path.validate("data:text/plain;base64,aGk=")
check("Path.validate of a URL is a URLPath that downloads", isinstance(url_path, cog.URLPath)
      and str(url_path) == "data:text/plain;base64,aGk=" and url_path.convert().read_text() == "hi")
check("Path.validate of a path", cog.Path.validate("/tmp") == cog.Path("/tmp"))
check("File.validate of a data URL", cog.File.validate("data:text/plain;base64,aGk=").read() == b"hi")
check("File.validate refuses other schemes", raises(ValueError, "not a valid URL scheme", lambda: cog.File.validate("ftp://x")))
check("current_scope() outside a prediction ignores metrics",
      cog.current_scope().record_metric("anything", 1) is None and cog.current_scope().context == {})


class Legacy(cog.BasePredictor):
    def predict(self, text: str) -> str:
        return text + "!"


check("BaseRunner.run() forwards to a user's predict()", Legacy().run(text="a") == "a!")
check("Opaque's repr", repr(cog.Opaque) == "cog.Opaque")
check("ConcatenateIterator[str] is an annotation", cog.ConcatenateIterator[str] is not None and cog.AsyncConcatenateIterator[str] is not None)
print("python {}.{}: {} failures".format(sys.version_info[0], sys.version_info[1], len(failures)))
sys.exit(1 if failures else 0)
