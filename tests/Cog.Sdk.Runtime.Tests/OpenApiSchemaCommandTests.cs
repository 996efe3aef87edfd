using System.Text.Json;

namespace Cog.Sdk.Runtime.Tests;

/// <summary>`python -m cog.command.openapi_schema`, which the build runs to validate inputs before a long model load.</summary>
public sealed class OpenApiSchemaCommandTests
{
    private static (int ExitCode, string StandardOutput, string StandardError) RunCommand(string predictor, string? reference, Python python = Python.Host) =>
        PythonRuntime.Run(python, new RuntimeOptions(predictor, reference), ["-m", "cog.command.openapi_schema"]);

    [Theory]
    [InPython(Python.Host)]
    [InPython(Python.Container)]
    public void PrintsTheSchema_WithoutCallingSetup(Python python)
    {
        var (exitCode, standardOutput, standardError) = RunCommand("broken_setup", "predict.py:Predictor", python);

        Assert.True(exitCode == 0, standardError);
        // The module prints on import: that must land on stderr, keeping stdout pure JSON.
        Assert.Contains("importing broken_setup", standardError);
        var schemas = JsonDocument.Parse(standardOutput).RootElement.GetProperty("components").GetProperty("schemas");
        Assert.Equal("concatenate", schemas.GetProperty("Output").GetProperty("x-cog-array-display").GetString());
        Assert.Equal("iterator", schemas.GetProperty("Output").GetProperty("x-cog-array-type").GetString());
        Assert.Equal(["prompt"], schemas.GetProperty("Input").GetProperty("required").EnumerateArray().Select(name => name.GetString()));
    }

    [Fact]
    public void FindsAnOriginalStylePredictorThroughCogYaml()
    {
        var (exitCode, standardOutput, standardError) = RunCommand("original", null);

        Assert.True(exitCode == 0, standardError);
        var input = JsonDocument.Parse(standardOutput).RootElement.GetProperty("components").GetProperty("schemas").GetProperty("Input");
        Assert.True(input.GetProperty("properties").TryGetProperty("steps", out _));
    }

    [Fact]
    public void FailsClearly_WithoutAPredictor()
    {
        var (exitCode, standardOutput, standardError) = RunCommand("files", null);

        Assert.Equal(1, exitCode);
        Assert.Equal("", standardOutput);
        Assert.Contains("COG_PREDICTOR", standardError);
    }
}
