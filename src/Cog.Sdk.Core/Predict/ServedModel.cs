using System;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Engine;

namespace Cog.Sdk.Core.Predict
{
    /// <summary>How CogServe runs a project's model for as long as the user wants it.</summary>
    public sealed class ServeRequest
    {
        /// <param name="container">The image, GPUs and port (CogServePort: null for a free one).</param>
        /// <param name="stateFile">obj/cog/serve.json: where CogPredict and CogStop find the served model.</param>
        public ServeRequest(ModelContainerSpec container, string stateFile)
        {
            Container = container;
            StateFile = stateFile;
        }

        public ModelContainerSpec Container { get; }
        public string StateFile { get; }

        /// <summary>The image's id as this build made it, recorded so that CogPredict knows whether it is the current one.</summary>
        public string ImageId { get; set; } = "";

        public TimeSpan SetupTimeout { get; set; } = TimeSpan.FromSeconds(300);
    }

    /// <summary>
    /// A project's model kept running by CogServe, as obj/cog/serve.json records it: the container, its URL on
    /// 127.0.0.1, and the image it runs. CogPredict sends its inputs there, so that a second prediction costs no setup();
    /// CogStop removes it from another shell.
    /// </summary>
    public sealed class ServedModel
    {
        [JsonConstructor]
        public ServedModel(string container, string url, string imageId)
        {
            Container = container;
            Url = url;
            ImageId = imageId;
        }

        public string Container { get; }
        public string Url { get; }
        public string ImageId { get; }

        /// <summary>The record CogServe wrote; null when there is none (or it is damaged).</summary>
        public static ServedModel? Read(string stateFile) =>
            JsonText.ReadFile<ServedModel>(stateFile) is ServedModel served && served.Container != null && served.Url != null ? served : null;

        /// <summary>
        /// Keeps the model running until <paramref name="cancellationToken"/> fires (Ctrl+C) or CogStop removes it: starts
        /// its container, records it, waits for setup(), calls <paramref name="ready"/> with the URL, and streams its log.
        /// The container and the record are removed in every case.
        /// </summary>
        /// <exception cref="CogException">Already served (COG3251), the container failed to start or set up, or stopped by itself (COG4035).</exception>
        public static async Task ServeAsync(ServeRequest request, Action<string> log, Action<Uri> ready, Action<Diagnostic> report, CancellationToken cancellationToken)
        {
            if (Read(request.StateFile) is ServedModel running)
            {
                using var server = new ModelServer(new Uri(running.Url));
                if (await server.AnswersAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw new CogException(Diagnostic.Error(ProcessMessages.AlreadyServed, SourceLocation.None, running.Url, running.Container));
                }

                // A record left behind by a machine that went down: the model it names is gone.
                FileWrites.Delete(request.StateFile);
            }

            ModelContainer container = await ModelContainer.StartAsync(request.Container, log, report, cancellationToken).ConfigureAwait(false);
            try
            {
                var record = new ServedModel(container.Name, container.Url.AbsoluteUri, request.ImageId);
                FileWrites.WriteAtomically(request.StateFile, JsonText.Serialize(record));
                using (var server = new ModelServer(container.Url, container))
                {
                    await server.WaitUntilReadyAsync(request.SetupTimeout, cancellationToken).ConfigureAwait(false);
                }

                ready(container.Url);
                var canceled = new TaskCompletionSource<bool>();
                using (cancellationToken.Register(() => canceled.TrySetResult(true)))
                {
                    await Task.WhenAny(container.Following, canceled.Task).ConfigureAwait(false);
                }

                cancellationToken.ThrowIfCancellationRequested();

                // CogStop removes the record before the container; a container gone with its record still there stopped by itself.
                if (Read(request.StateFile)?.Container == container.Name)
                {
                    throw new CogException(Diagnostic.Error(PredictionMessages.ServedContainerStopped, SourceLocation.None, container.RecentLog()));
                }

                log($"Cog: the model served at {container.Url} was stopped.");
            }
            finally
            {
                await container.RemoveAsync(report).ConfigureAwait(false);
                if (Read(request.StateFile)?.Container == container.Name)
                {
                    FileWrites.Delete(request.StateFile);
                }
            }
        }

        /// <summary>CogStop: removes the served model's record, then its container.</summary>
        /// <returns>The model that was stopped; null when none was served.</returns>
        public static async Task<ServedModel?> StopAsync(ContainerEngine engine, string stateFile, Action<Diagnostic> report)
        {
            if (Read(stateFile) is not ServedModel served)
            {
                return null;
            }

            FileWrites.Delete(stateFile);
            await ContainerCli.RemoveAsync(engine, served.Container, report).ConfigureAwait(false);
            return served;
        }

        /// <summary>
        /// The URL of the model CogServe keeps for this project, when it answers and runs <paramref name="currentImageId"/>
        /// (an older image is warning COG3250: the prediction then runs in a container of its own); null otherwise.
        /// </summary>
        /// <param name="currentImageId">The image the build just made; empty when it did not build one (any served image will do).</param>
        public static async Task<Uri?> FindAsync(string stateFile, string currentImageId, Action<Diagnostic> report, CancellationToken cancellationToken)
        {
            if (Read(stateFile) is not ServedModel served)
            {
                return null;
            }

            var url = new Uri(served.Url);
            using (var server = new ModelServer(url))
            {
                if (!await server.AnswersAsync(cancellationToken).ConfigureAwait(false))
                {
                    return null;
                }
            }

            if (currentImageId.Length > 0 && served.ImageId.Length > 0 && !string.Equals(currentImageId, served.ImageId, StringComparison.Ordinal))
            {
                report(Diagnostic.Warning(ProcessMessages.ServedImageOutdated, SourceLocation.None, served.Url, served.ImageId));
                return null;
            }

            return url;
        }
    }
}
