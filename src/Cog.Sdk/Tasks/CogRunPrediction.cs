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
    /// CogPredict: checks the inputs against the model's schema before anything starts, runs the image, waits for
    /// setup(), sends the prediction, writes the outputs, and removes the container whatever happens.
    /// </summary>
    public sealed class CogRunPrediction : CogTask
    {
        /// <summary>The folder of cog.yaml, where input files (@path) are read from.</summary>
        [Required] public string ProjectDirectory { get; set; } = "";

        /// <summary>Where schemas read from images are kept by image id (obj/cog).</summary>
        [Required] public string IntermediateDirectory { get; set; } = "";

        /// <summary>The image to run (CogImageName).</summary>
        [Required] public string ImageName { get; set; } = "";

        /// <summary>cog.yaml's gpu (CogGpu), which CogGpus=auto follows.</summary>
        public bool Gpu { get; set; }

        [Required] public string ContainerEngine { get; set; } = "";
        [Required] public string OutputDirectory { get; set; } = "";

        public string? Input { get; set; }

        /// <summary>CogInput items: the name, with the value in Value metadata; repeated names make a list.</summary>
        public ITaskItem[] InputItems { get; set; } = new ITaskItem[0];

        public string? InputFile { get; set; }
        public string? Output { get; set; }
        public string Gpus { get; set; } = "auto";
        public string SetupTimeout { get; set; } = "300";
        public string PredictTimeout { get; set; } = "1800";

        [Output] public ITaskItem[] OutputFiles { get; private set; } = new ITaskItem[0];

        protected override void Run()
        {
            string projectDirectory = ProjectDirectory;
            GpuMode gpus = Choice<GpuMode>("CogGpus", Gpus);
            var setupTimeout = Seconds("CogSetupTimeout", SetupTimeout);
            var predictTimeout = Seconds("CogPredictTimeout", PredictTimeout);

            var diagnostics = new DiagnosticBag();
            IReadOnlyList<RawInput> inputs = ReadInputs(projectDirectory, diagnostics);
            Report(diagnostics);
            if (diagnostics.HasErrors)
            {
                return;
            }

            ContainerEngine? engine = FindEngine(ContainerEngine);
            if (engine == null)
            {
                return;
            }

            var job = new PredictionJob(engine, ImageName, projectDirectory, inputs, OutputDirectory)
            {
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

        private IReadOnlyList<RawInput> ReadInputs(string projectDirectory, DiagnosticBag diagnostics)
        {
            bool hasInput = !string.IsNullOrWhiteSpace(Input) || InputItems.Length > 0;
            if (hasInput && !string.IsNullOrWhiteSpace(InputFile))
            {
                diagnostics.Error(PredictionMessages.InputSourcesExclusive, SourceLocation.None);
                return new RawInput[0];
            }

            if (!string.IsNullOrWhiteSpace(InputFile))
            {
                return InputParser.ReadInputFile(InputParser.ResolvePath(projectDirectory, InputFile!), projectDirectory, diagnostics);
            }

            var fromItems = InputParser.FromItems(InputItems
                .GroupBy(i => i.ItemSpec)
                .Select(g => new KeyValuePair<string, IReadOnlyList<string>>(g.Key, g.Select(i => i.GetMetadata("Value")).ToList())));
            var fromString = string.IsNullOrWhiteSpace(Input) ? new RawInput[0] : InputParser.ParseInputString(Input!, diagnostics);
            return fromString.Concat(fromItems).ToList();
        }
    }
}
