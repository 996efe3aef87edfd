using System.Linq;
using Cog.Sdk.Core;
using Cog.Sdk.Core.Diagnostics;
using Microsoft.Build.Framework;

namespace Cog.Sdk.Tasks
{
    /// <summary>
    /// Parses and validates cog.yaml, resolves CUDA, cuDNN and the base image, and writes the result to obj/cog/model.json
    /// with the list of files it read, which MSBuild watches to skip this step while none of them changes. Errors are
    /// reported here, at their place in cog.yaml; warnings travel in the model, and CogReadModel reports them on every build.
    /// </summary>
    public sealed class CogResolveModel : CogTask
    {
        [Required] public string ConfigFile { get; set; } = "";

        public string? CompatibilityFile { get; set; }

        public string? ImageName { get; set; }

        public string? BaseImage { get; set; }

        /// <summary>Where the model goes (obj/cog/model.json).</summary>
        [Required] public string ModelFile { get; set; } = "";

        /// <summary>Where the list of files read goes, one path a line: the inputs of the next build's up-to-date check.</summary>
        [Required] public string InputsFile { get; set; } = "";

        protected override void Run()
        {
            var diagnostics = new DiagnosticBag();
            CogProject? project = CogProject.Load(new CogProjectOptions(ConfigFile)
            {
                CompatibilityFile = CompatibilityFile,
                ImageName = ImageName,
                BaseImage = BaseImage,
            }, diagnostics);
            if (project == null)
            {
                // No model, so that the next build does this again whatever the timestamps say.
                FileWrites.Delete(ModelFile);
                Report(diagnostics);
                return;
            }

            FileWrites.WriteIfChanged(InputsFile, string.Concat(project.InputFiles.Select(file => file + "\n")));
            project.Write(ModelFile);
        }
    }
}
