using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Cog.Sdk.Testing;

/// <summary>
/// A real registry of the test's own: Debian's docker-registry (the CNCF distribution registry) on a free 127.0.0.1
/// port, with its storage in a temporary folder, optionally behind htpasswd basic auth. Its access log is the proof of
/// what a push sent. The engines treat 127.0.0.0/8 as an insecure (plain HTTP) registry, so no TLS is needed.
/// Stopped and removed by <see cref="Dispose"/>, or by a watchdog when the test process dies.
/// </summary>
public sealed class TestRegistry : IDisposable
{
    /// <summary>The one account of a registry with login; the password is a throw-away for tests.</summary>
    public const string User = "cogtest";
    public const string Password = "cogtest-password";

    // htpasswd -Bbn cogtest cogtest-password (the registry accepts bcrypt only).
    private const string PasswordHash = "$2y$05$3zhUWXAA745JAmmrKDaHVeWGrpEB8HP4rbtFUsfG5xG3TyJWG0ye2";

    private static readonly Regex Request = new("\"(GET|HEAD|POST|PUT|PATCH|DELETE) (\\S+) HTTP/");

    private readonly Process _process;
    private readonly List<string> _log = new();
    private readonly CleanupWatchdog _cleanup;
    private readonly bool _requiresLogin;

    private TestRegistry(bool requiresLogin)
    {
        _requiresLogin = requiresLogin;
        Folder = Path.Combine(Path.GetTempPath(), "cogtest-registry-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Folder);
        Port = FreePort();
        string auth = "";
        if (requiresLogin)
        {
            File.WriteAllText(Path.Combine(Folder, "htpasswd"), $"{User}:{PasswordHash}\n");
            auth = $"auth:\n  htpasswd:\n    realm: cogtest\n    path: {Folder}/htpasswd\n";
        }

        File.WriteAllText(Path.Combine(Folder, "config.yml"),
            $"version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: false\nstorage:\n  filesystem:\n    rootdirectory: {Folder}/data\n"
            + $"  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{Port}\n{auth}");
        var start = new ProcessStartInfo(Executable ?? "docker-registry", $"serve {Folder}/config.yml")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Folder,
        };
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Collect(e.Data);
        _process.ErrorDataReceived += (_, e) => Collect(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _cleanup = new CleanupWatchdog($"kill {_process.Id} 2>/dev/null && sleep 1; kill -9 {_process.Id} 2>/dev/null; rm -rf '{Folder}'");
        WaitUntilServing();
    }

    /// <summary>The docker-registry binary (Debian's docker-registry package); null when it is not installed.</summary>
    public static string? Executable => TestEngine.FindOnPath("docker-registry");

    /// <summary>Why registry tests skip here; null when they run (always null under CI=true: .ci/run installs the registry).</summary>
    public static string? SkipReason =>
        TestEngine.SkipReason ?? (Executable != null || TestEngine.IsCI ? null
            : "No docker-registry on PATH. Install Debian's docker-registry package (apt-get install docker-registry); under CI=true this is a failure.");

    public string Folder { get; }

    public int Port { get; }

    /// <summary>What image names start with to go to this registry: <c>127.0.0.1:PORT</c>.</summary>
    public string Host => "127.0.0.1:" + Port;

    /// <summary>A registry without auth: anyone may push.</summary>
    public static TestRegistry Open() => new(requiresLogin: false);

    /// <summary>A registry with htpasswd auth: a push without <c>docker login</c> (as <see cref="User"/>) is refused.</summary>
    public static TestRegistry WithLogin() => new(requiresLogin: true);

    /// <summary>Every request the registry served so far, as "METHOD /path", from its access log.</summary>
    public IReadOnlyList<string> Requests()
    {
        lock (_log)
        {
            return _log.Select(line => Request.Match(line)).Where(m => m.Success).Select(m => m.Groups[1].Value + " " + m.Groups[2].Value).ToList();
        }
    }

    /// <summary>The requests that started or sent a blob upload: what a push that uploads something makes.</summary>
    public static IReadOnlyList<string> Uploads(IEnumerable<string> requests) =>
        requests.Where(r => r.Contains("/blobs/uploads/", StringComparison.Ordinal) && !r.StartsWith("HEAD ", StringComparison.Ordinal) && !r.StartsWith("GET ", StringComparison.Ordinal)).ToList();

    /// <summary>The digest the registry serves the manifest of <paramref name="repository"/>:<paramref name="tag"/> under; null when it has none.</summary>
    public string? ManifestDigest(string repository, string tag)
    {
        using var http = Client();
        using var request = new HttpRequestMessage(HttpMethod.Head, $"http://{Host}/v2/{repository}/manifests/{tag}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.docker.distribution.manifest.v2+json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.oci.image.manifest.v1+json"));
        using var response = http.Send(request);
        return response.IsSuccessStatusCode && response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.First() : null;
    }

    /// <summary>The tags the registry has for <paramref name="repository"/>.</summary>
    public IReadOnlyList<string> Tags(string repository)
    {
        using var http = Client();
        using var response = http.GetAsync($"http://{Host}/v2/{repository}/tags/list").GetAwaiter().GetResult();
        if (!response.IsSuccessStatusCode)
        {
            return Array.Empty<string>();
        }

        using var json = JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
        return json.RootElement.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array
            ? tags.EnumerateArray().Select(t => t.GetString()!).OrderBy(t => t, StringComparer.Ordinal).ToList()
            : Array.Empty<string>();
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        finally
        {
            _process.Dispose();
            _cleanup.Dispose();
        }
    }

    /// <summary>A port nobody listens on (at the moment of asking): for a registry that is down.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private HttpClient Client()
    {
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        if (_requiresLogin)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(User + ":" + Password)));
        }

        return http;
    }

    private void Collect(string? line)
    {
        if (line != null)
        {
            lock (_log)
            {
                _log.Add(line);
            }
        }
    }

    private void WaitUntilServing()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            try
            {
                using var response = http.GetAsync($"http://{Host}/v2/").GetAwaiter().GetResult();
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            Thread.Sleep(100);
        }

        string log;
        lock (_log)
        {
            log = string.Join("\n", _log);
        }

        Dispose();
        throw new InvalidOperationException($"docker-registry did not serve on {Host}:\n{log}");
    }
}

/// <summary>A test that needs a container engine and a registry of its own (<see cref="TestRegistry"/>).</summary>
public sealed class RegistryFactAttribute : FactAttribute
{
    public RegistryFactAttribute()
    {
        if (TestRegistry.SkipReason is string reason)
        {
            Skip = reason;
        }
    }
}
