using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Engine;

namespace Cog.Sdk.Core.Predict
{
    /// <summary>What CogPredict asks for: the inputs as the user wrote them, the image, and where the outputs go.</summary>
    public sealed class PredictionJob
    {
        public PredictionJob(ContainerEngine engine, string image, string projectDirectory, IReadOnlyList<RawInput> inputs, string outputDirectory)
        {
            Engine = engine;
            Image = image;
            ProjectDirectory = projectDirectory;
            Inputs = inputs;
            OutputDirectory = outputDirectory;
        }

        public ContainerEngine Engine { get; }
        public string Image { get; }

        /// <summary>Where relative input files (@path) are read from.</summary>
        public string ProjectDirectory { get; }

        public IReadOnlyList<RawInput> Inputs { get; }

        /// <summary>Where outputs go by default.</summary>
        public string OutputDirectory { get; }

        /// <summary>CogOutput: a file name or folder instead of the default output name; null for the default.</summary>
        public string? OutputPath { get; set; }

        /// <summary>A folder under obj/ for schemas by image id; null to read the schema every time.</summary>
        public string? SchemaCacheDirectory { get; set; }

        public GpuMode Gpus { get; set; } = GpuMode.Auto;
        public bool ConfigUsesGpu { get; set; }
        public TimeSpan SetupTimeout { get; set; } = TimeSpan.FromSeconds(300);
        public TimeSpan? PredictionTimeout { get; set; }
    }

    /// <summary>
    /// A whole prediction as `cog predict` makes one: the inputs checked against the image's schema before any
    /// container starts, the prediction run, and the outputs written. The JSON in between stays in here.
    /// </summary>
    public static class Prediction
    {
        /// <returns>What was written; null when the inputs were refused (the reasons went to <paramref name="report"/>).</returns>
        public static async Task<WrittenOutput?> RunAsync(PredictionJob job, Action<string> log, Action<Diagnostic> report, CancellationToken cancellationToken)
        {
            // The schema comes from the image without running setup(), so a typo fails in seconds, not after a model load.
            InputSchema schema = await SchemaReader.ReadAsync(job.Engine, job.Image, job.SchemaCacheDirectory, report, cancellationToken).ConfigureAwait(false);
            var diagnostics = new DiagnosticBag();
            var input = InputBinder.Bind(job.Inputs, schema, job.ProjectDirectory, diagnostics);
            foreach (Diagnostic diagnostic in diagnostics)
            {
                report(diagnostic);
            }

            if (diagnostics.HasErrors)
            {
                return null;
            }

            var request = new PredictionRequest(job.Engine, job.Image, input)
            {
                Gpus = job.Gpus,
                ConfigUsesGpu = job.ConfigUsesGpu,
                SetupTimeout = job.SetupTimeout,
                PredictionTimeout = job.PredictionTimeout,
            };
            log($"Cog: running a prediction on {job.Image}");
            PredictionResult result = await PredictionRunner.RunAsync(request, log, report, cancellationToken).ConfigureAwait(false);
            return OutputWriter.Write(result.Output, job.OutputDirectory, job.OutputPath);
        }
    }
}
