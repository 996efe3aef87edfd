"""An async runner whose concurrency comes from cog.yaml (concurrency.max), not from a decorator."""
import asyncio


class Runner:
    async def run(self, seconds: float = 0.0) -> str:
        await asyncio.sleep(seconds)
        return "done"
