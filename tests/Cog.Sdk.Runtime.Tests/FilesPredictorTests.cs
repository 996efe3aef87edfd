using System.Net;
using System.Text;
using System.Text.Json;
using Cog.Sdk.Testing;

namespace Cog.Sdk.Runtime.Tests;

public sealed class FilesServer : ServerFixture
{
    protected override string Predictor => "files";
}

/// <summary>Files in (data URLs and http URLs) and out (data URLs), File, Secret and a BaseModel output.</summary>
public sealed class FilesPredictorTests(FilesServer fixture) : IClassFixture<FilesServer>, IDisposable
{
    private readonly LoopbackServer fileHost = LoopbackServer.Files(new Dictionary<string, byte[]> { ["/pixel.png"] = Encoding.ASCII.GetBytes("png-bytes") });

    private RuntimeServer Server => fixture.Server;

    public void Dispose() => fileHost.Dispose();

    private static string DataUrl(string mime, string text) => $"data:{mime};base64,{Convert.ToBase64String(Encoding.UTF8.GetBytes(text))}";

    [Fact]
    public async Task Predict_DownloadsDataAndHttpUrls_KeepingExtensions_AndReturnsFilesAsDataUrls()
    {
        var (status, prediction) = await Server.PredictAsync(new
        {
            images = new[] { DataUrl("text/plain", "hello"), fileHost.Url("/pixel.png") },
        });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("succeeded", prediction.GetProperty("status").GetString());
        var output = prediction.GetProperty("output");
        var names = output.GetProperty("names").EnumerateArray().Select(name => name.GetString()!).ToList();
        Assert.EndsWith(".txt", names[0]);
        Assert.StartsWith("pixel", names[1]);
        Assert.EndsWith(".png", names[1]);
        var copies = output.GetProperty("copies").EnumerateArray().Select(copy => copy.GetString()).ToList();
        Assert.Equal([DataUrl("text/plain", "HELLO"), DataUrl("image/png", "PNG-BYTES")], copies);
        Assert.Equal(JsonValueKind.Null, output.GetProperty("document_size").ValueKind);
    }

    [Fact]
    public async Task Predict_OpensFileInputs_AndMasksSecrets()
    {
        var (_, prediction) = await Server.PredictAsync(new
        {
            images = DataUrl("text/plain", "a"),
            document = DataUrl("application/pdf", "12345"),
            token = "s3cret",
        });

        var output = prediction.GetProperty("output");
        Assert.Equal(5, output.GetProperty("document_size").GetInt32());
        Assert.Equal(6, output.GetProperty("token_length").GetInt32());
        Assert.Equal("**********", prediction.GetProperty("input").GetProperty("token").GetString());
        Assert.DoesNotContain("s3cret", prediction.GetRawText());
    }

    [Fact]
    public async Task Predict_RejectsAFileThatIsNotAUrl_NamingTheListItem()
    {
        var (status, body) = await Server.PredictAsync(new { images = new[] { DataUrl("text/plain", "a"), "/etc/passwd" } });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var error = Assert.Single(body.GetProperty("detail").EnumerateArray());
        Assert.Equal("""["body","input","images",1]""", error.GetProperty("loc").GetRawText());
    }

    [Fact]
    public async Task Predict_WhenADownloadFails_IsFailed()
    {
        var (_, prediction) = await Server.PredictAsync(new { images = new[] { fileHost.Url("/missing.png") } });

        Assert.Equal("failed", prediction.GetProperty("status").GetString());
        Assert.Contains("404", prediction.GetProperty("error").GetString());
    }

    [Fact]
    public async Task OpenApi_DescribesFilesSecretsAndTheOutputModel()
    {
        var schemas = (await Server.GetJsonAsync("openapi.json")).GetProperty("components").GetProperty("schemas");
        var properties = schemas.GetProperty("Input").GetProperty("properties");

        Assert.Equal("uri", properties.GetProperty("images").GetProperty("items").GetProperty("format").GetString());
        Assert.Equal("uri", properties.GetProperty("document").GetProperty("format").GetString());
        Assert.Equal("password", properties.GetProperty("token").GetProperty("format").GetString());
        Assert.True(properties.GetProperty("token").GetProperty("x-cog-secret").GetBoolean());
        var output = schemas.GetProperty("Output");
        Assert.Equal("object", output.GetProperty("type").GetString());
        Assert.Equal("uri", output.GetProperty("properties").GetProperty("copies").GetProperty("items").GetProperty("format").GetString());
        Assert.Equal(["copies", "names"], output.GetProperty("required").EnumerateArray().Select(name => name.GetString()));
    }
}
