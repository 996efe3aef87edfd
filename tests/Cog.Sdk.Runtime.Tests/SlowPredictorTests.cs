using System.Net;
using System.Text.Json;

namespace Cog.Sdk.Runtime.Tests;

public sealed class SlowServer : ServerFixture
{
    protected override string Predictor => "slow";
}

/// <summary>An iterator predictor: collected output, one prediction at a time, async requests and cancel.</summary>
public sealed class SlowPredictorTests(SlowServer fixture) : IClassFixture<SlowServer>
{
    private RuntimeServer Server => fixture.Server;

    private static IEnumerable<string?> Strings(JsonElement array) => array.EnumerateArray().Select(item => item.GetString());

    [Fact]
    public async Task Predict_CollectsAnIteratorIntoAList()
    {
        var (_, prediction) = await Server.PredictAsync(new { steps = 3 });

        Assert.Equal(["step 0", "step 1", "step 2"], Strings(prediction.GetProperty("output")));
        Assert.Equal("step 0\nstep 1\nstep 2\n", prediction.GetProperty("logs").GetString());
    }

    [Fact]
    public async Task RespondAsync_Returns202AtOnce_IsBusyMeanwhile_AndRefusesASecondPrediction()
    {
        var (status, started) = await Server.PredictAsync(new { seconds = 0.4, steps = 2 }, respondAsync: true);
        var health = await Server.GetJsonAsync("health-check");
        var (busyStatus, busy) = await Server.PredictAsync(new { steps = 1 });
        var finished = await Server.WaitForPredictionAsync(started.GetProperty("id").GetString()!);

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal("starting", started.GetProperty("status").GetString());
        Assert.Equal("BUSY", health.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, busyStatus);
        Assert.Equal("At capacity - all prediction slots busy", busy.GetProperty("error").GetString());
        Assert.Equal("succeeded", finished.GetProperty("status").GetString());
        Assert.Equal(["step 0", "step 1"], Strings(finished.GetProperty("output")));
        Assert.Equal("READY", (await Server.GetJsonAsync("health-check")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Cancel_StopsARunningPrediction_AndTheServerCarriesOn()
    {
        var (_, started) = await Server.PredictAsync(new { seconds = 5, steps = 10 }, respondAsync: true);
        var id = started.GetProperty("id").GetString()!;

        var (cancelStatus, _) = await Server.SendAsync(HttpMethod.Post, $"predictions/{id}/cancel");
        var canceled = await Server.WaitForPredictionAsync(id);
        var (_, next) = await Server.PredictAsync(new { steps = 1 });

        Assert.Equal(HttpStatusCode.OK, cancelStatus);
        Assert.Equal("canceled", canceled.GetProperty("status").GetString());
        Assert.True(canceled.GetProperty("metrics").GetProperty("predict_time").GetDouble() < 4, "the cancel did not interrupt predict()");
        Assert.Equal("succeeded", next.GetProperty("status").GetString());
    }

    [Fact]
    public async Task OpenApi_MarksIteratorOutput()
    {
        var output = (await Server.GetJsonAsync("openapi.json")).GetProperty("components").GetProperty("schemas").GetProperty("Output");

        Assert.Equal("array", output.GetProperty("type").GetString());
        Assert.Equal("string", output.GetProperty("items").GetProperty("type").GetString());
        Assert.Equal("iterator", output.GetProperty("x-cog-array-type").GetString());
        Assert.False(output.TryGetProperty("x-cog-array-display", out _));
    }
}
