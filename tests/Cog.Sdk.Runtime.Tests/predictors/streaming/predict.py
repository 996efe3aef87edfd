"""A streaming language model: @streaming, tokens yielded one by one with a pause, a log line and a
metric per token."""
import time

from cog import BaseRunner, ConcatenateIterator, Input, streaming


class Runner(BaseRunner):
    @streaming
    def run(self, prompt: str, tokens: int = Input(default=3, ge=0), pause: float = 0.0) -> ConcatenateIterator[str]:
        for index in range(tokens):
            time.sleep(pause)
            print("token {}".format(index))
            self.record_metric("token_count", 1, mode="incr")
            yield "{}{}".format(" " if index else "", prompt)
