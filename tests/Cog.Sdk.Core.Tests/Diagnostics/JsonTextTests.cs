using System.Text.Json.Nodes;

namespace Cog.Sdk.Core.Tests.Diagnostics;

public class JsonTextTests
{
    [Fact]
    public void Compact_output_is_one_line_keeps_text_readable_and_reads_back()
    {
        var value = new JsonObject
        {
            ["text"] = "line one\nline \"two\" café <b>",
            ["list"] = new JsonArray(1L, 2.5, true, null),
            ["nested"] = new JsonObject { ["empty"] = new JsonArray() },
        };

        string json = JsonText.Write(value);

        Assert.DoesNotContain("\n", json);
        Assert.Equal("{\"text\":\"line one\\nline \\\"two\\\" café <b>\",\"list\":[1,2.5,true,null],\"nested\":{\"empty\":[]}}", json);
        Assert.Equal(json, JsonText.Write(JsonText.Parse(json)));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("[1,]")]
    [InlineData("\"unterminated")]
    [InlineData("{\"a\" 1}")]
    [InlineData("tru")]
    [InlineData("{\"a\": 1, \"a\": 2}")]
    [InlineData("{\"outer\": [{\"b\": 1, \"b\": 1}]}")]
    public void Malformed_text_and_repeated_keys_are_format_errors_not_crashes(string text)
    {
        Assert.False(JsonText.TryParse(text, out _, out string? error));
        Assert.NotNull(error);
        Assert.Throws<FormatException>(() => JsonText.Parse(text));
    }

    [Fact]
    public void Numbers_read_alike_whether_parsed_or_made_in_code()
    {
        var parsed = JsonText.ParseObject("{\"i\": 3, \"f\": 3.0, \"x\": 2.5, \"s\": \"3\"}")!;
        Assert.Equal(3L, parsed["i"].Integer());
        Assert.Equal(3L, parsed["f"].Integer());
        Assert.Null(parsed["x"].Integer());
        Assert.Equal(2.5, parsed["x"].Number());
        Assert.Null(parsed["s"].Number());
        Assert.Equal(3L, ((JsonNode)3L).Integer());
        Assert.Equal(2.5, ((JsonNode)2.5).Number());
    }

    [Fact]
    public void A_record_file_reads_back_and_a_damaged_one_reads_as_nothing()
    {
        string file = Path.Combine(Directory.CreateTempSubdirectory("cog-json-").FullName, "record.json");
        File.WriteAllText(file, JsonText.Serialize(new Record { Name = "model", Count = 2 }));
        Assert.Contains("\"name\": \"model\"", File.ReadAllText(file));
        Assert.Equal(("model", 2), (JsonText.ReadFile<Record>(file)!.Name, JsonText.ReadFile<Record>(file)!.Count));

        File.WriteAllText(file, "{\"name\": ");
        Assert.Null(JsonText.ReadFile<Record>(file));
        Assert.Null(JsonText.ReadFile<Record>(file + ".missing"));
        Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
    }

    private sealed class Record
    {
        public string? Name { get; set; }
        public int Count { get; set; }
    }
}
