"""An iterator predictor that can be made slow: for busy, async and cancel tests.

$SETUP_SECONDS delays setup(), to observe STARTING.
"""
import os
import time
from typing import Iterator

from cog import BasePredictor, Input


class Predictor(BasePredictor):
    def setup(self):
        time.sleep(float(os.environ.get("SETUP_SECONDS", "0")))

    def predict(self, seconds: float = Input(default=0.0, ge=0), steps: int = 3) -> Iterator[str]:
        for step in range(steps):
            deadline = time.monotonic() + seconds
            # Short sleeps, so that a cancel raised into this thread lands promptly.
            while time.monotonic() < deadline:
                time.sleep(0.02)
            print("step {}".format(step))
            yield "step {}".format(step)
