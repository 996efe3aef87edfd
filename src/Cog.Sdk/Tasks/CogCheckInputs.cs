using System.IO;
using System.Linq;
using Cog.Sdk.Core;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Predict;
using Microsoft.Build.Framework;

namespace Cog.Sdk.Tasks
{
    /// <summary>
    /// Checks the inputs of CogPredict or CogTrain before anything is built, as Cog does: against the schema read from the
    /// model's source (obj/cog/openapi.source.json). When the source could not tell (the file is empty), the inputs are
    /// checked later, against the image's schema, before a container starts.
    /// </summary>
    public sealed class CogCheckInputs : CogInputsTask
    {
        /// <summary>The schema CogReadSourceSchema wrote; empty or absent when it is not known before the build.</summary>
        public string? SchemaFile { get; set; }

        /// <summary>"predict" or "train".</summary>
        public string Mode { get; set; } = "predict";

        /// <summary>cog.yaml's train (CogTrainer), which a training needs.</summary>
        public string? Trainer { get; set; }

        [Required] public string ConfigFile { get; set; } = "";

        protected override void Run()
        {
            ServerMode mode = ModeNamed(Mode);
            if (mode == ServerMode.Train && string.IsNullOrWhiteSpace(Trainer))
            {
                throw new CogException(Diagnostic.Error(PredictionMessages.NoTrainer, new SourceLocation(ConfigFile), ConfigFile));
            }

            var diagnostics = new DiagnosticBag();
            var inputs = ReadInputs(diagnostics);
            string json = !string.IsNullOrEmpty(SchemaFile) && File.Exists(SchemaFile) ? File.ReadAllText(SchemaFile) : "";
            if (json.Trim().Length > 0 && !diagnostics.HasErrors)
            {
                try
                {
                    InputBinder.Check(inputs, InputSchema.Parse(json, mode), ProjectDirectory, diagnostics);
                }
                catch (System.FormatException e)
                {
                    // Not a schema this step can read: the image's schema decides, before a container starts.
                    Log.LogMessage(MessageImportance.Low, $"Cog: the inputs are checked against the image: {SchemaFile}: {e.Message}");
                }
            }

            // Warnings (a deprecated input) are said once, when the inputs are sent.
            Report(diagnostics.Where(d => d.IsError));
        }
    }
}
