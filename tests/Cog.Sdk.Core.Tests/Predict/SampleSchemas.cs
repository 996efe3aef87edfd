namespace Cog.Sdk.Core.Tests.Predict;

/// <summary>Schemas shaped like the ones Cog's runtime generates (OpenAPI 3.0.2, components Input/Output).</summary>
internal static class SampleSchemas
{
    /// <summary>
    /// predict(self, image: Path, prompt: str, steps: int = Input(default=20, ge=1, le=100),
    /// guidance: float = Input(default=7.5, ge=0, le=20), upscale: bool = False,
    /// scheduler: str = Input(choices=["ddim", "euler"], default="ddim"), tags: list[str] = [],
    /// seeds: list[int] = [], masks: list[Path] = None, size: int = Input(choices=[256, 512], default=256)) -> Path
    /// </summary>
    public const string ImageModel = """
    {
      "openapi": "3.0.2",
      "info": {"title": "Cog", "version": "0.1.0"},
      "paths": {},
      "components": {
        "schemas": {
          "Input": {
            "title": "Input",
            "type": "object",
            "required": ["image", "prompt"],
            "properties": {
              "image": {"title": "Image", "type": "string", "format": "uri", "x-order": 0},
              "prompt": {"title": "Prompt", "type": "string", "x-order": 1},
              "steps": {"title": "Steps", "type": "integer", "default": 20, "minimum": 1, "maximum": 100, "x-order": 2},
              "guidance": {"title": "Guidance", "type": "number", "default": 7.5, "minimum": 0, "maximum": 20, "x-order": 3},
              "upscale": {"title": "Upscale", "type": "boolean", "default": false, "x-order": 4},
              "scheduler": {"allOf": [{"$ref": "#/components/schemas/scheduler"}], "default": "ddim", "x-order": 5},
              "tags": {"title": "Tags", "type": "array", "items": {"type": "string"}, "x-order": 6},
              "seeds": {"title": "Seeds", "type": "array", "items": {"type": "integer", "minimum": 0}, "x-order": 7},
              "masks": {"title": "Masks", "type": "array", "items": {"type": "string", "format": "uri"}, "x-order": 8},
              "size": {"allOf": [{"$ref": "#/components/schemas/size"}], "default": 256, "x-order": 9}
            }
          },
          "scheduler": {"title": "scheduler", "description": "An enumeration.", "enum": ["ddim", "euler"], "type": "string"},
          "size": {"title": "size", "description": "An enumeration.", "enum": [256, 512], "type": "integer"},
          "Output": {"title": "Output", "type": "string", "format": "uri"}
        }
      }
    }
    """;

    /// <summary>
    /// What the runtime prints for Cog's newer input types (tests/Cog.Sdk.Runtime.Tests/predictors/typed), with a deprecated
    /// input and a trainer added: run(value: Union[str, float], point: Point (a TypedDict) = None, blob: Annotated[dict, Opaque]
    /// = None, image: Path = Input(default=None, accept="image/*,.png"), note: Optional[str] (no default), tags: list[str] | int
    /// = 0, old: str = Input(default="", deprecated=True)); train(data: str, epochs: int = Input(default=1, ge=1)).
    /// </summary>
    public const string TypedModel = """
    {
      "openapi": "3.0.2",
      "info": {"title": "Cog", "version": "0.1.0"},
      "paths": {},
      "components": {
        "schemas": {
          "Input": {
            "title": "Input",
            "type": "object",
            "properties": {
              "value": {"x-order": 0, "title": "Value", "anyOf": [{"type": "string"}, {"type": "number"}], "description": "A word or a number"},
              "point": {"x-order": 1, "title": "Point", "type": "object", "default": null, "nullable": true},
              "blob": {"x-order": 2, "title": "Blob", "type": "object", "default": null, "nullable": true},
              "image": {"x-order": 3, "title": "Image", "type": "string", "format": "uri", "default": null, "nullable": true, "x-cog-accept": "image/*,.png"},
              "note": {"x-order": 4, "title": "Note", "type": "string", "nullable": true, "description": "Optional, no default"},
              "tags": {"x-order": 5, "title": "Tags", "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "integer"}], "default": 0},
              "old": {"x-order": 6, "title": "Old", "type": "string", "default": "", "deprecated": true}
            },
            "required": ["value"]
          },
          "Output": {"title": "Output", "type": "array", "items": {"type": "string"}, "x-cog-array-type": "iterator", "x-cog-array-display": "concatenate"},
          "TrainingInput": {
            "title": "TrainingInput",
            "type": "object",
            "properties": {
              "data": {"x-order": 0, "title": "Data", "type": "string"},
              "epochs": {"x-order": 1, "title": "Epochs", "type": "integer", "default": 1, "minimum": 1}
            },
            "required": ["data"]
          },
          "TrainingOutput": {"title": "TrainingOutput", "type": "object", "properties": {"weights": {"type": "string", "format": "uri"}}}
        }
      }
    }
    """;
}
