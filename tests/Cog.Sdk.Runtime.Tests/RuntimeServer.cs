using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Cog.Sdk.Testing;
using Xunit.Sdk;

namespace Cog.Sdk.Runtime.Tests;

/// <summary>Which Python runs the runtime: the machine's python3 (3.11), or python:3.13-slim in the container engine.</summary>
public enum Python
{
    Host,
    Container,
}

/// <summary>
/// A theory row run with one <see cref="Python"/> (and any further arguments). The container row is skipped,
/// with the reason, where no engine answers, and fails under CI=true, as [EngineFact] tests do.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class InPythonAttribute : DataAttribute
{
    private readonly object[] row;

    public InPythonAttribute(Python python, params object[] arguments)
    {
        row = [python, .. arguments];
        if (python == Python.Container && TestEngine.SkipReason is string reason)
        {
            Skip = reason;
        }
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [row];
}

/// <summary>How to start the runtime: the folder under predictors/, COG_PREDICTOR (null: leave it unset), more environment and arguments.</summary>
public sealed record RuntimeOptions(string Predictor, string? Reference = "predict.py:Predictor")
{
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<string> Arguments { get; init; } = [];

    public string Key => string.Join("|", [Predictor, Reference ?? "", .. Environment.OrderBy(pair => pair.Key).Select(pair => pair.Key + "=" + pair.Value), .. Arguments]);
}

/// <summary>Runs the Python runtime (src/cog-runtime) the way an image does, on the host or in a python:3.13-slim container.</summary>
public static class PythonRuntime
{
    public const string ContainerImage = "python:3.13-slim";

    /// <summary>The label on every container these tests start, so that a test can find its own.</summary>
    public const string ContainerLabel = "cog-sdk.test=runtime";

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string TestProjectFolder => Path.Combine(RepoRoot, "tests", "Cog.Sdk.Runtime.Tests");

    public static string PredictorFolder(string predictor) => Path.Combine(TestProjectFolder, "predictors", predictor);

    /// <summary>
    /// `python3 COMMAND` in the predictor's folder with the runtime importable. In a container (named
    /// <paramref name="containerName"/>) the runtime and the folder are mounted read-only and the network
    /// is the host's, so that the server's 127.0.0.1 port and the tests' receivers on 127.0.0.1 are the same
    /// in both Pythons.
    /// </summary>
    public static ProcessStartInfo StartInfo(Python python, RuntimeOptions options, IEnumerable<string> command, string containerName)
    {
        var environment = new Dictionary<string, string>
        {
            // Keeps __pycache__ folders out of the source tree the predictors live in.
            ["PYTHONDONTWRITEBYTECODE"] = "1",
            ["PYTHONUNBUFFERED"] = "1",
        };
        if (options.Reference is not null)
        {
            environment["COG_PREDICTOR"] = options.Reference;
        }
        foreach (var (name, value) in options.Environment)
        {
            environment[name] = value;
        }
        var runtime = Path.Combine(RepoRoot, "src", "cog-runtime");
        ProcessStartInfo startInfo;
        if (python == Python.Host)
        {
            startInfo = new ProcessStartInfo("python3") { WorkingDirectory = PredictorFolder(options.Predictor) };
            startInfo.Environment.Remove("COG_PREDICTOR");
            startInfo.Environment["PYTHONPATH"] = runtime;
            foreach (var (name, value) in environment)
            {
                startInfo.Environment[name] = value;
            }
        }
        else
        {
            startInfo = new ProcessStartInfo(TestEngine.Docker);
            string[] run = ["run", "--rm", "--name", containerName, "--label", ContainerLabel, "--network", "host",
                "-v", runtime + ":/runtime:ro", "-v", PredictorFolder(options.Predictor) + ":/src:ro", "-w", "/src", "-e", "PYTHONPATH=/runtime"];
            foreach (var argument in run.Concat(environment.SelectMany(pair => new[] { "-e", pair.Key + "=" + pair.Value })).Append(ContainerImage).Append("python"))
            {
                startInfo.ArgumentList.Add(argument);
            }
        }
        foreach (var argument in command)
        {
            startInfo.ArgumentList.Add(argument);
        }
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        startInfo.UseShellExecute = false;
        return startInfo;
    }

    public static string NewContainerName() => "cog-sdk-runtime-test-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Runs a short command (the schema command, a check script) to its end; its container is removed.</summary>
    public static (int ExitCode, string StandardOutput, string StandardError) Run(Python python, RuntimeOptions options, IEnumerable<string> command)
    {
        var name = NewContainerName();
        try
        {
            return Run(StartInfo(python, options, command, name));
        }
        finally
        {
            if (python == Python.Container)
            {
                RemoveContainer(name);
            }
        }
    }

    /// <summary>Runs a process to its end, killing it after a minute.</summary>
    public static (int ExitCode, string StandardOutput, string StandardError) Run(ProcessStartInfo startInfo)
    {
        using var process = Process.Start(startInfo)!;
        var standardError = process.StandardError.ReadToEndAsync();
        var standardOutput = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{startInfo.FileName} {string.Join(' ', startInfo.ArgumentList)} did not finish");
        }
        return (process.ExitCode, standardOutput.Result, standardError.Result);
    }

    /// <summary>`docker rm -f`: the container is gone whatever state it was in.</summary>
    public static void RemoveContainer(string name) => TestEngine.Run("rm", "--force", name);

    private static string FindRepoRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Cog.Sdk.sln")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException("Cog.Sdk.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>
/// One `python -m cog.server.http` on a free loopback port, driven over real HTTP.
/// Disposing kills it (and removes its container), so no test leaves a server behind.
/// </summary>
public sealed class RuntimeServer : IDisposable
{
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromSeconds(60);
    private readonly Process process;
    private readonly string? containerName;
    private readonly StringBuilder output = new();

    private RuntimeServer(Process process, int port, string? containerName)
    {
        this.process = process;
        this.containerName = containerName;
        Port = port;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(60) };
        process.OutputDataReceived += (_, line) => Append(line.Data);
        process.ErrorDataReceived += (_, line) => Append(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }

    public HttpClient Client { get; }

    /// <summary>What the server wrote to stdout and stderr: the container log.</summary>
    public string Log
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public bool HasExited => process.HasExited;

    /// <summary>The container the server runs in; null on the host.</summary>
    public string? ContainerName => containerName;

    public int ExitCode => process.ExitCode;

    public static RuntimeServer Start(Python python, RuntimeOptions options)
    {
        var port = FreePort();
        var name = PythonRuntime.NewContainerName();
        var startInfo = PythonRuntime.StartInfo(python, options,
            ["-m", "cog.server.http", "--host", "127.0.0.1", "--port", port.ToString(), .. options.Arguments], name);
        return new RuntimeServer(Process.Start(startInfo)!, port, python == Python.Container ? name : null);
    }

    /// <summary>Starts the server on the host's python3.</summary>
    public static RuntimeServer Start(RuntimeOptions options) => Start(Python.Host, options);

    /// <summary>Starts the server and waits until setup has finished, successfully or not.</summary>
    public static async Task<RuntimeServer> StartSetUpAsync(Python python, RuntimeOptions options)
    {
        var server = Start(python, options);
        try
        {
            await server.WaitForSetupAsync();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    public static Task<RuntimeServer> StartSetUpAsync(RuntimeOptions options) => StartSetUpAsync(Python.Host, options);

    /// <summary>The first health-check answer, once the server listens.</summary>
    public async Task<JsonElement> FirstHealthAsync()
    {
        var deadline = DateTime.UtcNow + SetupTimeout;
        while (true)
        {
            try
            {
                return await GetJsonAsync("health-check");
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(50);
            }
            catch (HttpRequestException problem)
            {
                throw new InvalidOperationException("The runtime did not start:\n" + Log, problem);
            }
        }
    }

    /// <summary>Polls /health-check like `cog predict` does, until the status is no longer STARTING.</summary>
    public async Task<JsonElement> WaitForSetupAsync()
    {
        var deadline = DateTime.UtcNow + SetupTimeout;
        var health = await FirstHealthAsync();
        while (health.GetProperty("status").GetString() == "STARTING")
        {
            Assert.True(DateTime.UtcNow < deadline, "setup did not finish:\n" + Log);
            await Task.Delay(50);
            health = await GetJsonAsync("health-check");
        }
        return health;
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        return await ReadJsonAsync(response);
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, object? body = null,
        bool respondAsync = false, IReadOnlyDictionary<string, string>? headers = null)
    {
        using var request = Request(method, path, body, respondAsync, headers);
        using var response = await Client.SendAsync(request);
        return (response.StatusCode, await ReadJsonAsync(response));
    }

    /// <summary>POST /predictions with {"input": input}.</summary>
    public Task<(HttpStatusCode Status, JsonElement Body)> PredictAsync(object input, bool respondAsync = false) =>
        SendAsync(HttpMethod.Post, "predictions", new { input }, respondAsync);

    /// <summary>A request with `Accept: text/event-stream`: the status, then each event as it arrives.</summary>
    public async IAsyncEnumerable<ServerEvent> EventsAsync(HttpMethod method, string path, object? body,
        [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        using var request = Request(method, path, body, respondAsync: false, new Dictionary<string, string> { ["Accept"] = "text/event-stream" });
        using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            yield return new ServerEvent("status:" + (int)response.StatusCode, await ReadJsonAsync(response));
            yield break;
        }
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellation));
        string? name = null;
        while (await reader.ReadLineAsync(cancellation) is string line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                using var document = JsonDocument.Parse(line["data: ".Length..]);
                yield return new ServerEvent(name!, document.RootElement.Clone());
            }
        }
    }

    /// <summary>Polls GET /predictions/{id} (or /trainings/{id}) until the job has a final status.</summary>
    public async Task<JsonElement> WaitForPredictionAsync(string id, string kind = "predictions")
    {
        var deadline = DateTime.UtcNow + SetupTimeout;
        while (true)
        {
            var prediction = await GetJsonAsync(kind + "/" + id);
            if (prediction.GetProperty("status").GetString() is "succeeded" or "failed" or "canceled")
            {
                return prediction;
            }
            Assert.True(DateTime.UtcNow < deadline, "prediction did not finish:\n" + Log);
            await Task.Delay(50);
        }
    }

    public bool WaitForExit(TimeSpan timeout) => process.WaitForExit(timeout);

    public void Dispose()
    {
        Client.Dispose();
        if (containerName is not null)
        {
            PythonRuntime.RemoveContainer(containerName);
        }
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
        process.WaitForExit();
        process.Dispose();
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, object? body, bool respondAsync, IReadOnlyDictionary<string, string>? headers)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is string json)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        if (respondAsync)
        {
            request.Headers.Add("Prefer", "respond-async");
        }
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.Add(name, value);
        }
        return request;
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>One server-sent event; a refused stream is one event named `status:CODE` with the JSON body.</summary>
public sealed record ServerEvent(string Name, JsonElement Data);

