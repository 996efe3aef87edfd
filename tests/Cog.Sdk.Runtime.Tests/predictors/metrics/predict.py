"""Records metrics every way Cog offers and reports what the runtime refused; returns the request's context."""
import threading
from typing import Any, Dict

from cog import BaseRunner, current_scope, emit_metric


def refusals() -> list:
    scope = current_scope()
    attempts = [
        lambda: scope.record_metric("predict_time", 1),
        lambda: scope.record_metric("cog.internal", 1),
        lambda: scope.record_metric("bad_", 1),
        lambda: scope.record_metric("a.b.c.d.e", 1),
        lambda: scope.record_metric("temperature", "hot"),
        lambda: scope.record_metric("label", "x", mode="incr"),
        lambda: scope.record_metric("x", 1, mode="sum"),
        lambda: scope.record_metric("x", None),
    ]
    problems = []
    for attempt in attempts:
        try:
            attempt()
            problems.append("accepted")
        except (TypeError, ValueError) as problem:
            problems.append("{}: {}".format(type(problem).__name__, problem))
    return problems


class Runner(BaseRunner):
    def setup(self) -> None:
        # Outside a prediction the scope ignores metrics silently, but still refuses an unknown mode.
        current_scope().record_metric("at_setup", 1)
        try:
            current_scope().record_metric("at_setup", 1, mode="sum")
            self.setup_mode_refused = False
        except TypeError:
            self.setup_mode_refused = True

    def run(self, fail: bool = False) -> Dict[str, Any]:
        self.record_metric("temperature", 0.7)
        scope = self.scope
        scope.record_metric("token_count", 1, mode="incr")
        scope.record_metric("token_count", 2, mode="increment")
        scope.metrics.record("logprobs", -1.5, mode="append")
        scope.metrics.record("logprobs", -0.5, mode="append")
        scope.metrics["timing.preprocess"] = 0.25
        scope.metrics["timing.inference"] = 1.5
        scope.metrics["dropped"] = "soon gone"
        scope.metrics["dropped"] = None
        scope.record_metric("label", "first")
        del scope.metrics["label"]
        scope.record_metric("label", 2)
        emit_metric("legacy", 5)
        # A thread the predictor starts has no ContextVars: with one prediction running it still records.
        thread = threading.Thread(target=lambda: current_scope().record_metric("from_thread", True))
        thread.start()
        thread.join()
        problems = refusals()
        if fail:
            raise RuntimeError("failed after recording metrics")
        return {"context": dict(scope.context), "problems": problems, "setup_mode_refused": self.setup_mode_refused}
