using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Engine;

namespace Cog.Sdk.Core.Predict
{
    /// <summary>One prediction against a built image (CogPredict).</summary>
    public sealed class PredictionRequest
    {
        public PredictionRequest(ContainerEngine engine, string image, JsonObject input)
        {
            Engine = engine;
            Image = image;
            Input = input;
        }

        public ContainerEngine Engine { get; }
        public string Image { get; }

        /// <summary>The "input" object, as <see cref="InputBinder.Bind"/> makes it.</summary>
        public JsonObject Input { get; }

        public GpuMode Gpus { get; set; } = GpuMode.Auto;

        /// <summary>cog.yaml's build.gpu, which <see cref="GpuMode.Auto"/> follows.</summary>
        public bool ConfigUsesGpu { get; set; }

        /// <summary>How long setup() may take before the model counts as hung (Cog's --setup-timeout).</summary>
        public TimeSpan SetupTimeout { get; set; } = TimeSpan.FromSeconds(300);

        /// <summary>How long predict() may take; null for no limit (as Cog: only cancellation stops it).</summary>
        public TimeSpan? PredictionTimeout { get; set; }

        /// <summary>Extra "NAME=value" environment variables for the container.</summary>
        public IReadOnlyList<string> Environment { get; set; } = Array.Empty<string>();
    }

    /// <summary>What a successful prediction returned.</summary>
    public sealed class PredictionResult
    {
        internal PredictionResult(JsonObject response)
        {
            Response = response;
        }

        /// <summary>The whole prediction object the server answered (id, status, output, logs, metrics, ...).</summary>
        public JsonObject Response { get; }

        /// <summary>The output: a JSON value (strings, numbers, lists, objects); files are data URLs.</summary>
        public JsonNode? Output => Response["output"];

        /// <summary>What predict() printed.</summary>
        public string Logs => Response.String("logs") ?? "";

        /// <summary>Seconds predict() ran, when the server measured it.</summary>
        public double? PredictTime => (Response["metrics"] as JsonObject)?["predict_time"].Number();
    }

    /// <summary>
    /// Runs one prediction the way `cog predict IMAGE` does: starts the image's HTTP server in a container published
    /// on a loopback port, waits for setup() to finish, posts the input, and always removes the container.
    /// </summary>
    public static class PredictionRunner
    {
        private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(150);
        private static readonly TimeSpan HealthRequestTimeout = TimeSpan.FromSeconds(2);
        private const int LogLinesInErrors = 30;

