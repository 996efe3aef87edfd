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
    /// Turns a failed build's output into one coded error at the cog.yaml line behind the failing step.
    /// The classic builder prints "Step N/M : ...", podman "STEP N/M: ...": both count every instruction, so step N is
    /// instruction N. BuildKit quotes the failing Dockerfile line as "Dockerfile:L".
    /// </summary>
    internal static class BuildFailure
    {
        private static readonly Regex ClassicStep = new Regex(@"^Step (\d+)/\d+ : ");
        private static readonly Regex PodmanStep = new Regex(@"^STEP (\d+)/\d+: ");
        private static readonly Regex BuildKitLine = new Regex(@"^Dockerfile:(\d+)\s*$");
        private static readonly Regex ExitCode = new Regex(@"(?:returned a non-zero code|exit status|exit code):? (\d+)");
        private static readonly Regex MissingAptPackage = new Regex(@"Unable to locate package (\S+)");
        private static readonly Regex MissingPipPackage = new Regex(@"(?:No matching distribution found for|Could not find a version that satisfies the requirement) ([A-Za-z0-9_.\-\[\]]+)");
        private static readonly string[] PullFailureSigns =
        {
            "pull access denied", "failed to resolve source metadata", "manifest unknown", "repository does not exist",
            "initializing source docker://", "no such host", "not found: manifest",
        };

        public static Diagnostic Analyze(ContainerEngine engine, GeneratedDockerfile dockerfile, IReadOnlyList<string> output, int exitCode, SourceLocation fallback)
        {
            string all = string.Join("\n", output);
            if (EngineLocator.DaemonProblem(engine, all) is Diagnostic daemon)
            {
                return daemon;
            }

            string lastLines = EngineLocator.LastLines(string.Join("\n", output.Where(l => !IsNoise(l))), 5);
            DockerfileInstruction? failed = FailedInstruction(dockerfile, output)
                ?? (PullFailureSigns.Any(s => all.IndexOf(s, StringComparison.OrdinalIgnoreCase) >= 0)
                    ? dockerfile.Instructions.FirstOrDefault(i => i.Kind == InstructionKind.BaseImage)
                    : null);
            if (failed == null)
            {
                return Diagnostic.Error(ProcessMessages.BuildFailed, fallback, exitCode, lastLines);
            }

            SourceLocation origin = failed.Origin.File != null ? failed.Origin : fallback;
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
                    return Diagnostic.Error(ProcessMessages.RunCommandFailed, origin, firstLine, code.Success ? code.Groups[1].Value : exitCode.ToString(CultureInfo.InvariantCulture));
                default:
                    return Diagnostic.Error(ProcessMessages.BuildStepFailed, origin, failed.Text, lastLines);
            }
        }

        /// <summary>The instruction the engine was running when it failed: the last step it announced.</summary>
        internal static DockerfileInstruction? FailedInstruction(GeneratedDockerfile dockerfile, IReadOnlyList<string> output)
        {
            DockerfileInstruction? failed = null;
            foreach (string line in output)
            {
                Match buildKit = BuildKitLine.Match(line);
                if (buildKit.Success)
                {
                    // BuildKit's error block names the line itself; nothing after it is more precise.
                    int number = int.Parse(buildKit.Groups[1].Value, CultureInfo.InvariantCulture);
                    return dockerfile.Instructions.LastOrDefault(i => i.Line <= number) ?? failed;
                }

                Match step = ClassicStep.Match(line);
                if (!step.Success)
                {
                    step = PodmanStep.Match(line);
                }

                if (step.Success)
                {
                    int index = int.Parse(step.Groups[1].Value, CultureInfo.InvariantCulture) - 1;
                    failed = index < dockerfile.Instructions.Count ? dockerfile.Instructions[index] : null;
                }
            }

            return failed;
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
