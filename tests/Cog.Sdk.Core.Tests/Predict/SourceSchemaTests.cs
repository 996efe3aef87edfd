using Cog.Sdk.Core.Predict;
using Cog.Sdk.Core.Tests.Diagnostics;
using Cog.Sdk.Core.Tests.Parse;

namespace Cog.Sdk.Core.Tests.Predict;

/// <summary>The schema read from a model's source by this machine's python3 and the runtime, before any image exists.</summary>
public sealed class SourceSchemaTests
{
    private static readonly string Runtime = Path.Combine(DiagnosticCodeTests.RepoRoot(), "src", "cog-runtime", "cog");

    private static Task<SourceSchemaResult> Read(TempProject project, string predictor, string? trainer = null, string python = "python3") =>
        SourceSchema.ReadAsync(python, Runtime, project.Directory, predictor, trainer, TimeSpan.FromSeconds(60), CancellationToken.None);

    [Fact]
    public async Task A_predictor_and_a_trainer_that_import_here_give_the_schema_the_image_would()
    {
        using var project = new TempProject()
            .WithFile("predict.py", "from cog import BaseRunner, Input\nprint('imported')\nclass Runner(BaseRunner):\n    def run(self, text: str = Input(description='x'), n: int = Input(default=1, le=5)) -> str:\n        return text\n")
            .WithFile("train.py", "from cog import Input, Path\ndef train(data: str, epochs: int = Input(default=1, ge=1)) -> Path:\n    pass\n");

        SourceSchemaResult result = await Read(project, "predict.py:Runner", "train.py:train");

        Assert.Null(result.Reason);
        var predict = InputSchema.Parse(result.Json!);
        Assert.Equal(new[] { "text", "n" }, predict.Parameters.Select(p => p.Name));
        Assert.Equal(5, predict.Find("n")!.Maximum);
        Assert.Equal(new[] { "data", "epochs" }, InputSchema.Parse(result.Json!, ServerMode.Train).Parameters.Select(p => p.Name));
        Assert.Empty(Directory.GetDirectories(project.Directory, "__pycache__", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_module_this_machine_lacks_leaves_the_schema_to_the_image()
    {
        using var project = new TempProject().WithFile("predict.py", "import torch_that_only_the_image_has\nfrom cog import BasePredictor\nclass Predictor(BasePredictor):\n    def predict(self, x: str) -> str:\n        return x\n");

        SourceSchemaResult result = await Read(project, "predict.py:Predictor");

        Assert.Null(result.Json);
        Assert.Contains("torch_that_only_the_image_has", result.Reason);
    }

    [Fact]
    public async Task A_predictor_the_runtime_refuses_gives_its_reason()
    {
        using var project = new TempProject().WithFile("predict.py", "from cog import BasePredictor\nclass Predictor(BasePredictor):\n    def predict(self, x: set) -> str:\n        return 'x'\n");

        SourceSchemaResult result = await Read(project, "predict.py:Predictor");

        Assert.Null(result.Json);
        Assert.Contains("exited with code 1", result.Reason);
        Assert.DoesNotContain("Traceback", result.Reason);
    }

    [Fact]
    public async Task A_python_that_does_not_exist_leaves_the_schema_to_the_image()
    {
        using var project = new TempProject().WithFile("predict.py", "");

        SourceSchemaResult result = await Read(project, "predict.py:Predictor", python: "python-that-is-not-installed");

        Assert.Null(result.Json);
        Assert.Contains("could not be started", result.Reason);
    }
}
