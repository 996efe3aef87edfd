using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Cog.Sdk.EndToEnd.Tests;

/// <summary>
/// A PEP 503 "simple" package index on 127.0.0.1 serving one wheel made by the test, because PyPI is not
/// reachable from the machines that run these tests. Builds reach it through CogPipIndexUrl with host networking.
/// </summary>
public sealed class LocalPackageIndex : IDisposable
{
    public const string PackageName = "cogsdk-greeting";
    public const string Version = "1.0.0";

    private readonly HttpListener _listener = new();
    private readonly byte[] _wheel;
    private readonly string _wheelName = "cogsdk_greeting-1.0.0-py3-none-any.whl";
    private readonly Task _serving;
    private int _wheelDownloads;

    public LocalPackageIndex()
    {
        _wheel = MakeWheel();
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public int Port { get; }

    /// <summary>The index URL to pass as CogPipIndexUrl.</summary>
    public string Url => $"http://127.0.0.1:{Port}/simple";

    /// <summary>How often pip fetched the wheel: proof that the build installed it from here.</summary>
    public int WheelDownloads => Volatile.Read(ref _wheelDownloads);

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
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
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }

            string path = context.Request.Url!.AbsolutePath.TrimEnd('/');
            byte[] body;
            string type = "text/html";
            if (path == "/simple")
            {
                body = Encoding.UTF8.GetBytes($"<html><body><a href=\"/simple/{PackageName}/\">{PackageName}</a></body></html>");
            }
            else if (path == "/simple/" + PackageName || path == "/simple/cogsdk_greeting")
            {
                string sha = Convert.ToHexString(SHA256.HashData(_wheel)).ToLowerInvariant();
                body = Encoding.UTF8.GetBytes($"<html><body><a href=\"/files/{_wheelName}#sha256={sha}\">{_wheelName}</a></body></html>");
            }
            else if (path == "/files/" + _wheelName)
            {
                Interlocked.Increment(ref _wheelDownloads);
                body = _wheel;
                type = "application/octet-stream";
            }
            else
            {
                context.Response.StatusCode = 404;
                body = Encoding.UTF8.GetBytes("not found");
            }

            context.Response.ContentType = type;
            context.Response.ContentLength64 = body.Length;
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
    }

    /// <summary>A pure-Python wheel of cogsdk-greeting 1.0.0 (its <c>greet(name)</c> returns "greetings, name").</summary>
    internal static byte[] MakeWheel()
    {
        var files = new Dictionary<string, string>
        {
            ["cogsdk_greeting/__init__.py"] = "def greet(name):\n    return 'greetings, ' + name\n",
            ["cogsdk_greeting-1.0.0.dist-info/METADATA"] = "Metadata-Version: 2.1\nName: cogsdk-greeting\nVersion: 1.0.0\n",
            ["cogsdk_greeting-1.0.0.dist-info/WHEEL"] = "Wheel-Version: 1.0\nGenerator: cog-sdk-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        };
        var record = new StringBuilder();
        foreach (var (name, content) in files)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(content);
            string digest = Convert.ToBase64String(SHA256.HashData(bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            record.Append($"{name},sha256={digest},{bytes.Length}\n");
        }

        record.Append("cogsdk_greeting-1.0.0.dist-info/RECORD,,\n");
        files["cogsdk_greeting-1.0.0.dist-info/RECORD"] = record.ToString();

        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in files)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open());
                writer.Write(content);
            }
        }

        return stream.ToArray();
    }

    private static int FreePort()
    {
        var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        int port = ((IPEndPoint)socket.LocalEndpoint).Port;
        socket.Stop();
        return port;
    }
}
