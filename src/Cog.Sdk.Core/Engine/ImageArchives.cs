using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Cog.Sdk.Core.Diagnostics;

namespace Cog.Sdk.Core.Engine
{
    /// <summary>
    /// Writes an image to a tar archive with the engine's own save (docker save; podman save in docker-archive format),
    /// which `docker load` and `podman load` read on another machine: how a CI pipeline hands an image on as an artifact.
    /// </summary>
    public static class ImageArchives
    {
        /// <summary>Saves <paramref name="image"/> to <paramref name="path"/>, whole or not at all, and returns the archive's full path; throws <see cref="CogException"/> on failure.</summary>
        public static async Task<string> SaveAsync(ContainerEngine engine, string image, string path, Action<string> log, CancellationToken cancellationToken)
        {
            string full = Path.GetFullPath(path);
            string temporary = full + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp";
            var arguments = engine.Kind == ContainerEngineKind.Podman
                ? new[] { "save", "--format", "docker-archive", "-o", temporary, image }
                : new[] { "save", "-o", temporary, image };
            log($"Saving {image} to {full} with {engine}");
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                ProcessResult result = await engine.RunAsync(arguments, cancellationToken).ConfigureAwait(false);
                if (!result.Succeeded)
                {
                    string output = result.StandardError + result.StandardOutput;
                    throw new CogException(EngineLocator.DaemonProblem(engine, output)
                        ?? Diagnostic.Error(ProcessMessages.ArchiveFailed, SourceLocation.None, image, full, EngineLocator.LastLines(output, 3)));
                }

                FileWrites.MoveOver(temporary, full);
                return full;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new CogException(Diagnostic.Error(ProcessMessages.ArchiveFailed, SourceLocation.None, image, full, e.Message));
            }
            finally
            {
                FileWrites.Delete(temporary);
            }
        }
    }
}
