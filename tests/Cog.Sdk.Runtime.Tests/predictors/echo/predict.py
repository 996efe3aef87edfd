"""Current style with every scalar type: echoes what predict() received, with the Python type names."""
from typing import List, Optional

from cog import BasePredictor, Input


class Predictor(BasePredictor):
    def setup(self):
        print("echo setup ran")
        self.greeting = "hello"

    def predict(
        self,
        text: str = Input(description="Lower-case words", min_length=1, max_length=20, regex="^[a-z ]+$"),
        count: int = Input(default=1, ge=1, le=5),
        scale: float = Input(default=0.5, ge=0.0, le=1.0),
        loud: bool = False,
        mode: str = Input(default="plain", choices=["plain", "upper"]),
        words: List[str] = Input(default=None, description="Extra words"),
        note: Optional[str] = None,
    ) -> dict:
        if text == "boom":
            raise ValueError("boom requested")
        print("echoing " + text)
        received = {"text": text, "count": count, "scale": scale, "loud": loud, "mode": mode, "words": words, "note": note}
        received["types"] = {name: type(value).__name__ for name, value in received.items()}
        received["greeting"] = self.greeting
        return received
