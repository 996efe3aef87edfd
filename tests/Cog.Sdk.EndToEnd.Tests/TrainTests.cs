using Cog.Sdk.Testing;

namespace Cog.Sdk.EndToEnd.Tests;

/// <summary>
/// `dotnet msbuild -t:CogTrain` runs a training as `cog train` does: the image's server in train mode, the inputs checked
/// against TrainingInput first, the weights it returns written under the output folder.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public sealed class TrainTests : ContainerTestBase
{
    private const string Yaml = """
        build:
          python_version: "3.11"
        run: "predict.py:Predictor"
        train: "train.py:Trainer"
        """;

    private const string Predictor = """
        from cog import BasePredictor

        class Predictor(BasePredictor):
            def predict(self, text: str) -> str:
                return text
        """;

    private const string Trainer = """
        import os, tempfile
        from cog import BaseModel, Input, Path

        class TrainingOutput(BaseModel):
            weights: Path
            epochs: int

        class Trainer:
            def setup(self):
                print("TRAINER-SETUP", flush=True)

            def train(self, data: str = Input(description="Training text"), epochs: int = Input(default=1, ge=1, le=10)) -> TrainingOutput:
                for epoch in range(epochs):
                    print("epoch %d" % epoch, flush=True)
                weights = Path(os.path.join(tempfile.mkdtemp(), "weights.txt"))
                weights.write_text("tuned on %s for %d epochs" % (data, epochs))
                return TrainingOutput(weights=weights, epochs=epochs)
        """;

    public TrainTests(PackedSdk sdk)
        : base(sdk, "train")
    {
    }

    [EngineFact]
    public void A_training_writes_its_weights_file_under_the_output_folder()
    {
        var (model, image) = NewModel("Trained", Yaml, Predictor);
        model.Write("train.py", Trainer);
        DateTime started = DateTime.UtcNow;

        var result = Msbuild(model, image, "CogTrain", "-p:CogInput=\"data=cats;epochs=3\"");

        AssertSucceeded(result);
        Assert.Contains("TRAINER-SETUP", result.Output);
        Assert.Contains("epoch 2", result.Output);
        string folder = Path.GetDirectoryName(Assert.Single(Directory.GetFiles(model.PathOf("bin"), "weights.txt", SearchOption.AllDirectories)))!;
        Assert.Equal("cog-train-output", Path.GetFileName(folder));
        Assert.Equal("tuned on cats for 3 epochs", File.ReadAllText(Path.Combine(folder, "weights.txt")));
        Assert.Matches("\"weights\": \"weights.txt\",\\s*\"epochs\": 3", File.ReadAllText(Path.Combine(folder, "output.json")));
        Assert.Contains("Written output to: " + Path.Combine(folder, "weights.txt"), result.Output);
        Assert.Contains(ContainersCreatedSince(image, started), n => n.StartsWith("cog-train-", StringComparison.Ordinal));
        AssertNoContainerLeft(image);
    }

    [EngineFact]
    public void A_function_trainer_writes_its_file_where_CogOutput_says()
    {
        var (model, image) = NewModel("TrainFunction", Yaml.Replace("train.py:Trainer", "train.py:train"), Predictor);
        model.Write("train.py", """
            import os, tempfile
            from cog import Path

            def train(words: str) -> Path:
                weights = Path(os.path.join(tempfile.mkdtemp(), "vocabulary.json"))
                weights.write_text('{"words": %d}' % len(words.split()))
                return weights
            """);

        var result = Msbuild(model, image, "CogTrain", "-p:CogInput=\"words=one two three\"", "-p:CogOutput=weights/vocabulary.json");

        AssertSucceeded(result);
        Assert.Equal("{\"words\": 3}", File.ReadAllText(model.PathOf("weights/vocabulary.json")));
        AssertNoContainerLeft(image);
    }

    [EngineFact]
    public void A_training_input_mistake_fails_before_the_image_is_built()
    {
        var (model, image) = NewModel("TrainMistake", Yaml, Predictor);
        model.Write("train.py", Trainer);

        var result = Msbuild(model, image, "CogTrain", "-p:CogInput=\"data=cats;epochs=0;epoch=2\"");

        AssertError(result, "COG4005");
        AssertError(result, "COG4002");
        Assert.Contains("did you mean \"epochs\"", result.Errors.First(e => e.Code == "COG4002").Message);
        Assert.NotEqual(0, TestEngine.Run("image", "inspect", image).ExitCode);
    }
}
