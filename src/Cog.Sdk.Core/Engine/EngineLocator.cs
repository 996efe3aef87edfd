using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.ComponentModel;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Cog.Sdk.Core.Diagnostics;

namespace Cog.Sdk.Core.Engine
{
    /// <summary>
    /// Finds the container engine: docker, then podman, on PATH (or the one the setting names), checks that its daemon
    /// answers, and whether it builds with BuildKit. The answer is cached per process for the same setting and
    /// environment, so a build with many projects asks once.
    /// </summary>
    public static class EngineLocator
    {
        public const string Auto = "auto";

        private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(30);
        private static readonly ConcurrentDictionary<string, ContainerEngine> Found = new ConcurrentDictionary<string, ContainerEngine>(StringComparer.Ordinal);

        /// <summary>The engine for <paramref name="setting"/> ("auto", "docker", "podman" or a path); throws <see cref="CogException"/> when there is none that works.</summary>
        public static ContainerEngine Find(string setting, CancellationToken cancellationToken = default) =>
            FindAsync(setting, null, cancellationToken).GetAwaiter().GetResult();

        /// <summary>As <see cref="Find(string, CancellationToken)"/>, with the problem added to <paramref name="diagnostics"/> and null returned instead of an exception.</summary>
        public static ContainerEngine? Find(string setting, DiagnosticBag diagnostics, CancellationToken cancellationToken = default)
        {
            try
            {
                return Find(setting, cancellationToken);
            }
            catch (CogException e)
            {
                diagnostics.Add(e.Diagnostic);
                return null;
            }
        }

