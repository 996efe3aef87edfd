using System.Net;
using System.Text.Json;

namespace Cog.Sdk.Runtime.Tests;

/// <summary>`Accept: text/event-stream` on a @streaming predictor (predictors/streaming, and the async
/// generator of predictors/forms): events as outputs are produced, 406 where the model does not stream.</summary>
public sealed class StreamingTests(ServerPool servers) : IClassFixture<ServerPool>
{
    private Task<RuntimeServer> Streaming(Python python) => servers.GetAsync(python, new RuntimeOptions("streaming", "predict.py:Runner"));

    private static async Task<List<ServerEvent>> ReadAllAsync(IAsyncEnumerable<ServerEvent> events)
    {
        var all = new List<ServerEvent>();
        await foreach (var item in events)
        {
            all.Add(item);
        }
        return all;
    }

    [Theory]
    [InPython(Python.Host)]
    [InPython(Python.Container)]
    public async Task AStreamingPredictor_SendsStartOutputsLogsMetricsThenCompleted(Python python)
    {
        var server = await Streaming(python);

        var events = await ReadAllAsync(server.EventsAsync(HttpMethod.Post, "predictions", new { input = new { prompt = "hi", tokens = 3 } }));

        Assert.Equal("start", events[0].Name);
        Assert.Equal("processing", events[0].Data.GetProperty("status").GetString());
        Assert.Equal(["hi", " hi", " hi"], events.Where(e => e.Name == "output").Select(e => e.Data.GetProperty("chunk").GetString()));
        Assert.Equal([0, 1, 2], events.Where(e => e.Name == "output").Select(e => e.Data.GetProperty("index").GetInt32()));
        Assert.Equal(["token 0\n", "token 1\n", "token 2\n"], events.Where(e => e.Name == "log").Select(e => e.Data.GetProperty("data").GetString()));
        Assert.All(events.Where(e => e.Name == "log"), e => Assert.Equal("stdout", e.Data.GetProperty("source").GetString()));
        Assert.Equal(3, events.Count(e => e.Name == "metric" && e.Data.GetProperty("name").GetString() == "token_count"));
        var completed = events[^1];
        Assert.Equal("completed", completed.Name);
        Assert.Equal("succeeded", completed.Data.GetProperty("status").GetString());
        Assert.Equal("""["hi"," hi"," hi"]""", completed.Data.GetProperty("output").GetRawText());
        Assert.Equal(3, completed.Data.GetProperty("metrics").GetProperty("token_count").GetInt32());
    }

    [Theory]
    [InPython(Python.Host)]
    [InPython(Python.Container)]
    public async Task Outputs_ArriveWhileThePredictionRuns_AndGetStillWorks(Python python)
    {
        var server = await Streaming(python);
        var id = "stream-" + Guid.NewGuid().ToString("N");
        var firstOutputAt = DateTime.MinValue;
        JsonElement? whileRunning = null;

        await foreach (var item in server.EventsAsync(HttpMethod.Put, "predictions/" + id, new { input = new { prompt = "slow", tokens = 4, pause = 0.3 } }))
        {
            if (item.Name == "output" && whileRunning is null)
            {
                firstOutputAt = DateTime.UtcNow;
                whileRunning = await server.GetJsonAsync("predictions/" + id);
            }
        }
        var endedAt = DateTime.UtcNow;

        Assert.True(endedAt - firstOutputAt > TimeSpan.FromSeconds(0.6), "the first output came only at the end");
        Assert.Equal("processing", whileRunning!.Value.GetProperty("status").GetString());
        Assert.True(whileRunning.Value.GetProperty("output").GetArrayLength() < 4);
    }

    [Theory]
    [InPython(Python.Host)]
    [InPython(Python.Container)]
    public async Task AnAsyncGenerator_StreamsToo(Python python)
    {
        var server = await servers.GetAsync(python, new RuntimeOptions("forms", "async_iterator.py:Runner"));

        var events = await ReadAllAsync(server.EventsAsync(HttpMethod.Post, "predictions", new { input = new { text = "x", times = 2 } }));

        Assert.Equal("hello x hello x", string.Concat(events.Where(e => e.Name == "output").Select(e => e.Data.GetProperty("chunk").GetString())));
        Assert.Equal("completed", events[^1].Name);
    }

    [Theory]
    [InPython(Python.Host)]
    [InPython(Python.Container)]
    public async Task APredictorThatDoesNotStream_Answers406_AndJsonStillWorks(Python python)
    {
        var server = await servers.GetAsync(python, new RuntimeOptions("forms", "predictor.py:Predictor"));

        var refused = Assert.Single(await ReadAllAsync(server.EventsAsync(HttpMethod.Post, "predictions", new { input = new { text = "x" } })));
        var (status, prediction) = await server.PredictAsync(new { text = "x" });

        Assert.Equal("status:406", refused.Name);
        Assert.Contains("@cog.streaming", refused.Data.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""["hello x"]""", prediction.GetProperty("output").GetRawText());
    }

    [Fact]
    public async Task APutOfARunningPrediction_ReplaysItsEventsThenFollowsIt()
    {
        var server = await Streaming(Python.Host);
        var id = "replay-" + Guid.NewGuid().ToString("N");
        var (status, _) = await server.SendAsync(HttpMethod.Put, "predictions/" + id, new { input = new { prompt = "again", tokens = 3, pause = 0.2 } }, respondAsync: true);
        await Task.Delay(300);

        var events = await ReadAllAsync(server.EventsAsync(HttpMethod.Put, "predictions/" + id, new { input = new { prompt = "ignored" } }));

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal("start", events[0].Name);
        Assert.Equal(["again", " again", " again"], events.Where(e => e.Name == "output").Select(e => e.Data.GetProperty("chunk").GetString()));
        Assert.Equal("completed", events[^1].Name);
    }

    [Fact]
    public async Task ClosingTheStream_CancelsThePredictionItStarted()
    {
        var server = await Streaming(Python.Host);
        var id = "dropped-" + Guid.NewGuid().ToString("N");
        using var stop = new CancellationTokenSource();

        try
        {
            await foreach (var item in server.EventsAsync(HttpMethod.Put, "predictions/" + id, new { input = new { prompt = "long", tokens = 50, pause = 0.1 } }, stop.Token))
            {
                if (item.Name == "output")
                {
                    await stop.CancelAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        var ended = await server.WaitForPredictionAsync(id);

        Assert.Equal("canceled", ended.GetProperty("status").GetString());
        Assert.True(ended.GetProperty("output").GetArrayLength() < 50);
    }
}
