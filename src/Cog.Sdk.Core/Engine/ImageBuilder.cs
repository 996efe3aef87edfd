using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Generate;
using Cog.Sdk.Core.UpToDate;

namespace Cog.Sdk.Core.Engine
{
    /// <summary>A secret for <c>RUN --mount=type=secret</c>: read from a file or an environment variable, never logged.</summary>
    public sealed class BuildSecret
    {
        private BuildSecret(string id, string? sourceFile, string? environmentVariable)
        {
            Id = id;
            SourceFile = sourceFile;
            EnvironmentVariable = environmentVariable;
        }

        public string Id { get; }
        public string? SourceFile { get; }
        public string? EnvironmentVariable { get; }

        public static BuildSecret FromFile(string id, string path) => new BuildSecret(id, path, null);

        public static BuildSecret FromEnvironment(string id, string variable) => new BuildSecret(id, null, variable);

        internal string Argument => SourceFile != null ? $"id={Id},src={SourceFile}" : $"id={Id},env={EnvironmentVariable}";
    }

    public sealed class BuildRequest
    {
        public BuildRequest(ContainerEngine engine, string projectDirectory, string intermediateDirectory, GeneratedDockerfile dockerfile, string imageName)
        {
            Engine = engine;
            ProjectDirectory = projectDirectory;
            IntermediateDirectory = intermediateDirectory;
            Dockerfile = dockerfile;
            ImageName = imageName;
        }

        public ContainerEngine Engine { get; }

        /// <summary>The folder of cog.yaml: the model's files.</summary>
        public string ProjectDirectory { get; }

        /// <summary>Cog.Sdk's folder under obj/ (obj/cog): the staged context, the Dockerfile and the stamp live here.</summary>
        public string IntermediateDirectory { get; }

        public GeneratedDockerfile Dockerfile { get; }

        /// <summary>More generated files, by context-relative path; the Dockerfile's own (requirements.txt) are added anyway.</summary>
        public IReadOnlyDictionary<string, string> GeneratedFiles { get; set; } = new Dictionary<string, string>();

        /// <summary>The shipped <c>cog</c> package folder, staged as <c>cog/runtime/cog</c>; null with the PyPI runtime.</summary>
        public string? RuntimeDirectory { get; set; }

        public string ImageName { get; }

        /// <summary>Rebuild every layer, and do not skip the build when nothing changed.</summary>
        public bool NoCache { get; set; }

        public string? Network { get; set; }

        /// <summary>Passed to the engine's build command as they are, before the context.</summary>
        public IReadOnlyList<string> ExtraArguments { get; set; } = Array.Empty<string>();

        public IReadOnlyList<BuildSecret> Secrets { get; set; } = Array.Empty<BuildSecret>();

        /// <summary>Further folders to keep out of the context (e.g. output folders moved out of bin/ and obj/).</summary>
        public IReadOnlyList<string> ExcludedDirectories { get; set; } = Array.Empty<string>();

        /// <summary>Where a failure that belongs to no line points: cog.yaml itself.</summary>
        public SourceLocation ConfigLocation { get; set; } = SourceLocation.None;
    }

    /// <summary>
    /// Where a build reports. <see cref="Progress"/>: one line per Dockerfile step as it starts and ends, and a line while a
    /// long one runs on, for the default verbosity. <see cref="Detail"/>: the engine's own output, line by line, and the
    /// command line. <see cref="Warning"/>: what was left out of the build context.
    /// </summary>
    public sealed class BuildLog
    {
        public BuildLog(Action<string> detail, Action<string> progress, Action<Diagnostic> warning)
        {
            Detail = detail;
            Progress = progress;
            Warning = warning;
        }

        public Action<string> Detail { get; }

        public Action<string> Progress { get; }

        public Action<Diagnostic> Warning { get; }
    }

    public sealed class BuildResult
    {
        public BuildResult(string imageId, bool skipped)
        {
            ImageId = imageId;
            Skipped = skipped;
        }

        public string ImageId { get; }

        /// <summary>True when nothing changed since the last build and the engine was not asked to build.</summary>
        public bool Skipped { get; }
    }

