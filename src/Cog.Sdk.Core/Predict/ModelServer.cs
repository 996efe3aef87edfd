using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Cog.Sdk.Core.Diagnostics;

namespace Cog.Sdk.Core.Predict
{
    /// <summary>
    /// A model's HTTP server (Cog's API), wherever it runs: in a container this build started, kept by CogServe, or at
    /// CogPredictUrl. Waits for setup(), reads the schema, runs predictions and trainings, and turns every answer that
    /// is not a success into one coded error.
    /// </summary>
    public sealed class ModelServer : IDisposable
    {
        private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(150);
        private static readonly TimeSpan QuickPollInterval = TimeSpan.FromMilliseconds(20);
        private static readonly TimeSpan HealthRequestTimeout = TimeSpan.FromSeconds(2);

        /// <summary>How long a server this build did not start may not answer at all before it counts as down.</summary>
        private static readonly TimeSpan UnreachableAfter = TimeSpan.FromSeconds(10);

        private readonly HttpClient _http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        private readonly ModelContainer? _container;

        /// <param name="url">The server's base URL, e.g. http://127.0.0.1:5000/.</param>
        /// <param name="container">The container it runs in, when this build started it: its stop explains a silent server.</param>
        public ModelServer(Uri url, ModelContainer? container = null)
        {
            Url = url.AbsoluteUri.EndsWith("/", StringComparison.Ordinal) ? url : new Uri(url.AbsoluteUri + "/");
            _container = container;
        }

        public Uri Url { get; }

        public void Dispose() => _http.Dispose();

        /// <summary>Whether the server answers its health check at all (in any state) within a couple of seconds.</summary>
        public async Task<bool> AnswersAsync(CancellationToken cancellationToken) =>
            await GetHealthAsync(cancellationToken).ConfigureAwait(false) != null;

        /// <summary>Polls GET /health-check until setup() has finished (READY, or BUSY with other work).</summary>
        /// <exception cref="CogException">COG4013 setup failed, COG4014 the container stopped, COG4015 timed out, COG4016, COG4034, COG4036 healthcheck() failed.</exception>
        public async Task WaitUntilReadyAsync(TimeSpan setupTimeout, CancellationToken cancellationToken)
        {
            var elapsed = Stopwatch.StartNew();
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                JsonObject? health = await GetHealthAsync(cancellationToken).ConfigureAwait(false);
                string status = health.String("status") ?? "";
                switch (status)
                {
                    case "READY":
                    case "BUSY":
                        return;
                    case "SETUP_FAILED":
                        throw new CogException(Diagnostic.Error(PredictionMessages.SetupFailed, SourceLocation.None, SetupLogs(health!) ?? _container?.RecentLog() ?? "(no logs)"));
                    case "":
                    case "UNKNOWN":
                    case "STARTING":
                        break;
                    case "UNHEALTHY":
                        throw new CogException(Diagnostic.Error(PredictionMessages.ModelUnhealthy, SourceLocation.None, health.String("user_healthcheck_error") ?? "(no reason given)"));
                    default:
                        throw new CogException(Diagnostic.Error(PredictionMessages.UnexpectedHealthStatus, SourceLocation.None, status));
                }

                if (_container?.HasStopped == true)
                {
                    throw _container.Exited();
                }

                if (_container == null && health == null && elapsed.Elapsed > UnreachableAfter)
                {
                    throw new CogException(Diagnostic.Error(PredictionMessages.ServerNotAnswering, SourceLocation.None, Url, $"no answer to GET /health-check for {Seconds(UnreachableAfter)} s"));
                }

                if (elapsed.Elapsed > setupTimeout)
                {
                    throw new CogException(Diagnostic.Error(PredictionMessages.SetupTimedOut, SourceLocation.None, Seconds(setupTimeout)));
                }

                // Again after the interval, or sooner when the container logs a line (setup() finishing logs one), though not
                // more often than every QuickPollInterval for a setup() that logs a lot.
                Task interval = Task.Delay(PollInterval, cancellationToken);
                await (_container == null
                    ? interval
                    : Task.WhenAll(Task.Delay(QuickPollInterval, cancellationToken), Task.WhenAny(interval, _container.NextLogLine))).ConfigureAwait(false);
            }
        }