        /// <param name="log">Receives the container's log lines as they come, and progress messages.</param>
        /// <param name="report">Receives coded warnings (GPU fallback, a container that could not be removed).</param>
        /// <exception cref="CogException">Any failure, as one coded error.</exception>
        /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> fires; the container is removed first.</exception>
        public static async Task<PredictionResult> RunAsync(PredictionRequest request, Action<string> log, Action<Diagnostic> report, CancellationToken cancellationToken)
        {
            log = ContainerCli.Serialized(log);
            ContainerEngine engine = request.Engine;
            await ContainerCli.InspectImageAsync(engine, request.Image, cancellationToken).ConfigureAwait(false);
            string name = ContainerCli.NewContainerName("predict", request.Image);
            var recentLines = new RecentLines(LogLinesInErrors);
            using var stopFollowing = new CancellationTokenSource();
            Task? following = null;
            try
            {
                log($"Starting container {name} from {request.Image}...");
                ProcessResult started = await ContainerCli.StartWithGpuFallbackAsync(
                    engine, name, request.Gpus, request.ConfigUsesGpu,
                    gpu => engine.RunAsync(StartArguments(request, name, gpu), cancellationToken),
                    report).ConfigureAwait(false);
                if (!started.Succeeded)
                {
                    throw new CogException(Diagnostic.Error(ProcessMessages.ContainerStartFailed, SourceLocation.None, request.Image, ContainerCli.LastLine(started.StandardError)));
                }

                following = FollowLogsAsync(engine, name, line => { recentLines.Add(line); log(line); }, stopFollowing.Token);
                int port = await ReadPublishedPortAsync(engine, name, following, recentLines, cancellationToken).ConfigureAwait(false);
                using var http = new HttpClient { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
                var server = new Uri($"http://127.0.0.1:{port}/");
                await WaitUntilReadyAsync(http, server, request.SetupTimeout, following, recentLines, cancellationToken).ConfigureAwait(false);
                log("Running prediction...");
                return await PredictAsync(http, server, request, following, recentLines, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await ContainerCli.RemoveAsync(engine, name, report).ConfigureAwait(false);
                if (following != null)
                {
                    // `logs -f` ends by itself once the container is gone; let it hand over its last lines first.
                    await Task.WhenAny(following, Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
                    stopFollowing.Cancel();
                    await following.ConfigureAwait(false);
                }
            }
        }

        private static List<string> StartArguments(PredictionRequest request, string name, bool gpu)
        {
            var arguments = new List<string>
            {
                "run", "--detach", "--rm", "--name", name,
                // Loopback only, on a port the engine picks: a model server is not for the network.
                "--publish", "127.0.0.1::5000",
                // As Cog: PyTorch data loaders need more shared memory than the engine's 64 MB default.
                "--shm-size", "6g",
                "--env", "LOG_FORMAT=console",
                // So that what setup() prints reaches the build log as it happens, not when Python's buffer fills.
                "--env", "PYTHONUNBUFFERED=1",
            };
            if (gpu)
            {
                arguments.Add("--gpus=all");
            }

            foreach (string variable in request.Environment)
            {
                arguments.Add("--env");
                arguments.Add(variable);
            }

            arguments.Add(request.Image);
            return arguments;
        }

        /// <summary>Streams the container's output until it is removed (or following is stopped).</summary>
        private static async Task FollowLogsAsync(ContainerEngine engine, string name, Action<string> onLine, CancellationToken stop)
        {
            try
            {
                await engine.RunAsync(new[] { "logs", "--follow", name }, stop, onLine, onLine).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped after the container was removed: nothing more to show.
            }
        }

        private static async Task<int> ReadPublishedPortAsync(ContainerEngine engine, string name, Task following, RecentLines recentLines, CancellationToken cancellationToken)
        {
            ProcessResult result = await engine.RunAsync(new[] { "port", name, "5000" }, cancellationToken).ConfigureAwait(false);
            // "127.0.0.1:49153" (one line per address; podman may say 0.0.0.0 or [::]): the port follows the last ':'.
            string firstLine = result.StandardOutput.Split('\n').Select(line => line.Trim()).FirstOrDefault(line => line.Length > 0) ?? "";
            if (result.Succeeded && int.TryParse(firstLine.Substring(firstLine.LastIndexOf(':') + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port))
            {
                return port;
            }

            // A container that died at once (a broken image, a crashing server) has no port any more.
            await Task.WhenAny(following, Task.Delay(TimeSpan.FromSeconds(1), cancellationToken)).ConfigureAwait(false);
            if (following.IsCompleted)
            {
                throw ContainerExited(recentLines);
            }

            throw new CogException(Diagnostic.Error(ProcessMessages.PublishedPortUnknown, SourceLocation.None, name, ContainerCli.EngineName(engine),
                ContainerCli.LastLine(result.StandardError + "\n" + result.StandardOutput)));
        }

        private static async Task WaitUntilReadyAsync(HttpClient http, Uri server, TimeSpan setupTimeout, Task following, RecentLines recentLines, CancellationToken cancellationToken)
        {
            var elapsed = Stopwatch.StartNew();
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                JsonObject? health = await GetHealthAsync(http, server, cancellationToken).ConfigureAwait(false);
                string status = health.String("status") ?? "";
                switch (status)
                {
                    case "READY":
                    case "BUSY":
                        return;
                    case "SETUP_FAILED":
                        throw new CogException(Diagnostic.Error(PredictionMessages.SetupFailed, SourceLocation.None, SetupLogs(health!) ?? recentLines.Text()));
                    case "":
                    case "UNKNOWN":
                    case "STARTING":
                        break;
                    default:
                        throw new CogException(Diagnostic.Error(PredictionMessages.UnexpectedHealthStatus, SourceLocation.None, status));
                }

                // With --rm the container is gone when it exits, which ends `logs -f`.
                if (following.IsCompleted)
                {
                    throw ContainerExited(recentLines);
                }

                if (elapsed.Elapsed > setupTimeout)
                {
                    throw new CogException(Diagnostic.Error(PredictionMessages.SetupTimedOut, SourceLocation.None, Seconds(setupTimeout)));
                }

                await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>The health-check answer; null while the server does not answer yet.</summary>
        private static async Task<JsonObject?> GetHealthAsync(HttpClient http, Uri server, CancellationToken cancellationToken)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(HealthRequestTimeout);
            try
            {
                using HttpResponseMessage response = await http.GetAsync(new Uri(server, "health-check"), timeout.Token).ConfigureAwait(false);
                string body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                return JsonText.ParseObject(body);
            }
            catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // Not listening yet (the engine's proxy resets the connection), or slow to answer: ask again.
                return null;
            }
        }

        private static string? SetupLogs(JsonObject health) =>
            (health["setup"] as JsonObject).String("logs") is string text && text.Trim().Length > 0 ? text.TrimEnd() : null;

        private static async Task<PredictionResult> PredictAsync(HttpClient http, Uri server, PredictionRequest request, Task following, RecentLines recentLines, CancellationToken cancellationToken)
        {
            string body = JsonText.Write(new JsonObject { ["input"] = JsonText.Copy(request.Input) });
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (request.PredictionTimeout is TimeSpan limit)
            {
                timeout.CancelAfter(limit);
            }

            int statusCode;
            string answer;
            try
            {
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using HttpResponseMessage response = await http.PostAsync(new Uri(server, "predictions"), content, timeout.Token).ConfigureAwait(false);
                statusCode = (int)response.StatusCode;
                answer = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new CogException(Diagnostic.Error(PredictionMessages.PredictionTimedOut, SourceLocation.None, Seconds(request.PredictionTimeout!.Value)));
            }
            catch (HttpRequestException e)
            {
                await Task.WhenAny(following, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
                throw following.IsCompleted
                    ? ContainerExited(recentLines)
                    : new CogException(Diagnostic.Error(PredictionMessages.ServerUnreachable, SourceLocation.None, server.Port, e.Message));
            }

            JsonObject? prediction = JsonText.ParseObject(answer);
            if (statusCode == 422)
            {
                throw new CogException(Diagnostic.Error(PredictionMessages.InputsRejected, SourceLocation.None, DescribeValidationErrors(prediction, answer)));
            }

            if (statusCode != 200 || prediction == null)
            {
                throw new CogException(Diagnostic.Error(PredictionMessages.PredictionHttpError, SourceLocation.None, statusCode, ContainerCli.Tail(answer, 20)));
            }

            string status = prediction.String("status") ?? "";
            if (status != "succeeded")
            {
                string error = prediction["error"] is JsonNode e ? JsonText.Show(e) : "(no error message)";
                string logs = prediction.String("logs") is string text && text.Trim().Length > 0 ? "\n" + text.TrimEnd() : "";
                throw new CogException(Diagnostic.Error(PredictionMessages.PredictionFailed, SourceLocation.None, status, error, logs));
            }

            return new PredictionResult(prediction);
        }

        /// <summary>"- name: message" per problem in a 422 answer {"detail": [{"loc": [..., name], "msg": ...}]}.</summary>
        internal static string DescribeValidationErrors(JsonObject? answer, string raw)
        {
            if (answer == null || !answer.TryGetPropertyValue("detail", out JsonNode? detail))
            {
                return "- " + raw.Trim();
            }

            if (detail is not JsonArray problems)
            {
                return "- " + JsonText.Show(detail);
            }

            return string.Join("\n", problems.OfType<JsonObject>().Select(problem =>
            {
                string field = problem["loc"] is JsonArray path && path.Count > 0 ? JsonText.Show(path[path.Count - 1]) : "input";
                string message = problem.TryGetPropertyValue("msg", out JsonNode? msg) ? JsonText.Show(msg) : JsonText.Write(problem);
                return $"- {field}: {message}";
            }));
        }

        private static CogException ContainerExited(RecentLines recentLines) =>
            new CogException(Diagnostic.Error(PredictionMessages.ContainerExited, SourceLocation.None, recentLines.Text()));

        private static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);

        /// <summary>The container's last log lines, for the error that explains why it stopped.</summary>
        private sealed class RecentLines
        {
            private readonly Queue<string> _lines = new Queue<string>();
            private readonly int _capacity;

            public RecentLines(int capacity) => _capacity = capacity;

            public void Add(string line)
            {
                lock (_lines)
                {
                    _lines.Enqueue(line);
                    if (_lines.Count > _capacity)
                    {
                        _lines.Dequeue();
                    }
                }
            }

            public string Text()
            {
                lock (_lines)
                {
                    return _lines.Count == 0 ? "(the container wrote no log)" : string.Join("\n", _lines);
                }
            }
        }
    }
}
