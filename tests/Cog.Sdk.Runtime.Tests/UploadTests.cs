using System.Text;
using System.Text.Json;
using Cog.Sdk.Testing;

namespace Cog.Sdk.Runtime.Tests;

/// <summary>The upload target the server of <see cref="UploadTests"/> is started with: it stores nothing,
/// records every PUT and answers 201 with a Location (with a query string the runtime must drop), except for
/// yield1.txt, which it refuses.</summary>
public sealed class UploadTarget : IDisposable
{
    public LoopbackServer Server { get; } = new((request, _) => request.Path.EndsWith("/yield1.txt", StringComparison.Ordinal)
        ? new Reply(500)
        : new Reply(201, Location: "/stored/" + request.Path.Split('/')[^1] + "?signature=abc"));

    public void Dispose() => Server.Dispose();
}

/// <summary>`--upload-url`: file outputs PUT to the upload server (started by the test on 127.0.0.1) and
/// their URLs returned, as Cog does (predictors/outputs).</summary>
public sealed class UploadTests(ServerPool servers, UploadTarget target) : IClassFixture<ServerPool>, IClassFixture<UploadTarget>
{
    private LoopbackServer Uploads => target.Server;

    private async Task<(JsonElement Prediction, IReadOnlyList<ReceivedRequest> Puts)> PredictAsync(Python python, object input)
    {
        var server = await servers.GetAsync(python, new RuntimeOptions("outputs") { Arguments = ["--upload-url", Uploads.Url("/uploads/")] });
        var before = Uploads.Requests.Count;
        var (_, prediction) = await server.PredictAsync(input);
        Assert.True(prediction.GetProperty("status").GetString() == "succeeded", prediction.ToString());
        return (prediction, Uploads.Requests.Skip(before).ToList());
    }

    private string Stored(string name) => Uploads.Url("/stored/" + name);

    [Theory]
    [InPython(Python.Host)]
    [InPython(Python.Container)]
    public async Task AReturnedPath_IsPut_AndItsLocationReturned(Python python)
    {
        var (prediction, puts) = await PredictAsync(python, new { shape = "path" });

        var put = Assert.Single(puts);
        Assert.Equal("PUT", put.Method);
        Assert.Equal("/uploads/single.txt", put.Path);
        Assert.Equal("text/plain", put.Header("Content-Type"));
        Assert.Equal("one file", put.Text);
        Assert.Equal(Stored("single.txt"), prediction.GetProperty("output").GetString());
    }

    [Theory]
    [InPython(Python.Host)]
    [InPython(Python.Container)]
    public async Task EachFileOfAReturnedList_IsPut(Python python)
    {
        var (prediction, puts) = await PredictAsync(python, new { shape = "list", count = 3 });

        Assert.Equal(["/uploads/item0.txt", "/uploads/item1.txt", "/uploads/item2.txt"], puts.Select(put => put.Path));
        Assert.Equal([Stored("item0.txt"), Stored("item1.txt"), Stored("item2.txt")],
            prediction.GetProperty("output").EnumerateArray().Select(url => url.GetString()));
    }

    [Theory]
    [InPython(Python.Host)]
    [InPython(Python.Container)]
    public async Task AYieldedFileThatFailsToUpload_IsLeftOut_AndTheLogsSayWhy(Python python)
    {
        var (prediction, puts) = await PredictAsync(python, new { shape = "iterator", count = 3 });

        Assert.Equal(["/uploads/yield0.txt", "/uploads/yield1.txt", "/uploads/yield2.txt"], puts.Select(put => put.Path));
        Assert.Equal([Stored("yield0.txt"), Stored("yield2.txt")], prediction.GetProperty("output").EnumerateArray().Select(url => url.GetString()));
        Assert.Contains("upload of yield1.txt", prediction.GetProperty("logs").GetString());
    }

    [Fact]
    public async Task OpenFiles_AreNamedByTheirPosition_KeepingTheirExtension()
    {
        var (opened, openedPuts) = await PredictAsync(Python.Host, new { shape = "open" });
        var (text, textPuts) = await PredictAsync(Python.Host, new { shape = "text" });

        Assert.Equal("/uploads/0.png", Assert.Single(openedPuts).Path);
        Assert.Equal("image/png", openedPuts[0].Header("Content-Type"));
        Assert.Equal(Stored("0.png"), opened.GetProperty("output").GetString());
        Assert.Equal("/uploads/0.bin", Assert.Single(textPuts).Path);
        Assert.Equal("hello text", textPuts[0].Text);
        Assert.Equal(Stored("0.bin"), text.GetProperty("output").GetString());
    }

    [Fact]
    public async Task FilesInsideAnObject_StayDataUrls()
    {
        var (prediction, puts) = await PredictAsync(Python.Host, new { shape = "nested" });

        Assert.Empty(puts);
        var output = prediction.GetProperty("output");
        Assert.Equal("data:text/plain;base64," + Convert.ToBase64String(Encoding.UTF8.GetBytes("nested")), output.GetProperty("file").GetString());
        Assert.StartsWith("data:application/json;base64,", output.GetProperty("files")[0].GetString());
    }

    [Fact]
    public async Task WithoutAnUploadUrl_FilesAreDataUrls()
    {
        var server = await servers.GetAsync(Python.Host, new RuntimeOptions("outputs"));

        var (_, prediction) = await server.PredictAsync(new { shape = "list", count = 1 });

        Assert.Equal("data:text/plain;base64," + Convert.ToBase64String(Encoding.UTF8.GetBytes("item 0")), prediction.GetProperty("output")[0].GetString());
    }
}