    /// <summary>
    /// Builds the image with the container engine, or skips the build when the stamp in obj/ shows that the
    /// Dockerfile, the arguments and the context are those of the image that still exists. BuildKit builds with
    /// <c>docker buildx build --load</c> (the image lands in docker's store whatever driver the current builder has), the
    /// classic builder from a copy of the Dockerfile without cache mounts, podman from the Dockerfile as it is.
    /// </summary>
    public static class ImageBuilder
    {
        /// <summary>The classic builder colours a step's stderr even into a pipe; logs and the failure analysis want plain text.</summary>
        private static readonly Regex TerminalEscapes = new Regex(@"\x1B\[[0-9;?]*[A-Za-z]");

        /// <summary>How often the build looks for a step that has run on without a line for <see cref="BuildProgress.HeartbeatInterval"/>.</summary>
        private static readonly TimeSpan HeartbeatCheck = TimeSpan.FromSeconds(1);

        public static string ContextDirectory(BuildRequest request) => GeneratedDockerfile.ContextDirectoryIn(request.IntermediateDirectory);

        public static string DockerfilePath(BuildRequest request) => GeneratedDockerfile.PathIn(request.IntermediateDirectory);

        public static string StampPath(BuildRequest request) => Path.Combine(request.IntermediateDirectory, "image.stamp");

