using System.Net;
using System.Text;
using System.Text.Json;

namespace Cog.Sdk.Testing;

/// <summary>
/// An HTTP server a test starts on 127.0.0.1 (a webhook receiver, an upload target, a file host): it
/// records every request and answers each by the test's rule, concurrently, so that a slow answer
/// to one request does not hold up the next.
/// </summary>
public sealed class LoopbackServer : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly Func<ReceivedRequest, int, Reply> respond;
    private readonly List<ReceivedRequest> requests = [];
    private readonly string prefix;

    /// <param name="respond">The reply to a request, given the request and how many arrived before it.</param>
    public LoopbackServer(Func<ReceivedRequest, int, Reply>? respond = null)
    {
        this.respond = respond ?? ((_, _) => new Reply(200));
        // HttpListener cannot pick a free port itself: try ports until one is free.
        for (var attempt = 0; ; attempt++)
        {
            prefix = $"http://127.0.0.1:{Random.Shared.Next(20000, 60000)}/";
            listener.Prefixes.Add(prefix);
            try
            {
                listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 20)
            {
                listener.Prefixes.Clear();
            }
        }
        _ = Task.Run(ServeAsync);
    }

    /// <summary>Serves fixed files by path, 404 for anything else.</summary>
    public static LoopbackServer Files(IReadOnlyDictionary<string, byte[]> files) =>
        new((request, _) => files.TryGetValue(request.Path, out var content) ? new Reply(200, content) : new Reply(404));

    public string Url(string path) => prefix.TrimEnd('/') + path;

    /// <summary>The requests received so far, in order of arrival.</summary>
    public IReadOnlyList<ReceivedRequest> Requests
    {
        get
        {
            lock (requests)
            {
                return [.. requests];
            }
        }
    }

    /// <summary>Waits until the requests received satisfy <paramref name="done"/>, failing after <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyList<ReceivedRequest>> WaitForAsync(Func<IReadOnlyList<ReceivedRequest>, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!done(Requests))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{Requests.Count} requests arrived, not the ones expected:\n" +
                string.Join("\n", Requests.Select(request => $"{request.Method} {request.Path} {request.Text}")));
            await Task.Delay(50);
        }
        return Requests;
    }

    public void Dispose() => listener.Close();

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception) when (!listener.IsListening)
            {
                return;
            }
            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        using var body = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(body);
        var headers = context.Request.Headers.AllKeys.Where(key => key is not null)
            .ToDictionary(key => key!, key => context.Request.Headers[key]!, StringComparer.OrdinalIgnoreCase);
        var request = new ReceivedRequest(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, body.ToArray(), headers, DateTime.UtcNow);
        int index;
        lock (requests)
        {
            index = requests.Count;
            requests.Add(request);
        }
        var reply = respond(request, index);
        try
        {
            await Task.Delay(reply.Delay);
            context.Response.StatusCode = reply.Status;
            if (reply.Location is not null)
            {
                context.Response.Headers["Location"] = reply.Location;
            }
            if (reply.Body is not null)
            {
                context.Response.ContentType = "application/octet-stream";
                await context.Response.OutputStream.WriteAsync(reply.Body);
            }
            context.Response.Close();
        }
        catch (Exception) when (!listener.IsListening)
        {
            // Disposed while answering.
        }
    }
}

/// <summary>What a <see cref="LoopbackServer"/> received.</summary>
public sealed record ReceivedRequest(string Method, string Path, byte[] Body, IReadOnlyDictionary<string, string> Headers, DateTime ReceivedAt)
{
    public string Text => Encoding.UTF8.GetString(Body);

    public JsonElement Json
    {
        get
        {
            using var document = JsonDocument.Parse(Body);
            return document.RootElement.Clone();
        }
    }

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>How a <see cref="LoopbackServer"/> answers one request.</summary>
public sealed record Reply(int Status, byte[]? Body = null, string? Location = null, TimeSpan Delay = default);
