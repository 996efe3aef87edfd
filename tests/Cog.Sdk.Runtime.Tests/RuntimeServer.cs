using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Cog.Sdk.Runtime.Tests;

/// <summary>Runs the Python runtime (src/cog-runtime) with the machine's python3, the way an image does.</summary>
public static class PythonRuntime
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string TestProjectFolder => Path.Combine(RepoRoot, "tests", "Cog.Sdk.Runtime.Tests");

    public static string PredictorFolder(string predictor) => Path.Combine(TestProjectFolder, "predictors", predictor);

    /// <summary>python3 in the predictor's folder with the runtime importable; COG_PREDICTOR set unless className is null.</summary>
    public static ProcessStartInfo StartInfo(string predictor, string? className, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo("python3")
        {
            WorkingDirectory = PredictorFolder(predictor),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        startInfo.Environment["PYTHONPATH"] = Path.Combine(RepoRoot, "src", "cog-runtime");
        // Keeps __pycache__ folders out of the source tree the predictors live in.
        startInfo.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        startInfo.Environment["PYTHONUNBUFFERED"] = "1";
        startInfo.Environment.Remove("COG_PREDICTOR");
        if (className is not null)
        {
            startInfo.Environment["COG_PREDICTOR"] = "predict.py:" + className;
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }
        return startInfo;
    }

    /// <summary>Runs a short python3 command to its end.</summary>
    public static (int ExitCode, string StandardOutput, string StandardError) Run(ProcessStartInfo startInfo)
    {
        using var process = Process.Start(startInfo)!;
        var standardError = process.StandardError.ReadToEndAsync();
        var standardOutput = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(30_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"python3 {string.Join(' ', startInfo.ArgumentList)} did not finish");
        }
        return (process.ExitCode, standardOutput, standardError.Result);
    }

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
/// One `python3 -m cog.server.http` process on a free loopback port, driven over real HTTP.
/// Disposing kills it, so no test leaves a server behind.
/// </summary>
public sealed class RuntimeServer : IDisposable
{
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromSeconds(30);
    private readonly Process process;
    private readonly StringBuilder output = new();

    private RuntimeServer(Process process, int port)
    {
        this.process = process;
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

    public int ExitCode => process.ExitCode;

    /// <summary>Starts the server; COG_PREDICTOR is left unset when className is null (cog.yaml fallback).</summary>
    public static RuntimeServer Start(string predictor, string? className = "Predictor",
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = FreePort();
        var startInfo = PythonRuntime.StartInfo(predictor, className,
            ["-m", "cog.server.http", "--host", "127.0.0.1", "--port", port.ToString()], environment);
        return new RuntimeServer(Process.Start(startInfo)!, port);
    }

    /// <summary>Starts the server and waits until setup has finished, successfully or not.</summary>
    public static async Task<RuntimeServer> StartSetUpAsync(string predictor, string? className = "Predictor")
    {
        var server = Start(predictor, className);
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
        bool respondAsync = false)
    {
        using var request = new HttpRequestMessage(method, path);
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
        using var response = await Client.SendAsync(request);
        return (response.StatusCode, await ReadJsonAsync(response));
    }

    /// <summary>POST /predictions with {"input": input}.</summary>
    public Task<(HttpStatusCode Status, JsonElement Body)> PredictAsync(object input, bool respondAsync = false) =>
        SendAsync(HttpMethod.Post, "predictions", new { input }, respondAsync);

    /// <summary>Polls GET /predictions/{id} until the prediction has a final status.</summary>
    public async Task<JsonElement> WaitForPredictionAsync(string id)
    {
        var deadline = DateTime.UtcNow + SetupTimeout;
        while (true)
        {
            var prediction = await GetJsonAsync("predictions/" + id);
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
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
        process.WaitForExit();
        process.Dispose();
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

/// <summary>A server shared by the tests of one class: one process per predictor, set up once.</summary>
public abstract class ServerFixture : IAsyncLifetime
{
    private RuntimeServer? server;

    public RuntimeServer Server => server ?? throw new InvalidOperationException("not started");

    protected abstract string Predictor { get; }

    /// <summary>The class named in COG_PREDICTOR; null to find it through cog.yaml.</summary>
    protected virtual string? ClassName => "Predictor";

    public async Task InitializeAsync() => server = await RuntimeServer.StartSetUpAsync(Predictor, ClassName);

    public Task DisposeAsync()
    {
        server?.Dispose();
        return Task.CompletedTask;
    }
}
