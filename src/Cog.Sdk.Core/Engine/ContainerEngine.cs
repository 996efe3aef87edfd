using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

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
        public ContainerEngine(ContainerEngineKind kind, string executablePath, bool hasBuildKit, IReadOnlyDictionary<string, string>? environment = null)
        {
            Kind = kind;
            ExecutablePath = executablePath;
            HasBuildKit = hasBuildKit;
            Environment = environment ?? new Dictionary<string, string>();
        }

        public ContainerEngineKind Kind { get; }

        /// <summary>Full path of the CLI (docker or podman).</summary>
        public string ExecutablePath { get; }

        /// <summary>
        /// Whether the engine's builder accepts BuildKit Dockerfile features (RUN --mount=type=cache):
        /// docker with buildx, or podman (buildah). The classic docker builder does not.
        /// </summary>
        public bool HasBuildKit { get; }

        /// <summary>Docker's classic builder (DOCKER_BUILDKIT=0, or no buildx): no RUN --mount, no --secret.</summary>
        public bool HasClassicBuilder => Kind == ContainerEngineKind.Docker && !HasBuildKit;

        /// <summary>The builder, as a build log names it.</summary>
        public string Builder =>
            Kind == ContainerEngineKind.Podman ? "podman"
            : HasBuildKit ? "BuildKit (docker buildx)"
            : "docker's classic builder";

        /// <summary>
        /// Variables set for every call on top of the inherited environment (which carries DOCKER_HOST and
        /// DOCKER_CONTEXT), e.g. DOCKER_BUILDKIT matching <see cref="HasBuildKit"/>.
        /// </summary>
        public IReadOnlyDictionary<string, string> Environment { get; }

        /// <summary>Runs the engine CLI with this engine's environment, streaming its output line by line.</summary>
        public Task<ProcessResult> RunAsync(
            IReadOnlyList<string> arguments,
            CancellationToken cancellationToken,
            Action<string>? onStandardOutput = null,
            Action<string>? onStandardError = null) =>
            ProcessRunner.RunAsync(ExecutablePath, arguments, cancellationToken, onStandardOutput, onStandardError, Environment);

        /// <summary>A variable as the engine's CLI sees it: this engine's override, else this process's value, else "".</summary>
        public string Variable(string name) => Variable(Environment, name);

        internal static string Variable(IReadOnlyDictionary<string, string> overrides, string name) =>
            overrides.TryGetValue(name, out string? value) ? value : System.Environment.GetEnvironmentVariable(name) ?? "";

        public override string ToString() => $"{Kind} ({ExecutablePath})";
    }
}
