using System.Net;
using System.Text.Json;

namespace Cog.Sdk.Runtime.Tests;

/// <summary>Several predictions at once for an async predictor (predictors/concurrent, @concurrent(max=3)):
/// 409 only at capacity, each prediction with its own logs and metrics, a cancel reaching the right one.</summary>
public sealed class ConcurrencyTests(ServerPool servers) : IClassFixture<ServerPool>
{
    private static readonly RuntimeOptions Concurrent = new("concurrent", "predict.py:Runner");

    private static async Task<List<string>> StartAsync(RuntimeServer server, params string[] names)
    {
        var ids = new List<string>();
        foreach (var name in names)
        {
            var id = name + "-" + Guid.NewGuid().ToString("N");
            var (status, _) = await server.SendAsync(HttpMethod.Put, "predictions/" + id, new { input = new { name, seconds = 2 } }, respondAsync: true);
            Assert.Equal(HttpStatusCode.Accepted, status);
            ids.Add(id);
        }
        return ids;
    }

    [Theory]
    [InPython(Python.Host)]
    [InPython(Python.Container)]
    public async Task UpToTheLimit_RunAtOnce_ThenTheNextIs409(Python python)
    {
        var server = await servers.GetAsync(python, Concurrent);

        var ids = await StartAsync(server, "a", "b", "c");
        var health = await server.GetJsonAsync("health-check");
        var (refusedStatus, refused) = await server.PredictAsync(new { name = "d" });
        var results = new List<JsonElement>();
        foreach (var id in ids)
        {
            results.Add(await server.WaitForPredictionAsync(id));
        }

        Assert.Equal("BUSY", health.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, refusedStatus);
        Assert.Equal("At capacity - all prediction slots busy", refused.GetProperty("error").GetString());
        Assert.All(results, result => Assert.Equal("succeeded", result.GetProperty("status").GetString()));
        Assert.All(results, result => Assert.EndsWith("most at once 3", result.GetProperty("output").GetString()));
        foreach (var (result, name) in results.Zip(new[] { "a", "b", "c" }))
        {
            Assert.Equal($"{name} started\n{name} finished\n", result.GetProperty("logs").GetString());
            Assert.Equal(name, result.GetProperty("metrics").GetProperty("name").GetString());
        }
        Assert.Equal("READY", (await server.GetJsonAsync("health-check")).GetProperty("status").GetString());
    }

    [Theory]
    [InPython(Python.Host)]
    [InPython(Python.Container)]
    public async Task ACancel_StopsOnlyThePredictionItNames(Python python)
    {
        var server = await servers.GetAsync(python, Concurrent);
        var ids = await StartAsync(server, "a", "b", "c");

        var (cancelStatus, _) = await server.SendAsync(HttpMethod.Post, $"predictions/{ids[1]}/cancel");
        var canceled = await server.WaitForPredictionAsync(ids[1]);
        var others = new[] { await server.WaitForPredictionAsync(ids[0]), await server.WaitForPredictionAsync(ids[2]) };

        Assert.Equal(HttpStatusCode.OK, cancelStatus);
        Assert.Equal("canceled", canceled.GetProperty("status").GetString());
        Assert.True(canceled.GetProperty("metrics").GetProperty("predict_time").GetDouble() < 1.5, "the cancel did not interrupt run()");
        Assert.All(others, other => Assert.Equal("succeeded", other.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task TheEnvironment_OverridesTheDecorator()
    {
        var server = await servers.GetAsync(Python.Host, Concurrent with { Environment = new Dictionary<string, string> { ["COG_MAX_CONCURRENCY"] = "2" } });

        var ids = await StartAsync(server, "a", "b");
        var (status, _) = await server.PredictAsync(new { name = "c" });
        await server.WaitForPredictionAsync(ids[1]);

        Assert.Equal(HttpStatusCode.Conflict, status);
    }

    [Fact]
    public async Task CogYamlsConcurrencyMax_SetsTheLimit()
    {
        var server = await servers.GetAsync(Python.Host, new RuntimeOptions("concurrency_yaml", Reference: null));

        var first = await server.PredictAsync(new { seconds = 1 }, respondAsync: true);
        var second = await server.PredictAsync(new { seconds = 1 }, respondAsync: true);
        var (third, _) = await server.PredictAsync(new { seconds = 1 });

        Assert.Equal(HttpStatusCode.Accepted, first.Status);
        Assert.Equal(HttpStatusCode.Accepted, second.Status);
        Assert.Equal(HttpStatusCode.Conflict, third);
    }

    [Theory]
    [InPython(Python.Host)]
    [InPython(Python.Container)]
    public async Task ASyncPredictor_AskedForConcurrency_FailsSetupSayingWhy(Python python)
    {
        var server = await servers.GetAsync(python, new RuntimeOptions("slow") { Environment = new Dictionary<string, string> { ["COG_MAX_CONCURRENCY"] = "2" } });

        var health = await server.GetJsonAsync("health-check");

        Assert.Equal("SETUP_FAILED", health.GetProperty("status").GetString());
        Assert.Contains("COG_MAX_CONCURRENCY > 1 requires an async Predictor.predict() method", health.GetProperty("setup").GetProperty("logs").GetString());
    }
}
