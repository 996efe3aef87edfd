using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Cog.Sdk.Core;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Generate;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Cog.Sdk.Tasks
{
    /// <summary>
    /// Writes the Dockerfile for the model in obj/cog/model.json, the generated files it copies (cog/requirements.txt),
    /// and Dockerfile.json: the same Dockerfile with where each line came from in cog.yaml, for the image build's errors.
    /// Each file is written only when its content changes; the list of them is written every time, as MSBuild's marker.
    /// The Dockerfile depends on the model and the project's properties alone, never on the machine: the image build adapts
    /// it to its builder.
    /// </summary>
    public sealed class CogWriteDockerfile : CogTask
    {
        [Required] public string ModelFile { get; set; } = "";
        [Required] public string IntermediateDirectory { get; set; } = "";

        /// <summary>Where the list of the written files goes, one path a line.</summary>
        [Required] public string FilesFile { get; set; } = "";


        public string Runtime { get; set; } = "local";

        /// <summary>CogInstallPython: auto, true or false.</summary>
        public string InstallPython { get; set; } = "auto";
        public string? RuntimeVersion { get; set; }
        public string? PipIndexUrl { get; set; }
        public string? PipExtraIndexUrl { get; set; }
        public string? SourceRepositoryUrl { get; set; }
        public string? SourceRevision { get; set; }

        /// <summary>Labels for the image: the item is the name, metadata Value the value (the project's OCI labels, CogImageLabel items); a later item wins.</summary>
        public ITaskItem[] Labels { get; set; } = new ITaskItem[0];

        [Output] public ITaskItem[] GeneratedFiles { get; private set; } = new ITaskItem[0];

        protected override void Run()
        {
            CogProject model = ReadModel(ModelFile);
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
                Labels = LabelValues(),
            };

            var diagnostics = new DiagnosticBag();
            GeneratedDockerfile? dockerfile = DockerfileGenerator.Generate(model.CreateDockerfileSpec(options), diagnostics);
            Report(diagnostics);
            if (dockerfile == null)
            {
                FileWrites.Delete(FilesFile);
                return;
            }

            string path = GeneratedDockerfile.PathIn(IntermediateDirectory);
            if (FileWrites.WriteIfChanged(path, dockerfile.Text))
            {
                Log.LogMessage(MessageImportance.Normal, $"Cog: wrote {path}");
            }

            // The files the Dockerfile copies from what Cog.Sdk generates (cog/requirements.txt) go where the image
            // build stages them, so that the Dockerfile in obj/ is complete even when no image is built (CogBuildImage=false).
            var written = new List<string> { path, GeneratedDockerfile.ModelPathIn(IntermediateDirectory) };
            FileWrites.WriteIfChanged(written[1], JsonText.Serialize(dockerfile));
            foreach (var file in dockerfile.ContextFiles)
            {
                string target = Path.Combine(GeneratedDockerfile.ContextDirectoryIn(IntermediateDirectory), file.Key.Replace('/', Path.DirectorySeparatorChar));
                FileWrites.WriteIfChanged(target, file.Value);
                written.Add(target);
            }

            FileWrites.WriteAtomically(FilesFile, string.Concat(written.Select(file => file + "\n")));
            GeneratedFiles = written.Select(file => (ITaskItem)new TaskItem(file)).ToArray();
        }

        // A label is one line: a Description written over several lines in the project file becomes one.
        private Dictionary<string, string> LabelValues()
        {
            var labels = new Dictionary<string, string>();
            foreach (ITaskItem label in Labels)
            {
                labels[label.ItemSpec] = Regex.Replace(label.GetMetadata("Value").Trim(), @"\s*[\r\n]+\s*", " ");
            }

            return labels;
        }

        private enum InstallPythonMode
        {
            Auto,
            True,
            False,
        }
    }
}
