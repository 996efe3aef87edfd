using System.Linq;
using Cog.Sdk.Core.Engine;
using Cog.Sdk.Core.Validate;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Cog.Sdk.Tasks
{
    /// <summary>
    /// Pushes the model's image under each reference CogPlanPush made, with the engine's own push and login, and
    /// publishes the digest the registry took it as. A layer the registry already has is not uploaded again.
    /// </summary>
    public sealed class CogPushImage : CogTask
    {
        [Required] public string IntermediateDirectory { get; set; } = "";
        [Required] public string ContainerEngine { get; set; } = "";

        /// <summary>The local image to push (CogImageName).</summary>
        [Required] public string ImageName { get; set; } = "";

        /// <summary>Where to push it: <c>registry/repository:tag</c>, one item each.</summary>
        [Required] public ITaskItem[] References { get; set; } = new ITaskItem[0];

        /// <summary>The digest of the pushed image (the same under every tag): <c>sha256:...</c>.</summary>
        [Output] public string Digest { get; private set; } = "";

        /// <summary>Each reference pushed, with its Digest metadata.</summary>
        [Output] public ITaskItem[] PushedImages { get; private set; } = new ITaskItem[0];

        protected override void Run()
        {
            ContainerEngine? engine = FindEngine(ContainerEngine);
            if (engine == null)
            {
                return;
            }

            var targets = References.Select(r => ImageReference.Parse(r.ItemSpec)).OfType<ImageReference>().ToList();
            var pushed = WaitYielding(ImagePush.PushAsync(engine, ImageName, targets, IntermediateDirectory, LogEngineLine, Report, CancellationToken));
            foreach (PushedImage image in pushed)
            {
                Log.LogMessage(MessageImportance.High, $"Cog: pushed {image.Reference} ({(image.Digest.Length > 0 ? image.Digest : "digest unknown")})");
            }

            Digest = pushed.Select(p => p.Digest).FirstOrDefault(d => d.Length > 0) ?? "";
            PushedImages = pushed.Select(p =>
            {
                var item = new TaskItem(p.Reference);
                item.SetMetadata("Digest", p.Digest);
                return (ITaskItem)item;
            }).ToArray();
        }
    }
}
