using Cog.Sdk.Testing;

namespace Cog.Sdk.EndToEnd.Tests;

/// <summary>
/// A mistake in the inputs fails CogPredict against the schema read from the image, before any model container
/// starts: no setup() output, no cog-predict-* container ever created, and within seconds.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public sealed class PredictInputMistakeTests : ContainerTestBase
{
    private const string Model = """
        from cog import BasePredictor, Input, Path

        class Predictor(BasePredictor):
            def setup(self):
                print("SETUP-RAN-" + "MARKER")

            def predict(self, prompt: str = Input(description="What to draw"),
                        steps: int = Input(default=4, ge=1, le=50),
                        style: str = Input(default="plain", choices=["plain", "bold"]),
                        image: Path = Input(default=None)) -> str:
                return prompt
        """;

    private readonly ModelProject _model;
    private readonly string _image;

    public PredictInputMistakeTests(PackedSdk sdk)
        : base(sdk, "inputs")
    {
        (_model, _image) = NewModel("Drawer", PredictTests.CurrentStyleYaml, Model);
    }

    [EngineTheory]
    [InlineData("prompt=a cat;stpes=3", "COG4002", "steps")]
    [InlineData("steps=3", "COG4003", "prompt")]
    [InlineData("prompt=a cat;steps=many", "COG4004", "many")]
    [InlineData("prompt=a cat;steps=0", "COG4005", "1")]
    [InlineData("prompt=a cat;steps=51", "COG4006", "50")]
    [InlineData("prompt=a cat;style=italic", "COG4007", "bold")]
    [InlineData("prompt=a cat;image=@no-such-photo.png", "COG4008", "no-such-photo.png")]
    public void A_mistake_fails_with_its_code_before_the_model_starts(string input, string code, string mentioned)
    {
        // The image is built first, so that the run measured below is the check alone.
        AssertSucceeded(Msbuild(_model, _image, "CogBuild"));
        DateTime started = DateTime.UtcNow;

        var result = Msbuild(_model, _image, "CogPredict", $"-p:CogInput=\"{input}\"", "-v:n");

        AssertError(result, code);
        Assert.Contains(mentioned, result.Errors.First(e => e.Code == code).Message);
        Assert.DoesNotContain("SETUP-RAN-MARKER", result.Output);
        Assert.DoesNotContain(ContainersCreatedSince(_image, started), n => n.StartsWith("cog-predict-", StringComparison.Ordinal));
        AssertNoContainerLeft(_image);
    }
}
