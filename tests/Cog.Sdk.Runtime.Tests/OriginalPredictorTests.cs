using System.Net;
using System.Text;

namespace Cog.Sdk.Runtime.Tests;

/// <summary>Started without COG_PREDICTOR: the runtime finds `model: "predict.py:Model"` in cog.yaml.</summary>
public sealed class OriginalServer : ServerFixture
{
    protected override string Predictor => "original";

    protected override string? Reference => null;
}

/// <summary>The original `cog.Model` style with `@cog.input` declarations, Path in and Path out.</summary>
public sealed class OriginalPredictorTests(OriginalServer fixture) : IClassFixture<OriginalServer>
{
    private RuntimeServer Server => fixture.Server;

    [Fact]
    public async Task Predict_TakesAPathAndReturnsAPathAsADataUrl()
    {
        var image = "data:text/plain;base64," + Convert.ToBase64String(Encoding.UTF8.GetBytes("abc"));

        var (status, prediction) = await Server.PredictAsync(new { image, flip = true, steps = 2 });

        Assert.Equal(HttpStatusCode.OK, status);
        var output = prediction.GetProperty("output").GetString()!;
        Assert.StartsWith("data:text/plain;base64,", output);
        Assert.Equal("cba x1.0 plain 2!", Encoding.UTF8.GetString(Convert.FromBase64String(output.Split(',')[1])));
    }

    [Theory]
    [InlineData("""{"image":"data:,x","steps":11}""", "steps", "value_error.number.not_le")]
    [InlineData("""{"image":"data:,x","scale":-1}""", "scale", "value_error.number.not_ge")]
    [InlineData("""{"image":"data:,x","style":"italic"}""", "style", "type_error.enum")]
    [InlineData("""{"steps":2}""", "image", "value_error.missing")]
    public async Task Predict_ValidatesDeclaredLimits(string input, string field, string errorType)
    {
        var (status, body) = await Server.SendAsync(HttpMethod.Post, "predictions", $$"""{"input":{{input}}}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var error = Assert.Single(body.GetProperty("detail").EnumerateArray());
        Assert.Equal(field, error.GetProperty("loc")[2].GetString());
        Assert.Equal(errorType, error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task OpenApi_TranslatesTheDeclarations_InTheOrderWritten()
    {
        var schemas = (await Server.GetJsonAsync("openapi.json")).GetProperty("components").GetProperty("schemas");
        var input = schemas.GetProperty("Input");
        var properties = input.GetProperty("properties");

        Assert.Equal(["image", "scale", "style", "flip", "steps"],
            properties.EnumerateObject().OrderBy(p => p.Value.GetProperty("x-order").GetInt32()).Select(p => p.Name));
        Assert.Equal(["image"], input.GetProperty("required").EnumerateArray().Select(name => name.GetString()));
        Assert.Equal("uri", properties.GetProperty("image").GetProperty("format").GetString());
        Assert.Equal("A text file to describe", properties.GetProperty("image").GetProperty("description").GetString());
        Assert.Equal(0, properties.GetProperty("scale").GetProperty("minimum").GetInt32());
        Assert.Equal(4, properties.GetProperty("scale").GetProperty("maximum").GetInt32());
        Assert.Equal(1.0, properties.GetProperty("scale").GetProperty("default").GetDouble());
        Assert.Equal(["plain", "bold"], schemas.GetProperty("style").GetProperty("enum").EnumerateArray().Select(c => c.GetString()));
        // predict() has no return annotation in this style: the output may be anything.
        Assert.False(schemas.GetProperty("Output").TryGetProperty("type", out _));
    }
}
