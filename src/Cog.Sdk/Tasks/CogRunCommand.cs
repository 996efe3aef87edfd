using System.Linq;
using Cog.Sdk.Core;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Engine;
using Cog.Sdk.Core.Predict;
using Microsoft.Build.Framework;

namespace Cog.Sdk.Tasks
{
    /// <summary>
    /// CogRun: runs CogCommand in the model's image with the project folder mounted at /src; the command's
    /// exit code decides the target's result.
    /// </summary>
    public sealed class CogRunCommand : CogTask
    {
        /// <summary>The folder of cog.yaml, mounted at /src.</summary>
        [Required] public string ProjectDirectory { get; set; } = "";

        /// <summary>The image to run (CogImageName).</summary>
        [Required] public string ImageName { get; set; } = "";

        /// <summary>cog.yaml's gpu (CogGpu), which CogGpus=auto follows.</summary>
        public bool Gpu { get; set; }

        [Required] public string ContainerEngine { get; set; } = "";

        public string? Command { get; set; }

        /// <summary>CogRunPorts: <c>8888;6006</c> (published on 127.0.0.1 unless an address is given).</summary>
        public string? Ports { get; set; }

        /// <summary>CogRunEnvironment: <c>NAME=value;NAME2=value</c>.</summary>
        public string? Environment { get; set; }

        public string Gpus { get; set; } = "auto";

        [Output] public int ExitCode { get; private set; }

        protected override void Run()
        {
            if (string.IsNullOrWhiteSpace(Command))
            {
                throw new CogException(Diagnostic.Error(ConfigurationMessages.InvalidPropertyValue, SourceLocation.None, "CogCommand", "", "a command to run, e.g. -p:CogCommand=\"python train.py\""));
            }

            GpuMode gpus = Choice<GpuMode>("CogGpus", Gpus);
            ContainerEngine? engine = FindEngine(ContainerEngine);
            if (engine == null)
            {
                return;
            }

            var request = new RunRequest(engine, ImageName, Command!, ProjectDirectory)
            {
                Gpus = gpus,
                ConfigUsesGpu = Gpu,
                Ports = SplitList(Ports),
                Environment = SplitList(Environment),
                // Piped or redirected (not a terminal): the command reads it, as `cog exec` passes it on.
                PassStandardInput = System.Console.IsInputRedirected,
            };
            var diagnostics = new DiagnosticBag();
            CommandRunner.Validate(request, diagnostics);
            Report(diagnostics);
            if (diagnostics.HasErrors)
            {
                return;
            }

            Log.LogMessage(MessageImportance.High, $"Cog: running '{Command}' in {ImageName} with {ProjectDirectory} mounted at /src");
            ExitCode = WaitYielding(CommandRunner.RunAsync(request, line => Log.LogMessage(MessageImportance.High, line), Report, CancellationToken));
            if (ExitCode != 0)
            {
                Report(CommandRunner.ExitedNonZero(request, ExitCode));
            }
        }

        private static string[] SplitList(string? value) =>
            (value ?? "").Split(new[] { ';' }, System.StringSplitOptions.RemoveEmptyEntries).Select(v => v.Trim()).Where(v => v.Length > 0).ToArray();
    }
}
