using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Engine;

namespace Cog.Sdk.Core.Predict
{
    /// <summary>How to start a model's server in a container: the image, the GPUs, the port, the mode.</summary>
    public sealed class ModelContainerSpec
    {
        public ModelContainerSpec(ContainerEngine engine, string image)
        {
            Engine = engine;
            Image = image;
        }

        public ContainerEngine Engine { get; }
        public string Image { get; }

        /// <summary>Predictions (the image's CMD) or trainings (`--x-mode train`); also the container name's purpose.</summary>
        public ServerMode Mode { get; set; } = ServerMode.Predict;

        /// <summary>The container name's purpose when it is not the mode's: "serve" for CogServe.</summary>
        public string? Purpose { get; set; }

        public GpuMode Gpus { get; set; } = GpuMode.Auto;

        /// <summary>cog.yaml's build.gpu, which <see cref="GpuMode.Auto"/> follows.</summary>
        public bool ConfigUsesGpu { get; set; }

        /// <summary>The port on 127.0.0.1 for the server; null for one the engine picks.</summary>
        public int? HostPort { get; set; }

        /// <summary>Extra "NAME=value" environment variables.</summary>
        public IReadOnlyList<string> Environment { get; set; } = Array.Empty<string>();
    }

    /// <summary>
    /// A model's HTTP server in a container this build started, as `cog predict` starts one: detached, removed when it
    /// stops, published on a loopback port only, its log streamed as it comes. The caller removes it (<see cref="RemoveAsync"/>)
    /// whatever happens; a start that fails half-way removes what it made itself.
    /// </summary>
    public sealed class ModelContainer
    {
        private const int LogLinesInErrors = 30;
        private readonly ContainerEngine _engine;
        private readonly Queue<string> _recentLines = new Queue<string>();
        private readonly CancellationTokenSource _stopFollowing = new CancellationTokenSource();
        private TaskCompletionSource<bool> _nextLine = NewSignal();

        private ModelContainer(ContainerEngine engine, string name)
        {
            _engine = engine;
            Name = name;
            Url = new Uri("http://127.0.0.1/");
            Following = Task.CompletedTask;
        }

        public string Name { get; }

        /// <summary>The server, on 127.0.0.1 and the published port.</summary>
        public Uri Url { get; private set; }

        /// <summary>`logs --follow`: it ends when the container is gone (with --rm, when it stops).</summary>
        public Task Following { get; private set; }

        public bool HasStopped => Following.IsCompleted;

        /// <summary>
        /// Completes when the container writes its next log line: a moment worth asking its server again, since the runtime
        /// logs "setup finished" as it becomes ready.
        /// </summary>
        public Task NextLogLine
        {
            get
            {
                lock (_recentLines)
                {
                    return _nextLine.Task;
                }
            }
        }

        /// <summary>The container's last log lines, for an error that explains why it stopped.</summary>
        public string RecentLog()
        {
            lock (_recentLines)
            {
                return _recentLines.Count == 0 ? "(the container wrote no log)" : string.Join("\n", _recentLines);
            }
        }

        /// <param name="log">Receives the container's log lines as they come, and progress messages.</param>
        /// <exception cref="CogException">The image is missing, or the container did not start (COG3101, COG3102, COG3104, COG3109, COG4014).</exception>
        public static async Task<ModelContainer> StartAsync(ModelContainerSpec spec, Action<string> log, Action<Diagnostic> report, CancellationToken cancellationToken)
        {
            log = ContainerCli.Serialized(log);
            ContainerEngine engine = spec.Engine;
            await ContainerCli.InspectImageAsync(engine, spec.Image, cancellationToken).ConfigureAwait(false);
            var container = new ModelContainer(engine, ContainerCli.NewContainerName(spec.Purpose ?? spec.Mode.Name, spec.Image));
            try
            {
                log($"Starting container {container.Name} from {spec.Image}...");
                ProcessResult started = await ContainerCli.StartWithGpuFallbackAsync(
                    engine, container.Name, spec.Gpus, spec.ConfigUsesGpu,
                    gpu => engine.RunAsync(StartArguments(spec, container.Name, gpu), cancellationToken),
                    report).ConfigureAwait(false);
                if (!started.Succeeded)
                {
                    throw new CogException(Diagnostic.Error(ProcessMessages.ContainerStartFailed, SourceLocation.None, spec.Image, ContainerCli.LastLine(started.StandardError)));
                }

                container.Following = container.FollowLogsAsync(log);
                int port = await container.ReadPublishedPortAsync(cancellationToken).ConfigureAwait(false);
                container.Url = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
                return container;
            }
            catch
            {
                await container.RemoveAsync(report).ConfigureAwait(false);
                throw;
            }
        }

