using System.Text.Json.Nodes;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Predict;

namespace Cog.Sdk.Core.Tests.Predict;

public sealed class InputTests : IDisposable
{
    private static readonly InputSchema Schema = InputSchema.Parse(SampleSchemas.ImageModel);
    private readonly string _project = Directory.CreateTempSubdirectory("cog-input-").FullName;

    public InputTests()
    {
        File.WriteAllBytes(Path.Combine(_project, "hotdog.png"), new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' });
        File.WriteAllBytes(Path.Combine(_project, "mask.jpg"), new byte[] { 0xFF, 0xD8 });
    }

    public void Dispose() => Directory.Delete(_project, recursive: true);

    private static IReadOnlyList<RawInput> Parse(string text, DiagnosticBag? diagnostics = null) =>
        InputParser.ParseInputString(text, diagnostics ?? new DiagnosticBag());

    private (JsonObject Input, DiagnosticBag Diagnostics) Bind(string text)
    {
        var diagnostics = new DiagnosticBag();
        var input = InputBinder.Bind(Parse(text, diagnostics), Schema, _project, diagnostics);
        return (input, diagnostics);
    }

    /// <summary>A bound value equals what a test expects when both write the same JSON.</summary>
    private static void Same(object? expected, JsonNode? actual) =>
        Assert.Equal(JsonText.Write(System.Text.Json.JsonSerializer.SerializeToNode(expected)), JsonText.Write(actual));

    private static string[] Codes(DiagnosticBag diagnostics) => diagnostics.Select(d => d.Code).ToArray();

    [Fact]
    public void Input_string_splits_pairs_at_semicolons_and_names_at_the_first_equals()
    {
        var inputs = Parse("prompt=a=b;steps=3; ;guidance = 2.5;");
        Assert.Equal(new[] { "prompt", "steps", "guidance" }, inputs.Select(i => i.Name));
        Assert.Equal("a=b", inputs[0].Values.Single().Text);
        Assert.Equal("2.5", inputs[2].Values.Single().Text);
    }

    [Fact]
    public void Quotes_around_the_whole_string_and_around_values_are_stripped_and_protect_semicolons()
    {
        var inputs = Parse("\"prompt=\"a cat; a dog\";steps=\"4\"\"");
        Assert.Equal("a cat; a dog", inputs[0].Values.Single().Text);
        Assert.Equal("4", inputs[1].Values.Single().Text);
    }

    [Fact]
    public void At_values_are_files_and_repeated_names_are_lists()
    {
        var inputs = Parse("image=@hotdog.png;tags=a;tags=b");
        Assert.Equal("hotdog.png", inputs[0].Values.Single().FilePath);
        Assert.Equal(new[] { "a", "b" }, inputs[1].Values.Select(v => v.Text));
    }

    [Fact]
    public void A_pair_without_a_name_is_COG4001()
    {
        var diagnostics = new DiagnosticBag();
        Parse("prompt=x;oops;=y", diagnostics);
        Assert.Equal(new[] { "COG4001", "COG4001" }, Codes(diagnostics));
        Assert.Contains("'oops'", diagnostics[0].Message);
    }

    [Fact]
    public void Values_are_coerced_by_the_schema_and_files_become_data_urls()
    {
        var (input, diagnostics) = Bind("image=@hotdog.png;prompt=42;steps=7;guidance=3;upscale=true;scheduler=euler;tags=x;tags=y;seeds=1;masks=@mask.jpg;size=512");
        Assert.Empty(diagnostics);
        Same("data:image/png;base64," + Convert.ToBase64String(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }), input["image"]);
        Same("42", input["prompt"]);
        Same(7L, input["steps"]);
        Same(3L, input["guidance"]);
        Same(true, input["upscale"]);
        Same("euler", input["scheduler"]);
        Assert.Equal("""["x","y"]""", JsonText.Write(input["tags"]));
        Assert.Equal("[1]", JsonText.Write(input["seeds"]));
        Assert.StartsWith("data:image/jpeg;base64,", input["masks"]![0]!.GetValue<string>());
        Same(512L, input["size"]);
    }

    [Fact]
    public void A_url_is_accepted_for_a_file_input_but_a_bare_name_is_COG4004()
    {
        Assert.Empty(Bind("image=https://example.com/a.png;prompt=p").Diagnostics);
        var (_, diagnostics) = Bind("image=hotdog.png;prompt=p");
        Assert.Equal(new[] { "COG4004" }, Codes(diagnostics));
        Assert.Contains("@path", diagnostics[0].Message);
    }

    [Fact]
    public void Unknown_input_suggests_the_closest_name()
    {
        var (_, diagnostics) = Bind("image=@hotdog.png;prompt=p;stesp=3");
        Assert.Equal(new[] { "COG4002" }, Codes(diagnostics));
        Assert.Contains("did you mean \"steps\"", diagnostics[0].Message);
        Assert.Contains("image, prompt, steps", diagnostics[0].Message);
    }

    [Fact]
    public void Missing_required_inputs_are_each_COG4003()
    {
        var (_, diagnostics) = Bind("steps=3");
        Assert.Equal(new[] { "COG4003", "COG4003" }, Codes(diagnostics));
        Assert.Contains("\"image\"", diagnostics[0].Message);
        Assert.Contains("\"prompt\"", diagnostics[1].Message);
    }

