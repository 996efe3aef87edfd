using System.Net;
using System.Text.Json;

namespace Cog.Sdk.Runtime.Tests;

public sealed class EchoServer : ServerFixture
{
    protected override string Predictor => "echo";
}

/// <summary>The current predictor style with scalar, list and Optional inputs: conversion, defaults, validation, schema.</summary>
public sealed class EchoPredictorTests(EchoServer fixture) : IClassFixture<EchoServer>
{
    private RuntimeServer Server => fixture.Server;

    [Fact]
    public async Task HealthCheck_IsReady_WithSetupOutputInItsLogs()
    {
        var health = await Server.GetJsonAsync("health-check");

        Assert.Equal("READY", health.GetProperty("status").GetString());
        var setup = health.GetProperty("setup");
        Assert.Equal("succeeded", setup.GetProperty("status").GetString());
        Assert.Contains("echo setup ran", setup.GetProperty("logs").GetString());
        Assert.NotNull(setup.GetProperty("started_at").GetString());
        Assert.NotNull(setup.GetProperty("completed_at").GetString());
    }

    [Fact]
    public async Task Index_PointsAtTheSchema()
    {
        var index = await Server.GetJsonAsync("");

        Assert.Equal("/openapi.json", index.GetProperty("openapi_url").GetString());
    }

    [Fact]
    public async Task Predict_ConvertsEveryScalarType_AndAppliesDefaults()
    {
        var (status, prediction) = await Server.PredictAsync(new { text = "abc", count = "3", scale = 1, loud = "true" });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("succeeded", prediction.GetProperty("status").GetString());
        var output = prediction.GetProperty("output");
        Assert.Equal(3, output.GetProperty("count").GetInt32());
        Assert.Equal(1.0, output.GetProperty("scale").GetDouble());
        Assert.True(output.GetProperty("loud").GetBoolean());
        Assert.Equal("plain", output.GetProperty("mode").GetString());
        Assert.Equal(JsonValueKind.Null, output.GetProperty("words").ValueKind);
        var types = output.GetProperty("types");
        Assert.Equal(["str", "int", "float", "bool", "str", "NoneType", "NoneType"],
            new[] { "text", "count", "scale", "loud", "mode", "words", "note" }.Select(name => types.GetProperty(name).GetString()));
        Assert.Equal("hello", output.GetProperty("greeting").GetString());
    }

    [Fact]
    public async Task Predict_ReturnsCogsResponseEnvelope_WithCapturedLogs()
    {
        var (_, prediction) = await Server.PredictAsync(new { text = "envelope" });

        Assert.False(string.IsNullOrEmpty(prediction.GetProperty("id").GetString()));
        Assert.Equal("envelope", prediction.GetProperty("input").GetProperty("text").GetString());
        Assert.Equal("echoing envelope\n", prediction.GetProperty("logs").GetString());
        Assert.Equal(JsonValueKind.Null, prediction.GetProperty("error").ValueKind);
        Assert.True(prediction.GetProperty("metrics").GetProperty("predict_time").GetDouble() >= 0);
        foreach (var stamp in new[] { "created_at", "started_at", "completed_at" })
        {
            Assert.True(DateTimeOffset.TryParse(prediction.GetProperty(stamp).GetString(), out _), stamp);
        }
    }

    [Fact]
    public async Task Predict_TakesListAndOptionalInputs()
    {
        var (_, listed) = await Server.PredictAsync(new { text = "abc", words = new[] { "x", "y" }, note = "n" });
        var (_, single) = await Server.PredictAsync(new { text = "abc", words = "z", note = (string?)null });

        Assert.Equal(["x", "y"], listed.GetProperty("output").GetProperty("words").EnumerateArray().Select(word => word.GetString()));
        Assert.Equal("n", listed.GetProperty("output").GetProperty("note").GetString());
        Assert.Equal(["z"], single.GetProperty("output").GetProperty("words").EnumerateArray().Select(word => word.GetString()));
        Assert.Equal(JsonValueKind.Null, single.GetProperty("output").GetProperty("note").ValueKind);
    }