        /// <summary>Removes the container, even while a canceled build unwinds, and lets its log hand over its last lines.</summary>
        public async Task RemoveAsync(Action<Diagnostic> report)
        {
            await ContainerCli.RemoveAsync(_engine, Name, report).ConfigureAwait(false);
            // `logs -f` ends by itself once the container is gone; let it hand over its last lines first.
            await Task.WhenAny(Following, Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
            _stopFollowing.Cancel();
            await Following.ConfigureAwait(false);
        }

        /// <summary>COG4014 with the last log lines: the container stopped before it was ready.</summary>
        internal CogException Exited() =>
            new CogException(Diagnostic.Error(PredictionMessages.ContainerExited, SourceLocation.None, RecentLog()));

        private static List<string> StartArguments(ModelContainerSpec spec, string name, bool gpu)
        {
            string port = spec.HostPort?.ToString(CultureInfo.InvariantCulture) ?? "";
            var arguments = new List<string>
            {
                "run", "--detach", "--rm", "--name", name,
                // Loopback only: a model server is not for the network.
                "--publish", $"127.0.0.1:{port}:5000",
                // As Cog: PyTorch data loaders need more shared memory than the engine's 64 MB default.
                "--shm-size", "6g",
                "--env", "LOG_FORMAT=console",
                // So that what setup() prints reaches the build log as it happens, not when Python's buffer fills.
                "--env", "PYTHONUNBUFFERED=1",
            };
            if (gpu)
            {
                arguments.Add("--gpus=all");
            }

            foreach (string variable in spec.Environment)
            {
                arguments.Add("--env");
                arguments.Add(variable);
            }

            arguments.Add(spec.Image);
            arguments.AddRange(spec.Mode.Command);
            return arguments;
        }

        private async Task FollowLogsAsync(Action<string> log)
        {
            void OnLine(string line)
            {
                TaskCompletionSource<bool> thisLine;
                lock (_recentLines)
                {
                    _recentLines.Enqueue(line);
                    if (_recentLines.Count > LogLinesInErrors)
                    {
                        _recentLines.Dequeue();
                    }

                    thisLine = _nextLine;
                    _nextLine = NewSignal();
                }

                log(line);
                thisLine.TrySetResult(true);
            }

            try
            {
                await _engine.RunAsync(new[] { "logs", "--follow", Name }, _stopFollowing.Token, OnLine, OnLine).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped after the container was removed: nothing more to show.
            }
        }

        // Its waiters continue on their own threads, not on the one that reads the log.
        private static TaskCompletionSource<bool> NewSignal() => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        private async Task<int> ReadPublishedPortAsync(CancellationToken cancellationToken)
        {
            ProcessResult result = await _engine.RunAsync(new[] { "port", Name, "5000" }, cancellationToken).ConfigureAwait(false);
            // "127.0.0.1:49153" (one line per address; podman may say 0.0.0.0 or [::]): the port follows the last ':'.
            string firstLine = result.StandardOutput.Split('\n').Select(line => line.Trim()).FirstOrDefault(line => line.Length > 0) ?? "";
            if (result.Succeeded && int.TryParse(firstLine.Substring(firstLine.LastIndexOf(':') + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port))
            {
                return port;
            }

            // A container that died at once (a broken image, a crashing server) has no port any more.
            await Task.WhenAny(Following, Task.Delay(TimeSpan.FromSeconds(1), cancellationToken)).ConfigureAwait(false);
            if (HasStopped)
            {
                throw Exited();
            }

            throw new CogException(Diagnostic.Error(ProcessMessages.PublishedPortUnknown, SourceLocation.None, Name, ContainerCli.EngineName(_engine),
                ContainerCli.LastLine(result.StandardError + "\n" + result.StandardOutput)));
        }
    }
}
