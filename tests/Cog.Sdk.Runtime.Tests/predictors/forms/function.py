"""A plain function as the predictor (`run: "function.py:run"`): no class, no setup()."""
from cog import Input


def run(text: str = Input(description="Who to greet"), times: int = 1) -> str:
    return " ".join(["hello " + text] * times)
