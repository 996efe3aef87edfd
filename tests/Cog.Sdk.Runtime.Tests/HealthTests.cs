using System.Diagnostics;
using System.Text.Json;

namespace Cog.Sdk.Runtime.Tests;

/// <summary>The predictor's healthcheck() (predictors/health), sync or async, turning /health-check UNHEALTHY;
/// and COG_SETUP_TIMEOUT failing a setup that runs too long.</summary>
public sealed class HealthTests(ServerPool servers) : IClassFixture<ServerPool>
{
    private static RuntimeOptions Health(bool asynchronous, string testCase = "") => new("health", "predict.py:Runner")
    {
        // TEST_CASE only keeps a server to one test, where a hung check would spoil the others.
        Environment = new Dictionary<string, string> { ["ASYNC_HEALTHCHECK"] = asynchronous ? "1" : "0", ["TEST_CASE"] = testCase },
    };

    private async Task<JsonElement> HealthAfter(Python python, RuntimeOptions options, string state)
    {
        var server = await servers.GetAsync(python, options);
        var (_, prediction) = await server.PredictAsync(new { state });
        Assert.Equal("succeeded", prediction.GetProperty("status").GetString());
        return await server.GetJsonAsync("health-check");
    }

    [Theory]
    [InPython(Python.Host, false)]
    [InPython(Python.Host, true)]
    [InPython(Python.Container, false)]
    [InPython(Python.Container, true)]
    public async Task AHealthcheckReturningFalse_IsUnhealthy_AndRecovers(Python python, bool asynchronous)
    {
        var unhealthy = await HealthAfter(python, Health(asynchronous), "false");
        var healthy = await HealthAfter(python, Health(asynchronous), "ok");

        Assert.Equal("UNHEALTHY", unhealthy.GetProperty("status").GetString());
        Assert.Equal("Healthcheck failed: user-defined healthcheck returned False", unhealthy.GetProperty("user_healthcheck_error").GetString());
        Assert.Equal("READY", healthy.GetProperty("status").GetString());
        Assert.False(healthy.TryGetProperty("user_healthcheck_error", out _));
    }

    [Theory]
    [InPython(Python.Host, false)]
    [InPython(Python.Host, true)]
    [InPython(Python.Container, true)]
    public async Task AHealthcheckRaising_IsUnhealthy_NamingTheError(Python python, bool asynchronous)
    {
        var health = await HealthAfter(python, Health(asynchronous), "raise");

        Assert.Equal("UNHEALTHY", health.GetProperty("status").GetString());
        Assert.Equal("Healthcheck failed: RuntimeError: the GPU fell off", health.GetProperty("user_healthcheck_error").GetString());
    }

    [Theory]
    [InPython(Python.Host, false)]
    [InPython(Python.Host, true)]
    [InPython(Python.Container, false)]
    public async Task AHealthcheckThatHangs_IsUnhealthyAfterFiveSeconds(Python python, bool asynchronous)
    {
        var options = Health(asynchronous, "hang");
        await servers.GetAsync(python, options);
        var clock = Stopwatch.StartNew();

        var health = await HealthAfter(python, options, "hang");

        Assert.Equal("UNHEALTHY", health.GetProperty("status").GetString());
        Assert.Equal("Healthcheck failed: user-defined healthcheck timed out after 5.0 seconds", health.GetProperty("user_healthcheck_error").GetString());
        Assert.InRange(clock.Elapsed.TotalSeconds, 4.5, 15);
    }

    [Theory]
    [InPython(Python.Host)]
    [InPython(Python.Container)]
    public async Task ASetupLongerThanCogSetupTimeout_FailsSetup(Python python)
    {
        var clock = Stopwatch.StartNew();
        var server = await servers.GetAsync(python, new RuntimeOptions("slow")
        {
            Environment = new Dictionary<string, string> { ["SETUP_SECONDS"] = "30", ["COG_SETUP_TIMEOUT"] = "1" },
        });

        var health = await server.GetJsonAsync("health-check");

        Assert.Equal("SETUP_FAILED", health.GetProperty("status").GetString());
        Assert.Contains("worker setup timed out after 1 seconds (COG_SETUP_TIMEOUT)", health.GetProperty("setup").GetProperty("logs").GetString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "setup was not cut short");
    }

    [Fact]
    public async Task ASetupWithinCogSetupTimeout_IsReady()
    {
        var server = await servers.GetAsync(Python.Host, new RuntimeOptions("slow")
        {
            Environment = new Dictionary<string, string> { ["SETUP_SECONDS"] = "0.5", ["COG_SETUP_TIMEOUT"] = "20" },
        });

        Assert.Equal("READY", (await server.GetJsonAsync("health-check")).GetProperty("status").GetString());
    }
}
