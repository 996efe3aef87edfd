using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Engine;
using Cog.Sdk.Core.Predict;

namespace Cog.Sdk.Core.Tests.Predict;

public class CommandLineTests
{
    [Theory]
    [InlineData("python predict.py", new[] { "python", "predict.py" })]
    [InlineData("  python   -c 'print(\"a b\")' ", new[] { "python", "-c", "print(\"a b\")" })]
    [InlineData("echo \"it's \\\"quoted\\\" \\$HOME\"", new[] { "echo", "it's \"quoted\" $HOME" })]
    [InlineData("echo a\\ b c''d \"\"", new[] { "echo", "a b", "cd", "" })]
    [InlineData("sh -c 'ls | wc -l'", new[] { "sh", "-c", "ls | wc -l" })]
    public void Commands_split_like_a_posix_shell(string line, string[] expected) =>
        Assert.Equal(expected, ShellWords.Split(line));

    [Theory]
    [InlineData("echo 'open")]
    [InlineData("echo \"open")]
    [InlineData("echo \\")]
    public void Unclosed_quotes_are_rejected(string line) => Assert.Throws<FormatException>(() => ShellWords.Split(line));

    [Theory]
    [InlineData("8888", "127.0.0.1:8888:8888")]
    [InlineData("8080:80", "127.0.0.1:8080:80")]
    [InlineData("0.0.0.0:8888", "0.0.0.0:8888:8888")]
    [InlineData("[::1]:8888", "[::1]:8888:8888")]
    [InlineData("0.0.0.0:8080:80", "0.0.0.0:8080:80")]
    [InlineData("http", null)]
    [InlineData("70000", null)]
    [InlineData("1:2:3:4", null)]
    public void Ports_publish_on_loopback_unless_an_address_is_given(string port, string? expected) =>
        Assert.Equal(expected, CommandRunner.ToPublishArgument(port));

    [Fact]
    public void Every_invalid_part_of_a_run_request_has_its_code()
    {
        var request = new RunRequest(new ContainerEngine(ContainerEngineKind.Docker, "docker", false), "image", "echo 'open", "/tmp")
        {
            Ports = new[] { "8888", "nope" },
            Environment = new[] { "GOOD=1", "PASSED_ON", "1BAD=x" },
        };
        var diagnostics = new DiagnosticBag();
        Assert.Null(CommandRunner.Validate(request, diagnostics));
        Assert.Equal(new[] { "COG3106", "COG3107", "COG3108" }, diagnostics.Select(d => d.Code));
    }

    [Fact]
    public void A_422_answer_lists_each_field()
    {
        var answer = JsonText.ParseObject(
            """{"detail": [{"loc": ["body", "input", "steps"], "msg": "ensure this value is less than or equal to 100", "type": "x"}, {"loc": ["body", "input", "prompt"], "msg": "field required"}]}""")!;
        Assert.Equal("- steps: ensure this value is less than or equal to 100\n- prompt: field required", ModelServer.DescribeValidationErrors(answer, ""));
    }
}
