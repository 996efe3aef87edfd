using System;
using System.Collections.Generic;
using System.IO;
using Cog.Sdk.Core.UpToDate;

namespace Cog.Sdk.Core.Engine
{
    /// <summary>
    /// What the last successful build made, and from what: the image id, a hash of the Dockerfile and the build's
    /// arguments, and the build context's fingerprint. Written only after a successful build, atomically.
    /// </summary>
    public sealed class ImageStamp
    {
        public ImageStamp(string imageId, string inputsHash, string contextFingerprint)
        {
            ImageId = imageId;
            InputsHash = inputsHash;
            ContextFingerprint = contextFingerprint;
        }

        public string ImageId { get; }
        public string InputsHash { get; }
        public string ContextFingerprint { get; }

        /// <summary>The stamp in <paramref name="path"/>, or null when there is none or it cannot be read.</summary>
        public static ImageStamp? Read(string path) =>
            JsonText.ReadFile<ImageStamp>(path) is ImageStamp stamp && stamp.ImageId != null && stamp.InputsHash != null && stamp.ContextFingerprint != null
                ? stamp
                : null;

        /// <summary>Writes to a temporary file and renames it over the stamp, so a stamp is either whole or absent.</summary>
        public void Write(string path) => Stamps.WriteAtomically(path, JsonText.Serialize(this));

        /// <summary>Image ids compare without their "sha256:" prefix, which docker writes and podman does not.</summary>
        public static bool SameImage(string a, string b) => string.Equals(Bare(a), Bare(b), StringComparison.OrdinalIgnoreCase);

        private static string Bare(string id)
        {
            id = id.Trim();
            return id.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase) ? id.Substring("sha256:".Length) : id;
        }
    }
}
