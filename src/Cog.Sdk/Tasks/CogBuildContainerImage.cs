using System.Collections.Generic;
using System.IO;
using System.Linq;
using Cog.Sdk.Core;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Engine;
using Cog.Sdk.Core.Generate;
using Cog.Sdk.Core.Predict;
using Cog.Sdk.Core.Validate;
using Microsoft.Build.Framework;

namespace Cog.Sdk.Tasks
{
    /// <summary>
    /// Builds the model's image with docker or podman from the Dockerfile and the context files it is given, and writes the
    /// new image's id: each step one line at the default verbosity, the engine's own output at normal verbosity. MSBuild runs it only when one of those files is
    /// newer than the last image (CogContainerBuild's inputs and outputs).
    /// </summary>
    public sealed class CogBuildContainerImage : CogTask
    {
        [Required] public string ConfigFile { get; set; } = "";
        [Required] public string IntermediateDirectory { get; set; } = "";
        [Required] public string ContainerEngine { get; set; } = "";

        /// <summary>The image's name, as CogValidate published it (CogImageName).</summary>
        [Required] public string ImageName { get; set; } = "";

        /// <summary>The files of the context (CogCollectBuildContext), each with its ContextPath.</summary>
        public ITaskItem[] ContextFiles { get; set; } = new ITaskItem[0];

        /// <summary>Where the new image's id goes (obj/cog/image.id).</summary>
        [Required] public string ImageIdFile { get; set; } = "";

        public bool NoCache { get; set; }
        public string? Network { get; set; }

        /// <summary>Extra engine arguments, split like a POSIX shell would.</summary>
        public string? BuildArguments { get; set; }

        /// <summary>CogBuildSecret items: the id, with File or Environment metadata. Never logged.</summary>
        public ITaskItem[] Secrets { get; set; } = new ITaskItem[0];

        /// <summary>CogPlatform: os/architecture[/variant] for the engine's --platform.</summary>
        public string? Platform { get; set; }

        /// <summary>CogBuilder: a buildx builder to build with instead of the engine's own.</summary>
        public string? Builder { get; set; }

        /// <summary>The image the Dockerfile starts from (CogBaseImage as resolved), for the base digest label.</summary>
        public string? BaseImage { get; set; }

        [Output] public string ImageId { get; private set; } = "";

        protected override void Run()
        {
            List<BuildSecret> secrets = Secrets.Select(ToSecret).ToList();
            string? platform = string.IsNullOrWhiteSpace(Platform) ? null : Platform!.Trim();
            if (platform != null && !ImageReference.IsValidPlatform(platform))
            {
                throw new CogException(Diagnostic.Error(ConfigurationMessages.InvalidPlatform, SourceLocation.None, platform));
            }

            // What this build wrote is read before the engine is asked anything: a damaged file costs no engine call.
            GeneratedDockerfile dockerfile = ReadBack(GeneratedDockerfile.ModelPathIn(IntermediateDirectory), JsonText.ReadFile<GeneratedDockerfile>);
            ContainerEngine? engine = FindEngine(ContainerEngine);
            if (engine == null)
            {
                return;
            }

            var context = BuildContext.Of(
                ContextFiles.Select(f => new KeyValuePair<string, string>(f.ItemSpec, f.GetMetadata("ContextPath"))),
                dockerfile.ContextFiles);
            var request = new BuildRequest(engine, IntermediateDirectory, dockerfile, context, ImageName)
            {
                NoCache = NoCache,
                Network = string.IsNullOrWhiteSpace(Network) ? null : Network!.Trim(),
                ExtraArguments = string.IsNullOrWhiteSpace(BuildArguments) ? new string[0] : ShellWords.Split(BuildArguments!).ToArray(),
                Secrets = secrets,
                Platform = platform,
                Builder = string.IsNullOrWhiteSpace(Builder) ? null : Builder!.Trim(),
                ConfigLocation = new SourceLocation(Path.GetFullPath(ConfigFile)),
            };
            Log.LogMessage(MessageImportance.High, $"Cog: building {ImageName} from {ConfigFile} with {engine.Builder}");
            var log = new BuildLog(LogEngineLine, line => Log.LogMessage(MessageImportance.High, line));
            string built = WaitYielding(ImageBuilder.BuildAsync(request, log, CancellationToken));

            // Part of the build, so that a no-op build costs nothing more: the labels only the built image can give.
            // Its engine lines (a container run, a FROM-and-labels build) are detail: -v:d shows them.
            var labels = new LabelRequest(IntermediateDirectory, ImageName, built) { BaseImage = BaseImage };
            ImageId = WaitYielding(ImageLabels.AddAsync(engine, labels, line => Log.LogMessage(MessageImportance.Low, line), Report, CancellationToken));
            FileWrites.WriteAtomically(ImageIdFile, ImageId + "\n");
            Log.LogMessage(MessageImportance.High, $"Cog: image built as {ImageName} ({ImageId})");
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
