using System.Text;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Predict;
using Cog.Sdk.Testing;

namespace Cog.Sdk.Core.Tests.Predict;

/// <summary>
/// A prediction sent to a model server that runs elsewhere (CogPredictUrl), over real HTTP to a server on 127.0.0.1
/// that answers as Cog's does, or as a broken one would: every failure is one coded error, and nothing is written.
/// </summary>
public sealed class RemoteModelTests : IDisposable
{
    /// <summary>predict(self, text: str) -> str, as Cog's server describes it.</summary>
    private const string Schema = """
        {"openapi": "3.0.2", "info": {"title": "Cog", "version": "0.1.0"}, "paths": {}, "components": {"schemas": {
          "Input": {"title": "Input", "type": "object", "properties": {"text": {"title": "Text", "type": "string", "x-order": 0}}, "required": ["text"]},
          "Output": {"title": "Output", "type": "string"}}}}
        """;

    private const string Succeeded = """{"status": "succeeded", "output": "HELLO", "logs": ""}""";
    private readonly string _project = Directory.CreateTempSubdirectory("cog-remote-").FullName;
    private readonly List<Diagnostic> _reported = new();

    private string OutputDirectory => Path.Combine(_project, "cog-output");

    public void Dispose() => Directory.Delete(_project, recursive: true);

    /// <summary>A model server answering its health check with <paramref name="health"/>, and a prediction with <paramref name="prediction"/>.</summary>
    private static LoopbackServer Server(string health, Reply prediction) => new((request, _) => request.Path switch
    {
        "/health-check" => Json(200, "{\"status\": \"" + health + "\"}"),
        "/openapi.json" => Json(200, Schema),
        "/predictions" => prediction,
        _ => new Reply(404),
    });

    private static Reply Json(int status, string body) => new(status, Encoding.UTF8.GetBytes(body));

    private Task<WrittenOutput?> Predict(Uri url) =>
        Prediction.RunAsync(
            new PredictionJob(null, "remote-model", _project, InputParser.ParseInputString("text=hello", new DiagnosticBag()), OutputDirectory)
            {
                ServerUrl = url,
                SetupTimeout = TimeSpan.FromSeconds(60),
            },
            _ => { }, _reported.Add, CancellationToken.None);

    private async Task<Diagnostic> Fails(Uri url)
    {
        var e = await Assert.ThrowsAsync<CogException>(() => Predict(url));
        Assert.Empty(_reported);
        Assert.False(Directory.Exists(OutputDirectory), "a failed prediction wrote outputs");
        return e.Diagnostic;
    }

    [Fact]
    public async Task A_server_that_answers_as_Cog_does_gets_the_inputs_and_its_output_is_written()
    {
        using var server = Server("READY", Json(200, Succeeded));

        WrittenOutput? written = await Predict(new Uri(server.Url("/")));

        Assert.Equal("HELLO", written!.Text);
        Assert.Equal("HELLO", File.ReadAllText(Path.Combine(OutputDirectory, "output.txt")));
        ReceivedRequest posted = Assert.Single(server.Requests, r => r.Method == "POST");
        Assert.Equal("hello", posted.Json.GetProperty("input").GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_health_status_Cog_Sdk_does_not_know_is_COG4016_and_no_prediction_is_sent()
    {
        using var server = Server("DEFUNCT", Json(200, Succeeded));

        Diagnostic error = await Fails(new Uri(server.Url("/")));

        Assert.Equal("COG4016", error.Code);
        Assert.Contains("'DEFUNCT'", error.Message);
        Assert.DoesNotContain(server.Requests, r => r.Method == "POST");
    }

    [Theory]
    [InlineData(500, "<html><body>Internal Server Error</body></html>")]
    [InlineData(409, """{"error": "At capacity - all prediction slots busy", "status": "failed"}""")]
    public async Task A_prediction_answered_with_an_unexpected_HTTP_status_is_COG4020_with_the_answer(int status, string body)
    {
        using var server = Server("READY", Json(status, body));

        Diagnostic error = await Fails(new Uri(server.Url("/")));

        Assert.Equal("COG4020", error.Code);
        Assert.Contains("HTTP " + status, error.Message);
        Assert.Contains(body, error.Message);
        Assert.Single(server.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task A_server_that_is_not_there_is_COG4034_after_a_short_wait_not_the_setup_timeout()
    {
        var url = new Uri($"http://127.0.0.1:{TestRegistry.FreePort()}/");

        Diagnostic error = await Fails(url);

        Assert.Equal("COG4034", error.Code);
        Assert.Contains(url.ToString(), error.Message);
    }
}
