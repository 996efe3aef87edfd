using System.IO;
using Cog.Sdk.Core;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Engine;
using Microsoft.Build.Framework;

namespace Cog.Sdk.Tasks
{
    /// <summary>
    /// The one thing MSBuild's timestamps cannot know: whether the image the last build made (obj/cog/image.id) still
    /// exists under its name. When it was removed or the name now points elsewhere, the file goes, and the image is built
    /// again. One question to the engine (its socket where the docker CLI would use it), and no probing of the engine.
    /// </summary>
    public sealed class CogCheckImage : CogTask
    {
        [Required] public string ImageIdFile { get; set; } = "";
        [Required] public string ImageName { get; set; } = "";
        [Required] public string ContainerEngine { get; set; } = "";

        /// <summary>CogNoCache: build again whatever the state.</summary>
        public bool NoCache { get; set; }

        protected override void Run()
        {
            if (!File.Exists(ImageIdFile))
            {
                return;
            }

            string built = File.ReadAllText(ImageIdFile).Trim();
            if (NoCache || built.Length == 0 || !Exists(built))
            {
                Log.LogMessage(MessageImportance.Normal, NoCache
                    ? $"Cog: CogNoCache is set: {ImageName} is built again."
                    : $"Cog: {ImageName} ({built}) is no longer in the engine: it is built again.");
                FileWrites.Delete(ImageIdFile);
            }
        }

        private bool Exists(string imageId)
        {
            try
            {
                ContainerEngine engine = EngineLocator.Unprobed(ContainerEngine);
                return Wait(Images.InspectAsync(engine, ImageName, CancellationToken)) is ImageDetails image && ImageDetails.SameId(image.Id, imageId);
            }
            catch (CogException)
            {
                // No engine to ask: the build that follows finds out why, and says so.
                return false;
            }
        }
    }
}
