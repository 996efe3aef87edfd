"""An async generator streamed as AsyncConcatenateIterator; the items joined are the greeting."""
import asyncio

from cog import AsyncConcatenateIterator, BaseRunner, streaming


class Runner(BaseRunner):
    @streaming
    async def run(self, text: str, times: int = 1) -> AsyncConcatenateIterator[str]:
        for index in range(times):
            await asyncio.sleep(0.01)
            yield ("" if index == 0 else " ") + "hello "
            yield text
