using System.Net;
using System.Text.Json;

namespace Cog.Sdk.Runtime.Tests;

/// <summary>Cog's newer types (predictors/typed): unions, TypedDict, dict, Opaque, Input(accept), Optional
/// without a default, nested models in the output, a None output, and sys.exit() inside run().</summary>
public sealed class TypedPredictorTests(ServerPool servers) : IClassFixture<ServerPool>
{
    private Task<RuntimeServer> Server(Python python) => servers.GetAsync(python, new RuntimeOptions("typed", "predict.py:Runner"));

    private async Task<JsonElement> Succeeded(Python python, object input)
    {
        var (status, prediction) = await (await Server(python)).PredictAsync(input);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(prediction.GetProperty("status").GetString() == "succeeded", prediction.ToString());
        return prediction.GetProperty("output");
    }

    [Theory]
    [InPython(Python.Host)]
    [InPython(Python.Container)]
    public async Task AUnion_TakesEachMember_Unchanged(Python python)
    {
        var word = await Succeeded(python, new { value = "word" });
        var fraction = await Succeeded(python, new { value = 2.5 });
        var whole = await Succeeded(python, new { value = 3 });

        Assert.Equal("str", word.GetProperty("kind").GetString());
        Assert.Equal("float", fraction.GetProperty("kind").GetString());
        Assert.Equal("int", whole.GetProperty("kind").GetString());
        Assert.Equal(3, whole.GetProperty("value").GetProperty("value").GetInt32());
    }

    [Theory]
    [InPython(Python.Host)]
    [InPython(Python.Container)]
    public async Task ObjectsTypedDictsAndNestedModels_GoInAndOut(Python python)
    {
        var output = await Succeeded(python, new
        {
            value = "w",
            point = new { x = 1, y = 2 },
            options = new { depth = new[] { 1, 2 } },
            blob = new { anything = (string?)null },
            size = 4,
            image = "data:image/png;base64,iVBORw0K",
        });

        Assert.Equal("""{"x":1,"y":2}""", output.GetProperty("point").GetRawText());
        Assert.Equal("""{"width":4,"height":0}""", output.GetProperty("size").GetRawText());
        Assert.Equal("""{"depth":[1,2]}""", output.GetProperty("value").GetProperty("options").GetRawText());
        Assert.Equal("""{"anything":null}""", output.GetProperty("value").GetProperty("blob").GetRawText());
        Assert.EndsWith(".png", output.GetProperty("image_name").GetString());
    }

    [Theory]
    [InPython(Python.Host)]
    [InPython(Python.Container)]
    public async Task AnOptionalInputWithoutADefault_IsNotRequired_AndRunGetsNone(Python python)
    {
        var output = await Succeeded(python, new { value = "w" });

        Assert.Equal(JsonValueKind.Null, output.GetProperty("value").GetProperty("note").ValueKind);
        Assert.Equal(JsonValueKind.Null, output.GetProperty("size").ValueKind);
    }

    [Theory]
    [InPython(Python.Host)]
    [InPython(Python.Container)]
    public async Task ANoneOutput_IsASuccessWithNullOutput(Python python)
    {
        var output = await Succeeded(python, new { value = "w", action = "nothing" });

        Assert.Equal(JsonValueKind.Null, output.ValueKind);
    }

    [Theory]
    [InPython(Python.Host, "exit", "SystemExit: 3")]
    [InPython(Python.Host, "exit-quietly", "SystemExit")]
    [InPython(Python.Container, "exit", "SystemExit: 3")]
    public async Task SysExitInsideRun_FailsThePrediction_NamingSystemExit_AndTheServerCarriesOn(Python python, string action, string error)
    {
        var server = await Server(python);

        var (_, prediction) = await server.PredictAsync(new { value = "w", action });
        var after = await Succeeded(python, new { value = "still here" });

        Assert.Equal("failed", prediction.GetProperty("status").GetString());
        Assert.Equal(error, prediction.GetProperty("error").GetString());
        Assert.Equal("str", after.GetProperty("kind").GetString());
    }

    [Theory]
    [InlineData("""{"value":[1]}""", "value", "type_error.union")]
    [InlineData("""{"value":"w","point":5}""", "point", "type_error.dict")]
    [InlineData("""{"value":"w","image":"/etc/passwd"}""", "image", "value_error.url.scheme")]
    [InlineData("""{"note":"n"}""", "value", "value_error.missing")]
    public async Task WrongValues_Are422_NamingTheField(string input, string field, string errorType)
    {
        var (status, body) = await (await Server(Python.Host)).SendAsync(HttpMethod.Post, "predictions", $$"""{"input":{{input}}}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var error = Assert.Single(body.GetProperty("detail").EnumerateArray());
        Assert.Equal(field, error.GetProperty("loc")[2].GetString());
        Assert.Equal(errorType, error.GetProperty("type").GetString());
    }

    [Theory]
    [InPython(Python.Host)]
    [InPython(Python.Container)]
    public async Task TheSchema_DescribesEachTypeAsCogDoes(Python python)
    {
        var schemas = (await (await Server(python)).GetJsonAsync("openapi.json")).GetProperty("components").GetProperty("schemas");
        var input = schemas.GetProperty("Input");
        var properties = input.GetProperty("properties");

        Assert.Equal(["value"], input.GetProperty("required").EnumerateArray().Select(name => name.GetString()));
        Assert.Equal("""[{"type":"string"},{"type":"number"}]""", properties.GetProperty("value").GetProperty("anyOf").GetRawText());
        foreach (var name in new[] { "point", "options", "blob" })
        {
            Assert.Equal("object", properties.GetProperty(name).GetProperty("type").GetString());
        }
        var image = properties.GetProperty("image");
        Assert.Equal("uri", image.GetProperty("format").GetString());
        Assert.Equal("image/*,.png", image.GetProperty("x-cog-accept").GetString());
        var note = properties.GetProperty("note");
        Assert.True(note.GetProperty("nullable").GetBoolean());
        Assert.False(note.TryGetProperty("default", out _));
        Assert.Equal("Optional, no default", note.GetProperty("description").GetString());
        Assert.Equal(JsonValueKind.Null, properties.GetProperty("size").GetProperty("default").ValueKind);
        Assert.Equal(["describe", "nothing", "exit", "exit-quietly"], schemas.GetProperty("action").GetProperty("enum").EnumerateArray().Select(choice => choice.GetString()));

        var output = schemas.GetProperty("Output");
        Assert.Equal("object", output.GetProperty("type").GetString());
        Assert.True(output.GetProperty("nullable").GetBoolean());
        Assert.Equal(["kind", "value"], output.GetProperty("required").EnumerateArray().Select(name => name.GetString()));
        var point = output.GetProperty("properties").GetProperty("point");
        Assert.Equal(["x", "y"], point.GetProperty("required").EnumerateArray().Select(name => name.GetString()));
        Assert.Equal("integer", point.GetProperty("properties").GetProperty("x").GetProperty("type").GetString());
        var size = output.GetProperty("properties").GetProperty("size");
        Assert.Equal(["width"], size.GetProperty("required").EnumerateArray().Select(name => name.GetString()));
        Assert.Equal("Image Name", output.GetProperty("properties").GetProperty("image_name").GetProperty("title").GetString());
    }
}
