"""Cog's newer input and output types: unions, TypedDict, dict, Opaque, Input(accept=...), Optional
without a default, a nested BaseModel output, and run() returning None or calling sys.exit()."""
import sys
from typing import Annotated, Any, Dict, List, Optional, TypedDict, Union

from cog import BaseModel, BaseRunner, Input, Opaque, Path


class Point(TypedDict):
    x: int
    y: int


class Size(BaseModel):
    width: int
    height: int = 0


class Result(BaseModel):
    kind: str
    value: Any
    point: Optional[Point] = None
    size: Optional[Size] = None
    image_name: Optional[str] = None


class Runner(BaseRunner):
    def run(
        self,
        value: Union[str, float] = Input(description="A word or a number"),
        point: Point = Input(default=None),
        options: Dict[str, Any] = Input(default=None),
        blob: Annotated[dict, Opaque] = Input(default=None),
        image: Path = Input(default=None, accept="image/*,.png"),
        note: Optional[str] = Input(description="Optional, no default"),
        size: Optional[int] = None,
        action: str = Input(default="describe", choices=["describe", "nothing", "exit", "exit-quietly"]),
    ) -> Optional[Result]:
        if action == "nothing":
            return None
        if action == "exit":
            sys.exit(3)
        if action == "exit-quietly":
            sys.exit()
        return Result(kind=type(value).__name__, value={"value": value, "note": note, "options": options, "blob": blob},
                      point=point, size=Size(width=size) if size is not None else None,
                      image_name=image.name if image is not None else None)