    [Theory]
    [InlineData("steps=many", "COG4004", "expected integer")]
    [InlineData("steps=2.5", "COG4004", "expected integer")]
    [InlineData("guidance=lots", "COG4004", "expected number")]
    [InlineData("upscale=maybe", "COG4004", "expected boolean")]
    [InlineData("seeds=1;seeds=x", "COG4004", "expected integer")]
    [InlineData("tags=@hotdog.png", "COG4004", "expected string")]
    [InlineData("steps=0", "COG4005", "0 is less than the minimum 1")]
    [InlineData("seeds=-1", "COG4005", "less than the minimum 0")]
    [InlineData("guidance=20.5", "COG4006", "20.5 is greater than the maximum 20")]
    [InlineData("scheduler=dpm", "COG4007", "must be one of: ddim, euler")]
    [InlineData("size=300", "COG4007", "must be one of: 256, 512")]
    [InlineData("masks=@nothere.png", "COG4008", "'nothere.png'")]
    [InlineData("steps=1;steps=2", "COG4009", "given 2 times")]
    public void Every_invalid_value_has_its_code(string extra, string code, string message)
    {
        var (_, diagnostics) = Bind("image=@hotdog.png;prompt=p;" + extra);
        Assert.Equal(new[] { code }, Codes(diagnostics));
        Assert.Contains(message, diagnostics[0].Message);
    }

    [Fact]
    public void All_problems_are_reported_at_once()
    {
        var (_, diagnostics) = Bind("image=@missing.png;steps=0;scheduler=dpm;colour=red");
        Assert.Equal(new[] { "COG4008", "COG4005", "COG4007", "COG4002", "COG4003" }, Codes(diagnostics));
    }

    [Fact]
    public void Items_give_names_with_value_lists()
    {
        var items = new[]
        {
            new KeyValuePair<string, IReadOnlyList<string>>("prompt", new[] { "a;b" }),
            new KeyValuePair<string, IReadOnlyList<string>>("image", new[] { "@hotdog.png" }),
            new KeyValuePair<string, IReadOnlyList<string>>("tags", new[] { "x", "y" }),
        };
        var diagnostics = new DiagnosticBag();
        var input = InputBinder.Bind(InputParser.FromItems(items), Schema, _project, diagnostics);
        Assert.Empty(diagnostics);
        Same("a;b", input["prompt"]);
        Assert.Equal("""["x","y"]""", JsonText.Write(input["tags"]));
    }

    [Fact]
    public void A_json_file_gives_typed_values_and_at_paths_become_data_urls()
    {
        string file = Path.Combine(_project, "inputs.json");
        File.WriteAllText(file, """{"image": "@hotdog.png", "prompt": "@not-a-file-for-a-string", "steps": 5, "masks": ["@mask.jpg"], "tags": ["a"]}""");
        var diagnostics = new DiagnosticBag();
        var raw = InputParser.ReadInputFile(file, _project, diagnostics);
        Assert.Equal(new[] { "COG4008" }, Codes(diagnostics));
        Assert.Equal(file, diagnostics[0].Location.File);

        File.WriteAllText(file, """{"image": "@hotdog.png", "prompt": "p", "steps": 5, "guidance": 2.5, "masks": ["@mask.jpg"], "tags": ["a", "b"], "upscale": true}""");
        diagnostics = new DiagnosticBag();
        var input = InputBinder.Bind(InputParser.ReadInputFile(file, _project, diagnostics), Schema, _project, diagnostics);
        Assert.Empty(diagnostics);
        Assert.StartsWith("data:image/png;base64,", input["image"]!.GetValue<string>());
        Same(5L, input["steps"]);
        Same(2.5, input["guidance"]);
        Same(true, input["upscale"]);
        Assert.StartsWith("data:image/jpeg;base64,", input["masks"]![0]!.GetValue<string>());
        Assert.Equal("""["a","b"]""", JsonText.Write(input["tags"]));
    }

    [Fact]
    public void A_json_value_of_the_wrong_type_is_COG4004_at_the_file()
    {
        string file = Path.Combine(_project, "inputs.json");
        File.WriteAllText(file, """{"image": "@hotdog.png", "prompt": "p", "steps": "5"}""");
        var diagnostics = new DiagnosticBag();
        InputBinder.Bind(InputParser.ReadInputFile(file, _project, diagnostics), Schema, _project, diagnostics);
        Assert.Equal(new[] { "COG4004" }, Codes(diagnostics));
        Assert.Equal(file, diagnostics[0].Location.File);
    }

    [Theory]
    [InlineData("[1, 2]")]
    [InlineData("{not json")]
    public void A_json_file_that_is_not_an_object_is_COG4010(string content)
    {
        string file = Path.Combine(_project, "inputs.json");
        File.WriteAllText(file, content);
        var diagnostics = new DiagnosticBag();
        Assert.Empty(InputParser.ReadInputFile(file, _project, diagnostics));
        Assert.Equal(new[] { "COG4010" }, Codes(diagnostics));
    }

    [Fact]
    public void Schema_parameters_come_in_predict_order_with_enum_components_resolved()
    {
        Assert.Equal(new[] { "image", "prompt", "steps", "guidance", "upscale", "scheduler", "tags", "seeds", "masks", "size" }, Schema.Parameters.Select(p => p.Name));
        var scheduler = Schema.Find("scheduler")!;
        Assert.Equal("string", scheduler.Type);
        Assert.Equal(new[] { "ddim", "euler" }, scheduler.Choices!.Select(JsonText.Show));
        Assert.True(Schema.Find("image")!.Required);
        Assert.False(Schema.Find("steps")!.Required);
        Assert.True(Schema.Find("masks")!.Items!.IsFile);
    }
}
