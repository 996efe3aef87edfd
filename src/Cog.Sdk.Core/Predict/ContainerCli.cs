using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Engine;

namespace Cog.Sdk.Core.Predict
{
    /// <summary>The engine commands that predictions and CogRun share: image checks, names, GPU fallback, removal.</summary>
    internal static class ContainerCli
    {
        /// <summary>How long removing a container may take; it runs even after cancellation, so it must be short.</summary>
        private static readonly TimeSpan RemoveTimeout = TimeSpan.FromSeconds(20);

        /// <summary>
        /// The image's id and labels; a missing image is a coded error that says to build it first, unless the engine's daemon
        /// does not answer at all (COG1002, COG1003): an engine found without asking its daemon (<see cref="EngineLocator.Unprobed"/>)
        /// asks it here, when something is wrong, and not before every prediction.
        /// </summary>
        public static async Task<ImageDetails> InspectImageAsync(ContainerEngine engine, string image, CancellationToken cancellationToken)
        {
            if (await Images.InspectAsync(engine, image, cancellationToken).ConfigureAwait(false) is ImageDetails details)
            {
                return details;
            }

            await EngineLocator.CheckDaemonAsync(engine, cancellationToken).ConfigureAwait(false);
            throw new CogException(Diagnostic.Error(ProcessMessages.ImageNotFound, SourceLocation.None, image));
        }

        /// <summary>A container name that says what it is and never collides: "cog-predict-my-model-3f9a1c2e".</summary>
        public static string NewContainerName(string purpose, string image)
        {
            // Keep the image's last path part without its tag, in the characters a container name allows.
            string name = image;
            int slash = name.LastIndexOf('/');
            name = slash >= 0 ? name.Substring(slash + 1) : name;
            int tagOrDigest = name.IndexOfAny(new[] { ':', '@' });
            name = tagOrDigest > 0 ? name.Substring(0, tagOrDigest) : name;
            var safe = new StringBuilder();
            foreach (char c in name)
            {
                safe.Append(char.IsLetterOrDigit(c) && c < 128 || c == '_' || c == '.' || c == '-' ? c : '-');
            }

            string random = Guid.NewGuid().ToString("N").Substring(0, 8);
            return $"cog-{purpose}-{(safe.Length == 0 ? "image" : safe.ToString())}-{random}";
        }

        /// <summary>Whether to ask for GPUs first.</summary>
        public static bool WantsGpu(GpuMode mode, bool configUsesGpu) => mode == GpuMode.All || (mode == GpuMode.Auto && configUsesGpu);

        /// <summary>
        /// The engine's answer when it has no GPU driver: docker without the NVIDIA runtime says
        /// 'could not select device driver "" with capabilities: [[gpu]]', a broken NVIDIA setup 'nvidia-container-cli: ...'.
        /// </summary>
        public static bool IsMissingGpuDriver(string engineError) =>
            engineError.IndexOf("could not select device driver", StringComparison.OrdinalIgnoreCase) >= 0 ||
            engineError.IndexOf("nvidia-container-cli", StringComparison.OrdinalIgnoreCase) >= 0;

        /// <summary>
        /// Runs <paramref name="start"/> with the GPU request if one is wanted; when the engine has no GPU driver,
        /// removes the half-made container and, in auto mode, warns and runs it again without the GPU request.
        /// </summary>
        public static async Task<ProcessResult> StartWithGpuFallbackAsync(
            ContainerEngine engine, string containerName, GpuMode mode, bool configUsesGpu,
            Func<bool, Task<ProcessResult>> start, Action<Diagnostic> report)
        {
            bool gpu = WantsGpu(mode, configUsesGpu);
            ProcessResult result = await start(gpu).ConfigureAwait(false);
            if (!gpu || result.Succeeded || !IsMissingGpuDriver(result.StandardError))
            {
                return result;
            }

            string reason = LastLine(result.StandardError);
            if (mode == GpuMode.All)
            {
                throw new CogException(Diagnostic.Error(ProcessMessages.GpuUnavailable, SourceLocation.None, reason));
            }

            report(Diagnostic.Warning(ProcessMessages.GpuDriverMissing, SourceLocation.None, reason));
            await RemoveAsync(engine, containerName, report).ConfigureAwait(false);
            return await start(false).ConfigureAwait(false);
        }

        /// <summary>
        /// Removes a container, whatever state it is in. Runs with its own short timeout and no outside token, so
        /// it still runs while a canceled build unwinds. A container that is already gone is fine.
        /// </summary>
        public static async Task RemoveAsync(ContainerEngine engine, string containerName, Action<Diagnostic> report)
        {
            string problem;
            using (var timeout = new CancellationTokenSource(RemoveTimeout))
            {
                try
                {
                    while (true)
                    {
                        ProcessResult result = await engine.RunAsync(new[] { "rm", "-f", containerName }, timeout.Token).ConfigureAwait(false);
                        if (result.Succeeded || result.StandardError.IndexOf("no such container", StringComparison.OrdinalIgnoreCase) >= 0)
                        {
                            return;
                        }

                        // --rm is removing it right now (it just exited): ask again until it is gone.
                        if (result.StandardError.IndexOf("already in progress", StringComparison.OrdinalIgnoreCase) < 0)
                        {
                            // The message goes on after it with a sentence of its own.
                            problem = LastLine(result.StandardError).TrimEnd('.', '?', '!', ' ');
                            break;
                        }

                        await Task.Delay(200, timeout.Token).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException)
                {
                    problem = $"'rm -f' did not finish within {RemoveTimeout.TotalSeconds} s";
                }
            }

            report(Diagnostic.Warning(ProcessMessages.ContainerNotRemoved, SourceLocation.None, containerName, problem, EngineName(engine)));
        }

        /// <summary>"docker" or "podman", for messages that tell the user a command to type.</summary>
        public static string EngineName(ContainerEngine engine) => engine.Kind == ContainerEngineKind.Podman ? "podman" : "docker";

        /// <summary>The last non-empty line of an engine's error output: its actual complaint.</summary>
        public static string LastLine(string text) =>
            text.Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0 && !line.StartsWith("Run '", StringComparison.Ordinal)).LastOrDefault() ?? "(no output)";

        /// <summary>The last lines of some output, for an error message.</summary>
        public static string Tail(string text, int lines)
        {
            var all = new List<string>(text.TrimEnd().Split('\n'));
            return string.Join("\n", all.GetRange(Math.Max(0, all.Count - lines), Math.Min(lines, all.Count)));
        }

        /// <summary>A callback that several threads may call: the container's log and the engine's output arrive on their own.</summary>
        public static Action<string> Serialized(Action<string> log)
        {
            var gate = new object();
            return line =>
            {
                lock (gate)
                {
                    log(line);
                }
            };
        }
    }
}