    [Theory]
    [InlineData("""{"count":2}""", "text", "value_error.missing")]
    [InlineData("""{"text":null}""", "text", "type_error.none.not_allowed")]
    [InlineData("""{"text":5}""", "text", "type_error.str")]
    [InlineData("""{"text":"abc","count":"many"}""", "count", "type_error.integer")]
    [InlineData("""{"text":"abc","count":true}""", "count", "type_error.integer")]
    [InlineData("""{"text":"abc","scale":"big"}""", "scale", "type_error.float")]
    [InlineData("""{"text":"abc","loud":"maybe"}""", "loud", "type_error.bool")]
    [InlineData("""{"text":"abc","count":0}""", "count", "value_error.number.not_ge")]
    [InlineData("""{"text":"abc","count":6}""", "count", "value_error.number.not_le")]
    [InlineData("""{"text":"abc","scale":1.5}""", "scale", "value_error.number.not_le")]
    [InlineData("""{"text":"abc","mode":"shout"}""", "mode", "type_error.enum")]
    [InlineData("""{"text":"ABC"}""", "text", "value_error.str.regex")]
    [InlineData("""{"text":""}""", "text", "value_error.any_str.min_length")]
    [InlineData("""{"text":"abcdefghijklmnopqrstu"}""", "text", "value_error.any_str.max_length")]
    public async Task Predict_RejectsInvalidInput_NamingTheField(string input, string field, string errorType)
    {
        var (status, body) = await Server.SendAsync(HttpMethod.Post, "predictions", $$"""{"input":{{input}}}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var error = Assert.Single(body.GetProperty("detail").EnumerateArray());
        Assert.Equal(["body", "input", field], error.GetProperty("loc").EnumerateArray().Select(part => part.GetString()));
        Assert.Equal(errorType, error.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("msg").GetString()));
    }

    [Fact]
    public async Task Predict_IgnoresInputsPredictDoesNotTake_AsCogDoes_AndSaysSoInTheLog()
    {
        var (status, prediction) = await Server.PredictAsync(new { text = "abc", colour = "red" });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("succeeded", prediction.GetProperty("status").GetString());
        Assert.False(prediction.GetProperty("input").TryGetProperty("colour", out _));
        Assert.Contains("ignoring inputs that Predictor.predict() does not take: colour", Server.Log);
    }

    [Fact]
    public async Task Predict_RejectsABodyThatIsNotJson()
    {
        var (status, body) = await Server.SendAsync(HttpMethod.Post, "predictions", "{not json");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("value_error.jsondecode", body.GetProperty("detail")[0].GetProperty("type").GetString());
    }

    [Fact]
    public async Task Predict_WhenPredictRaises_IsFailedWithTheErrorAndTraceback()
    {
        var (status, prediction) = await Server.PredictAsync(new { text = "boom" });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("failed", prediction.GetProperty("status").GetString());
        Assert.Equal("ValueError: boom requested", prediction.GetProperty("error").GetString());
        Assert.Contains("Traceback", prediction.GetProperty("logs").GetString());
        Assert.Contains("ValueError: boom requested", prediction.GetProperty("logs").GetString());
    }

    [Fact]
    public async Task Put_IsIdempotent_AndGetReturnsThePrediction()
    {
        var id = "put-" + Guid.NewGuid().ToString("N");

        var (firstStatus, first) = await Server.SendAsync(HttpMethod.Put, "predictions/" + id, new { input = new { text = "once" } });
        var (secondStatus, second) = await Server.SendAsync(HttpMethod.Put, "predictions/" + id, new { input = new { text = "twice" } });
        var fetched = await Server.GetJsonAsync("predictions/" + id);

        Assert.Equal(HttpStatusCode.OK, firstStatus);
        Assert.Equal(HttpStatusCode.OK, secondStatus);
        Assert.Equal(id, first.GetProperty("id").GetString());
        Assert.Equal("once", second.GetProperty("output").GetProperty("text").GetString());
        Assert.Equal(first.GetProperty("created_at").GetString(), second.GetProperty("created_at").GetString());
        Assert.Equal("once", fetched.GetProperty("input").GetProperty("text").GetString());
    }

    [Fact]
    public async Task UnknownPredictionsAndPaths_Are404()
    {
        var (cancelStatus, _) = await Server.SendAsync(HttpMethod.Post, "predictions/no-such-id/cancel");
        using var getResponse = await Server.Client.GetAsync("predictions/no-such-id");
        using var pathResponse = await Server.Client.GetAsync("nowhere");

        Assert.Equal(HttpStatusCode.NotFound, cancelStatus);
        Assert.Equal(HttpStatusCode.NotFound, getResponse.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, pathResponse.StatusCode);
    }

    [Fact]
    public async Task Cancel_OfAFinishedPrediction_Is200_AndChangesNothing()
    {
        var (_, prediction) = await Server.PredictAsync(new { text = "done" });
        var id = prediction.GetProperty("id").GetString();

        var (status, canceled) = await Server.SendAsync(HttpMethod.Post, $"predictions/{id}/cancel");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("succeeded", canceled.GetProperty("status").GetString());
    }

    [Fact]
    public async Task OpenApi_DescribesTypedInputsLikeCog()
    {
        var schema = await Server.GetJsonAsync("openapi.json");
        var schemas = schema.GetProperty("components").GetProperty("schemas");
        var input = schemas.GetProperty("Input");
        var properties = input.GetProperty("properties");

        Assert.Equal("3.0.2", schema.GetProperty("openapi").GetString());
        Assert.Equal(["text"], input.GetProperty("required").EnumerateArray().Select(name => name.GetString()));
        Assert.Equal(["text", "count", "scale", "loud", "mode", "words", "note"],
            properties.EnumerateObject().OrderBy(p => p.Value.GetProperty("x-order").GetInt32()).Select(p => p.Name));
        var text = properties.GetProperty("text");
        Assert.Equal("Text", text.GetProperty("title").GetString());
        Assert.Equal("string", text.GetProperty("type").GetString());
        Assert.Equal("Lower-case words", text.GetProperty("description").GetString());
        Assert.Equal(1, text.GetProperty("minLength").GetInt32());
        Assert.Equal(20, text.GetProperty("maxLength").GetInt32());
        Assert.Equal("^[a-z ]+$", text.GetProperty("pattern").GetString());
        var count = properties.GetProperty("count");
        Assert.Equal("integer", count.GetProperty("type").GetString());
        Assert.Equal(1, count.GetProperty("default").GetInt32());
        Assert.Equal(1, count.GetProperty("minimum").GetInt32());
        Assert.Equal(5, count.GetProperty("maximum").GetInt32());
        Assert.Equal("number", properties.GetProperty("scale").GetProperty("type").GetString());
        Assert.False(properties.GetProperty("loud").GetProperty("default").GetBoolean());
        Assert.Equal("boolean", properties.GetProperty("loud").GetProperty("type").GetString());
        var mode = properties.GetProperty("mode");
        Assert.Equal("#/components/schemas/mode", mode.GetProperty("allOf")[0].GetProperty("$ref").GetString());
        Assert.Equal(["plain", "upper"], schemas.GetProperty("mode").GetProperty("enum").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("string", schemas.GetProperty("mode").GetProperty("type").GetString());
        var words = properties.GetProperty("words");
        Assert.Equal("array", words.GetProperty("type").GetString());
        Assert.Equal("string", words.GetProperty("items").GetProperty("type").GetString());
        Assert.True(words.GetProperty("nullable").GetBoolean());
        Assert.True(properties.GetProperty("note").GetProperty("nullable").GetBoolean());
        Assert.Equal("object", schemas.GetProperty("Output").GetProperty("type").GetString());
        foreach (var path in new[] { "/", "/health-check", "/predictions", "/predictions/{prediction_id}", "/predictions/{prediction_id}/cancel", "/shutdown" })
        {
            Assert.True(schema.GetProperty("paths").TryGetProperty(path, out _), path);
        }
    }
}
