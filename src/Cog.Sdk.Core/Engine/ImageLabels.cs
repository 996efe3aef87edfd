using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Predict;
using Cog.Sdk.Core.Validate;

namespace Cog.Sdk.Core.Engine
{
    /// <summary>What the labelling step needs: the image just built, and the base image it was built from.</summary>
    public sealed class LabelRequest
    {
        public LabelRequest(string intermediateDirectory, string imageName, string imageId)
        {
            IntermediateDirectory = intermediateDirectory;
            ImageName = imageName;
            ImageId = imageId;
        }

        /// <summary>obj/cog: the labelling step keeps its one-line Dockerfile in obj/cog/labels/.</summary>
        public string IntermediateDirectory { get; }

        public string ImageName { get; }

        /// <summary>The id of the image the main build made.</summary>
        public string ImageId { get; }

        /// <summary>The image the Dockerfile starts FROM, for <c>org.opencontainers.image.base.digest</c>.</summary>
        public string? BaseImage { get; set; }
    }

    /// <summary>
    /// The labels only a built image can give, added right after the build as Cog does: the predictor's OpenAPI schema
    /// (<c>run.cog.openapi_schema</c>, so that CogPredict, <c>cog predict</c> and Replicate read it without starting the
    /// model), <c>run.cog.pip_freeze</c>, <c>run.cog.version</c> (the <c>cog</c> package in the image), the platform, the
    /// time, and the base image's digest. One throw-away container reads them; a second build, <c>FROM</c> the image with
    /// <c>--label</c>s, adds them: no layer, only a new configuration. It runs on the engine's own builder (buildx's
    /// docker-driver builder of the current context, the classic builder, podman's), never on the builder CogBuilder or
    /// <c>docker buildx use</c> chose, which cannot see the engine's images.
    /// </summary>
    public static class ImageLabels
    {
        public const string OpenApiSchema = SchemaReader.SchemaLabel;
        public const string PipFreeze = "run.cog.pip_freeze";
        public const string CogVersion = "run.cog.version";
        public const string Platform = "run.cog.sdk.platform";
        public const string Created = "org.opencontainers.image.created";
        public const string BaseDigest = "org.opencontainers.image.base.digest";

        // Run in the image: three answers as one JSON line. Bytes are decoded here, since slim images have no UTF-8 locale.
        private const string ReadScript =
            "import json, subprocess, sys\n" +
            "def run(*args):\n" +
            "    p = subprocess.Popen((sys.executable,) + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n" +
            "    out, err = p.communicate()\n" +
            "    return {'exit': p.returncode, 'out': out.decode('utf-8', 'replace'), 'err': err.decode('utf-8', 'replace')[-3000:]}\n" +
            "print(json.dumps({'schema': run('-m', 'cog.command.openapi_schema'), 'pip_freeze': run('-m', 'pip', 'freeze'),\n" +
            "                  'version': run('-c', 'import cog; print(getattr(cog, \"__version__\", \"\"))')}))\n";

        /// <summary>
        /// Labels the image <paramref name="request"/> names and returns the labelled image's id; the image name moves to it.
        /// A schema that cannot be read is a warning (the image works; the label is missing); a failed build an error.
        /// </summary>
        public static async Task<string> AddAsync(ContainerEngine engine, LabelRequest request, Action<string> log, Action<Diagnostic> report, CancellationToken cancellationToken)
        {
            var labels = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                [Created] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            };
            await ReadFromImageAsync(engine, request, labels, report, cancellationToken).ConfigureAwait(false);
            if ((await Images.InspectAsync(engine, request.ImageId, cancellationToken).ConfigureAwait(false))?.Platform is string platform && platform.Length > 0)
            {
                labels[Platform] = platform;
            }

            if (!string.IsNullOrEmpty(request.BaseImage) && await BaseDigestAsync(engine, request.BaseImage!, cancellationToken).ConfigureAwait(false) is string digest)
            {
                labels[BaseDigest] = digest;
            }

            return await BuildAsync(engine, request, labels, log, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The schema, pip freeze and cog version, from one container of the image (no network, setup() never runs).</summary>
        private static async Task ReadFromImageAsync(ContainerEngine engine, LabelRequest request, IDictionary<string, string> labels, Action<Diagnostic> report, CancellationToken cancellationToken)
        {
            string name = ContainerCli.NewContainerName("labels", request.ImageName);
            JsonObject? answers;
            ProcessResult result;
            try
            {
                result = await engine.RunAsync(
                    new[] { "run", "--rm", "--name", name, "--network", "none", "--entrypoint", "python", request.ImageId, "-c", ReadScript },
                    cancellationToken).ConfigureAwait(false);
                string lastLine = result.StandardOutput.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Length > 0) ?? "";
                answers = result.Succeeded ? JsonText.ParseObject(lastLine) : null;
            }
            finally
            {
                await ContainerCli.RemoveAsync(engine, name, report).ConfigureAwait(false);
            }

            if (answers == null)
            {
                report(Diagnostic.Warning(ProcessMessages.SchemaLabelMissing, SourceLocation.None, request.ImageName,
                    $"exit code {result.ExitCode}: {ContainerCli.Tail(result.StandardError + result.StandardOutput, 10)}"));
                return;
            }

            var schema = answers["schema"] as JsonObject;
            JsonNode? parsed = Succeeded(schema) && JsonText.TryParse(schema.String("out") ?? "", out JsonNode? json, out _) ? json : null;
            if (parsed is JsonObject)
            {
                labels[OpenApiSchema] = JsonText.Write(parsed);
            }
            else
            {
                report(Diagnostic.Warning(ProcessMessages.SchemaLabelMissing, SourceLocation.None, request.ImageName,
                    ContainerCli.Tail(schema.String("err") ?? "", 10).Trim()));
            }

            if (answers["pip_freeze"] is JsonObject freeze && Succeeded(freeze))
            {
                labels[PipFreeze] = freeze.String("out") ?? "";
            }

            if (answers["version"] is JsonObject version && Succeeded(version) && (version.String("out") ?? "").Trim() is string text && text.Length > 0)
            {
                labels[CogVersion] = text;
            }
        }