        /// <summary>
        /// <paramref name="environment"/> overrides this process's variables, for the lookups (PATH, DOCKER_BUILDKIT) and
        /// for every engine call (DOCKER_HOST): what an MSBuild project property or a test wants without touching the process.
        /// </summary>
        public static async Task<ContainerEngine> FindAsync(string setting, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
        {
            environment ??= new Dictionary<string, string>();
            string Variable(string name) => ContainerEngine.Variable(environment, name);
            string key = string.Join("\0", new[] { setting, Variable("PATH"), Variable("DOCKER_HOST"), Variable("DOCKER_CONTEXT"), Variable("DOCKER_BUILDKIT") }
                .Concat(environment.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value)));
            if (Found.TryGetValue(key, out ContainerEngine? cached))
            {
                return cached;
            }

            // Only engines that work are kept: a daemon started after a failure is found by the next build.
            ContainerEngine probe = Unprobed(setting, environment);
            ContainerEngineKind kind = probe.Kind;
            string path = probe.ExecutablePath;

            // Both questions at once: each is a process start.
            Task<ProcessResult>? buildx = kind == ContainerEngineKind.Docker && Variable("DOCKER_BUILDKIT") != "0"
                ? RunProbeAsync(probe, new[] { "buildx", "version" }, cancellationToken)
                : null;
            try
            {
                await CheckDaemonAsync(probe, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (buildx != null)
            {
                // The daemon's problem is the one to report; the buildx answer no longer matters.
                await buildx.ContinueWith(t => t.Exception, TaskScheduler.Default).ConfigureAwait(false);
                throw;
            }

            bool hasBuildKit = kind == ContainerEngineKind.Podman
                || (buildx != null && (await buildx.ConfigureAwait(false)).Succeeded);
            var engineEnvironment = new Dictionary<string, string>(environment.ToDictionary(p => p.Key, p => p.Value));
            if (kind == ContainerEngineKind.Docker)
            {
                // Without buildx, newer docker CLIs refuse "docker build" unless the classic builder is asked for.
                engineEnvironment["DOCKER_BUILDKIT"] = hasBuildKit ? "1" : "0";
            }

            var engine = new ContainerEngine(kind, path, hasBuildKit, engineEnvironment);
            Found[key] = engine;
            return engine;
        }

        /// <summary>
        /// The engine CLI that <paramref name="setting"/> names, found on PATH without asking its daemon anything: enough
        /// to ask about an image (a no-op build does only that) and to run one that exists (a prediction after the build);
        /// <see cref="CheckDaemonAsync"/> when something fails. Throws <see cref="CogException"/> when there is no such CLI.
        /// </summary>
        public static ContainerEngine Unprobed(string setting, IReadOnlyDictionary<string, string>? environment = null)
        {
            environment ??= new Dictionary<string, string>();
            string path = Locate(setting, ContainerEngine.Variable(environment, "PATH"));
            ContainerEngineKind kind = Path.GetFileNameWithoutExtension(path).IndexOf("podman", StringComparison.OrdinalIgnoreCase) >= 0
                ? ContainerEngineKind.Podman
                : ContainerEngineKind.Docker;
            return new ContainerEngine(kind, path, hasBuildKit: false, environment);
        }

        /// <summary>Forgets the engines found by this process, as a new build process would (for tests).</summary>
        internal static void ForgetFoundEngines() => Found.Clear();

        /// <summary>COG1002 or COG1003 when an engine's output says its daemon cannot be reached; null otherwise.</summary>
        public static Diagnostic? DaemonProblem(ContainerEngine engine, string output)
        {
            string reason = LastLines(output, 2);
            if (output.IndexOf("permission denied", StringComparison.OrdinalIgnoreCase) >= 0
                && (output.IndexOf("socket", StringComparison.OrdinalIgnoreCase) >= 0 || output.IndexOf("daemon", StringComparison.OrdinalIgnoreCase) >= 0))
            {
                return Diagnostic.Error(EngineMessages.EnginePermissionDenied, SourceLocation.None, engine, reason);
            }

            string[] downSigns = { "Cannot connect to the Docker daemon", "Is the docker daemon running", "error during connect", "Cannot connect to Podman", "unable to connect to Podman" };
            return downSigns.Any(s => output.IndexOf(s, StringComparison.OrdinalIgnoreCase) >= 0)
                ? Diagnostic.Error(EngineMessages.EngineDaemonNotRunning, SourceLocation.None, engine, reason)
                : null;
        }

        /// <summary>The last <paramref name="count"/> non-empty lines, for messages that quote the engine.</summary>
        internal static string LastLines(string output, int count) =>
            string.Join(Environment.NewLine, output.Split(new[] { '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Trim()).Where(l => l.Length > 0).Reverse().Take(count).Reverse());

        private static string Locate(string setting, string path)
        {
            string name = string.IsNullOrWhiteSpace(setting) ? Auto : setting.Trim();
            if (string.Equals(name, Auto, StringComparison.OrdinalIgnoreCase))
            {
                return FindOnPath("docker", path) ?? FindOnPath("podman", path)
                    ?? throw new CogException(Diagnostic.Error(EngineMessages.EngineNotInstalled, SourceLocation.None));
            }

            string? found = name.IndexOfAny(new[] { '/', '\\' }) < 0 ? FindOnPath(name, path) : File.Exists(name) ? Path.GetFullPath(name) : null;
            return found ?? throw new CogException(Diagnostic.Error(EngineMessages.EngineNotFoundAtSetting, SourceLocation.None, name));
        }

        private static string? FindOnPath(string name, string path)
        {
            string[] names = Path.DirectorySeparatorChar == '\\' ? new[] { name + ".exe", name } : new[] { name };
            foreach (string folder in path.Split(new[] { Path.PathSeparator }, StringSplitOptions.RemoveEmptyEntries))
            {
                foreach (string candidate in names.Select(n => Path.Combine(folder.Trim('"'), n)))
                {
                    if (File.Exists(candidate))
                    {
                        return candidate;
                    }
                }
            }

            return null;
        }

        /// <summary>Throws the coded error (COG1002, COG1003, COG1005) when the daemon of <paramref name="engine"/> does not answer.</summary>
        public static async Task CheckDaemonAsync(ContainerEngine engine, CancellationToken cancellationToken)
        {
            // "docker version" asks the daemon for its version: one round trip that fails the way builds would.
            string[] arguments = engine.Kind == ContainerEngineKind.Docker
                ? new[] { "version", "--format", "{{.Server.Version}}" }
                : new[] { "version" };
            ProcessResult result = await RunProbeAsync(engine, arguments, cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                string output = result.StandardError + result.StandardOutput;
                throw new CogException(DaemonProblem(engine, output)
                    ?? Diagnostic.Error(EngineMessages.EngineDaemonNotRunning, SourceLocation.None, engine, LastLines(output, 2)));
            }
        }

        private static async Task<ProcessResult> RunProbeAsync(ContainerEngine engine, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ProbeTimeout);
            try
            {
                return await engine.RunAsync(arguments, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new CogException(Diagnostic.Error(EngineMessages.EngineDaemonNotRunning, SourceLocation.None, engine,
                    $"'{string.Join(" ", arguments)}' did not answer within {ProbeTimeout.TotalSeconds:0} seconds."));
            }
            catch (Win32Exception e)
            {
                throw new CogException(Diagnostic.Error(EngineMessages.EngineNotStarted, SourceLocation.None, engine, e.Message));
            }
        }
    }
}
