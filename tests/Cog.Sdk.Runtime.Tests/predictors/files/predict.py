"""Current style with files: list of Path in, a BaseModel holding a list of Path out, File and Secret."""
import os
import tempfile
from typing import List, Optional

from cog import BaseModel, BasePredictor, File, Input, Path, Secret


class Output(BaseModel):
    copies: List[Path]
    names: List[str]
    document_size: Optional[int] = None
    token_length: Optional[int] = None


class Predictor(BasePredictor):
    def predict(
        self,
        images: List[Path] = Input(description="Files to copy upper-cased"),
        document: File = Input(default=None),
        token: Secret = Input(default=None),
    ) -> Output:
        folder = tempfile.mkdtemp()
        copies = []
        for index, image in enumerate(images):
            copy = Path(os.path.join(folder, "copy{}{}".format(index, image.suffix)))
            copy.write_bytes(image.read_bytes().upper())
            copies.append(copy)
        return Output(
            copies=copies,
            names=[image.name for image in images],
            document_size=len(document.read()) if document is not None else None,
            token_length=len(token.get_secret_value()) if token is not None else None,
        )