        private static bool Succeeded(JsonObject? answer) => answer?["exit"].Integer() == 0;

        /// <summary>The registry digest of the base image, when the engine pulled it from one (a local build has none).</summary>
        private static async Task<string?> BaseDigestAsync(ContainerEngine engine, string baseImage, CancellationToken cancellationToken)
        {
            ImageDetails? details = await Images.InspectAsync(engine, baseImage, cancellationToken).ConfigureAwait(false);
            if (details == null || details.RepoDigests.Count == 0)
            {
                return null;
            }

            string name = ImageReference.Parse(baseImage)?.Name ?? baseImage;
            string chosen = details.RepoDigests.FirstOrDefault(d => ImageReference.FamiliarName(d).StartsWith(ImageReference.FamiliarName(name) + "@", StringComparison.Ordinal))
                ?? details.RepoDigests[0];
            return chosen.Substring(chosen.LastIndexOf('@') + 1);
        }

        /// <summary>
        /// The engine's build command on the engine's own builder. With buildx that is the builder of the docker driver that
        /// buildx keeps for each context, named after it (<c>default</c> under DOCKER_HOST): it builds in the engine's own
        /// image store, where the image to label is.
        /// </summary>
        private static async Task<IReadOnlyList<string>> BuildCommandAsync(ContainerEngine engine, CancellationToken cancellationToken)
        {
            if (engine.Kind != ContainerEngineKind.Docker || !engine.HasBuildKit)
            {
                return new[] { "build" };
            }

            var command = new List<string> { "buildx", "build", "--load", "--progress=plain" };
            ProcessResult context = await engine.RunAsync(new[] { "context", "show" }, cancellationToken).ConfigureAwait(false);
            string name = context.Succeeded ? context.StandardOutput.Trim() : "";
            if (name.Length > 0 && name.IndexOf('\n') < 0)
            {
                command.Add("--builder");
                command.Add(name);
            }

            return command;
        }

        private static async Task<string> BuildAsync(ContainerEngine engine, LabelRequest request, IDictionary<string, string> labels, Action<string> log, CancellationToken cancellationToken)
        {
            string directory = Path.Combine(request.IntermediateDirectory, "labels");
            string dockerfile = Path.Combine(directory, "Dockerfile");
            string idFile = Path.Combine(directory, "image.iid");
            // By name: the main build just gave the image that name, and BuildKit reads no image id after FROM.
            FileWrites.WriteIfChanged(dockerfile, "FROM " + request.ImageName + "\n");
            FileWrites.Delete(idFile);

            var arguments = (await BuildCommandAsync(engine, cancellationToken).ConfigureAwait(false)).ToList();
            arguments.AddRange(new[] { "-t", request.ImageName, "--iidfile", idFile, "-f", dockerfile });

            foreach (var label in labels)
            {
                // Arguments, not LABEL lines: a value may hold line breaks (pip freeze), which a Dockerfile cannot carry.
                arguments.Add("--label");
                arguments.Add(label.Key + "=" + label.Value);
            }

            arguments.Add(directory);
            log($"Labelling {request.ImageName}: {string.Join(", ", labels.Keys)}");
            ProcessResult result = await engine.RunAsync(arguments, cancellationToken, log, log).ConfigureAwait(false);
            string imageId = File.Exists(idFile) ? File.ReadAllText(idFile).Trim() : "";
            if (!result.Succeeded || imageId.Length == 0)
            {
                string output = result.StandardError + result.StandardOutput;
                throw new CogException(EngineLocator.DaemonProblem(engine, output)
                    ?? Diagnostic.Error(ProcessMessages.LabelBuildFailed, SourceLocation.None, request.ImageName, result.ExitCode, EngineLocator.LastLines(output, 5)));
            }

            await CheckLabelledTheBuiltImageAsync(engine, request, imageId, cancellationToken).ConfigureAwait(false);
            return imageId;
        }

        /// <summary>
        /// The labelling build starts FROM the name, and a name can change hands meanwhile (an rmi in another shell,
        /// another build of the same name; with the name gone, BuildKit even looks for it on Docker Hub). The labelled
        /// image must hold the very layers of the image just built, or it is not the model: it is removed, and that is an error.
        /// </summary>
        private static async Task CheckLabelledTheBuiltImageAsync(ContainerEngine engine, LabelRequest request, string labelledId, CancellationToken cancellationToken)
        {
            ImageDetails? built = await Images.InspectAsync(engine, request.ImageId, cancellationToken).ConfigureAwait(false);
            ImageDetails? labelled = await Images.InspectAsync(engine, labelledId, cancellationToken).ConfigureAwait(false);
            if (built != null && labelled != null && built.Layers.SequenceEqual(labelled.Layers, StringComparer.Ordinal))
            {
                return;
            }

            await engine.RunAsync(new[] { "image", "rm", request.ImageName }, cancellationToken).ConfigureAwait(false);
            throw new CogException(Diagnostic.Error(ProcessMessages.LabelledAnotherImage, SourceLocation.None, request.ImageName, request.ImageId));
        }
    }
}
