using System.Net;
using System.Text.Json;

namespace Cog.Sdk.Runtime.Tests;

/// <summary>
/// Each form of predictor Cog's documentation shows, run unchanged: a plain function, a class with no
/// base and no setup(), BaseRunner.run() (found without a class name), async setup() and run(), an async
/// generator, and BasePredictor.predict() with a sync iterator. All greet the same way.
/// </summary>
public sealed class PredictorFormsTests(ServerPool servers) : IClassFixture<ServerPool>
{
    private static string Greeting(JsonElement output) => output.ValueKind == JsonValueKind.Array
        ? string.Concat(output.EnumerateArray().Select(item => item.GetString()))
        : output.GetString()!;

    [Theory]
    [InPython(Python.Host, "function.py:run")]
    [InPython(Python.Host, "plain_class.py:Runner")]
    [InPython(Python.Host, "runner.py")]
    [InPython(Python.Host, "async_run.py:Runner")]
    [InPython(Python.Host, "async_iterator.py:Runner")]
    [InPython(Python.Host, "predictor.py:Predictor")]
    [InPython(Python.Container, "function.py:run")]
    [InPython(Python.Container, "plain_class.py:Runner")]
    [InPython(Python.Container, "runner.py")]
    [InPython(Python.Container, "async_run.py:Runner")]
    [InPython(Python.Container, "async_iterator.py:Runner")]
    [InPython(Python.Container, "predictor.py:Predictor")]
    public async Task EveryForm_RunsAPrediction(Python python, string reference)
    {
        var server = await servers.GetAsync(python, new RuntimeOptions("forms", reference));

        var (status, prediction) = await server.PredictAsync(new { text = "x", times = 2 });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(prediction.GetProperty("status").GetString() == "succeeded", prediction.ToString());
        Assert.Equal("hello x hello x", Greeting(prediction.GetProperty("output")));
        var input = (await server.GetJsonAsync("openapi.json")).GetProperty("components").GetProperty("schemas").GetProperty("Input");
        Assert.Equal(["text"], input.GetProperty("required").EnumerateArray().Select(name => name.GetString()));
        Assert.Equal(1, input.GetProperty("properties").GetProperty("times").GetProperty("default").GetInt32());
    }

    [Theory]
    [InPython(Python.Host)]
    [InPython(Python.Container)]
    public async Task WithoutAReference_TheRunnerIsFoundThroughCogYaml(Python python)
    {
        var server = await servers.GetAsync(python, new RuntimeOptions("forms", Reference: null));

        var (_, prediction) = await server.PredictAsync(new { text = "yaml" });

        Assert.Equal("hello yaml", prediction.GetProperty("output").GetString());
    }

    [Fact]
    public async Task TheSchema_MarksIteratorsAndConcatenation()
    {
        var asyncIterator = await Output("async_iterator.py:Runner");
        var iterator = await Output("predictor.py:Predictor");
        var plain = await Output("function.py:run");

        Assert.Equal("iterator", asyncIterator.GetProperty("x-cog-array-type").GetString());
        Assert.Equal("concatenate", asyncIterator.GetProperty("x-cog-array-display").GetString());
        Assert.Equal("iterator", iterator.GetProperty("x-cog-array-type").GetString());
        Assert.False(iterator.TryGetProperty("x-cog-array-display", out _));
        Assert.Equal("string", plain.GetProperty("type").GetString());
    }

    [Fact]
    public async Task OnlyAStreamingPredictor_IsMarkedForServerSentEvents()
    {
        var streaming = await servers.GetAsync(Python.Host, new RuntimeOptions("forms", "async_iterator.py:Runner"));
        var plain = await servers.GetAsync(Python.Host, new RuntimeOptions("forms", "function.py:run"));

        var marked = (await streaming.GetJsonAsync("openapi.json")).GetProperty("paths").GetProperty("/predictions").GetProperty("post");
        var unmarked = (await plain.GetJsonAsync("openapi.json")).GetProperty("paths").GetProperty("/predictions").GetProperty("post");

        Assert.True(marked.GetProperty("x-cog-streaming").GetBoolean());
        Assert.False(unmarked.TryGetProperty("x-cog-streaming", out _));
    }

    private async Task<JsonElement> Output(string reference)
    {
        var server = await servers.GetAsync(Python.Host, new RuntimeOptions("forms", reference));
        return (await server.GetJsonAsync("openapi.json")).GetProperty("components").GetProperty("schemas").GetProperty("Output");
    }
}