        /// <summary>
        /// The skipped build's result when a build would change nothing (stat of the context files and one <c>image inspect</c>,
        /// no file of the model read); null when the image must be built. Needs only the Dockerfile's text and context files,
        /// so <see cref="GeneratedDockerfile.ReadBack"/> will do.
        /// </summary>
        public static async Task<BuildResult?> UpToDateAsync(BuildRequest request, CancellationToken cancellationToken)
        {
            BuildContext context = CollectContext(request);
            return await UpToDateAsync(request, context, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Builds the image, reporting to <paramref name="log"/> as it goes, unless it is up to date; throws <see cref="CogException"/> on failure.</summary>
        public static async Task<BuildResult> BuildAsync(BuildRequest request, BuildLog log, CancellationToken cancellationToken)
        {
            BuildContext context = CollectContext(request);
            foreach (Diagnostic warning in context.Warnings)
            {
                log.Warning(warning);
            }

            if (await UpToDateAsync(request, context, cancellationToken).ConfigureAwait(false) is BuildResult skipped)
            {
                log.Detail($"Image {request.ImageName} is up to date ({skipped.ImageId}).");
                return skipped;
            }

            string dockerfile = WriteDockerfile(request);
            context.Stage(ContextDirectory(request));
            string idFile = Path.Combine(request.IntermediateDirectory, "image.iid");
            if (File.Exists(idFile))
            {
                File.Delete(idFile);
            }

            var arguments = BuildArguments(request, dockerfile, idFile);
            log.Detail($"Building {request.ImageName} with {request.Engine}: {string.Join(" ", RedactSecrets(arguments, request))}");
            var output = new List<string>();
            var progress = new BuildProgress(request.Dockerfile, log.Progress);
            void OnLine(string line)
            {
                line = TerminalEscapes.Replace(line, "");
                lock (output)
                {
                    output.Add(line);
                }

                progress.Read(line);
                log.Detail(line);
            }

            ProcessResult result;
            using (new Timer(_ => progress.Tick(), null, HeartbeatCheck, HeartbeatCheck))
            {
                result = await request.Engine.RunAsync(arguments, cancellationToken, OnLine, OnLine).ConfigureAwait(false);
            }

            progress.Finish(result.Succeeded);
            if (!result.Succeeded)
            {
                throw new CogException(BuildFailure.Analyze(request.Engine, request.Dockerfile, output, result.ExitCode, request.ConfigLocation));
            }

            string imageId = File.Exists(idFile) ? File.ReadAllText(idFile).Trim() : "";
            if (imageId.Length == 0)
            {
                imageId = await InspectImageIdAsync(request, cancellationToken).ConfigureAwait(false) ?? "";
            }

            new ImageStamp(imageId, InputsHash(request), context.Fingerprint()).Write(StampPath(request));
            log.Detail($"Image built as {request.ImageName} ({imageId}).");
            return new BuildResult(imageId, skipped: false);
        }

        /// <summary>
        /// Writes the Dockerfile into obj/cog and returns the one the engine's builder reads: that one, or, for the classic
        /// builder, its copy without cache mounts. What the classic builder cannot build at all (secrets) is refused here.
        /// </summary>
        private static string WriteDockerfile(BuildRequest request)
        {
            string path = DockerfilePath(request);
            BuildContext.WriteIfChanged(path, request.Dockerfile.Text);
            if (!request.Engine.HasClassicBuilder)
            {
                return path;
            }

            // A secret mount first: its error points at the line of cog.yaml that needs the secret.
            string text = request.Dockerfile.ForClassicBuilder();
            if (request.Secrets.Count > 0)
            {
                throw new CogException(Diagnostic.Error(ProcessMessages.BuildSecretNeedsBuildKit, SourceLocation.None, request.Secrets[0].Id));
            }

            string classic = GeneratedDockerfile.ClassicPathIn(request.IntermediateDirectory);
            BuildContext.WriteIfChanged(classic, text);
            return classic;
        }

        private static BuildContext CollectContext(BuildRequest request)
        {
            var generated = new Dictionary<string, string>();
            foreach (var pair in request.Dockerfile.ContextFiles.Concat(request.GeneratedFiles))
            {
                generated[pair.Key] = pair.Value;
            }

            var excluded = new[] { request.IntermediateDirectory }.Concat(request.ExcludedDirectories);
            return BuildContext.Collect(request.ProjectDirectory, request.RuntimeDirectory, generated, excluded);
        }

        private static async Task<BuildResult?> UpToDateAsync(BuildRequest request, BuildContext context, CancellationToken cancellationToken)
        {
            if (request.NoCache || ImageStamp.Read(StampPath(request)) is not ImageStamp stamp
                || stamp.InputsHash != InputsHash(request) || stamp.ContextFingerprint != context.Fingerprint())
            {
                return null;
            }

            // The image may have been deleted, or the name moved to another image, since the stamp was written.
            string? current = await InspectImageIdAsync(request, cancellationToken).ConfigureAwait(false);
            return current != null && ImageStamp.SameImage(current, stamp.ImageId) ? new BuildResult(stamp.ImageId, skipped: true) : null;
        }

        private static async Task<string?> InspectImageIdAsync(BuildRequest request, CancellationToken cancellationToken)
        {
            if (DaemonSocket.InspectImageId(request.Engine, request.ImageName) is string answered)
            {
                return answered.Length > 0 ? answered : null;
            }

            ProcessResult result = await request.Engine.RunAsync(new[] { "image", "inspect", "--format", "{{.Id}}", request.ImageName }, cancellationToken).ConfigureAwait(false);
            return result.Succeeded ? result.StandardOutput.Trim() : null;
        }

        /// <summary>Everything but the context that decides what the build makes.</summary>
        private static string InputsHash(BuildRequest request) =>
            Stamps.Hash(new[]
            {
                request.Engine.Kind.ToString(), request.Engine.ExecutablePath, request.Engine.HasBuildKit.ToString(),
                request.ImageName, request.Network ?? "", request.Dockerfile.Text,
            }.Concat(request.ExtraArguments).Concat(request.Secrets.Select(s => s.Argument)));

        private static List<string> BuildArguments(BuildRequest request, string dockerfile, string idFile)
        {
            ContainerEngine engine = request.Engine;
            var arguments = engine.Kind == ContainerEngineKind.Docker && engine.HasBuildKit
                // --load: a builder of the docker-container (or a remote) driver keeps its result in its own cache
                // without it; for the default docker driver it is what happens anyway. --progress=plain: one line per event.
                ? new List<string> { "buildx", "build", "--load", "--progress=plain" }
                : new List<string> { "build" };
            arguments.AddRange(new[] { "-f", dockerfile, "-t", request.ImageName, "--iidfile", idFile });
            if (engine.HasClassicBuilder)
            {
                arguments.Add("--force-rm"); // The classic builder otherwise keeps a failed step's container.
            }

            if (request.NoCache)
            {
                arguments.Add("--no-cache");
            }

            if (!string.IsNullOrEmpty(request.Network))
            {
                arguments.Add("--network");
                arguments.Add(request.Network!);
            }

            foreach (BuildSecret secret in request.Secrets)
            {
                arguments.Add("--secret");
                arguments.Add(secret.Argument);
            }

            arguments.AddRange(request.ExtraArguments);
            arguments.Add(ContextDirectory(request));
            return arguments;
        }

        private static IEnumerable<string> RedactSecrets(IEnumerable<string> arguments, BuildRequest request)
        {
            var secretArguments = new HashSet<string>(request.Secrets.Select(s => s.Argument), StringComparer.Ordinal);
            return arguments.Select(a => secretArguments.Contains(a) ? "id=" + a.Split(',')[0].Substring(3) + ",..." : a);
        }
    }
}
