using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace Cog.Sdk.Core.Engine
{
    /// <summary>An image as the engine describes it: its id, its labels, the registry digests and the platform it has.</summary>
    public sealed class ImageDetails
    {
        public ImageDetails(string id, JsonObject labels, IReadOnlyList<string>? repoDigests = null, string platform = "", IReadOnlyList<string>? layers = null)
        {
            Id = id;
            Labels = labels;
            RepoDigests = repoDigests ?? new string[0];
            Platform = platform;
            Layers = layers ?? new string[0];
        }

        public string Id { get; }

        public JsonObject Labels { get; }

        /// <summary>Where the image was pulled from or pushed to, by digest: <c>registry/repository@sha256:...</c>.</summary>
        public IReadOnlyList<string> RepoDigests { get; }

        /// <summary>The platform the image is for, <c>os/architecture[/variant]</c>; empty when the engine did not say.</summary>
        public string Platform { get; }

        /// <summary>The digests of the image's filesystem layers, bottom first: what an image holds, whatever its configuration and labels.</summary>
        public IReadOnlyList<string> Layers { get; }

        /// <summary>Image ids compare without their "sha256:" prefix, which docker writes and podman does not.</summary>
        public static bool SameId(string a, string b) => string.Equals(Bare(a), Bare(b), System.StringComparison.OrdinalIgnoreCase);

        private static string Bare(string id)
        {
            id = id.Trim();
            return id.StartsWith("sha256:", System.StringComparison.OrdinalIgnoreCase) ? id.Substring("sha256:".Length) : id;
        }
    }

    /// <summary>The one way Cog.Sdk asks an engine about an image: docker's socket where the CLI would use it, else the CLI.</summary>
    public static class Images
    {
        /// <summary>The image's id, labels, registry digests and platform; null when the engine has no such image (or does not answer).</summary>
        public static async Task<ImageDetails?> InspectAsync(ContainerEngine engine, string image, CancellationToken cancellationToken)
        {
            JsonObject? details;
            if (await DaemonSocket.GetAsync(engine, "images/" + image + "/json", cancellationToken).ConfigureAwait(false) is (HttpStatusCode status, string body))
            {
                details = status == HttpStatusCode.OK ? JsonText.ParseObject(body) : null;
            }
            else
            {
                // The CLI answers with a list holding one object per image asked about.
                ProcessResult result = await engine.RunAsync(new[] { "image", "inspect", image }, cancellationToken).ConfigureAwait(false);
                details = result.Succeeded && JsonText.TryParse(result.StandardOutput, out JsonNode? answer, out _) && answer is JsonArray list && list.Count == 1
                    ? list[0] as JsonObject
                    : null;
            }

            string? id = details.String("Id");
            if (id == null)
            {
                return null;
            }

            string platform = string.Join("/", new[] { details.String("Os"), details.String("Architecture"), details.String("Variant") }
                .Where(part => !string.IsNullOrEmpty(part)));
            return new ImageDetails(id, ((details!["Config"] as JsonObject)?["Labels"] as JsonObject) ?? new JsonObject(), Strings(details["RepoDigests"]), platform,
                Strings((details["RootFS"] as JsonObject)?["Layers"]));
        }

        private static List<string> Strings(JsonNode? list) =>
            (list as JsonArray)?.Select(item => item is JsonValue value && value.TryGetValue(out string? text) ? text : null).OfType<string>().ToList() ?? new List<string>();
    }
}
