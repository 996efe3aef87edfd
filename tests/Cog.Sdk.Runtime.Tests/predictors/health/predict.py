"""A healthcheck() whose answer a prediction sets: ok, false, raise or hang (sync, or async with
$ASYNC_HEALTHCHECK=1)."""
import asyncio
import os
import time

from cog import BaseRunner, Input

STATES = ["ok", "false", "raise", "hang"]


class Runner(BaseRunner):
    def setup(self) -> None:
        self.state = "ok"

    def run(self, state: str = Input(choices=STATES)) -> str:
        self.state = state
        return state

    def _answer(self) -> bool:
        if self.state == "raise":
            raise RuntimeError("the GPU fell off")
        return self.state != "false"

    if os.environ.get("ASYNC_HEALTHCHECK") == "1":
        async def healthcheck(self) -> bool:
            if self.state == "hang":
                await asyncio.sleep(30)
            return self._answer()
    else:
        def healthcheck(self) -> bool:
            if self.state == "hang":
                time.sleep(30)
            return self._answer()
