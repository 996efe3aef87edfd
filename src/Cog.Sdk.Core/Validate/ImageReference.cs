using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace Cog.Sdk.Core.Validate
{
    /// <summary>
    /// An image name as registries read it: [registry/]repository[:tag]. A push needs one with a registry: without one,
    /// the engines send it to Docker Hub's library, which is never what a model's name meant.
    /// </summary>
    public sealed class ImageReference
    {
        private const string DefaultTag = "latest";
        private static readonly Regex TagPattern = new Regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", RegexOptions.CultureInvariant);
        private static readonly char[] TagSeparators = { ';', ',', ' ', '\t', '\r', '\n' };

        private ImageReference(string? registry, string repository, string tag)
        {
            Registry = registry;
            Repository = repository;
            Tag = tag;
        }

        /// <summary>The registry host (<c>r8.im</c>, <c>127.0.0.1:5000</c>, <c>docker.io</c>); null when the name has none.</summary>
        public string? Registry { get; }

        /// <summary>The path after the registry: <c>user/model</c>.</summary>
        public string Repository { get; }

        /// <summary>The tag; <c>latest</c> when the name has none, as the engines read it.</summary>
        public string Tag { get; }

        /// <summary>The name without its tag: <c>r8.im/user/model</c>.</summary>
        public string Name => Registry == null ? Repository : Registry + "/" + Repository;

        /// <summary>The same repository with another tag.</summary>
        public ImageReference WithTag(string tag) => new ImageReference(Registry, Repository, tag);

        /// <summary>The full reference, tag included: <c>r8.im/user/model:latest</c>.</summary>
        public override string ToString() => Name + ":" + Tag;

        /// <summary>
        /// Splits a valid image name; null when it is not one, or names a digest (a digest cannot be pushed to).
        /// The first path part is the registry when it has a '.' or a ':', is <c>localhost</c>, or has capitals: the
        /// engines' own rule (distribution/reference).
        /// </summary>
        public static ImageReference? Parse(string name)
        {
            name = name.Trim();
            if (!ImageNames.IsValidReference(name) || name.IndexOf('@') >= 0)
            {
                return null;
            }

            string? registry = null;
            string rest = name;
            int slash = name.IndexOf('/');
            if (slash > 0)
            {
                string first = name.Substring(0, slash);
                if (first.IndexOfAny(new[] { '.', ':' }) >= 0 || first == "localhost" || first.ToLowerInvariant() != first)
                {
                    registry = first;
                    rest = name.Substring(slash + 1);
                }
            }

            int colon = rest.LastIndexOf(':');
            return colon > rest.LastIndexOf('/')
                ? new ImageReference(registry, rest.Substring(0, colon), rest.Substring(colon + 1))
                : new ImageReference(registry, rest, DefaultTag);
        }

        /// <summary>
        /// The tags of a CogImageTags value, in order, each once. Lists arrive however a shell or a CI system let them
        /// through, so ';', ',' and white space all separate, and quotes left around a tag are dropped (a tag can hold
        /// none of these).
        /// </summary>
        public static IReadOnlyList<string> SplitTags(string? value) =>
            (value ?? "").Split(TagSeparators, StringSplitOptions.RemoveEmptyEntries)
                .Select(tag => tag.Trim('"', '\''))
                .Where(tag => tag.Length > 0)
                .Distinct(StringComparer.Ordinal)
                .ToList();

        /// <summary>A tag the registries accept: letters, digits, '_', '.', '-', at most 128, not starting with '.' or '-'.</summary>
        public static bool IsValidTag(string tag) => TagPattern.IsMatch(tag);

        /// <summary>
        /// A name as docker writes it in RepoDigests and lists: Docker Hub's prefixes left out (<c>docker.io/library/python</c>
        /// is <c>python</c>, <c>docker.io/user/model</c> is <c>user/model</c>), so names from either side compare.
        /// </summary>
        public static string FamiliarName(string name)
        {
            foreach (string prefix in new[] { "docker.io/library/", "docker.io/" })
            {
                if (name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return name.Substring(prefix.Length);
                }
            }

            return name;
        }

        /// <summary>An engine platform: <c>os/architecture[/variant]</c>, e.g. <c>linux/amd64</c>, <c>linux/arm64/v8</c>.</summary>
        public static bool IsValidPlatform(string platform) =>
            Regex.IsMatch(platform, "^[a-z0-9]+/[a-z0-9_]+(?:/[a-z0-9]+)?$", RegexOptions.CultureInvariant);
    }
}
