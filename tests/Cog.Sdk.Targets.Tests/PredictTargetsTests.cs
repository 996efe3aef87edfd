namespace Cog.Sdk.Targets.Tests;

/// <summary>CogPredict's inputs are refused before anything is built or the engine is asked.</summary>
[Collection("in-process MSBuild")]
public class PredictTargetsTests
{
    [Fact]
    public void Inputs_given_both_inline_and_as_a_file_are_COG4011_and_nothing_is_built()
    {
        using var project = new TestProject();
        project.Write("cog.yaml", "build:\n  python_version: \"3.11\"\npredict: \"predict.py:Predictor\"\n")
            .Write("predict.py", "class Predictor:\n    def predict(self, text: str) -> str:\n        return text\n")
            .Write("inputs.json", "{\"text\": \"from the file\"}");

        var run = project.Build(new[] { "CogPredict" }, new Dictionary<string, string>
        {
            ["CogInput"] = "text=inline",
            ["CogInputFile"] = "inputs.json",
            ["CogCheckInputsBeforeBuild"] = "false",
            ["CogContainerEngine"] = "/nonexistent/engine/docker",
        });

        Assert.False(run.Succeeded);
        Assert.Equal("COG4011", Assert.Single(run.Log.Errors).Code);
        Assert.DoesNotContain("CogBuildContainerImage", run.Log.TasksRun);
        Assert.DoesNotContain("CogRunPrediction", run.Log.TasksRun);
    }
}
