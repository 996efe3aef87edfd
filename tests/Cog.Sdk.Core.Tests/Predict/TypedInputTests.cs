using System.Text.Json.Nodes;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Predict;

namespace Cog.Sdk.Core.Tests.Predict;

/// <summary>Cog's newer input types as the schema describes them: unions, objects, optional inputs, accept, deprecation, trainings.</summary>
public sealed class TypedInputTests : IDisposable
{
    private static readonly InputSchema Schema = InputSchema.Parse(SampleSchemas.TypedModel);
    private readonly string _project = Directory.CreateTempSubdirectory("cog-typed-input-").FullName;

    public TypedInputTests()
    {
        File.WriteAllBytes(Path.Combine(_project, "photo.png"), new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' });
        File.WriteAllBytes(Path.Combine(_project, "photo.jpg"), new byte[] { 0xFF, 0xD8 });
        File.WriteAllText(Path.Combine(_project, "notes.txt"), "text");
    }

    public void Dispose() => Directory.Delete(_project, recursive: true);

    private (JsonObject Input, DiagnosticBag Diagnostics) Bind(string text, InputSchema? schema = null)
    {
        var diagnostics = new DiagnosticBag();
        var input = InputBinder.Bind(InputParser.ParseInputString(text, diagnostics), schema ?? Schema, _project, diagnostics);
        return (input, diagnostics);
    }

    private (JsonObject Input, DiagnosticBag Diagnostics) BindJson(string json)
    {
        string file = Path.Combine(_project, "inputs.json");
        File.WriteAllText(file, json);
        var diagnostics = new DiagnosticBag();
        var input = InputBinder.Bind(InputParser.ReadInputFile(file, _project, diagnostics), Schema, _project, diagnostics);
        return (input, diagnostics);
    }

    private static string[] Codes(DiagnosticBag diagnostics) => diagnostics.Select(d => d.Code).ToArray();

    [Theory]
    [InlineData("value=3.5", "3.5")]
    [InlineData("value=7", "7")]
    [InlineData("value=a cat", "\"a cat\"")]
    public void A_union_takes_text_as_its_strictest_member_that_fits(string text, string json)
    {
        var (input, diagnostics) = Bind(text);
        Assert.Empty(diagnostics);
        Assert.Equal(json, JsonText.Write(input["value"]));
    }

    [Fact]
    public void A_union_takes_json_of_any_member_and_refuses_the_rest_with_COG4004()
    {
        Assert.Equal("\"3\"", JsonText.Write(BindJson("""{"value": "3"}""").Input["value"]));
        Assert.Equal("2.5", JsonText.Write(BindJson("""{"value": 2.5}""").Input["value"]));
        var (_, diagnostics) = BindJson("""{"value": true}""");
        Assert.Equal(new[] { "COG4004" }, Codes(diagnostics));
        Assert.Contains("expected string or number", diagnostics[0].Message);
    }

    [Fact]
    public void A_union_with_a_list_member_takes_repeated_values_as_the_list()
    {
        var (input, diagnostics) = Bind("value=x;tags=a;tags=b");
        Assert.Empty(diagnostics);
        Assert.Equal("""["a","b"]""", JsonText.Write(input["tags"]));
        Assert.Equal("4", JsonText.Write(Bind("value=x;tags=4").Input["tags"]));
    }

    [Fact]
    public void Object_inputs_take_a_json_object_and_refuse_anything_else()
    {
        var (input, diagnostics) = Bind("value=x;point={\"x\": 1, \"y\": 2}");
        Assert.Empty(diagnostics);
        Assert.Equal("""{"x":1,"y":2}""", JsonText.Write(input["point"]));
        Assert.Equal("""{"k":[1]}""", JsonText.Write(BindJson("""{"value": "x", "blob": {"k": [1]}}""").Input["blob"]));

        var (_, refused) = Bind("value=x;point=3");
        Assert.Equal(new[] { "COG4004" }, Codes(refused));
        Assert.Contains("a JSON object", refused[0].Message);
    }

    [Fact]
    public void An_optional_input_without_a_default_may_be_left_out_or_given_null()
    {
        Assert.Empty(Bind("value=x").Diagnostics);
        var (input, diagnostics) = BindJson("""{"value": "x", "note": null}""");
        Assert.Empty(diagnostics);
        Assert.True(input.ContainsKey("note"));
        Assert.Null(input["note"]);
        Assert.Equal(new[] { "COG4004" }, Codes(BindJson("""{"value": null}""").Diagnostics));
    }

    [Theory]
    [InlineData("image=@photo.png", null)]
    [InlineData("image=@photo.jpg", null)]
    [InlineData("image=@notes.txt", "COG4033")]
    public void A_file_must_be_of_a_type_its_input_accepts(string text, string? code)
    {
        var (_, diagnostics) = Bind("value=x;" + text);
        Assert.Equal(code == null ? Array.Empty<string>() : new[] { code }, Codes(diagnostics));
        if (code != null)
        {
            Assert.Contains("image/*,.png", diagnostics[0].Message);
            Assert.Contains("notes.txt", diagnostics[0].Message);
        }
    }

    [Fact]
    public void A_data_url_from_an_input_file_is_checked_by_its_mime_type()
    {
        Assert.Empty(BindJson("""{"value": "x", "image": "@photo.png"}""").Diagnostics);
        var (_, diagnostics) = BindJson("""{"value": "x", "image": "@notes.txt"}""");
        Assert.Equal(new[] { "COG4033" }, Codes(diagnostics));
        Assert.Contains("text/plain", diagnostics[0].Message);
    }

    [Fact]
    public void A_deprecated_input_is_taken_with_warning_COG4032()
    {
        var (input, diagnostics) = Bind("value=x;old=y");
        Assert.Equal("y", JsonText.Show(input["old"]));
        Diagnostic warning = Assert.Single(diagnostics);
        Assert.Equal(("COG4032", DiagnosticSeverity.Warning), (warning.Code, warning.Severity));
        Assert.Contains("\"old\"", warning.Message);
    }

    [Fact]
    public void An_unknown_input_stays_an_error_although_the_runtime_would_drop_it()
    {
        Assert.Equal(new[] { "COG4002" }, Codes(Bind("value=x;vaule=y").Diagnostics));
    }

    [Fact]
    public void A_training_reads_TrainingInput_and_TrainingOutput()
    {
        var training = InputSchema.Parse(SampleSchemas.TypedModel, ServerMode.Train);
        Assert.Equal(new[] { "data", "epochs" }, training.Parameters.Select(p => p.Name));
        Assert.Equal("TrainingOutput", training.Output!.String("title"));
        Assert.Equal(new[] { "COG4005", "COG4003" }, Codes(Bind("epochs=0", training).Diagnostics));
        Assert.Throws<FormatException>(() => InputSchema.Parse(SampleSchemas.ImageModel, ServerMode.Train));
    }

    [Fact]
    public void The_schema_commands_refusal_is_read_from_its_error_output()
    {
        Assert.Equal("unsupported type typing.Set[int] for input 'tags'",
            SchemaReader.Refusal("some import noise\ncog: cannot produce the OpenAPI schema: unsupported type typing.Set[int] for input 'tags'\n"));
        Assert.Null(SchemaReader.Refusal("Traceback (most recent call last):\nModuleNotFoundError: No module named 'torch'\n"));
    }
}