        /// <summary>GET /openapi.json: the schema the server generated from the model's code (after setup, as Cog serves it).</summary>
        public async Task<string> ReadSchemaAsync(CancellationToken cancellationToken)
        {
            try
            {
                using HttpResponseMessage response = await _http.GetAsync(new Uri(Url, "openapi.json"), cancellationToken).ConfigureAwait(false);
                string body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    throw new CogException(Diagnostic.Error(PredictionMessages.ServerNotAnswering, SourceLocation.None, Url, $"GET /openapi.json answered HTTP {(int)response.StatusCode}"));
                }

                return body;
            }
            catch (HttpRequestException e)
            {
                throw await UnreachableAsync(e).ConfigureAwait(false);
            }
        }

        /// <summary>POST /predictions (or /trainings) with the input, waiting for the result.</summary>
        /// <param name="timeout">How long the method may take; null for no limit.</param>
        /// <exception cref="CogException">COG4017 rejected inputs, COG4018 failed, COG4019 timed out, COG4020, COG4023, COG4014.</exception>
        public async Task<PredictionResult> RunAsync(ServerMode mode, JsonObject input, TimeSpan? timeout, CancellationToken cancellationToken)
        {
            string body = JsonText.Write(new JsonObject { ["input"] = JsonText.Copy(input) });
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (timeout is TimeSpan time)
            {
                limit.CancelAfter(time);
            }

            int statusCode;
            string answer;
            try
            {
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using HttpResponseMessage response = await _http.PostAsync(new Uri(Url, mode.Path), content, limit.Token).ConfigureAwait(false);
                statusCode = (int)response.StatusCode;
                answer = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new CogException(Diagnostic.Error(PredictionMessages.PredictionTimedOut, SourceLocation.None, Seconds(timeout!.Value)));
            }
            catch (HttpRequestException e)
            {
                throw await UnreachableAsync(e).ConfigureAwait(false);
            }

            JsonObject? job = JsonText.ParseObject(answer);
            if (statusCode == 422)
            {
                throw new CogException(Diagnostic.Error(PredictionMessages.InputsRejected, SourceLocation.None, DescribeValidationErrors(job, answer)));
            }

            if (statusCode != 200 || job == null)
            {
                throw new CogException(Diagnostic.Error(PredictionMessages.PredictionHttpError, SourceLocation.None, mode.Path, statusCode, ContainerCli.Tail(answer, 20)));
            }

            string status = job.String("status") ?? "";
            if (status != "succeeded")
            {
                string error = job["error"] is JsonNode e ? JsonText.Show(e) : "(no error message)";
                string logs = job.String("logs") is string text && text.Trim().Length > 0 ? "\n" + text.TrimEnd() : "";
                throw new CogException(Diagnostic.Error(PredictionMessages.PredictionFailed, SourceLocation.None, mode.Method, status, error, logs));
            }

            return new PredictionResult(job);
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

        /// <summary>The health-check answer; null while the server does not answer.</summary>
        private async Task<JsonObject?> GetHealthAsync(CancellationToken cancellationToken)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(HealthRequestTimeout);
            try
            {
                using HttpResponseMessage response = await _http.GetAsync(new Uri(Url, "health-check"), timeout.Token).ConfigureAwait(false);
                string body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                return JsonText.ParseObject(body);
            }
            catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // Not listening yet (the engine's proxy resets the connection), or slow to answer: ask again.
                return null;
            }
        }

        /// <summary>The server went away mid-request: the container stopped (COG4014), or it stopped answering (COG4023/COG4034).</summary>
        private async Task<CogException> UnreachableAsync(HttpRequestException e)
        {
            if (_container != null)
            {
                await Task.WhenAny(_container.Following, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
                return _container.HasStopped
                    ? _container.Exited()
                    : new CogException(Diagnostic.Error(PredictionMessages.ServerUnreachable, SourceLocation.None, Url.Port, Reason(e)));
            }

            return new CogException(Diagnostic.Error(PredictionMessages.ServerNotAnswering, SourceLocation.None, Url, Reason(e)));
        }

        /// <summary>
        /// What went wrong, as the layer that saw it says ("The response ended prematurely"), rather than the request's
        /// "An error occurred while sending the request."; without a final '.', which the message adds.
        /// </summary>
        private static string Reason(Exception e)
        {
            while (e.InnerException != null)
            {
                e = e.InnerException;
            }

            return e.Message.TrimEnd('.', ' ');
        }

        private static string? SetupLogs(JsonObject health) =>
            (health["setup"] as JsonObject).String("logs") is string text && text.Trim().Length > 0 ? text.TrimEnd() : null;

        internal static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
    }
}
