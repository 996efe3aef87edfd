using System.Collections.Generic;
using System.IO;
using System.Linq;
using Cog.Sdk.Core;
using Cog.Sdk.Core.Generate;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Cog.Sdk.Tasks
{
    /// <summary>
    /// Lists the files that go into the image's build context (the model's files, as .dockerignore and Cog.Sdk's own rules
    /// leave them, and the runtime), by stat alone: they are the inputs MSBuild compares with the image. The list of their
    /// places in the context is kept in a file, written only when it changes, so that a removed or renamed file counts too.
    /// </summary>
    public sealed class CogCollectBuildContext : CogTask
    {
        /// <summary>The folder of cog.yaml.</summary>
        [Required] public string ProjectDirectory { get; set; } = "";

        /// <summary>The shipped runtime (runtime/cog in the package).</summary>
        public string? RuntimeDirectory { get; set; }

        /// <summary>Cog.Sdk's folder under obj/, where the Dockerfile says which local packages (wheels, archives) it installs.</summary>
        [Required] public string IntermediateDirectory { get; set; } = "";

        /// <summary>Folders to leave out besides bin/ and obj/ at the top (a custom intermediate folder, say).</summary>
        public ITaskItem[] ExcludedDirectories { get; set; } = new ITaskItem[0];

        /// <summary>Files to leave out wherever they are: what the build itself writes into the project folder (CogImageArchive).</summary>
        public ITaskItem[] ExcludedFiles { get; set; } = new ITaskItem[0];

        /// <summary>Where the list of context paths goes.</summary>
        [Required] public string ListFile { get; set; } = "";

        /// <summary>Each file, with its place in the context as ContextPath metadata.</summary>
        [Output] public ITaskItem[] ContextFiles { get; private set; } = new ITaskItem[0];

        protected override void Run()
        {
            GeneratedDockerfile? dockerfile = JsonText.ReadFile<GeneratedDockerfile>(GeneratedDockerfile.ModelPathIn(IntermediateDirectory));
            BuildContext context = BuildContext.Collect(
                ProjectDirectory,
                string.IsNullOrEmpty(RuntimeDirectory) || !Directory.Exists(RuntimeDirectory) ? null : RuntimeDirectory,
                new System.Collections.Generic.Dictionary<string, string>(),
                ExcludedDirectories.Select(d => d.ItemSpec),
                dockerfile?.LocalPackages);
            // A link left out is said every build, as cog.yaml's warnings are, until it is fixed.
            Report(context.Warnings);
            var excluded = new HashSet<string>(ExcludedFiles.Select(f => Path.GetFullPath(f.ItemSpec)));
            var files = context.Files.Where(f => !excluded.Contains(Path.GetFullPath(f.SourcePath))).ToList();
            FileWrites.WriteIfChanged(ListFile, string.Concat(files.Select(f => f.ContextPath + "\n")));
            ContextFiles = files
                .Select(f =>
                {
                    var item = new TaskItem(f.SourcePath);
                    item.SetMetadata("ContextPath", f.ContextPath);
                    return (ITaskItem)item;
                })
                .ToArray();
        }
    }
}
