using System.Text.Json;

namespace Cog.Sdk.Runtime.Tests;

/// <summary>current_scope(), self.record_metric(), scope.metrics and emit_metric (predictors/metrics): what the
/// response's `metrics` holds, the request's `context`, and what the runtime refuses, in Cog's words.</summary>
public sealed class MetricsTests(ServerPool servers) : IClassFixture<ServerPool>
{
    private async Task<JsonElement> PredictAsync(Python python, object body)
    {
        var server = await servers.GetAsync(python, new RuntimeOptions("metrics", "predict.py:Runner"));
        var (_, prediction) = await server.SendAsync(HttpMethod.Post, "predictions", body);
        return prediction;
    }

    [Theory]
    [InPython(Python.Host)]
    [InPython(Python.Container)]
    public async Task Metrics_AreAggregatedIntoTheResponse_BesidePredictTime(Python python)
    {
        var prediction = await PredictAsync(python, new { input = new { } });

        Assert.Equal("succeeded", prediction.GetProperty("status").GetString());
        var metrics = prediction.GetProperty("metrics");
        Assert.Equal(0.7, metrics.GetProperty("temperature").GetDouble());
        Assert.Equal(JsonValueKind.Number, metrics.GetProperty("token_count").ValueKind);
        Assert.Equal("3", metrics.GetProperty("token_count").GetRawText());
        Assert.Equal("[-1.5,-0.5]", metrics.GetProperty("logprobs").GetRawText());
        Assert.Equal("""{"preprocess":0.25,"inference":1.5}""", metrics.GetProperty("timing").GetRawText());
        Assert.False(metrics.TryGetProperty("dropped", out _));
        Assert.Equal(2, metrics.GetProperty("label").GetInt32());
        Assert.Equal(5, metrics.GetProperty("legacy").GetInt32());
        Assert.True(metrics.GetProperty("from_thread").GetBoolean());
        Assert.True(metrics.GetProperty("predict_time").GetDouble() > 0);
        Assert.False(metrics.TryGetProperty("at_setup", out _));
        Assert.True(prediction.GetProperty("output").GetProperty("setup_mode_refused").GetBoolean());
    }

    [Fact]
    public async Task ForbiddenNamesTypesAndModes_AreRefused_InCogsWords()
    {
        var problems = (await PredictAsync(Python.Host, new { input = new { } })).GetProperty("output").GetProperty("problems");

        Assert.Equal(
        [
            "ValueError: 'predict_time' is reserved by the runtime",
            "ValueError: the 'cog.' prefix is reserved for system metrics",
            "ValueError: metric name segment 'bad_' must end with a letter or digit",
            "ValueError: metric name must have at most 4 dot-separated segments (got 5)",
            "TypeError: Metric 'temperature' has type float, cannot set to str without deleting first",
            "TypeError: Metric 'label' has type int, cannot set to str without deleting first",
            "TypeError: Invalid metric mode: 'sum'. Expected 'replace', 'incr', or 'append'.",
            "TypeError: Unsupported metric value type: NoneType. Expected bool, int, float, str, list, or dict.",
        ], problems.EnumerateArray().Select(problem => problem.GetString()));
    }

    [Fact]
    public async Task AFailedPrediction_StillReportsItsMetrics()
    {
        var prediction = await PredictAsync(Python.Host, new { input = new { fail = true } });

        Assert.Equal("failed", prediction.GetProperty("status").GetString());
        Assert.Equal(0.7, prediction.GetProperty("metrics").GetProperty("temperature").GetDouble());
    }

    [Theory]
    [InPython(Python.Host)]
    [InPython(Python.Container)]
    public async Task TheRequestsContext_IsTheScopesContext(Python python)
    {
        var prediction = await PredictAsync(python, new { input = new { }, context = new { user = "ada", region = "eu" } });

        Assert.Equal("""{"user":"ada","region":"eu"}""", prediction.GetProperty("output").GetProperty("context").GetRawText());
    }
}
