using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Validate;

namespace Cog.Sdk.Core.Engine
{
    /// <summary>One name an image was pushed under, and the digest the registry knows it by.</summary>
    public sealed class PushedImage
    {
        public PushedImage(string reference, string digest)
        {
            Reference = reference;
            Digest = digest;
        }

        /// <summary><c>registry/repository:tag</c>.</summary>
        public string Reference { get; }

        /// <summary><c>sha256:...</c>; empty when the engine did not tell it.</summary>
        public string Digest { get; }
    }

    /// <summary>
    /// Pushes a local image to a registry under one or more tags, with the engine's own push: its login and credential
    /// helpers, its proxy and insecure-registry settings, its layer cache (a layer the registry has is not sent again).
    /// </summary>
    public static class ImagePush
    {
        // docker push ends with "TAG: digest: sha256:... size: N"; podman writes it to --digestfile.
        private static readonly Regex DigestLine = new Regex(@"digest: (sha256:[0-9a-f]{64})");

        /// <summary>
        /// Pushes <paramref name="image"/> as each of <paramref name="targets"/> (tagging it first where the name differs),
        /// then removes the extra local tags again. Throws <see cref="CogException"/> with the refusal's cause.
        /// </summary>
        public static async Task<IReadOnlyList<PushedImage>> PushAsync(
            ContainerEngine engine, string image, IReadOnlyList<ImageReference> targets, string intermediateDirectory,
            Action<string> log, Action<Diagnostic> report, CancellationToken cancellationToken)
        {
            ImageReference? source = ImageReference.Parse(image);
            var extraTags = new List<string>();
            var pushed = new List<PushedImage>();
            try
            {
                foreach (ImageReference target in targets)
                {
                    if (source == null || target.ToString() != source.ToString())
                    {
                        await TagAsync(engine, image, target, cancellationToken).ConfigureAwait(false);
                        extraTags.Add(target.ToString());
                    }

                    pushed.Add(await PushOneAsync(engine, target, intermediateDirectory, log, report, cancellationToken).ConfigureAwait(false));
                }
            }
            finally
            {
                foreach (string tag in extraTags)
                {
                    // Only the name goes: the image keeps its own name, so nothing is deleted.
                    await engine.RunAsync(new[] { "image", "rm", tag }, CancellationToken.None).ConfigureAwait(false);
                }
            }

            return pushed;
        }

        private static async Task TagAsync(ContainerEngine engine, string image, ImageReference target, CancellationToken cancellationToken)
        {
            ProcessResult tagged = await engine.RunAsync(new[] { "tag", image, target.ToString() }, cancellationToken).ConfigureAwait(false);
            if (!tagged.Succeeded)
            {
                string output = tagged.StandardError + tagged.StandardOutput;
                throw new CogException(EngineLocator.DaemonProblem(engine, output)
                    ?? Diagnostic.Error(ProcessMessages.ImageNotFound, SourceLocation.None, image));
            }
        }

        private static async Task<PushedImage> PushOneAsync(
            ContainerEngine engine, ImageReference target, string intermediateDirectory, Action<string> log, Action<Diagnostic> report, CancellationToken cancellationToken)
        {
            var arguments = new List<string> { "push" };
            string? digestFile = null;
            if (engine.Kind == ContainerEngineKind.Podman)
            {
                Directory.CreateDirectory(intermediateDirectory);
                digestFile = Path.Combine(intermediateDirectory, "push.digest");
                FileWrites.Delete(digestFile);
                arguments.Add("--digestfile");
                arguments.Add(digestFile);
            }

            arguments.Add(target.ToString());
            log($"Pushing {target} with {engine}");
            var output = new List<string>();
            void OnLine(string line)
            {
                lock (output)
                {
                    output.Add(line);
                }

                log(line);
            }

            ProcessResult result = await engine.RunAsync(arguments, cancellationToken, OnLine, OnLine).ConfigureAwait(false);
            string all = string.Join("\n", output);
            if (!result.Succeeded)
            {
                throw new CogException(PushFailure.Analyze(engine, target, all, result.ExitCode));
            }

            string digest = digestFile != null && File.Exists(digestFile) ? File.ReadAllText(digestFile).Trim() : "";
            if (digestFile != null)
            {
                FileWrites.Delete(digestFile);
            }

            if (digest.Length == 0)
            {
                // What this push reported; else what the engine recorded for the repository.
                digest = DigestLine.Match(all).Groups[1].Value;
            }

            if (digest.Length == 0)
            {
                digest = await RepoDigestAsync(engine, target, cancellationToken).ConfigureAwait(false) ?? "";
            }

            if (digest.Length == 0)
            {
                report(Diagnostic.Warning(ProcessMessages.DigestUnknown, SourceLocation.None, target, Predict.ContainerCli.EngineName(engine)));
            }

            return new PushedImage(target.ToString(), digest);
        }

        /// <summary>The digest the engine recorded for the pushed repository (docker keeps one per repository it pushed to).</summary>
        private static async Task<string?> RepoDigestAsync(ContainerEngine engine, ImageReference target, CancellationToken cancellationToken)
        {
            ImageDetails? details = await Images.InspectAsync(engine, target.ToString(), cancellationToken).ConfigureAwait(false);
            string wanted = ImageReference.FamiliarName(target.Name) + "@";
            return details?.RepoDigests
                .Where(d => ImageReference.FamiliarName(d).StartsWith(wanted, StringComparison.Ordinal))
                .Select(d => d.Substring(d.LastIndexOf('@') + 1))
                .FirstOrDefault();
        }
    }
}
