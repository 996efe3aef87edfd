using Cog.Sdk.Core.Engine;
using Microsoft.Build.Framework;

namespace Cog.Sdk.Tasks
{
    /// <summary>Writes the model's image to a tar archive (CogImageArchive) with docker save or podman save, for `docker load` elsewhere.</summary>
    public sealed class CogSaveImageArchive : CogTask
    {
        [Required] public string ContainerEngine { get; set; } = "";
        [Required] public string ImageName { get; set; } = "";

        /// <summary>The archive to write, replaced whole.</summary>
        [Required] public string ArchiveFile { get; set; } = "";

        protected override void Run()
        {
            ContainerEngine? engine = FindEngine(ContainerEngine);
            if (engine == null)
            {
                return;
            }

            string archive = WaitYielding(ImageArchives.SaveAsync(engine, ImageName, ArchiveFile, LogEngineLine, CancellationToken));
            Log.LogMessage(MessageImportance.High, $"Cog: saved {ImageName} to {archive}");
        }
    }
}
