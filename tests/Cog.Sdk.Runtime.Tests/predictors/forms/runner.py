"""Cog's current style: BaseRunner with run(); found without a class name (`run: "runner.py"`)."""
from cog import BaseRunner, Input


class Runner(BaseRunner):
    def setup(self) -> None:
        self.greeting = "hello"

    def run(self, text: str = Input(description="Who to greet"), times: int = Input(default=1, ge=1)) -> str:
        return " ".join([self.greeting + " " + text] * times)
