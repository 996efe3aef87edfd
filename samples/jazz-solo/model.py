"""The original cog.yaml reference's example model, in the original predictor style: a cog.Model subclass."""
import random

import cog


class JazzSoloComposerModel(cog.Model):
    def setup(self):
        self.scale = ["C", "D", "Eb", "F", "G", "A", "Bb"]

    @cog.input("bars", type=int, default=4, min=1, max=32, help="How many bars of solo to write")
    @cog.input("seed", type=int, default=0, help="Random seed")
    def predict(self, bars, seed):
        rng = random.Random(seed)
        return " | ".join(" ".join(rng.choice(self.scale) for _ in range(4)) for _ in range(bars))
