using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Engine;
using Cog.Sdk.Core.Parse;

namespace Cog.Sdk.Core.Predict
{
    /// <summary>A command to run in the model's environment (CogRun), like `cog run` (classic) / `cog exec`.</summary>
    public sealed class RunRequest
    {
        public RunRequest(ContainerEngine engine, string image, string command, string projectDirectory)
        {
            Engine = engine;
            Image = image;
            Command = command;
            ProjectDirectory = projectDirectory;
        }

        public ContainerEngine Engine { get; }
        public string Image { get; }

        /// <summary>The command line, split into arguments like a POSIX shell would (see <see cref="ShellWords"/>).</summary>
        public string Command { get; }

        /// <summary>Mounted at /src, the working directory.</summary>
        public string ProjectDirectory { get; }

        public GpuMode Gpus { get; set; } = GpuMode.Auto;
        public bool ConfigUsesGpu { get; set; }

        /// <summary>Ports to publish: "8888" (127.0.0.1:8888 -> 8888), "8080:80", "0.0.0.0:8888", "[::1]:8888", "0.0.0.0:8080:80".</summary>
        public IReadOnlyList<string> Ports { get; set; } = Array.Empty<string>();

        /// <summary>"NAME=value" environment variables ("NAME" alone passes this machine's value on).</summary>
        public IReadOnlyList<string> Environment { get; set; } = Array.Empty<string>();

        /// <summary>
        /// Whether the command reads this process's standard input (`--interactive`): when it is a pipe or a file, as in
        /// `echo hi | dotnet msbuild -t:CogRun -p:CogCommand=cat`. The engine's CLI inherits it.
        /// </summary>
        public bool PassStandardInput { get; set; }
    }

    /// <summary>
    /// Runs a command in a fresh container of the model's image with the project mounted at /src, streaming its
    /// output, and returns the command's exit code. The command is split into arguments here rather than run through
    /// `sh -c`, so that it means what it would mean typed after `cog run` in a shell, with no second round of
    /// expansion inside the container; a user who wants pipes or variables writes `sh -c '...'` themselves.
    /// </summary>
    public static class CommandRunner
    {
        /// <summary>Checks the request; every problem goes to <paramref name="diagnostics"/>.</summary>
        /// <returns>The command's arguments and the engine's --publish values, or null when there were errors.</returns>
        public static (IReadOnlyList<string> Command, IReadOnlyList<string> Publish)? Validate(RunRequest request, DiagnosticBag diagnostics)
        {
            IReadOnlyList<string> command = Array.Empty<string>();
            try
            {
                command = ShellWords.Split(request.Command);
                if (command.Count == 0)
                {
                    diagnostics.Error(ProcessMessages.CommandSyntax, SourceLocation.None, request.Command, "it is empty");
                }
            }
            catch (FormatException e)
            {
                diagnostics.Error(ProcessMessages.CommandSyntax, SourceLocation.None, request.Command, e.Message);
            }

            var publish = new List<string>();
            foreach (string port in request.Ports)
            {
                if (ToPublishArgument(port) is string argument)
                {
                    publish.Add(argument);
                }
                else
                {
                    diagnostics.Error(ProcessMessages.InvalidPort, SourceLocation.None, port);
                }
            }

            // NAME=value, or NAME alone to pass the variable on from the engine's environment.
            foreach (string variable in request.Environment.Where(v => !EnvironmentVariable.TrySplit(v, out _, out _) && !EnvironmentVariable.IsValidName(v)))
            {
                diagnostics.Error(ProcessMessages.InvalidEnvironmentVariable, SourceLocation.None, variable);
            }

            return diagnostics.HasErrors ? null : (command, publish);
        }

