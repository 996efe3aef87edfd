"""setup() raises: the server must report SETUP_FAILED, the schema command must still work."""
from cog import BasePredictor, ConcatenateIterator

print("importing broken_setup")


class Predictor(BasePredictor):
    def setup(self):
        raise RuntimeError("weights are missing")

    def predict(self, prompt: str) -> ConcatenateIterator[str]:
        for word in prompt.split():
            yield word + " "
