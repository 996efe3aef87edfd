using System.Collections.Generic;
using System.IO;
using System.Linq;
using Cog.Sdk.Core;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Engine;
using Cog.Sdk.Core.Generate;
using Cog.Sdk.Core.Predict;
using Microsoft.Build.Framework;

namespace Cog.Sdk.Tasks
{
    /// <summary>
    /// CogContainerBuild: builds the model's image with docker or podman: each step one line at the default verbosity, the
    /// engine's own output at normal verbosity; skipped when the stamp in obj/cog says the context, the Dockerfile and the
    /// image are unchanged.
    /// </summary>
    public sealed class CogBuildImage : CogTask
    {
        [Required] public string ConfigFile { get; set; } = "";
        [Required] public string IntermediateDirectory { get; set; } = "";
        [Required] public string RuntimeDirectory { get; set; } = "";
        [Required] public string ContainerEngine { get; set; } = "";

        public bool NoCache { get; set; }
        public string? Network { get; set; }

        /// <summary>Extra engine arguments, split like a POSIX shell would.</summary>
        public string? BuildArguments { get; set; }

        /// <summary>CogBuildSecret items: the id, with File or Environment metadata. Never logged.</summary>
        public ITaskItem[] Secrets { get; set; } = new ITaskItem[0];

        /// <summary>The image's name, as CogValidate published it (CogImageName).</summary>
        [Required] public string ImageName { get; set; } = "";

        /// <summary>The files CogGenerateDockerfile wrote: the Dockerfile and the generated context files.</summary>
        public ITaskItem[] GeneratedFiles { get; set; } = new ITaskItem[0];

        [Output] public string ImageId { get; private set; } = "";

        protected override void Run()
        {
            DockerfilePlan plan = Recall<DockerfilePlan>(ConfigFile, "CogGenerateDockerfile");
            ContainerEngine? engine = FindEngine(ContainerEngine, IntermediateDirectory);
            if (engine == null)
            {
                return;
            }

            // A no-op build compares the stamp with the Dockerfile as it is in obj/cog, and never loads the model.
            GeneratedDockerfile? written = GeneratedDockerfile.ReadBack(IntermediateDirectory, GeneratedFiles.Select(f => f.ItemSpec));
            if (written != null && Wait(ImageBuilder.UpToDateAsync(Request(engine, written, SourceLocation.None), CancellationToken)) is BuildResult skipped)
            {
                ImageId = skipped.ImageId;
                Log.LogMessage(MessageImportance.High, $"Cog: {ImageName} is up to date ({skipped.ImageId})");
                return;
            }

            CogProject project = plan.Model.Project();
            BuildRequest request = Request(engine, plan.Dockerfile(), project.Config.FileLocation);
            Log.LogMessage(MessageImportance.High, $"Cog: building {ImageName} from {ConfigFile} with {engine.Builder}");
            var log = new BuildLog(LogEngineLine, line => Log.LogMessage(MessageImportance.High, line), Report);
            BuildResult result = Wait(ImageBuilder.BuildAsync(request, log, CancellationToken));
            ImageId = result.ImageId;
            Log.LogMessage(MessageImportance.High, result.Skipped
                ? $"Cog: {ImageName} is up to date ({result.ImageId})"
                : $"Cog: image built as {ImageName} ({result.ImageId})");
        }

        private BuildRequest Request(ContainerEngine engine, GeneratedDockerfile dockerfile, SourceLocation configLocation)
        {
            string projectDirectory = Path.GetDirectoryName(Path.GetFullPath(ConfigFile))!;
            return new BuildRequest(engine, projectDirectory, IntermediateDirectory, dockerfile, ImageName)
            {
                RuntimeDirectory = RuntimeDirectory,
                NoCache = NoCache,
                Network = string.IsNullOrWhiteSpace(Network) ? null : Network!.Trim(),
                ExtraArguments = string.IsNullOrWhiteSpace(BuildArguments) ? new string[0] : ShellWords.Split(BuildArguments!).ToArray(),
                Secrets = Secrets.Select(ToSecret).ToList(),
                ExcludedDirectories = new[] { Path.Combine(projectDirectory, "bin") },
                ConfigLocation = configLocation,
            };
        }

        private BuildSecret ToSecret(ITaskItem item)
        {
            string file = item.GetMetadata("File");
            string variable = item.GetMetadata("Environment");
            if (file.Length > 0 == variable.Length > 0)
            {
                throw new CogException(Diagnostic.Error(ConfigurationMessages.InvalidPropertyValue, SourceLocation.None,
                    "CogBuildSecret " + item.ItemSpec, file + variable, "given exactly one of the metadata File or Environment"));
            }

            return file.Length > 0 ? BuildSecret.FromFile(item.ItemSpec, file) : BuildSecret.FromEnvironment(item.ItemSpec, variable);
        }
    }
}
