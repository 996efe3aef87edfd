"""The original (2021) style: cog.Model with @cog.input declarations, returning a cog.Path."""
import tempfile

import cog


class Model(cog.Model):
    def setup(self):
        self.suffix = "!"

    @cog.input("image", type=cog.Path, help="A text file to describe")
    @cog.input("scale", type=float, default=1.0, min=0, max=4, help="Scale factor")
    @cog.input("style", type=str, default="plain", options=["plain", "bold"])
    @cog.input("flip", type=bool, default=False)
    @cog.input("steps", type=int, default=3, min=1, max=10)
    def predict(self, image, scale, style, flip, steps):
        content = image.read_text()
        if flip:
            content = content[::-1]
        output = cog.Path(tempfile.mkdtemp()) / "description.txt"
        output.write_text("{} x{} {} {}{}".format(content, scale, style, steps, self.suffix))
        return output