        /// <param name="output">Receives the command's output (stdout and stderr) line by line.</param>
        /// <param name="report">Receives coded warnings.</param>
        /// <returns>The command's exit code (the caller reports COG3105 for a non-zero one, see <see cref="ExitedNonZero"/>).</returns>
        /// <exception cref="CogException">The request is invalid, the image is missing, or the container cannot start.</exception>
        /// <exception cref="OperationCanceledException">On cancellation, after the container is removed.</exception>
        public static async Task<int> RunAsync(RunRequest request, Action<string> output, Action<Diagnostic> report, CancellationToken cancellationToken)
        {
            var diagnostics = new DiagnosticBag();
            var validated = Validate(request, diagnostics);
            if (validated == null)
            {
                throw new CogException(diagnostics.First(d => d.IsError));
            }

            var (command, publish) = validated.Value;
            output = ContainerCli.Serialized(output);
            ContainerEngine engine = request.Engine;
            await ContainerCli.InspectImageAsync(engine, request.Image, cancellationToken).ConfigureAwait(false);
            string name = ContainerCli.NewContainerName("run", request.Image);
            output($"Running '{request.Command}' in {request.Image} with {request.ProjectDirectory} mounted at /src...");
            try
            {
                ProcessResult result = await ContainerCli.StartWithGpuFallbackAsync(
                    engine, name, request.Gpus, request.ConfigUsesGpu,
                    gpu => engine.RunAsync(Arguments(request, name, gpu, command, publish), cancellationToken, output, output),
                    report).ConfigureAwait(false);
                if (IsEngineFailure(result))
                {
                    throw new CogException(Diagnostic.Error(ProcessMessages.ContainerStartFailed, SourceLocation.None, request.Image, ContainerCli.LastLine(result.StandardError)));
                }

                return result.ExitCode;
            }
            finally
            {
                // --rm removes it when the command ends; this is for cancellation and engine failures.
                await ContainerCli.RemoveAsync(engine, name, report).ConfigureAwait(false);
            }
        }

        /// <summary>The coded error for a command that failed, for the caller to report.</summary>
        public static Diagnostic ExitedNonZero(RunRequest request, int exitCode) =>
            Diagnostic.Error(ProcessMessages.CommandExitedNonZero, SourceLocation.None, request.Command, exitCode, request.Image);

        /// <summary>
        /// 125 is the engine's own failure (bad option, daemon error) rather than the command's, which docker and podman
        /// both tell apart by the "Error response from daemon" / "Error:" text they print.
        /// </summary>
        private static bool IsEngineFailure(ProcessResult result) =>
            result.ExitCode == 125 &&
            (result.StandardError.IndexOf("Error response from daemon", StringComparison.Ordinal) >= 0 ||
             result.StandardError.StartsWith("Error:", StringComparison.Ordinal) ||
             result.StandardError.IndexOf("docker: ", StringComparison.Ordinal) >= 0);

        private static List<string> Arguments(RunRequest request, string name, bool gpu, IReadOnlyList<string> command, IReadOnlyList<string> publish)
        {
            var arguments = new List<string> { "run", "--rm", "--name", name, "--shm-size", "6g" };
            if (request.PassStandardInput)
            {
                arguments.Add("--interactive");
            }

            if (gpu)
            {
                arguments.Add("--gpus=all");
            }

            arguments.AddRange(new[] { "--volume", request.ProjectDirectory + ":/src", "--workdir", "/src" });
            foreach (string argument in publish)
            {
                arguments.Add("--publish");
                arguments.Add(argument);
            }

            foreach (string variable in request.Environment)
            {
                arguments.Add("--env");
                arguments.Add(variable);
            }

            arguments.Add(request.Image);
            arguments.AddRange(command);
            return arguments;
        }

        /// <summary>
        /// "8888" => "127.0.0.1:8888:8888"; "8080:80" => "127.0.0.1:8080:80"; "0.0.0.0:8888" => "0.0.0.0:8888:8888";
        /// "[::1]:8888" => "[::1]:8888:8888"; "0.0.0.0:8080:80" as is. Loopback unless an address is given, as Cog does now.
        /// </summary>
        internal static string? ToPublishArgument(string port)
        {
            string text = port.Trim();
            string? address = null;
            if (text.StartsWith("[", StringComparison.Ordinal))
            {
                int close = text.IndexOf("]:", StringComparison.Ordinal);
                if (close < 0)
                {
                    return null;
                }

                address = text.Substring(0, close + 1);
                text = text.Substring(close + 2);
            }

            string[] parts = text.Split(':');
            if (address == null && parts.Length >= 2 && !IsPort(parts[0]))
            {
                address = parts[0];
                parts = parts.Skip(1).ToArray();
            }

            if (parts.Length is < 1 or > 2 || !parts.All(IsPort) || (address != null && address.Length == 0))
            {
                return null;
            }

            string hostPort = parts[0];
            string containerPort = parts[parts.Length - 1];
            return $"{address ?? "127.0.0.1"}:{hostPort}:{containerPort}";
        }

        private static bool IsPort(string text) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is >= 1 and <= 65535;
    }
}
