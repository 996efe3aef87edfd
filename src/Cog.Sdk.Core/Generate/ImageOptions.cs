using System.Collections.Generic;

namespace Cog.Sdk.Core.Generate
{
    /// <summary>Where the image gets Cog's prediction server from.</summary>
    public enum RuntimeSource
    {
        /// <summary>The runtime shipped with Cog.Sdk, staged into the build context (context folder <c>cog/runtime/cog</c>).</summary>
        Local,

        /// <summary><c>pip install cog[==version]</c> from the package index, for users who want Cog's own server.</summary>
        PyPI,
    }

    /// <summary>
    /// How a project wants its image built (CogRuntime, CogPipIndexUrl, ...), beyond what cog.yaml says. A blank value
    /// is no value: MSBuild passes an unset property as an empty string.
    /// </summary>
    public sealed class ImageOptions
    {
        private string? _runtimeVersion;
        private string? _pipIndexUrl;
        private string? _pipExtraIndexUrl;
        private string? _sourceUrl;
        private string? _sourceRevision;

        public RuntimeSource Runtime { get; set; } = RuntimeSource.Local;

        /// <summary>CogInstallPython: null (auto) installs Python on the computed CUDA images only.</summary>
        public bool? InstallPython { get; set; }

        /// <summary>With <see cref="RuntimeSource.PyPI"/>: the cog version to pin (CogRuntimeVersion); null leaves it to cog.yaml's sdk_version.</summary>
        public string? RuntimeVersion { get => _runtimeVersion; set => _runtimeVersion = Blank(value); }

        /// <summary>pip's <c>--index-url</c>, for private or offline indexes.</summary>
        public string? PipIndexUrl { get => _pipIndexUrl; set => _pipIndexUrl = Blank(value); }

        /// <summary>pip's <c>--extra-index-url</c>.</summary>
        public string? PipExtraIndexUrl { get => _pipExtraIndexUrl; set => _pipExtraIndexUrl = Blank(value); }

        /// <summary>Written as <c>org.opencontainers.image.source</c> when set.</summary>
        public string? SourceUrl { get => _sourceUrl; set => _sourceUrl = Blank(value); }

        /// <summary>Written as <c>org.opencontainers.image.revision</c> when set.</summary>
        public string? SourceRevision { get => _sourceRevision; set => _sourceRevision = Blank(value); }

        /// <summary>Labels from the project (the OCI labels of Version, Authors, ...; CogImageLabel items), by name; they win over the standard ones of the same name.</summary>
        public IReadOnlyDictionary<string, string> Labels { get; set; } = new Dictionary<string, string>();

        private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value!.Trim();
    }
}
