"""The model: setup() runs once when the model starts, run() once per request. Each typed parameter with
Input(...) is an input of the model, checked before run() runs."""
#if (hasTorch)
import torch
#endif
from cog import BaseRunner, Input


class Runner(BaseRunner):
    def setup(self) -> None:
        """Load what is slow to load: weights, tokenizers."""
#if (hasTorch)
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
#else
        self.greeting = "hello"
#endif

    def run(
        self,
        text: str = Input(description="Who to greet"),
        repeat: int = Input(description="How many times", default=1, ge=1, le=10),
    ) -> str:
#if (hasTorch)
        counts = torch.ones(repeat, device=self.device)
        return f"hello {text} x{int(counts.sum())} on {self.device}"
#else
        return " ".join([f"{self.greeting} {text}"] * repeat)
#endif
