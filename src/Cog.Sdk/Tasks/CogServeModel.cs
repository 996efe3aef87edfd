using System;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
#if NET
using System.Runtime.InteropServices;
#endif
using Cog.Sdk.Core;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Engine;
using Cog.Sdk.Core.Predict;
using Microsoft.Build.Framework;

namespace Cog.Sdk.Tasks
{
    /// <summary>
    /// CogServe: starts the model's container and keeps it until Ctrl+C (or CogStop from another shell), printing its URL
    /// and streaming its log; CogPredict sends its inputs there meanwhile. Nothing is left behind.
    /// </summary>
    public sealed class CogServeModel : CogTask
    {
        /// <summary>The image to serve (CogImageName).</summary>
        [Required] public string ImageName { get; set; } = "";

        /// <summary>Its id (CogImageId), recorded so that CogPredict knows whether the served model is the current one.</summary>
        public string? ImageId { get; set; }

        /// <summary>obj/cog/serve.json.</summary>
        [Required] public string StateFile { get; set; } = "";

        /// <summary>cog.yaml's gpu (CogGpu), which CogGpus=auto follows.</summary>
        public bool Gpu { get; set; }

        [Required] public string ContainerEngine { get; set; } = "";
        public string Gpus { get; set; } = "auto";
        public string SetupTimeout { get; set; } = "300";

        /// <summary>CogServePort: the port on 127.0.0.1; empty for a free one.</summary>
        public string? Port { get; set; }

        protected override void Run()
        {
            GpuMode gpus = Choice<GpuMode>("CogGpus", Gpus);
            var setupTimeout = Seconds("CogSetupTimeout", SetupTimeout);
            int? port = PortNumber();
            ContainerEngine? engine = FindEngine(ContainerEngine);
            if (engine == null)
            {
                return;
            }

            var container = new ModelContainerSpec(engine, ImageName)
            {
                Purpose = "serve",
                Gpus = gpus,
                ConfigUsesGpu = Gpu,
                HostPort = port,
            };
            var request = new ServeRequest(container, StateFile) { ImageId = ImageId ?? "", SetupTimeout = setupTimeout };
            // A served model lives until it is told to stop: `kill` (SIGTERM) or a closed terminal (SIGHUP) stop it as
            // Ctrl+C does, its container removed, rather than ending the process around it.
            using var termination = new StopOnTermination(Cancel);
            try
            {
                WaitYielding(ServeAsync(request));
            }
            catch (OperationCanceledException) when (termination.Signaled)
            {
                // Stopped as asked, as by CogStop: no failure.
                Log.LogMessage(MessageImportance.High, "Cog: the served model was stopped.");
            }
            finally
            {
                termination.Finished();
            }
        }

        private async Task<bool> ServeAsync(ServeRequest request)
        {
            await ServedModel.ServeAsync(request, line => Log.LogMessage(MessageImportance.High, line), url => Log.LogMessage(MessageImportance.High,
                $"Cog: serving {request.Container.Image} at {url} (POST {url}predictions). CogPredict on this project sends its inputs there. " +
                "Stop it with Ctrl+C, or dotnet msbuild -t:CogStop from another shell."), Report, CancellationToken).ConfigureAwait(false);
            return true;
        }

        private int? PortNumber()
        {
            if (string.IsNullOrWhiteSpace(Port))
            {
                return null;
            }

            return int.TryParse(Port!.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is >= 1 and <= 65535
                ? port
                : throw new CogException(Diagnostic.Error(ConfigurationMessages.InvalidPropertyValue, SourceLocation.None, "CogServePort", Port, "a port number (1-65535), or empty for a free port"));
        }

        /// <summary>
        /// Turns SIGTERM and SIGHUP into the task's cancellation, and holds the process's exit (whoever calls it on such a
        /// signal) until the task has removed its container.
        /// </summary>
        private sealed class StopOnTermination : IDisposable
        {
            private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(30);
            private readonly Action _cancel;
            private readonly ManualResetEventSlim _finished = new ManualResetEventSlim();
#if NET
            private readonly PosixSignalRegistration[] _signals;
#endif

            public StopOnTermination(Action cancel)
            {
                _cancel = cancel;
                AppDomain.CurrentDomain.ProcessExit += OnExit;
#if NET
                _signals = new[] { PosixSignal.SIGTERM, PosixSignal.SIGHUP }
                    .Select(signal => PosixSignalRegistration.Create(signal, context =>
                    {
                        context.Cancel = true;
                        Signaled = true;
                        _cancel();
                    }))
                    .ToArray();
#endif
            }

            /// <summary>Whether a signal (not Ctrl+C, which MSBuild turns into a canceled build) stopped the task.</summary>
            public bool Signaled { get; private set; }

            public void Finished() => _finished.Set();

            public void Dispose()
            {
                AppDomain.CurrentDomain.ProcessExit -= OnExit;
#if NET
                foreach (var signal in _signals)
                {
                    signal.Dispose();
                }
#endif
            }

            private void OnExit(object? sender, EventArgs e)
            {
                Signaled = true;
                _cancel();
                _finished.Wait(CleanupTimeout);
            }
        }
    }
}
