using System.Collections.Generic;
using System.Linq;
using Cog.Sdk.Core;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Validate;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Cog.Sdk.Tasks
{
    /// <summary>
    /// Says where a push goes before anything is built: the image's name with its registry, and each tag of CogImageTags.
    /// No name of the user's own, a name without a registry or a tag the registries refuse is a coded error here, so
    /// that a mistake costs no build.
    /// </summary>
    public sealed class CogPlanPush : CogTask
    {
        [Required] public string ModelFile { get; set; } = "";

        /// <summary>The image's name, as CogValidate published it (CogImageName).</summary>
        [Required] public string ImageName { get; set; } = "";

        /// <summary>CogImageName as the project or the command line set it, before CogValidate; empty when it was not set.</summary>
        public string? ImageNameProperty { get; set; }

        /// <summary>CogImageTags: further tags, ';'-separated.</summary>
        public string? Tags { get; set; }

        /// <summary>Every reference to push, <c>registry/repository:tag</c>, the image's own name first.</summary>
        [Output] public ITaskItem[] References { get; private set; } = new ITaskItem[0];

        protected override void Run()
        {
            CogProject model = ReadModel(ModelFile);
            SourceLocation at = string.IsNullOrWhiteSpace(ImageNameProperty) ? model.Config.Image?.Location ?? SourceLocation.None : SourceLocation.None;
            if (string.IsNullOrWhiteSpace(ImageNameProperty) && model.Config.Image == null)
            {
                throw new CogException(Diagnostic.Error(ConfigurationMessages.PushWithoutImageName, new SourceLocation(model.Config.FilePath), ImageName));
            }

            ImageReference image = ImageReference.Parse(ImageName)
                ?? throw new CogException(Diagnostic.Error(ConfigurationMessages.InvalidPushName, at, ImageName));
            if (image.Registry == null)
            {
                string last = image.Repository.Substring(image.Repository.LastIndexOf('/') + 1);
                throw new CogException(Diagnostic.Error(ConfigurationMessages.PushWithoutRegistry, at, ImageName, last));
            }

            var references = new List<ImageReference> { image };
            foreach (string tag in ImageReference.SplitTags(Tags))
            {
                if (!ImageReference.IsValidTag(tag))
                {
                    Report(Diagnostic.Error(ConfigurationMessages.InvalidImageTag, SourceLocation.None, tag));
                }
                else if (tag != image.Tag)
                {
                    references.Add(image.WithTag(tag));
                }
            }

            References = references.Select(r => (ITaskItem)new TaskItem(r.ToString())).ToArray();
        }
    }
}
