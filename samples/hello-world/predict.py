"""A text model in Cog's current predictor style."""
import subprocess

from cog import BasePredictor, Input


class Predictor(BasePredictor):
    def setup(self):
        self.greeting = "hello"

    def predict(
        self,
        text: str = Input(description="Who to greet"),
        shout: bool = Input(description="Upper-case the greeting", default=False),
    ) -> str:
        message = f"{self.greeting} {text}"
        # cowsay comes from system_packages: proof that the apt layer is in the image.
        subprocess.run(["/usr/games/cowsay", message], check=True)
        return message.upper() if shout else message
