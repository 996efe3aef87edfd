using System.Text;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Predict;

namespace Cog.Sdk.Core.Tests.Predict;

public sealed class OutputWriterTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cog-output-").FullName;

    /// <summary>An output as the server's JSON answer holds it.</summary>
    private static System.Text.Json.Nodes.JsonNode? Node(object? value) => System.Text.Json.JsonSerializer.SerializeToNode(value);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string DataUrl(string mime, byte[] content) => $"data:{mime};base64,{Convert.ToBase64String(content)}";

    [Theory]
    [InlineData("image/png", "output.png")]
    [InlineData("image/jpeg", "output.jpg")]
    [InlineData("audio/wav", "output.wav")]
    [InlineData("audio/x-wav", "output.wav")]
    [InlineData("text/plain", "output.txt")]
    [InlineData("application/octet-stream", "output.bin")]
    public void A_file_is_decoded_with_the_extension_of_its_mime_type(string mime, string name)
    {
        byte[] content = { 1, 2, 3, 250 };
        WrittenOutput written = OutputWriter.Write(Node(DataUrl(mime, content)), _directory);
        Assert.Equal(new[] { Path.Combine(_directory, name) }, written.Files);
        Assert.Equal(content, File.ReadAllBytes(written.Files[0]));
        Assert.Null(written.Text);
    }

    [Fact]
    public void A_data_url_with_parameters_and_percent_encoding_is_decoded()
    {
        WrittenOutput written = OutputWriter.Write(Node("data:text/plain;charset=utf-8,caf%C3%A9"), _directory);
        Assert.Equal("café", File.ReadAllText(written.Files[0], Encoding.UTF8));
        Assert.EndsWith("output.txt", written.Files[0]);
    }

    [Fact]
    public void A_list_of_files_is_numbered()
    {
        var output = new List<object?> { DataUrl("image/png", new byte[] { 1 }), DataUrl("image/png", new byte[] { 2 }) };
        WrittenOutput written = OutputWriter.Write(Node(output), _directory);
        Assert.Equal(new[] { "output.0.png", "output.1.png" }, written.Files.Select(Path.GetFileName));
        Assert.Equal(new byte[] { 2 }, File.ReadAllBytes(written.Files[1]));
    }

    [Fact]
    public void CogOutput_names_the_file_numbers_it_for_lists_and_can_be_a_directory()
    {
        string file = Path.Combine(_directory, "sub", "result.png");
        Assert.Equal(new[] { file }, OutputWriter.Write(Node(DataUrl("image/png", new byte[] { 1 })), _directory, "@" + file).Files);

        var list = new List<object?> { DataUrl("image/jpeg", new byte[] { 1 }), DataUrl("image/jpeg", new byte[] { 2 }) };
        Assert.Equal(new[] { "result.0.png", "result.1.png" }, OutputWriter.Write(Node(list), _directory, file).Files.Select(Path.GetFileName));

        string folder = Path.Combine(_directory, "elsewhere") + Path.DirectorySeparatorChar;
        Assert.Equal(new[] { Path.Combine(folder, "output.jpg") }, OutputWriter.Write(Node(list[0]), _directory, folder).Files);
    }

    [Fact]
    public void A_string_is_returned_for_printing_and_written_to_output_txt()
    {
        WrittenOutput written = OutputWriter.Write(Node("hello, world"), _directory);
        Assert.Equal("hello, world", written.Text);
        Assert.Equal("hello, world", File.ReadAllText(Path.Combine(_directory, "output.txt")));
    }

    [Fact]
    public void Anything_else_is_pretty_json_in_output_json()
    {
        var output = new Dictionary<string, object?> { ["label"] = "hotdog", ["score"] = 0.93, ["boxes"] = new List<object?> { 1L, 2L } };
        WrittenOutput written = OutputWriter.Write(Node(output), _directory);
        Assert.Equal(Path.Combine(_directory, "output.json"), written.Files.Single());
        Assert.Equal("{\n  \"label\": \"hotdog\",\n  \"score\": 0.93,\n  \"boxes\": [\n    1,\n    2\n  ]\n}", written.Text);
        Assert.Equal(written.Text + "\n", File.ReadAllText(written.Files[0]));
        Assert.Equal("42", OutputWriter.Write(Node(42L), _directory).Text);
    }

    [Fact]
    public void No_output_writes_nothing_and_is_a_success()
    {
        WrittenOutput written = OutputWriter.Write(null, _directory);
        Assert.True(written.IsEmpty);
        Assert.Empty(Directory.GetFileSystemEntries(_directory));
    }

    [Fact]
    public void A_concatenating_iterators_pieces_are_joined_into_one_text()
    {
        var schema = System.Text.Json.Nodes.JsonNode.Parse("""{"type": "array", "items": {"type": "string"}, "x-cog-array-type": "iterator", "x-cog-array-display": "concatenate"}""")!.AsObject();
        WrittenOutput written = OutputWriter.Write(Node(new[] { "hello ", "world" }), _directory, outputSchema: schema);
        Assert.Equal("hello world", written.Text);
        Assert.Equal("hello world", File.ReadAllText(Path.Combine(_directory, "output.txt")));

        // A plain iterator's items stay a list.
        schema.Remove("x-cog-array-display");
        Assert.Equal("[\n  \"hello \",\n  \"world\"\n]", OutputWriter.Write(Node(new[] { "hello ", "world" }), _directory, outputSchema: schema).Text);
    }

    [Fact]
    public void Files_inside_an_object_are_written_beside_its_json_under_the_name_of_their_place()
    {
        var output = new Dictionary<string, object?>
        {
            ["weights"] = DataUrl("application/octet-stream", new byte[] { 7, 8 }),
            ["epochs"] = 3,
            ["samples"] = new List<object?> { DataUrl("image/png", new byte[] { 1 }) },
        };
        WrittenOutput written = OutputWriter.Write(Node(output), _directory);
        Assert.Equal(new[] { "output.json", "weights.bin", "samples.0.png" }, written.Files.Select(Path.GetFileName));
        Assert.Equal(new byte[] { 7, 8 }, File.ReadAllBytes(Path.Combine(_directory, "weights.bin")));
        Assert.Equal("{\n  \"weights\": \"weights.bin\",\n  \"epochs\": 3,\n  \"samples\": [\n    \"samples.0.png\"\n  ]\n}", written.Text);

        var list = new List<object?> { new Dictionary<string, object?> { ["image"] = DataUrl("image/png", new byte[] { 2 }) }, 5 };
        Assert.Equal(new[] { "output.json", "output.0.image.png" }, OutputWriter.Write(Node(list), _directory).Files.Select(Path.GetFileName));
    }

    [Fact]
    public void An_unwritable_path_is_COG4022()
    {
        string blocker = Path.Combine(_directory, "blocker");
        File.WriteAllText(blocker, "a file where a directory should be");
        var e = Assert.Throws<CogException>(() => OutputWriter.Write(Node("text"), _directory, Path.Combine(blocker, "out.txt")));
        Assert.Equal("COG4022", e.Diagnostic.Code);
    }

    [Fact]
    public void Mime_types_round_trip_through_extensions()
    {
        Assert.Equal("image/jpeg", MimeTypes.FromFileName("photo.JPEG"));
        Assert.Equal("audio/wav", MimeTypes.FromFileName("a.wav"));
        Assert.Equal("application/octet-stream", MimeTypes.FromFileName("weights.bin"));
        Assert.Equal(".jpg", MimeTypes.ToExtension("image/jpeg"));
        Assert.Equal(".bin", MimeTypes.ToExtension("application/octet-stream")); // as the runtime names an upload of it
        Assert.Equal("", MimeTypes.ToExtension("application/x-unknown"));
    }
}
