using System;
using System.Collections.Generic;
using System.Linq;
using Cog.Sdk.Core;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Engine;
using Cog.Sdk.Core.Predict;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Cog.Sdk.Tasks
{
    /// <summary>
    /// What CogPredict and CogTrain share: checks the inputs against the model's schema before anything starts, runs
    /// the model, waits for setup(), sends the inputs, writes the outputs, and removes the container whatever happens.
    /// </summary>
    public abstract class CogRunModelTask : CogInputsTask
    {
        /// <summary>Where schemas read from images are kept by image id (obj/cog).</summary>
        [Required] public string IntermediateDirectory { get; set; } = "";

        /// <summary>The image to run (CogImageName).</summary>
        [Required] public string ImageName { get; set; } = "";

        /// <summary>cog.yaml's gpu (CogGpu), which CogGpus=auto follows.</summary>
        public bool Gpu { get; set; }

        [Required] public string ContainerEngine { get; set; } = "";
        [Required] public string OutputDirectory { get; set; } = "";

        public string? Output { get; set; }
        public string Gpus { get; set; } = "auto";
        public string SetupTimeout { get; set; } = "300";
        public string PredictTimeout { get; set; } = "1800";

        [Output] public ITaskItem[] OutputFiles { get; private set; } = new ITaskItem[0];

        /// <summary>Predictions or trainings.</summary>
        protected abstract ServerMode Mode { get; }

        /// <summary>A model server already running to send the inputs to; null to start the image in a container of its own.</summary>
        protected virtual Uri? FindServer(Action<Diagnostic> report) => null;

        protected override void Run()
        {
            GpuMode gpus = Choice<GpuMode>("CogGpus", Gpus);
            var setupTimeout = Seconds("CogSetupTimeout", SetupTimeout);
            var predictTimeout = Seconds("CogPredictTimeout", PredictTimeout);

            var diagnostics = new DiagnosticBag();
            IReadOnlyList<RawInput> inputs = ReadInputs(diagnostics);
            Report(diagnostics);
            if (diagnostics.HasErrors)
            {
                return;
            }

            Uri? server = FindServer(Report);
            // An image the build has just checked: the engine is found on PATH without asking its daemon, which the image
            // check has done; a daemon that does not answer is said when the image is then not found.
            ContainerEngine? engine = server == null ? EngineLocator.Unprobed(ContainerEngine) : null;

            var job = new PredictionJob(engine, ImageName, ProjectDirectory, inputs, OutputDirectory)
            {
                Mode = Mode,
                ServerUrl = server,
                OutputPath = string.IsNullOrWhiteSpace(Output) ? null : Output,
                SchemaCacheDirectory = IntermediateDirectory,
                Gpus = gpus,
                ConfigUsesGpu = Gpu,
                SetupTimeout = setupTimeout,
                PredictionTimeout = predictTimeout,
            };

            // The container's output at high importance: what setup() and predict() print is the point of watching a
            // prediction (as `cog predict` shows it), and the default console verbosity shows nothing less.
            WrittenOutput? written = WaitYielding(Prediction.RunAsync(job, line => Log.LogMessage(MessageImportance.High, line), Report, CancellationToken));
            if (written == null)
            {
                return;
            }

            if (written.IsEmpty)
            {
                Log.LogMessage(MessageImportance.High, "No output generated");
            }

            if (!string.IsNullOrEmpty(written.Text))
            {
                Log.LogMessage(MessageImportance.High, written.Text);
            }

            foreach (string file in written.Files)
            {
                Log.LogMessage(MessageImportance.High, $"Written output to: {file}");
            }

            OutputFiles = written.Files.Select(f => (ITaskItem)new TaskItem(f)).ToArray();
        }
    }
}
