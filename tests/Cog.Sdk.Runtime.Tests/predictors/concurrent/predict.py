"""An async runner allowed 3 predictions at once (@concurrent); each waits until told, by its
input, and records which prediction it is in the metrics, so that a test can see which ran."""
import asyncio
import time

from cog import BaseRunner, concurrent, current_scope


class Runner(BaseRunner):
    async def setup(self) -> None:
        self.running = 0
        self.most = 0

    @concurrent(max=3)
    async def run(self, name: str, seconds: float = 0.0) -> str:
        self.running += 1
        self.most = max(self.most, self.running)
        started = time.monotonic()
        try:
            print("{} started".format(name))
            await asyncio.sleep(seconds)
            # A task started by run() inherits the prediction's scope and logs.
            await asyncio.create_task(self._record(name))
            return "{} done after {:.1f}s, most at once {}".format(name, time.monotonic() - started, self.most)
        finally:
            self.running -= 1

    async def _record(self, name: str) -> None:
        current_scope().record_metric("name", name)
        print("{} finished".format(name))
