using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Generate;

namespace Cog.Sdk.Core.Engine
{
    /// <summary>
    /// Turns a failed build's output into one coded error at the cog.yaml line behind the failing step, quoting what that
    /// step printed itself: at the default verbosity the engine's output is not in the log, so the error carries it.
    /// <see cref="BuildProgress"/> reads each builder's output and knows which step failed.
    /// </summary>
    internal static class BuildFailure
    {
        private static readonly Regex ExitCode = new Regex(@"(?:returned a non-zero code|exit status|exit code):? (\d+)");
        private static readonly Regex MissingAptPackage = new Regex(@"Unable to locate package (\S+)");
        private static readonly Regex MissingPipPackage = new Regex(@"(?:No matching distribution found for|Could not find a version that satisfies the requirement) ([A-Za-z0-9_.\-\[\]]+)");
        private static readonly string[] PullFailureSigns =
        {
            "pull access denied", "failed to resolve source metadata", "manifest unknown", "repository does not exist",
            "initializing source docker://", "no such host", "not found: manifest",
        };

        /// <summary>Lines of the failing step's output that its error quotes.</summary>
        private const int QuotedLines = 5;

        public static Diagnostic Analyze(ContainerEngine engine, GeneratedDockerfile dockerfile, IReadOnlyList<string> output, int exitCode, SourceLocation fallback)
        {
            string all = string.Join("\n", output);
            if (EngineLocator.DaemonProblem(engine, all) is Diagnostic daemon)
            {
                return daemon;
            }

            var steps = new BuildProgress(dockerfile, _ => { });
            foreach (string line in output)
            {
                steps.Read(line);
            }

            string lastLines = EngineLocator.LastLines(string.Join("\n", output.Where(l => !IsNoise(l))), QuotedLines);
            DockerfileInstruction? failed = steps.Failed
                ?? (PullFailureSigns.Any(s => all.IndexOf(s, StringComparison.OrdinalIgnoreCase) >= 0)
                    ? dockerfile.Instructions.FirstOrDefault(i => i.Kind == InstructionKind.BaseImage)
                    : null);
            if (failed == null)
            {
                return Diagnostic.Error(ProcessMessages.BuildFailed, fallback, exitCode, lastLines);
            }

            SourceLocation origin = failed.Origin.File != null ? failed.Origin : fallback;
            IReadOnlyList<string> stepOutput = steps.OutputOf(failed).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
            switch (failed.Kind)
            {
                case InstructionKind.BaseImage:
                    return Diagnostic.Error(ProcessMessages.BaseImagePullFailed, origin, failed.Text.Substring("FROM ".Length), lastLines);
                case InstructionKind.SystemPackages when MissingAptPackage.Match(all) is { Success: true } apt:
                    string package = apt.Groups[1].Value;
                    return Diagnostic.Error(ProcessMessages.SystemPackageNotFound, LocationOf(failed, package, origin), package);
                case InstructionKind.PythonRequirements:
                    Match pip = MissingPipPackage.Match(all);
                    SourceLocation at = pip.Success ? LocationOf(failed, pip.Groups[1].Value, origin) : origin;
                    // pip's own verdict is its last "ERROR:" line; the lines around it (downloads, the builder's
                    // bookkeeping) would make one error print as several in the log.
                    // (BuildKit prefixes it with "#N time" and ends with its own "ERROR: failed to solve".)
                    string? pipError = output.LastOrDefault(l => l.IndexOf("ERROR: ", StringComparison.Ordinal) >= 0
                        && l.IndexOf("failed to solve", StringComparison.Ordinal) < 0);
                    return Diagnostic.Error(ProcessMessages.PythonRequirementFailed, at,
                        pipError != null ? pipError.Substring(pipError.IndexOf("ERROR: ", StringComparison.Ordinal)).Trim() : lastLines);
                case InstructionKind.RunCommand:
                    string command = failed.Items[0].Value;
                    string firstLine = command.Split('\n')[0] + (command.IndexOf('\n') >= 0 ? " ..." : "");
                    Match code = ExitCode.Matches(all).Cast<Match>().LastOrDefault() ?? Match.Empty;
                    // One line, so that the log shows one error: the command's last lines joined.
                    string printed = stepOutput.Count == 0 ? "nothing" : string.Join(" | ", stepOutput.Skip(Math.Max(0, stepOutput.Count - QuotedLines)));
                    return Diagnostic.Error(ProcessMessages.RunCommandFailed, origin, firstLine,
                        code.Success ? code.Groups[1].Value : exitCode.ToString(CultureInfo.InvariantCulture), printed);
                default:
                    string quoted = stepOutput.Count == 0 ? lastLines : string.Join(Environment.NewLine, stepOutput.Skip(Math.Max(0, stepOutput.Count - QuotedLines)));
                    return Diagnostic.Error(ProcessMessages.BuildStepFailed, origin, failed.Text, quoted);
            }
        }

        /// <summary>Where the item named <paramref name="name"/> (a package, a requirement) was written.</summary>
        private static SourceLocation LocationOf(DockerfileInstruction instruction, string name, SourceLocation fallback)
        {
            var item = instruction.Items.FirstOrDefault(i => NameOf(i.Value).Equals(NameOf(name), StringComparison.OrdinalIgnoreCase));
            return item != null && item.Location.File != null ? item.Location : fallback;
        }

        /// <summary>"torch==2.0.1" and "pkg=1.2" are known by their name, "torch" and "pkg".</summary>
        private static string NameOf(string requirement)
        {
            int end = requirement.IndexOfAny(new[] { '=', '<', '>', '!', '~', ';', '[', ' ', ':' });
            return (end < 0 ? requirement : requirement.Substring(0, end)).Replace('_', '-');
        }

        private static bool IsNoise(string line) =>
            line.StartsWith("DEPRECATED:", StringComparison.Ordinal)
            || line.StartsWith("Removing intermediate container", StringComparison.Ordinal)
            || line.TrimStart().StartsWith("--->", StringComparison.Ordinal)
            || line.TrimStart().StartsWith("BuildKit is currently disabled", StringComparison.Ordinal)
            || line.TrimStart().StartsWith("Install the buildx component", StringComparison.Ordinal)
            || line.TrimStart().StartsWith("environment-variable.", StringComparison.Ordinal)
            || line.TrimStart().StartsWith("https://docs.docker.com/go/buildx", StringComparison.Ordinal);
    }
}
