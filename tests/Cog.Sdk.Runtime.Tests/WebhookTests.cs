using System.Net;
using System.Text.Json;
using Cog.Sdk.Testing;

namespace Cog.Sdk.Runtime.Tests;

/// <summary>Webhooks as Cog sends them, counted by a receiver on 127.0.0.1: the events filter, outputs
/// unthrottled and logs throttled, `completed` retried, and a slow receiver never holding up a prediction.</summary>
public sealed class WebhookTests(ServerPool servers) : IClassFixture<ServerPool>, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly List<LoopbackServer> receivers = [];

    public void Dispose() => receivers.ForEach(receiver => receiver.Dispose());

    private LoopbackServer Receiver(Func<ReceivedRequest, int, Reply>? respond = null)
    {
        var receiver = new LoopbackServer(respond);
        receivers.Add(receiver);
        return receiver;
    }

    private Task<RuntimeServer> Streaming(Python python, IReadOnlyDictionary<string, string>? environment = null) =>
        servers.GetAsync(python, new RuntimeOptions("streaming", "predict.py:Runner") { Environment = environment ?? new Dictionary<string, string>() });

    private static object Request(LoopbackServer receiver, object input, params string[] events) => events.Length == 0
        ? new { input, webhook = receiver.Url("/hook") }
        : new { input, webhook = receiver.Url("/hook"), webhook_events_filter = events };

    private static Func<IReadOnlyList<ReceivedRequest>, bool> Completed =>
        requests => requests.Any(request => request.Json.GetProperty("status").GetString() is "succeeded" or "failed" or "canceled");

    private static int OutputCount(ReceivedRequest request) =>
        request.Json.GetProperty("output") is { ValueKind: JsonValueKind.Array } output ? output.GetArrayLength() : 0;

    [Theory]
    [InPython(Python.Host)]
    [InPython(Python.Container)]
    public async Task EveryEvent_StartToCompleted_IsPostedInOrder(Python python)
    {
        var server = await Streaming(python);
        var receiver = Receiver();

        var (_, prediction) = await server.SendAsync(HttpMethod.Post, "predictions", Request(receiver, new { prompt = "w", tokens = 2 }));
        var hooks = await receiver.WaitForAsync(Completed, Patience);

        Assert.Equal("succeeded", prediction.GetProperty("status").GetString());
        Assert.All(hooks, hook => Assert.Equal("POST", hook.Method));
        Assert.All(hooks, hook => Assert.Equal("/hook", hook.Path));
        Assert.All(hooks, hook => Assert.Equal(prediction.GetProperty("id").GetString(), hook.Json.GetProperty("id").GetString()));
        Assert.Equal("processing", hooks[0].Json.GetProperty("status").GetString());
        Assert.Equal(0, OutputCount(hooks[0]));
        var completed = hooks[^1].Json;
        Assert.Equal("succeeded", completed.GetProperty("status").GetString());
        Assert.Equal("""["w"," w"]""", completed.GetProperty("output").GetRawText());
        Assert.Equal("token 0\ntoken 1\n", completed.GetProperty("logs").GetString());
        Assert.True(completed.GetProperty("metrics").GetProperty("predict_time").GetDouble() > 0);
        Assert.Equal(2, completed.GetProperty("metrics").GetProperty("token_count").GetInt32());
        Assert.StartsWith("cog-sdk-runtime/", hooks[0].Header("User-Agent"));
    }

    [Theory]
    [InPython(Python.Host)]
    [InPython(Python.Container)]
    public async Task Outputs_AreNeverThrottled_AndTheFilterKeepsOnlyWhatWasAskedFor(Python python)
    {
        var server = await Streaming(python);
        var receiver = Receiver();

        await server.SendAsync(HttpMethod.Post, "predictions", Request(receiver, new { prompt = "w", tokens = 20 }, "output", "completed"));
        var hooks = await receiver.WaitForAsync(Completed, Patience);

        Assert.Equal(21, hooks.Count);
        Assert.Equal(Enumerable.Range(1, 20), hooks.Take(20).Select(OutputCount));
        Assert.All(hooks.Take(20), hook => Assert.Equal("processing", hook.Json.GetProperty("status").GetString()));
        Assert.Equal(20, OutputCount(hooks[^1]));
    }

    [Fact]
    public async Task Logs_AreThrottledToOneWebhookPerHalfSecond_TheCompletedOneCarryingThemAll()
    {
        var server = await Streaming(Python.Host);
        var receiver = Receiver();

        await server.SendAsync(HttpMethod.Post, "predictions", Request(receiver, new { prompt = "w", tokens = 20, pause = 0.05 }, "logs", "completed"));
        var hooks = await receiver.WaitForAsync(Completed, Patience);

        // 20 lines over about a second: at most one logs webhook per 0.5 s gets through.
        Assert.InRange(hooks.Count - 1, 1, 4);
        Assert.Equal(20, hooks[^1].Json.GetProperty("logs").GetString()!.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task WithTheThrottleAtZero_EveryLogLineIsPosted_WithTheAuthToken()
    {
        var server = await Streaming(Python.Host, new Dictionary<string, string> { ["COG_THROTTLE_RESPONSE_INTERVAL"] = "0", ["WEBHOOK_AUTH_TOKEN"] = "t0ken" });
        var receiver = Receiver();

        await server.SendAsync(HttpMethod.Post, "predictions", Request(receiver, new { prompt = "w", tokens = 5 }, "logs"));
        var hooks = await receiver.WaitForAsync(requests => requests.Count == 5, Patience);
        await Task.Delay(300);

        Assert.Equal(5, receiver.Requests.Count);
        Assert.Equal(Enumerable.Range(1, 5), hooks.Select(hook => hook.Json.GetProperty("logs").GetString()!.Count(c => c == '\n')));
        Assert.All(hooks, hook => Assert.Equal("Bearer t0ken", hook.Header("Authorization")));
    }

    [Theory]
    [InPython(Python.Host)]
    [InPython(Python.Container)]
    public async Task TheCompletedWebhook_IsRetriedWhileTheReceiverFails(Python python)
    {
        var server = await Streaming(python);
        var receiver = Receiver((_, index) => new Reply(index < 2 ? 503 : 200));

        var (_, prediction) = await server.SendAsync(HttpMethod.Post, "predictions", Request(receiver, new { prompt = "w", tokens = 1 }, "completed"));
        var hooks = await receiver.WaitForAsync(requests => requests.Count == 3, Patience);
        await Task.Delay(500);

        Assert.Equal("succeeded", prediction.GetProperty("status").GetString());
        Assert.Equal(3, receiver.Requests.Count);
        Assert.All(hooks, hook => Assert.Equal("succeeded", hook.Json.GetProperty("status").GetString()));
        Assert.True(hooks[2].ReceivedAt - hooks[0].ReceivedAt >= TimeSpan.FromSeconds(0.5), "the retries did not back off");
    }

    [Fact]
    public async Task AReceiverThatRefusesForGood_IsNotRetried()
    {
        var server = await Streaming(Python.Host);
        var receiver = Receiver((_, _) => new Reply(400));

        await server.SendAsync(HttpMethod.Post, "predictions", Request(receiver, new { prompt = "w", tokens = 1 }, "completed"));
        await receiver.WaitForAsync(requests => requests.Count == 1, Patience);
        await Task.Delay(1000);

        Assert.Single(receiver.Requests);
    }

    [Theory]
    [InPython(Python.Host)]
    [InPython(Python.Container)]
    public async Task ASlowReceiver_NeverHoldsUpThePrediction(Python python)
    {
        var server = await Streaming(python);
        var receiver = Receiver((_, _) => new Reply(200, Delay: TimeSpan.FromSeconds(3)));
        var started = DateTime.UtcNow;

        var (_, prediction) = await server.SendAsync(HttpMethod.Post, "predictions", Request(receiver, new { prompt = "w", tokens = 3 }, "start", "completed"));
        var answeredAfter = DateTime.UtcNow - started;
        var hooks = await receiver.WaitForAsync(Completed, Patience);

        Assert.Equal("succeeded", prediction.GetProperty("status").GetString());
        Assert.True(answeredAfter < TimeSpan.FromSeconds(2.5), $"the prediction waited for its webhooks: {answeredAfter}");
        Assert.Equal("succeeded", hooks[^1].Json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task AFailedPrediction_IsPostedAsCompleted_WithItsError_AndTraceHeadersAreCopied()
    {
        var server = await servers.GetAsync(Python.Host, new RuntimeOptions("metrics", "predict.py:Runner"));
        var receiver = Receiver();
        const string traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        var (status, _) = await server.SendAsync(HttpMethod.Post, "predictions", Request(receiver, new { fail = true }, "completed"),
            respondAsync: true, headers: new Dictionary<string, string> { ["traceparent"] = traceparent });
        var hook = Assert.Single(await receiver.WaitForAsync(Completed, Patience));

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal("failed", hook.Json.GetProperty("status").GetString());
        Assert.Equal("RuntimeError: failed after recording metrics", hook.Json.GetProperty("error").GetString());
        Assert.Equal(traceparent, hook.Header("traceparent"));
    }

    [Fact]
    public async Task AnUnknownEventInTheFilter_Is422()
    {
        var server = await Streaming(Python.Host);

        var (status, body) = await server.SendAsync(HttpMethod.Post, "predictions",
            new { input = new { prompt = "w" }, webhook = "http://127.0.0.1:9/hook", webhook_events_filter = new[] { "finished" } });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("webhook_events_filter", body.GetProperty("detail")[0].GetProperty("loc")[1].GetString());
    }
}
