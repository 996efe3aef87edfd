"""A GPU model that reports the device torch sees."""
from cog import BasePredictor, Input


class Predictor(BasePredictor):
    def setup(self):
        import torch

        self.device = "cuda" if torch.cuda.is_available() else "cpu"

    def predict(self, size: int = Input(description="Matrix size", default=256, ge=1, le=4096)) -> str:
        import torch

        a = torch.rand(size, size, device=self.device)
        return f"{self.device}: trace {float((a @ a).trace()):.3f}"
