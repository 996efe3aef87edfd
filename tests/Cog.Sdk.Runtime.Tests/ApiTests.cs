using Cog.Sdk.Testing;

namespace Cog.Sdk.Runtime.Tests;

/// <summary>The `cog` package's Python API beyond the server (predictors/api/check_api.py), and the mistakes
/// Cog's build refuses, which the runtime refuses with the same reason.</summary>
public sealed class ApiTests
{
    [Theory]
    [InPython(Python.Host)]
    [InPython(Python.Container)]
    public void ThePythonApi_BehavesAsCogs(Python python)
    {
        var (exitCode, standardOutput, standardError) = PythonRuntime.Run(python, new RuntimeOptions("api", Reference: null), ["check_api.py"]);

        Assert.True(exitCode == 0, standardOutput + standardError);
        Assert.Contains(": 0 failures", standardOutput);
        Assert.DoesNotContain("FAIL", standardOutput);
    }

    [Theory]
    [InlineData("StreamingWithoutIterator", "@streaming requires the return type to be an Iterator")]
    [InlineData("PathInAUnion", "run() input 'source': Path is not supported in union inputs")]
    [InlineData("ConcatenatedNumbers", "ConcatenateIterator element type must be str, got int")]
    [InlineData("AcceptOnAString", "run() input 'text': accept is only valid on Path or File inputs")]
    [InlineData("BothRunAndPredict", "BothRunAndPredict must define either run() or predict(), not both")]
    [InlineData("Neither", "run or predict method not found: Neither")]
    public void AMistakeCogsBuildRefuses_FailsTheSchemaCommand_SayingWhy(string className, string reason)
    {
        var (exitCode, standardOutput, standardError) = PythonRuntime.Run(Python.Host, new RuntimeOptions("api", "mistakes.py:" + className), ["-m", "cog.command.openapi_schema"]);

        Assert.Equal(1, exitCode);
        Assert.Equal("", standardOutput);
        Assert.Contains("cannot produce the OpenAPI schema: " + reason, standardError);
    }

    [Fact]
    public async Task AMistake_FailsSetup_WithTheSameReason()
    {
        using var server = await RuntimeServer.StartSetUpAsync(new RuntimeOptions("api", "mistakes.py:PathInAUnion"));

        var health = await server.GetJsonAsync("health-check");

        Assert.Equal("SETUP_FAILED", health.GetProperty("status").GetString());
        Assert.Contains("Path is not supported in union inputs", health.GetProperty("setup").GetProperty("logs").GetString());
    }

    [EngineFact]
    public async Task EveryContainerATestStarts_IsRemoved()
    {
        var server = await RuntimeServer.StartSetUpAsync(Python.Container, new RuntimeOptions("forms", "function.py:run"));
        var (_, running, _) = TestEngine.Run("ps", "--quiet", "--filter", "label=" + PythonRuntime.ContainerLabel, "--filter", "name=" + server.ContainerName);

        server.Dispose();
        var (_, left, _) = TestEngine.Run("ps", "--all", "--quiet", "--filter", "name=" + server.ContainerName);

        Assert.NotEqual("", running.Trim());
        Assert.Equal("", left.Trim());
    }
}
