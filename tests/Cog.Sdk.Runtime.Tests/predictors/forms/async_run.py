"""async setup() and async run() on the runtime's event loop."""
import asyncio

from cog import BaseRunner


class Runner(BaseRunner):
    async def setup(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.greeting = "hello"

    async def run(self, text: str, times: int = 1) -> str:
        # The same loop as setup's, so that clients bound to it in setup() work here.
        assert asyncio.get_running_loop() is self.loop
        await asyncio.sleep(0.01)
        return " ".join([self.greeting + " " + text] * times)