/// <summary>The servers of one test class, one per Python and options, started on first use and set up once.</summary>
public sealed class ServerPool : IAsyncLifetime
{
    private readonly Dictionary<string, Task<RuntimeServer>> servers = [];

    public Task<RuntimeServer> GetAsync(Python python, RuntimeOptions options)
    {
        lock (servers)
        {
            var key = python + "|" + options.Key;
            if (!servers.TryGetValue(key, out var server))
            {
                servers[key] = server = RuntimeServer.StartSetUpAsync(python, options);
            }
            return server;
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var server in servers.Values)
        {
            try
            {
                (await server).Dispose();
            }
            catch (Exception)
            {
                // It failed to start; StartSetUpAsync disposed it already.
            }
        }
    }
}

/// <summary>A server shared by the tests of one class, on the host's python3: one process per predictor, set up once.</summary>
public abstract class ServerFixture : IAsyncLifetime
{
    private RuntimeServer? server;

    public RuntimeServer Server => server ?? throw new InvalidOperationException("not started");

    protected abstract string Predictor { get; }

    /// <summary>COG_PREDICTOR; null to find the predictor through cog.yaml.</summary>
    protected virtual string? Reference => "predict.py:Predictor";

    public async Task InitializeAsync() => server = await RuntimeServer.StartSetUpAsync(new RuntimeOptions(Predictor, Reference));

    public Task DisposeAsync()
    {
        server?.Dispose();
        return Task.CompletedTask;
    }
}
