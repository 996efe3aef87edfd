namespace Cog.Sdk.Core.Engine
{
    public enum ContainerEngineKind
    {
        Docker,
        Podman,
    }

    /// <summary>The container engine CLI that this build talks to, found once per build.</summary>
    public sealed class ContainerEngine
    {
        public ContainerEngine(ContainerEngineKind kind, string executablePath, bool hasBuildKit)
        {
            Kind = kind;
            ExecutablePath = executablePath;
            HasBuildKit = hasBuildKit;
        }

        public ContainerEngineKind Kind { get; }

        /// <summary>Full path of the CLI (docker or podman).</summary>
        public string ExecutablePath { get; }

        /// <summary>
        /// Whether the engine's builder accepts BuildKit Dockerfile features (RUN --mount=type=cache):
        /// docker with buildx, or podman (buildah). The classic docker builder does not.
        /// </summary>
        public bool HasBuildKit { get; }

        public override string ToString() => $"{Kind} ({ExecutablePath})";
    }
}
