using System;
using System.Collections.Generic;
using System.IO;
using Cog.Sdk.Core.Json;
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
        public static ImageStamp? Read(string path)
        {
            try
            {
                if (!File.Exists(path) || !JsonText.TryParse(File.ReadAllText(path), out object? value, out _)
                    || value is not Dictionary<string, object?> json
                    || json.TryGetValue("imageId", out object? id) is false || id is not string imageId
                    || json.TryGetValue("inputs", out object? inputs) is false || inputs is not string inputsHash
                    || json.TryGetValue("context", out object? context) is false || context is not string fingerprint)
                {
                    return null;
                }

                return new ImageStamp(imageId, inputsHash, fingerprint);
            }
            catch (IOException)
            {
                return null;
            }
        }

        /// <summary>Writes to a temporary file and renames it over the stamp, so a stamp is either whole or absent.</summary>
        public void Write(string path)
        {
            var json = new Dictionary<string, object?> { ["imageId"] = ImageId, ["inputs"] = InputsHash, ["context"] = ContextFingerprint };
            Stamps.WriteAtomically(path, JsonText.Write(json, indented: true));
        }

        /// <summary>Image ids compare without their "sha256:" prefix, which docker writes and podman does not.</summary>
        public static bool SameImage(string a, string b) => string.Equals(Bare(a), Bare(b), StringComparison.OrdinalIgnoreCase);

        private static string Bare(string id)
        {
            id = id.Trim();
            return id.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase) ? id.Substring("sha256:".Length) : id;
        }
    }
}
