using Cog.Sdk.Testing;

namespace Cog.Sdk.EndToEnd.Tests;

/// <summary>
/// `dotnet msbuild -t:CogPredict` on model projects of both predictor styles: the inputs as a user writes them on a
/// bash command line, in a JSON file or as items; the outputs as files under bin/ or where CogOutput says.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public sealed class PredictTests : ContainerTestBase
{
    internal const string CurrentStyleYaml = """
        build:
          python_version: "3.11"
        predict: "predict.py:Predictor"
        """;

    internal const string TextModel = """
        from cog import BasePredictor, Input

        class Predictor(BasePredictor):
            def setup(self):
                print("SETUP-RAN-" + "MARKER")
                self.greeting = "hello"

            def predict(self, text: str = Input(description="Who to greet"),
                        shout: bool = Input(description="Upper-case it", default=False)) -> str:
                print("predicting for " + text)
                message = self.greeting + " " + text
                return message.upper() if shout else message
        """;

    private const string ListModel = """
        from typing import List
        from cog import BasePredictor, Input

        class Predictor(BasePredictor):
            def predict(self, tags: List[str] = Input(description="Labels"),
                        steps: int = Input(default=1, ge=1, le=9),
                        note: str = Input(default="none")) -> dict:
                return {"tags": tags, "steps": steps, "note": note}
        """;

    private const string HotdogYaml = """
        environment:
          python_version: "3.11"
        model: "predict.py:HotdogDetector"
        """;

    public PredictTests(PackedSdk sdk)
        : base(sdk, "predict")
    {
    }

    [EngineFact]
    public void A_text_model_prints_and_writes_its_output_with_inputs_quoted_as_in_bash()
    {
        var (model, image) = NewModel("Greeter", CurrentStyleYaml, TextModel);

        // Exactly the argument bash passes for '-p:CogInput="text=world;shout=true"': the double quotes reach MSBuild.
        var result = Msbuild(model, image, "CogPredict", "-p:CogInput=\"text=world;shout=true\"");

        AssertSucceeded(result);
        Assert.Contains("HELLO WORLD", result.Output);
        // What setup() and predict() print streams into the log at the default verbosity, as with `cog predict`.
        Assert.Contains("SETUP-RAN-MARKER", result.Output);
        Assert.Contains("predicting for world", result.Output);
        string written = Assert.Single(Directory.GetFiles(model.PathOf("bin"), "output.txt", SearchOption.AllDirectories));
        Assert.Equal("cog-output", Path.GetFileName(Path.GetDirectoryName(written)));
        Assert.Equal("HELLO WORLD", File.ReadAllText(written).Trim());
        Assert.Contains("Written output to: " + written, result.Output);
        AssertNoContainerLeft(image);
    }

    [EngineFact]
    public void The_original_style_model_takes_a_png_file_and_writes_a_png()
    {
        string predictPy = File.ReadAllText(Path.Combine(PackedSdk.RepoRoot, "samples", "hotdog-detector", "predict.py"));
        var (model, image) = NewModel("Hotdog", HotdogYaml, predictPy);
        File.WriteAllBytes(model.PathOf("in.png"), Png.SolidRgb(12, 8, 250, 10, 10));

        var result = Msbuild(model, image, "CogPredict", "-p:CogInput=\"image=@in.png;threshold=0.5\"");

        AssertSucceeded(result);
        string output = Assert.Single(Directory.GetFiles(model.PathOf("bin"), "output.*", SearchOption.AllDirectories));
        Assert.Equal("output.png", Path.GetFileName(output));
        byte[] png = File.ReadAllBytes(output);
        Assert.Equal((12, 8), Png.Size(png));
        // Red enough: the detector drew its gold frame at the edge and left the middle red.
        Assert.Equal(((byte)255, (byte)215, (byte)0), Png.Pixel(png, 0, 0));
        Assert.Equal(((byte)250, (byte)10, (byte)10), Png.Pixel(png, 6, 4));
        AssertNoContainerLeft(image);
    }

    [EngineFact]
    public void Repeated_names_make_a_list_and_CogOutput_names_the_file()
    {
        var (model, image) = NewModel("Lister", CurrentStyleYaml, ListModel);

        var result = Msbuild(model, image, "CogPredict",
            "-p:CogInput=\"tags=red;tags=blue;steps=3;note=\\\"a; b\\\"\"", "-p:CogOutput=results/answer.json");

        AssertSucceeded(result);
        string json = File.ReadAllText(model.PathOf("results/answer.json"));
        Assert.Matches("\"tags\": \\[\\s*\"red\",\\s*\"blue\"\\s*\\]", json);
        Assert.Matches("\"steps\": 3\\b", json);
        Assert.Contains("\"note\": \"a; b\"", json);
        Assert.False(Directory.Exists(model.PathOf("bin")) && Directory.GetFiles(model.PathOf("bin"), "output.*", SearchOption.AllDirectories).Length > 0,
            "CogOutput was set, yet an output was written under bin/");
        AssertNoContainerLeft(image);
    }

    [EngineFact]
    public void Inputs_come_from_a_json_file_with_typed_values_and_file_references()
    {
        var (model, image) = NewModel("JsonInputs", CurrentStyleYaml, """
            from typing import List
            from cog import BasePredictor, Input, Path

            class Predictor(BasePredictor):
                def predict(self, labels: List[str] = Input(), threshold: float = Input(), doc: Path = Input()) -> str:
                    return "%s|%.2f|%s" % (",".join(labels), threshold, open(str(doc)).read().strip())
            """);
        model.Write("inputs.json", """{"labels": ["hotdog", "not hotdog"], "threshold": 0.8, "doc": "@notes/doc.txt"}""");
        model.Write("notes/doc.txt", "from a file\n");

        var result = Msbuild(model, image, "CogPredict", "-p:CogInputFile=inputs.json");

        AssertSucceeded(result);
        Assert.Contains("hotdog,not hotdog|0.80|from a file", result.Output);
        AssertNoContainerLeft(image);
    }

    [EngineFact]
    public void Input_and_output_paths_are_relative_to_the_project_when_dotnet_runs_elsewhere()
    {
        var (model, image) = NewModel("Elsewhere", CurrentStyleYaml, """
            from cog import BasePredictor, Input, Path

            class Predictor(BasePredictor):
                def predict(self, doc: Path = Input()) -> str:
                    return "read: " + open(str(doc)).read().strip()
            """);
        model.Write("data/doc.txt", "project file\n");
        model.Write("inputs.json", """{"doc": "@data/doc.txt"}""");
        string outside = Path.GetDirectoryName(model.Directory)!;

        var fromInput = MsbuildFrom(outside, model, image, "CogPredict", "-p:CogInput=doc=@data/doc.txt", "-p:CogOutput=answers/one.txt");
        var fromFile = MsbuildFrom(outside, model, image, "CogPredict", "-p:CogInputFile=inputs.json", "-p:CogOutput=answers/");

        AssertSucceeded(fromInput);
        AssertSucceeded(fromFile);
        Assert.Equal("read: project file", File.ReadAllText(model.PathOf("answers/one.txt")).Trim());
        Assert.Equal("read: project file", File.ReadAllText(model.PathOf("answers/output.txt")).Trim());
        Assert.False(Directory.Exists(Path.Combine(outside, "answers")), "CogOutput was resolved against the working directory");
        AssertNoContainerLeft(image);
    }

    [EngineFact]
    public void Inputs_come_from_CogInput_items_in_the_project_file()
    {
        var (model, image) = NewModel("ItemInputs", CurrentStyleYaml, ListModel);
        model.Write(model.Name + ".csproj", $$"""
            <Project Sdk="Cog.Sdk/{{Sdk.Version}}">
              <ItemGroup>
                <CogInput Include="tags" Value="first; with a semicolon" />
                <CogInput Include="tags" Value="second" />
                <CogInput Include="steps" Value="2" />
              </ItemGroup>
            </Project>
            """);

        var result = Msbuild(model, image, "CogPredict", "-p:CogOutput=out/");

        AssertSucceeded(result);
        string json = File.ReadAllText(model.PathOf("out/output.json"));
        Assert.Matches("\"tags\": \\[\\s*\"first; with a semicolon\",\\s*\"second\"\\s*\\]", json);
        Assert.Matches("\"steps\": 2\\b", json);
        AssertNoContainerLeft(image);
    }
}
