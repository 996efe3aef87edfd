using System.Net;

namespace Cog.Sdk.Runtime.Tests;

/// <summary>Setup states and shutdown: each test owns its server.</summary>
public sealed class ServerLifecycleTests
{
    [Fact]
    public async Task HealthCheck_IsStartingDuringSetup_ThenReady()
    {
        using var server = RuntimeServer.Start(new RuntimeOptions("slow") { Environment = new Dictionary<string, string> { ["SETUP_SECONDS"] = "1" } });

        var first = await server.FirstHealthAsync();
        var (statusWhileStarting, _) = await server.PredictAsync(new { steps = 1 });
        var last = await server.WaitForSetupAsync();

        Assert.Equal("STARTING", first.GetProperty("status").GetString());
        Assert.Equal("starting", first.GetProperty("setup").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, statusWhileStarting);
        Assert.Equal("READY", last.GetProperty("status").GetString());
    }

    [Fact]
    public async Task SetupRaising_IsSetupFailed_WithTheTracebackInItsLogs()
    {
        using var server = await RuntimeServer.StartSetUpAsync(new RuntimeOptions("broken_setup"));

        var health = await server.GetJsonAsync("health-check");
        var (predictStatus, _) = await server.PredictAsync(new { prompt = "hi" });

        Assert.Equal("SETUP_FAILED", health.GetProperty("status").GetString());
        var setup = health.GetProperty("setup");
        Assert.Equal("failed", setup.GetProperty("status").GetString());
        Assert.Contains("Traceback", setup.GetProperty("logs").GetString());
        Assert.Contains("RuntimeError: weights are missing", setup.GetProperty("logs").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, predictStatus);
        Assert.Contains("setup failed", server.Log);
    }

    [Fact]
    public async Task NoPredictorConfigured_IsSetupFailed_SayingWhatToSet()
    {
        using var server = await RuntimeServer.StartSetUpAsync(new RuntimeOptions("files", Reference: null));

        var health = await server.GetJsonAsync("health-check");

        Assert.Equal("SETUP_FAILED", health.GetProperty("status").GetString());
        Assert.Contains("COG_PREDICTOR", health.GetProperty("setup").GetProperty("logs").GetString());
    }

    [Fact]
    public async Task Shutdown_EndsTheProcess()
    {
        using var server = await RuntimeServer.StartSetUpAsync(new RuntimeOptions("echo"));

        var (status, _) = await server.SendAsync(HttpMethod.Post, "shutdown");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(server.WaitForExit(TimeSpan.FromSeconds(10)), "the server is still running:\n" + server.Log);
        Assert.Equal(0, server.ExitCode);
    }

    [Fact]
    public async Task ContainerLog_TellsWhatHappens()
    {
        using var server = await RuntimeServer.StartSetUpAsync(new RuntimeOptions("echo"));

        var (_, prediction) = await server.PredictAsync(new { text = "abc" });
        var id = prediction.GetProperty("id").GetString();

        Assert.Contains("setup started", server.Log);
        Assert.Contains("setup finished", server.Log);
        Assert.Contains($"prediction {id} started", server.Log);
        Assert.Contains($"prediction {id} succeeded in", server.Log);
    }
}
