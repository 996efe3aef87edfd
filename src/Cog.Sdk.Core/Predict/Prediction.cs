using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Engine;

namespace Cog.Sdk.Core.Predict
{
    /// <summary>What CogPredict (or CogTrain) asks for: the inputs as the user wrote them, the model, and where the outputs go.</summary>
    public sealed class PredictionJob
    {
        /// <param name="engine">The engine that runs the image; null when a model server already running (<see cref="ServerUrl"/>) is used.</param>
        public PredictionJob(ContainerEngine? engine, string image, string projectDirectory, IReadOnlyList<RawInput> inputs, string outputDirectory)
        {
            Engine = engine;
            Image = image;
            ProjectDirectory = projectDirectory;
            Inputs = inputs;
            OutputDirectory = outputDirectory;
        }

        public ContainerEngine? Engine { get; }
        public string Image { get; }

        /// <summary>Where relative input files (@path) are read from.</summary>
        public string ProjectDirectory { get; }

        public IReadOnlyList<RawInput> Inputs { get; }

        /// <summary>Where outputs go by default.</summary>
        public string OutputDirectory { get; }

        /// <summary>CogOutput: a file name or folder instead of the default output name; null for the default.</summary>
        public string? OutputPath { get; set; }

        /// <summary>A prediction, or a training.</summary>
        public ServerMode Mode { get; set; } = ServerMode.Predict;

        /// <summary>A model server already running (CogServe's, or CogPredictUrl) to send the inputs to; null to start the image.</summary>
        public Uri? ServerUrl { get; set; }

        /// <summary>A folder under obj/ for schemas by image id; null to read the schema every time.</summary>
        public string? SchemaCacheDirectory { get; set; }

        public GpuMode Gpus { get; set; } = GpuMode.Auto;
        public bool ConfigUsesGpu { get; set; }
        public TimeSpan SetupTimeout { get; set; } = TimeSpan.FromSeconds(300);
        public TimeSpan? PredictionTimeout { get; set; }
    }

    /// <summary>
    /// A whole prediction (or training) as `cog predict` makes one: the inputs checked against the model's schema before
    /// any container starts, the prediction run (in a container of its own, or by a model server already running), and
    /// the outputs written. The JSON in between stays in here.
    /// </summary>
    public static class Prediction
    {
        /// <returns>What was written; null when the inputs were refused (the reasons went to <paramref name="report"/>).</returns>
        public static async Task<WrittenOutput?> RunAsync(PredictionJob job, Action<string> log, Action<Diagnostic> report, CancellationToken cancellationToken)
        {
            ServerMode mode = job.Mode;
            PredictionResult result;
            InputSchema schema;
            if (job.ServerUrl is Uri url)
            {
                using var server = new ModelServer(url);
                await server.WaitUntilReadyAsync(job.SetupTimeout, cancellationToken).ConfigureAwait(false);
                schema = ParseServedSchema(await server.ReadSchemaAsync(cancellationToken).ConfigureAwait(false), url, mode);
                if (Bind(job, schema, report) is not JsonObject input)
                {
                    return null;
                }

                log($"Cog: running a {mode.Noun} on the model served at {url}");
                result = await server.RunAsync(mode, input, job.PredictionTimeout, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                ContainerEngine engine = job.Engine ?? throw new InvalidOperationException("A prediction that starts the image needs an engine.");

                // The schema comes from the image without running setup(), so a typo fails in seconds, not after a model load.
                schema = await SchemaReader.ReadAsync(engine, job.Image, mode, job.SchemaCacheDirectory, report, cancellationToken).ConfigureAwait(false);
                if (Bind(job, schema, report) is not JsonObject input)
                {
                    return null;
                }

                var request = new PredictionRequest(engine, job.Image, input)
                {
                    Mode = mode,
                    Gpus = job.Gpus,
                    ConfigUsesGpu = job.ConfigUsesGpu,
                    SetupTimeout = job.SetupTimeout,
                    PredictionTimeout = job.PredictionTimeout,
                };
                log($"Cog: running a {mode.Noun} on {job.Image}");
                result = await PredictionRunner.RunAsync(request, log, report, cancellationToken).ConfigureAwait(false);
            }

            return OutputWriter.Write(result.Output, job.OutputDirectory, job.OutputPath, schema.Output);
        }

        /// <summary>The request's "input" object; null when an input is refused (every reason reported).</summary>
        private static JsonObject? Bind(PredictionJob job, InputSchema schema, Action<Diagnostic> report)
        {
            var diagnostics = new DiagnosticBag();
            JsonObject input = InputBinder.Bind(job.Inputs, schema, job.ProjectDirectory, diagnostics);
            foreach (Diagnostic diagnostic in diagnostics)
            {
                report(diagnostic);
            }

            return diagnostics.HasErrors ? null : input;
        }

        private static InputSchema ParseServedSchema(string json, Uri url, ServerMode mode)
        {
            try
            {
                return InputSchema.Parse(json, mode);
            }
            catch (FormatException e)
            {
                throw new CogException(Diagnostic.Error(PredictionMessages.ServerNotAnswering, SourceLocation.None, url, "its /openapi.json is not a Cog schema: " + e.Message));
            }
        }
    }
}
