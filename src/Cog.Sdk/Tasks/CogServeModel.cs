using System;
using System.Globalization;
using System.Threading.Tasks;
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
            WaitYielding(ServeAsync(request));
        }

        /// <summary>A served model lives until it is told to stop: `kill` (SIGTERM) or a closed terminal (SIGHUP) stop it as CogStop does.</summary>
        protected override string? StoppedBySignalLine => "Cog: the served model was stopped.";

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
    }
}
