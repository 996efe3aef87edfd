using Cog.Sdk.Testing;

namespace Cog.Sdk.EndToEnd.Tests;

/// <summary>
/// Predictors written from Cog's current documentation run unchanged through `dotnet msbuild -t:CogPredict`: BaseRunner
/// with run:, a plain function, async methods, streaming iterators, typed outputs, None, unions and TypedDict inputs.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public sealed class PredictorFormsTests : ContainerTestBase
{
    public PredictorFormsTests(PackedSdk sdk)
        : base(sdk, "forms")
    {
    }

    public static TheoryData<string, string, string, string> TextForms => new()
    {
        {
            "BaseRunner", "run.py:Runner", """
            from cog import BaseRunner, Input

            class Runner(BaseRunner):
                def setup(self):
                    self.greeting = "hello"

                def run(self, text: str = Input(description="Who to greet"), times: int = Input(default=1, ge=1)) -> str:
                    return " ".join([self.greeting + " " + text] * times)
            """, "hello world hello world"
        },
        {
            "Function", "run.py:run", """
            from cog import Input

            def run(text: str = Input(description="Who to greet"), times: int = 1) -> str:
                return " ".join(["hello " + text] * times)
            """, "hello world hello world"
        },
        {
            "AsyncRunner", "run.py:Runner", """
            import asyncio
            from cog import BaseRunner

            class Runner(BaseRunner):
                async def setup(self):
                    self.greeting = "hello"

                async def run(self, text: str, times: int = 1) -> str:
                    await asyncio.sleep(0.01)
                    return " ".join([self.greeting + " " + text] * times)
            """, "hello world hello world"
        },
        {
            "Streaming", "run.py:Runner", """
            from cog import BaseRunner, ConcatenateIterator, streaming

            class Runner(BaseRunner):
                @streaming
                def run(self, text: str, times: int = 1) -> ConcatenateIterator[str]:
                    for index in range(times):
                        yield ("" if index == 0 else " ") + "hello "
                        yield text
            """, "hello world hello world"
        },
        {
            "AsyncStreaming", "run.py:Runner", """
            import asyncio
            from cog import AsyncConcatenateIterator, BaseRunner

            class Runner(BaseRunner):
                async def run(self, text: str, times: int = 1) -> AsyncConcatenateIterator[str]:
                    for index in range(times):
                        await asyncio.sleep(0.01)
                        yield ("" if index == 0 else " ") + "hello " + text
            """, "hello world hello world"
        },
    };

    [EngineTheory]
    [MemberData(nameof(TextForms))]
    public void Each_form_of_predictor_runs_unchanged(string name, string pointer, string code, string expected)
    {
        var (model, image) = NewModel(name, Yaml(pointer), code, "run.py");

        var result = Msbuild(model, image, "CogPredict", "-p:CogInput=\"text=world;times=2\"");

        AssertSucceeded(result);
        Assert.Equal(expected, File.ReadAllText(Output(model, "output.txt")));
        AssertNoContainerLeft(image);
    }

    [EngineFact]
    public void A_typed_output_is_json_with_its_files_written_beside_it()
    {
        var (model, image) = NewModel("TypedOutput", Yaml("predict.py:Predictor"), """
            import os, tempfile
            from typing import List
            from cog import BaseModel, BasePredictor, Path

            class Result(BaseModel):
                label: str
                scores: List[float]
                mask: Path

            class Predictor(BasePredictor):
                def predict(self, label: str) -> Result:
                    mask = Path(os.path.join(tempfile.mkdtemp(), "mask.txt"))
                    mask.write_text("mask of " + label)
                    return Result(label=label, scores=[0.25, 0.75], mask=mask)
            """);

        var result = Msbuild(model, image, "CogPredict", "-p:CogInput=label=hotdog");

        AssertSucceeded(result);
        string json = File.ReadAllText(Output(model, "output.json"));
        Assert.Matches("\"label\": \"hotdog\"", json);
        Assert.Matches("\"mask\": \"mask.txt\"", json);
        Assert.Equal("mask of hotdog", File.ReadAllText(Output(model, "mask.txt")));
        AssertNoContainerLeft(image);
    }

    [EngineFact]
    public void None_is_no_output_and_a_success()
    {
        var (model, image) = NewModel("NoneOutput", Yaml("predict.py:Predictor"), """
            from typing import Optional
            from cog import BasePredictor

            class Predictor(BasePredictor):
                def predict(self, text: str) -> Optional[str]:
                    print("looked at " + text)
                    return None
            """);

        var result = Msbuild(model, image, "CogPredict", "-p:CogInput=text=nothing");

        AssertSucceeded(result);
        Assert.Contains("No output generated", result.Output);
        Assert.Contains("looked at nothing", result.Output);
        Assert.False(Directory.Exists(model.PathOf("bin")) && Directory.GetFiles(model.PathOf("bin"), "output*", SearchOption.AllDirectories).Length > 0);
        AssertNoContainerLeft(image);
    }

    [EngineFact]
    public void Union_TypedDict_optional_and_accepting_inputs_are_bound_as_their_schema_says()
    {
        var (model, image) = NewModel("TypedInputs", Yaml("predict.py:Runner"), """
            from typing import Optional, TypedDict, Union
            from cog import BaseRunner, Input, Path

            class Point(TypedDict):
                x: int
                y: int

            class Runner(BaseRunner):
                def run(self, value: Union[str, float], point: Point = Input(default=None),
                        note: Optional[str] = Input(description="Optional, no default"),
                        image: Path = Input(default=None, accept="image/*"),
                        legacy: str = Input(default="", deprecated=True)) -> str:
                    return "%s:%s|%s|%s|%s" % (type(value).__name__, value, point, note, image.name.split(".")[-1] if image else None)
            """);
        File.WriteAllBytes(model.PathOf("dot.png"), Png.SolidRgb(1, 1, 1, 2, 3));
        model.Write("notes.txt", "not a picture");

        var number = Msbuild(model, image, "CogPredict", "-p:CogInput=\"value=2.5;point={\\\"x\\\": 1, \\\"y\\\": 2};image=@dot.png;legacy=old\"");
        var word = Msbuild(model, image, "CogPredict", "-p:CogInput=value=cat");
        var refused = Msbuild(model, image, "CogPredict", "-p:CogInput=\"value=cat;image=@notes.txt\"");

        AssertSucceeded(number);
        Assert.Contains("float:2.5|{'x': 1, 'y': 2}|None|png", number.Output);
        Assert.Contains(number.Warnings, w => w.Code == "COG4032");
        AssertSucceeded(word);
        Assert.Contains("str:cat|None|None|None", word.Output);
        AssertError(refused, "COG4033");
        AssertNoContainerLeft(image);
    }

    private static string Yaml(string pointer) => $"""
        build:
          python_version: "3.11"
        run: "{pointer}"
        """;

    private static string Output(ModelProject model, string fileName) =>
        Assert.Single(Directory.GetFiles(model.PathOf("bin"), fileName, SearchOption.AllDirectories));
}
