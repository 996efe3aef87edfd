using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Engine;

namespace Cog.Sdk.Core.Predict
{
    /// <summary>One prediction (CogPredict) or training (CogTrain) against a built image.</summary>
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

        /// <summary>A prediction, or a training (`--x-mode train`, POST /trainings).</summary>
        public ServerMode Mode { get; set; } = ServerMode.Predict;

        public GpuMode Gpus { get; set; } = GpuMode.Auto;

        /// <summary>cog.yaml's build.gpu, which <see cref="GpuMode.Auto"/> follows.</summary>
        public bool ConfigUsesGpu { get; set; }

        /// <summary>How long setup() may take before the model counts as hung (Cog's --setup-timeout).</summary>
        public TimeSpan SetupTimeout { get; set; } = TimeSpan.FromSeconds(300);

        /// <summary>How long predict() (or train()) may take; null for no limit (as Cog: only cancellation stops it).</summary>
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
    /// Runs one prediction (or training) the way `cog predict IMAGE` does: starts the image's HTTP server in a container
    /// published on a loopback port, waits for setup() to finish, posts the input, and always removes the container.
    /// </summary>
    public static class PredictionRunner
    {
        /// <param name="log">Receives the container's log lines as they come, and progress messages.</param>
        /// <param name="report">Receives coded warnings (GPU fallback, a container that could not be removed).</param>
        /// <exception cref="CogException">Any failure, as one coded error.</exception>
        /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> fires; the container is removed first.</exception>
        public static async Task<PredictionResult> RunAsync(PredictionRequest request, Action<string> log, Action<Diagnostic> report, CancellationToken cancellationToken)
        {
            var spec = new ModelContainerSpec(request.Engine, request.Image)
            {
                Mode = request.Mode,
                Gpus = request.Gpus,
                ConfigUsesGpu = request.ConfigUsesGpu,
                Environment = request.Environment,
            };
            ModelContainer container = await ModelContainer.StartAsync(spec, log, report, cancellationToken).ConfigureAwait(false);
            try
            {
                using var server = new ModelServer(container.Url, container);
                await server.WaitUntilReadyAsync(request.SetupTimeout, cancellationToken).ConfigureAwait(false);
                log($"Running {request.Mode.Noun}...");
                return await server.RunAsync(request.Mode, request.Input, request.PredictionTimeout, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await container.RemoveAsync(report).ConfigureAwait(false);
            }
        }
    }
}
