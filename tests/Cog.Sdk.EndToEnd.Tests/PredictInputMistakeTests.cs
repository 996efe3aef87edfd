using Cog.Sdk.Testing;

namespace Cog.Sdk.EndToEnd.Tests;

/// <summary>
/// A mistake in the inputs fails CogPredict before any model container starts: before the image is built when this
/// machine's python3 can read the schema from the source, as Cog does, else against the schema read from the image.
/// No setup() output, no cog-predict-* container ever created, and within seconds.
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

    [EngineFact]
    public void A_mistake_is_reported_before_any_image_build_when_the_source_tells_the_schema()
    {
        var (model, image) = NewModel("Unbuilt", PredictTests.CurrentStyleYaml, Model);
        var engine = new EngineCallLog(model);

        var result = engine.Msbuild(image, "CogPredict", "-p:CogInput=\"prompt=a cat;stpes=3\"");
        var training = engine.Msbuild(image, "CogTrain", "-p:CogInput=data=x");

        AssertError(result, "COG4002");
        Assert.Contains("did you mean \"steps\"", result.Errors.First(e => e.Code == "COG4002").Message);
        AssertError(training, "COG4031");
        Assert.Empty(engine.Builds());
        Assert.NotEqual(0, TestEngine.Run("image", "inspect", image).ExitCode);
    }

    [EngineFact]
    public void When_the_source_cannot_tell_the_schema_the_image_checks_the_inputs_before_a_container_starts()
    {
        // predict.py imports a module that only the image has, as a model imports torch.
        var (model, image) = NewModel("ImageOnly", """
            build:
              python_version: "3.11"
              run:
                - python -c "import pathlib, site; pathlib.Path(site.getsitepackages()[0], 'only_in_the_image.py').write_text('WORD = 1')"
            predict: "predict.py:Predictor"
            """, "import only_in_the_image\n" + Model);
        var engine = new EngineCallLog(model);
        DateTime started = DateTime.UtcNow;

        var result = engine.Msbuild(image, "CogPredict", "-p:CogInput=\"prompt=a cat;stpes=3\"", "-v:n");

        AssertError(result, "COG4002");
        Assert.Contains("only_in_the_image", result.Output);
        Assert.Single(engine.Builds());
        Assert.DoesNotContain("SETUP-RAN-MARKER", result.Output);
        Assert.DoesNotContain(ContainersCreatedSince(image, started), n => n.StartsWith("cog-predict-", StringComparison.Ordinal));
        AssertNoContainerLeft(image);
    }

    /// <summary>A docker on PATH that logs each command it is asked, then runs the real one: to count the image builds.</summary>
    private sealed class EngineCallLog
    {
        private readonly ModelProject _model;
        private readonly string _shim;
        private readonly string _log;

        public EngineCallLog(ModelProject model)
        {
            _model = model;
            _shim = Path.Combine(model.Directory, "..", "engine-shim");
            _log = Path.Combine(_shim, "calls.log");
            Directory.CreateDirectory(_shim);
            string docker = Path.Combine(_shim, "docker");
            File.WriteAllText(docker, $"#!/bin/sh\necho \"$*\" >> '{_log}'\nexec '{TestEngine.Docker}' \"$@\"\n");
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(docker, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        public BuildOutput Msbuild(string image, string target, params string[] args) =>
            _model.DotnetWithEnvironment(TimeSpan.FromMinutes(5),
                new Dictionary<string, string?> { ["PATH"] = _shim + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH") },
                new[] { "msbuild", "-restore", "-t:" + target, "-p:CogImageName=" + image, "-p:CogContainerEngine=docker" }.Concat(args).ToArray());

        /// <summary>
        /// The engine commands that built the model's image (`build`, `buildx build`): all but the build of
        /// obj/cog/labels/Dockerfile, which only adds labels to the image just built.
        /// </summary>
        public IReadOnlyList<string> Builds() =>
            (File.Exists(_log) ? File.ReadAllLines(_log) : Array.Empty<string>())
                .Where(line => line.StartsWith("build ", StringComparison.Ordinal) || line.StartsWith("buildx build ", StringComparison.Ordinal))
                .Where(line => !line.Contains(Path.Combine("obj", "cog", "labels", "Dockerfile"), StringComparison.Ordinal))
                .ToList();
    }
}
