"""Image in, image out: ImageMagick (installed by system_packages) applies an effect to the picture."""
import subprocess
import tempfile

from cog import BasePredictor, Input, Path

# Each effect as ImageMagick's `convert` options.
EFFECTS = {
    "grayscale": ["-colorspace", "Gray"],
    "negate": ["-negate"],
    "sepia": ["-sepia-tone", "80%"],
    "blur": ["-blur", "0x3"],
    "edges": ["-edge", "1"],
}


class Predictor(BasePredictor):
    def setup(self) -> None:
        # Fails at start-up, not at the first request, if the image lacks ImageMagick.
        subprocess.run(["convert", "-version"], check=True, capture_output=True)

    def predict(
        self,
        image: Path = Input(description="The picture: PNG, JPEG, GIF, BMP, ..."),
        effect: str = Input(description="What to do to it", choices=sorted(EFFECTS), default="grayscale"),
    ) -> Path:
        output = Path(tempfile.mkdtemp()) / "filtered.png"
        # PNG24: 8-bit RGB, whatever the effect did to the colours, so every viewer reads it the same way.
        subprocess.run(["convert", str(image), *EFFECTS[effect], "PNG24:" + str(output)], check=True)
        return output
