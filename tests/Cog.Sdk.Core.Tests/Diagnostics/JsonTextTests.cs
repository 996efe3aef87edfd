using Cog.Sdk.Core.Json;

namespace Cog.Sdk.Core.Tests.Diagnostics;

public class JsonTextTests
{
    [Fact]
    public void Compact_output_is_one_line_and_reads_back()
    {
        var value = new Dictionary<string, object?>
        {
            ["text"] = "line one\nline \"two\"",
            ["list"] = new List<object?> { 1L, 2.5, true, null },
            ["nested"] = new Dictionary<string, object?> { ["empty"] = new List<object?>() },
        };

        string json = JsonText.Write(value);

        Assert.DoesNotContain("\n", json);
        Assert.Equal("{\"text\":\"line one\\nline \\\"two\\\"\",\"list\":[1,2.5,true,null],\"nested\":{\"empty\":[]}}", json);
        Assert.Equal(json, JsonText.Write(JsonText.Parse(json)));
    }

    [Fact]
    public void Indented_output_breaks_lines()
    {
        string json = JsonText.Write(new Dictionary<string, object?> { ["a"] = new List<object?> { 1L } }, indented: true);
        Assert.Equal("{\n  \"a\": [\n    1\n  ]\n}", json);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("[1,]")]
    [InlineData("\"unterminated")]
    [InlineData("{\"a\" 1}")]
    [InlineData("tru")]
    public void Malformed_text_is_a_format_error_not_a_crash(string text)
    {
        Assert.False(JsonText.TryParse(text, out _, out string? error));
        Assert.NotNull(error);
    }
}
