using System;
using System.IO;
using Cog.Sdk.Core;
using Cog.Sdk.Core.Predict;
using Microsoft.Build.Framework;

namespace Cog.Sdk.Tasks
{
    /// <summary>
    /// Reads the model's schema from its source with this machine's Python (CogHostPython), before any image exists,
    /// and writes it to SchemaFile for CogCheckInputs. When the source cannot tell (predict.py imports torch, which only
    /// the image has), SchemaFile is written empty and the reason logged: the inputs are then checked against the image.
    /// </summary>
    public sealed class CogReadSourceSchema : CogTask
    {
        /// <summary>How long importing the model may take here before the check waits for the image instead.</summary>
        private static readonly TimeSpan ImportTimeout = TimeSpan.FromSeconds(60);

        [Required] public string ModelFile { get; set; } = "";

        /// <summary>The runtime's `cog` package folder (CogRuntimeDirectory).</summary>
        [Required] public string RuntimeDirectory { get; set; } = "";

        /// <summary>CogHostPython: python3, a path, or another interpreter.</summary>
        [Required] public string Python { get; set; } = "";

        [Required] public string SchemaFile { get; set; } = "";

        protected override void Run()
        {
            CogProject model = ReadModel(ModelFile);
            var config = model.Config;
            string workingDirectory = config.ProjectPath(config.WorkingDirectory?.Value ?? ".") ?? config.ProjectDirectory;
            SourceSchemaResult result = Wait(SourceSchema.ReadAsync(Python, RuntimeDirectory, workingDirectory,
                config.Predictor?.Value, config.Train?.Value, ImportTimeout, CancellationToken));
            if (result.Json == null)
            {
                Log.LogMessage(MessageImportance.Normal, $"Cog: the inputs are checked once the image exists, as the model's source cannot tell its schema here: {result.Reason}");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(SchemaFile)!);
            FileWrites.WriteAtomically(SchemaFile, result.Json ?? "");
        }
    }
}
