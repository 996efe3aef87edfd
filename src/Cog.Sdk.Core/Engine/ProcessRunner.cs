using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Cog.Sdk.Core.Engine
{
    /// <summary>What a finished child process left behind.</summary>
    public sealed class ProcessResult
    {
        public ProcessResult(int exitCode, string standardOutput, string standardError)
        {
            ExitCode = exitCode;
            StandardOutput = standardOutput;
            StandardError = standardError;
        }

        public int ExitCode { get; }
        public string StandardOutput { get; }
        public string StandardError { get; }
        public bool Succeeded => ExitCode == 0;
    }

    /// <summary>
    /// Runs a command line tool (docker, podman) with its output streamed line by line, so the engine's progress
    /// reaches the build log as it happens. Cancellation kills the whole process tree at once (<see cref="ProcessTree"/>).
    /// The child inherits this process's environment (DOCKER_HOST, DOCKER_CONTEXT, ...) plus any additions.
    /// </summary>
    public static class ProcessRunner
    {
        public static async Task<ProcessResult> RunAsync(
            string fileName,
            IReadOnlyList<string> arguments,
            CancellationToken cancellationToken,
            Action<string>? onStandardOutput = null,
            Action<string>? onStandardError = null,
            IReadOnlyDictionary<string, string>? environment = null,
            string? workingDirectory = null,
            string? standardInput = null)
        {
            var startInfo = new ProcessStartInfo(fileName)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = standardInput != null,
                CreateNoWindow = true,
                StandardOutputEncoding = Encoding.UTF8,
                StandardErrorEncoding = Encoding.UTF8,
            };
            if (workingDirectory != null)
            {
                startInfo.WorkingDirectory = workingDirectory;
            }
#if NETFRAMEWORK
            startInfo.Arguments = CommandLine.Join(arguments);
#else
            foreach (string argument in arguments)
            {
                startInfo.ArgumentList.Add(argument);
            }
#endif
            if (environment != null)
            {
                foreach (var pair in environment)
                {
                    startInfo.EnvironmentVariables[pair.Key] = pair.Value;
                }
            }

            var stdout = new StringBuilder();
            var stderr = new StringBuilder();
            using var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
            var stdoutDone = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var stderrDone = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data == null)
                {
                    stdoutDone.TrySetResult(true);
                    return;
                }

                lock (stdout)
                {
                    stdout.Append(e.Data).Append('\n');
                }

                onStandardOutput?.Invoke(e.Data);
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data == null)
                {
                    stderrDone.TrySetResult(true);
                    return;
                }

                lock (stderr)
                {
                    stderr.Append(e.Data).Append('\n');
                }

                onStandardError?.Invoke(e.Data);
            };

            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (standardInput != null)
            {
                await process.StandardInput.WriteAsync(standardInput).ConfigureAwait(false);
                process.StandardInput.Close();
            }

            var exited = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            process.Exited += (_, _) => exited.TrySetResult(true);
            if (process.HasExited)
            {
                exited.TrySetResult(true);
            }

            using (cancellationToken.Register(() => ProcessTree.Kill(process)))
            {
                await exited.Task.ConfigureAwait(false);
                await Task.WhenAll(stdoutDone.Task, stderrDone.Task).ConfigureAwait(false);
            }

            process.WaitForExit();
            cancellationToken.ThrowIfCancellationRequested();
            return new ProcessResult(process.ExitCode, stdout.ToString(), stderr.ToString());
        }
    }

    /// <summary>Windows command-line quoting (CommandLineToArgvW rules), for .NET Framework's single Arguments string.</summary>
    public static class CommandLine
    {
        public static string Join(IEnumerable<string> arguments)
        {
            var sb = new StringBuilder();
            foreach (string argument in arguments)
            {
                if (sb.Length > 0)
                {
                    sb.Append(' ');
                }

                sb.Append(Quote(argument));
            }

            return sb.ToString();
        }

        public static string Quote(string argument)
        {
            if (argument.Length > 0 && argument.IndexOfAny(new[] { ' ', '\t', '\n', '"' }) < 0)
            {
                return argument;
            }

            var sb = new StringBuilder("\"");
            int backslashes = 0;
            foreach (char c in argument)
            {
                if (c == '\\')
                {
                    backslashes++;
                    continue;
                }

                if (c == '"')
                {
                    sb.Append('\\', backslashes * 2 + 1);
                }
                else
                {
                    sb.Append('\\', backslashes);
                }

                backslashes = 0;
                sb.Append(c);
            }

            sb.Append('\\', backslashes * 2).Append('"');
            return sb.ToString();
        }
    }
}
