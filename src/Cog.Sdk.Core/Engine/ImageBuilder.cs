using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Generate;

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
        public BuildRequest(ContainerEngine engine, string intermediateDirectory, GeneratedDockerfile dockerfile, BuildContext context, string imageName)
        {
            Engine = engine;
            IntermediateDirectory = intermediateDirectory;
            Dockerfile = dockerfile;
            Context = context;
            ImageName = imageName;
        }

        public ContainerEngine Engine { get; }

        /// <summary>Cog.Sdk's folder under obj/ (obj/cog): the Dockerfile and the staged context live here.</summary>
        public string IntermediateDirectory { get; }

        public GeneratedDockerfile Dockerfile { get; }

        /// <summary>The model's files and the runtime, as <see cref="BuildContext.Collect"/> listed them.</summary>
        public BuildContext Context { get; }

        public string ImageName { get; }

        /// <summary>Rebuild every layer.</summary>
        public bool NoCache { get; set; }

        public string? Network { get; set; }

        /// <summary>Passed to the engine's build command as they are, before the context.</summary>
        public IReadOnlyList<string> ExtraArguments { get; set; } = Array.Empty<string>();

        public IReadOnlyList<BuildSecret> Secrets { get; set; } = Array.Empty<BuildSecret>();

        /// <summary>The platform to build for (CogPlatform, <c>linux/amd64</c> as Cog builds); null leaves it to the engine.</summary>
        public string? Platform { get; set; }

        /// <summary>A buildx builder (CogBuilder: a remote BuildKit, a Kubernetes builder) instead of the current one.</summary>
        public string? Builder { get; set; }

        /// <summary>Where a failure that belongs to no line points: cog.yaml itself.</summary>
        public SourceLocation ConfigLocation { get; set; } = SourceLocation.None;
    }

    /// <summary>
    /// Where a build reports. <see cref="Progress"/>: one line per Dockerfile step as it starts and ends, and a line while a
    /// long one runs on, for the default verbosity. <see cref="Detail"/>: the engine's own output, line by line, and the
    /// command line.
    /// </summary>
    public sealed class BuildLog
    {
        public BuildLog(Action<string> detail, Action<string> progress)
        {
            Detail = detail;
            Progress = progress;
        }

        public Action<string> Detail { get; }

        public Action<string> Progress { get; }
    }

    /// <summary>
    /// Builds the image with the container engine: stages the context under obj/, runs the engine's build, and turns a
    /// failure into one coded error at the cog.yaml line the failing step came from. BuildKit builds with
    /// <c>docker buildx build --load</c> (the image lands in docker's store whatever driver the current builder has), the
    /// classic builder from a copy of the Dockerfile without cache mounts, podman from the Dockerfile as it is. Whether a
    /// build is needed at all is MSBuild's to decide (the CogContainerBuild target's inputs and outputs).
    /// </summary>
    public static class ImageBuilder
    {
        /// <summary>The classic builder colours a step's stderr even into a pipe; logs and the failure analysis want plain text.</summary>
        private static readonly Regex TerminalEscapes = new Regex(@"\x1B\[[0-9;?]*[A-Za-z]");

        /// <summary>How often the build looks for a step that has run on without a line for <see cref="BuildProgress.HeartbeatInterval"/>.</summary>
        private static readonly TimeSpan HeartbeatCheck = TimeSpan.FromSeconds(1);

        public static string ContextDirectory(BuildRequest request) => GeneratedDockerfile.ContextDirectoryIn(request.IntermediateDirectory);

        public static string DockerfilePath(BuildRequest request) => GeneratedDockerfile.PathIn(request.IntermediateDirectory);

        /// <summary>Builds the image, reporting to <paramref name="log"/> as it goes, and returns its id; throws <see cref="CogException"/> on failure.</summary>
        public static async Task<string> BuildAsync(BuildRequest request, BuildLog log, CancellationToken cancellationToken)
        {
            string dockerfile = WriteDockerfile(request);
            request.Context.Stage(ContextDirectory(request));
            string idFile = Path.Combine(request.IntermediateDirectory, "image.iid");
            if (File.Exists(idFile))
            {
                File.Delete(idFile);
            }

            await CheckBuilderAsync(request, cancellationToken).ConfigureAwait(false);
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
                imageId = (await Images.InspectAsync(request.Engine, request.ImageName, cancellationToken).ConfigureAwait(false))?.Id ?? "";
            }

            log.Detail($"Image built as {request.ImageName} ({imageId}).");
            return imageId;
        }

        /// <summary>
        /// Writes the Dockerfile into obj/cog and returns the one the engine's builder reads: that one, or, for the classic
        /// builder, its copy without cache mounts. What the classic builder cannot build at all (secrets) is refused here.
        /// </summary>
        private static string WriteDockerfile(BuildRequest request)
        {
            string path = DockerfilePath(request);
            FileWrites.WriteIfChanged(path, request.Dockerfile.Text);
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
            FileWrites.WriteIfChanged(classic, text);
            return classic;
        }

        internal static List<string> BuildArguments(BuildRequest request, string dockerfile, string idFile)
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

            if (!string.IsNullOrEmpty(request.Platform))
            {
                arguments.Add("--platform");
                arguments.Add(request.Platform!);
            }

            if (!string.IsNullOrEmpty(request.Builder))
            {
                arguments.Add("--builder");
                arguments.Add(request.Builder!);
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

        /// <summary>CogBuilder needs buildx, and a builder of that name: said before the build, in words the user can act on.</summary>
        private static async Task CheckBuilderAsync(BuildRequest request, CancellationToken cancellationToken)
        {
            if (string.IsNullOrEmpty(request.Builder))
            {
                return;
            }

            if (request.Engine.Kind != ContainerEngineKind.Docker || !request.Engine.HasBuildKit)
            {
                throw new CogException(Diagnostic.Error(EngineMessages.BuilderNeedsBuildx, SourceLocation.None, request.Engine));
            }

            ProcessResult builder = await request.Engine.RunAsync(new[] { "buildx", "inspect", request.Builder! }, cancellationToken).ConfigureAwait(false);
            if (!builder.Succeeded)
            {
                string output = builder.StandardError + builder.StandardOutput;
                throw new CogException(EngineLocator.DaemonProblem(request.Engine, output)
                    ?? Diagnostic.Error(EngineMessages.BuilderNotFound, SourceLocation.None, request.Builder, EngineLocator.LastLines(output, 1)));
            }
        }

        private static IEnumerable<string> RedactSecrets(IEnumerable<string> arguments, BuildRequest request)
        {
            var secretArguments = new HashSet<string>(request.Secrets.Select(s => s.Argument), StringComparer.Ordinal);
            return arguments.Select(a => secretArguments.Contains(a) ? "id=" + a.Split(',')[0].Substring(3) + ",..." : a);
        }
    }
}
