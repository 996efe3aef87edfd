using System.Net;
using System.Text;
using Cog.Sdk.Testing;

namespace Cog.Sdk.Core.Tests.Engine;

/// <summary>
/// A registry endpoint that answers every upload with one refusal of the registry API (distribution spec's error codes),
/// for the two refusals a self-hosted registry never gives: DENIED (Docker Hub, GHCR, ECR for a repository the account
/// may not push to) and NAME_UNKNOWN (Replicate for a model that was not created). The engine under test is real; what
/// it prints for the refusal is what the classification reads.
/// </summary>
internal sealed class RefusingRegistry : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _serving;
    private readonly HttpStatusCode _status;
    private readonly string _code;
    private readonly string _message;
    private readonly string _detail;

    /// <param name="detail">JSON; with a detail (or a message of its own) the engine keeps the error whole and does not retry.</param>
    public RefusingRegistry(HttpStatusCode status, string code, string message, string detail)
    {
        _status = status;
        _code = code;
        _message = message;
        _detail = detail;
        Port = TestRegistry.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    /// <summary>As GHCR refuses a package the token may not write.</summary>
    public static RefusingRegistry Denying() => new(HttpStatusCode.Forbidden, "DENIED", "permission_denied: write_package", "null");

    /// <summary>As the distribution registry says that a repository does not exist (Replicate: no such model).</summary>
    public static RefusingRegistry WithoutRepositories() => new(HttpStatusCode.NotFound, "NAME_UNKNOWN", "repository name not known to registry", "{\"name\":\"model\"}");

    public int Port { get; }

    public string Host => "127.0.0.1:" + Port;

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _serving.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The listener stopped under a pending request.
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException || e is ObjectDisposedException || e is InvalidOperationException)
            {
                return;
            }

            HttpListenerResponse response = context.Response;
            response.Headers["Docker-Distribution-API-Version"] = "registry/2.0";
            string path = context.Request.Url!.AbsolutePath;
            if (path == "/v2/" || path == "/v2")
            {
                Answer(response, HttpStatusCode.OK, "{}");
            }
            else if (context.Request.HttpMethod == "HEAD" && path.Contains("/blobs/", StringComparison.Ordinal))
            {
                // No blob is known: the engine goes on to upload, and is refused there.
                Answer(response, HttpStatusCode.NotFound, "");
            }
            else
            {
                Answer(response, _status, $"{{\"errors\":[{{\"code\":\"{_code}\",\"message\":\"{_message}\",\"detail\":{_detail}}}]}}");
            }
        }
    }

    private static void Answer(HttpListenerResponse response, HttpStatusCode status, string body)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        response.StatusCode = (int)status;
        response.ContentType = "application/json";
        response.ContentLength64 = bytes.Length;
        response.OutputStream.Write(bytes);
        response.Close();
    }
}
