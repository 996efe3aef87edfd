using System.Collections.Generic;
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
    /// CogContainerBuild: builds the model's image with docker or podman, streaming the engine's output into the
    /// build log; skipped when the stamp in obj/cog says the context, the Dockerfile and the image are unchanged.
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

        [Output] public string ImageId { get; private set; } = "";

        protected override void Run()
        {
            CogProject project = ValidatedProject(ConfigFile);
            GeneratedDockerfile dockerfile = ProjectCache.Recall<GeneratedDockerfile>(BuildEngine, ConfigFile)
                ?? throw new CogException(Diagnostic.Error(ProcessMessages.InternalError, SourceLocation.None, "CogGenerateDockerfile did not run before CogBuildImage"));
            ContainerEngine? engine = FindEngine(ContainerEngine, IntermediateDirectory);
            if (engine == null)
            {
                return;
            }

            var request = new BuildRequest(engine, project.Config.ProjectDirectory, IntermediateDirectory, dockerfile, project.ImageName)
            {
                RuntimeDirectory = RuntimeDirectory,
                NoCache = NoCache,
                Network = string.IsNullOrWhiteSpace(Network) ? null : Network!.Trim(),
                ExtraArguments = string.IsNullOrWhiteSpace(BuildArguments) ? new string[0] : ShellWords.Split(BuildArguments!).ToArray(),
                Secrets = Secrets.Select(ToSecret).ToList(),
                ExcludedDirectories = new[] { System.IO.Path.Combine(project.Config.ProjectDirectory, "bin") },
                ConfigLocation = project.Config.FileLocation,
            };

            Log.LogMessage(MessageImportance.High, $"Cog: building {project.ImageName} from {ConfigFile}");
            BuildResult result = Wait(ImageBuilder.BuildAsync(request, LogEngineLine, CancellationToken));
            ImageId = result.ImageId;
            Log.LogMessage(MessageImportance.High, result.Skipped
                ? $"Cog: {project.ImageName} is up to date"
                : $"Cog: image built as {project.ImageName} ({result.ImageId})");
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
