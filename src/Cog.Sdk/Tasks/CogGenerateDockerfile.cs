using System.Collections.Generic;
using System.IO;
using System.Linq;
using Cog.Sdk.Core;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Engine;
using Cog.Sdk.Core.Generate;
using Cog.Sdk.Core.UpToDate;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Cog.Sdk.Tasks
{
    /// <summary>
    /// CogGenerateDockerfile: writes obj/cog/Dockerfile for the validated model, only when its content changes. The Dockerfile
    /// depends on cog.yaml and the project's properties alone, never on the machine: the engine step adapts it to its builder.
    /// </summary>
    public sealed class CogGenerateDockerfile : CogTask
    {
        [Required] public string ConfigFile { get; set; } = "";
        [Required] public string IntermediateDirectory { get; set; } = "";

        public string Runtime { get; set; } = "local";

        /// <summary>CogInstallPython: auto, true or false.</summary>
        public string InstallPython { get; set; } = "auto";
        public string? RuntimeVersion { get; set; }
        public string? PipIndexUrl { get; set; }
        public string? PipExtraIndexUrl { get; set; }
        public string? SourceRepositoryUrl { get; set; }
        public string? SourceRevision { get; set; }

        [Output] public ITaskItem[] GeneratedFiles { get; private set; } = new ITaskItem[0];

        protected override void Run()
        {
            ValidatedModel model = Model(ConfigFile);
            var options = new ImageOptions
            {
                Runtime = Choice<RuntimeSource>("CogRuntime", Runtime),
                InstallPython = Choice<InstallPythonMode>("CogInstallPython", InstallPython) switch
                {
                    InstallPythonMode.True => true,
                    InstallPythonMode.False => false,
                    _ => null,
                },
                RuntimeVersion = RuntimeVersion,
                PipIndexUrl = PipIndexUrl,
                PipExtraIndexUrl = PipExtraIndexUrl,
                SourceUrl = SourceRepositoryUrl,
                SourceRevision = SourceRevision,
            };

            // The Dockerfile follows from the validated model and these options alone: while both are as recorded and
            // the written files are untouched, there is nothing to generate.
            string key = StepRecord.KeyOf(TaskAssemblyIdentity, model.Fingerprint, options.Runtime.ToString(), InstallPython, RuntimeVersion,
                PipIndexUrl, PipExtraIndexUrl, SourceRepositoryUrl, SourceRevision);
            string recordPath = Path.Combine(IntermediateDirectory, "generate.json");
            if (StepRecord.ReadCurrent(recordPath, key) is StepRecord current)
            {
                Log.LogMessage(MessageImportance.Low, $"Cog: the Dockerfile is up to date with the model and the settings ({recordPath})");
                Report(current.Messages);
                ProjectCache.Remember(BuildEngine, ConfigFile, new DockerfilePlan(model, options, dockerfile: null));
                GeneratedFiles = current.Files.Keys.Select(file => (ITaskItem)new TaskItem(file)).ToArray();
                return;
            }

            var diagnostics = new DiagnosticBag();
            GeneratedDockerfile? dockerfile = DockerfileGenerator.Generate(model.Project().CreateDockerfileSpec(options), diagnostics);
            Report(diagnostics);
            if (dockerfile == null)
            {
                StepRecord.Delete(recordPath);
                return;
            }

            ProjectCache.Remember(BuildEngine, ConfigFile, new DockerfilePlan(model, options, dockerfile));
            string path = GeneratedDockerfile.PathIn(IntermediateDirectory);
            if (BuildContext.WriteIfChanged(path, dockerfile.Text))
            {
                Log.LogMessage(MessageImportance.Normal, $"Cog: wrote {path}");
            }

            // The files the Dockerfile copies from what Cog.Sdk generates (cog/requirements.txt) go where the image
            // build stages them, so that the Dockerfile in obj/ is complete even when no image is built (CogBuildImage=false).
            var written = new List<string> { path };
            foreach (var file in dockerfile.ContextFiles)
            {
                string target = Path.Combine(GeneratedDockerfile.ContextDirectoryIn(IntermediateDirectory), file.Key.Replace('/', Path.DirectorySeparatorChar));
                BuildContext.WriteIfChanged(target, file.Value);
                written.Add(target);
            }

            StepRecord.Create(key, written, new Dictionary<string, string>(), diagnostics).Write(recordPath);
            GeneratedFiles = written.Select(file => (ITaskItem)new TaskItem(file)).ToArray();
        }

        private enum InstallPythonMode
        {
            Auto,
            True,
            False,
        }
    }
}
