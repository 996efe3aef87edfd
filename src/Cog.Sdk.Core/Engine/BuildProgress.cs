using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Cog.Sdk.Core.Generate;

namespace Cog.Sdk.Core.Engine
{
    /// <summary>
    /// Reads a build's output as each builder prints it and follows the Dockerfile's steps through it: when each starts and
    /// ends, whether it came from the cache, what it printed itself, and which one failed. It reports one line when a step
    /// starts (<c>Cog: [4/9] RUN python -m pip install -r /tmp/cog/requirements.txt</c>), one when it ends with its time,
    /// and, through <see cref="Tick"/>, a line every <see cref="HeartbeatInterval"/> while a step runs on.
    /// <list type="bullet">
    /// <item>BuildKit (plain progress): <c>#6 [stage-0 2/4] RUN ...</c> starts step 2 of the steps BuildKit counts
    /// (<see cref="GeneratedDockerfile.Steps"/>); <c>#6 0.21 text</c> is its output, <c>#6 DONE 2.3s</c>, <c>#6 CACHED</c>,
    /// <c>#6 ERROR: ...</c> end it; after a failure <c>Dockerfile:5</c> names the failing line.</item>
    /// <item>The classic builder, <c>Step 3/16 : RUN ...</c>, and podman, <c>STEP 3/16: RUN ...</c>: step n is instruction n of
    /// the Dockerfile; it ends where the next begins; its output is every line in between but the builder's bookkeeping.</item>
    /// </list>
    /// Steps are numbered over <see cref="GeneratedDockerfile.Steps"/> on every builder, so a log reads the same whichever built it.
    /// Thread-safe: the engine's two output streams and the heartbeat timer call in at once.
    /// </summary>
    internal sealed class BuildProgress
    {
        public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(30);

        /// <summary>Lines of its own output kept per step, for the error of a step that fails.</summary>
        private const int KeptOutputLines = 20;

        private const int DescriptionLength = 100;

        private static readonly Regex BuildKitEvent = new Regex(@"^#(?<vertex>\d+) (?<rest>.*)$");
        private static readonly Regex BuildKitStep = new Regex(@"^\[(?:(?<stage>[^\]\s]+) )?(?<n>\d+)/(?<count>\d+)\] (?<text>.*)$");
        private static readonly Regex BuildKitTimestamp = new Regex(@"^\d+\.\d+ ");
        private static readonly Regex BuildKitErrorLine = new Regex(@"^(?:.*[/\\])?Dockerfile(?:\.\w+)?:(?<line>\d+)\s*$");
        private static readonly Regex ClassicStep = new Regex(@"^Step (?<n>\d+)/\d+ : ");
        private static readonly Regex PodmanStep = new Regex(@"^STEP (?<n>\d+)/\d+: ");
        private static readonly Regex MountFlag = new Regex(@"--mount=\S+ ");

        /// <summary>
        /// Lines the classic builder and podman print about the build rather than as a step's output (with the end of the
        /// classic builder's "The command '...' returned a non-zero code: N", which may span lines).
        /// </summary>
        private static readonly string[] Bookkeeping =
        {
            "---> ", "--> ", "Removing intermediate container", "Successfully built", "Successfully tagged", "COMMIT ",
            "Sending build context", "DEPRECATED:", "BuildKit is currently disabled", "environment-variable.", "Install the buildx component",
            "https://docs.docker.com/go/buildx", "The command '", "Error: building at STEP",
        };

        private readonly GeneratedDockerfile _dockerfile;
        private readonly Action<string> _report;
        private readonly Func<TimeSpan> _clock;
        private readonly object _lock = new object();
        private readonly Dictionary<DockerfileInstruction, Step> _steps = new Dictionary<DockerfileInstruction, Step>();
        private readonly Dictionary<string, Step?> _vertices = new Dictionary<string, Step?>(StringComparer.Ordinal);
        private Step? _current;
        private DockerfileInstruction? _failedLine;
        private DockerfileInstruction? _failedVertex;

        /// <param name="report">Receives the progress lines.</param>
        /// <param name="clock">Time since the build started; a stopwatch unless a test drives it.</param>
        public BuildProgress(GeneratedDockerfile dockerfile, Action<string> report, Func<TimeSpan>? clock = null)
        {
            _dockerfile = dockerfile;
            _report = report;
            if (clock == null)
            {
                Stopwatch stopwatch = Stopwatch.StartNew();
                clock = () => stopwatch.Elapsed;
            }

            _clock = clock;
        }

        /// <summary>
        /// The instruction that failed: the line BuildKit's error names, else the step BuildKit reported an error for, else the
        /// last step the classic builder or podman started. Null when no step is known to have run.
        /// </summary>
        public DockerfileInstruction? Failed
        {
            get
            {
                lock (_lock)
                {
                    return _failedLine ?? _failedVertex ?? _current?.Instruction;
                }
            }
        }

        /// <summary>What the step printed itself (its last lines), without the builder's own lines.</summary>
        public IReadOnlyList<string> OutputOf(DockerfileInstruction instruction)
        {
            lock (_lock)
            {
                return _steps.TryGetValue(instruction, out Step? step) ? step.Output.ToList() : new List<string>();
            }
        }

        /// <summary>Reads one line of the engine's output (terminal escapes already removed).</summary>
        public void Read(string line)
        {
            lock (_lock)
            {
                Match buildKit = BuildKitEvent.Match(line);
                if (buildKit.Success)
                {
                    ReadBuildKit(buildKit.Groups["vertex"].Value, buildKit.Groups["rest"].Value);
                    return;
                }

                Match errorLine = BuildKitErrorLine.Match(line);
                if (errorLine.Success)
                {
                    // BuildKit's error block names the failing line itself; nothing after it is more precise.
                    int number = int.Parse(errorLine.Groups["line"].Value, CultureInfo.InvariantCulture);
                    _failedLine ??= _dockerfile.Instructions.LastOrDefault(i => i.Line <= number);
                    return;
                }

                Match step = ClassicStep.Match(line);
                if (!step.Success)
                {
                    step = PodmanStep.Match(line);
                }

                if (step.Success)
                {
                    int index = int.Parse(step.Groups["n"].Value, CultureInfo.InvariantCulture) - 1;
                    End(_current, "done");
                    _current = index < _dockerfile.Instructions.Count ? Start(_dockerfile.Instructions[index]) : null;
                    return;
                }

                string trimmed = line.Trim();
                if (_current == null || trimmed.Length == 0)
                {
                    return;
                }

                if (trimmed.StartsWith("---> Using cache", StringComparison.Ordinal) || trimmed.StartsWith("--> Using cache", StringComparison.Ordinal))
                {
                    _current.Cached = true;
                }
                else if (trimmed.StartsWith("Successfully built", StringComparison.Ordinal) || trimmed.StartsWith("COMMIT", StringComparison.Ordinal))
                {
                    End(_current, "done");
                }
                else if (!Bookkeeping.Any(b => trimmed.StartsWith(b, StringComparison.Ordinal))
                    && trimmed.IndexOf("' returned a non-zero code: ", StringComparison.Ordinal) < 0)
                {
                    _current.Keep(line);
                }
            }
        }

        /// <summary>Reports the steps that have run on for <see cref="HeartbeatInterval"/> since their last line.</summary>
        public void Tick()
        {
            lock (_lock)
            {
                TimeSpan now = _clock();
                foreach (Step step in _steps.Values.Where(s => s.Shown && s.Running && now - s.LastReported >= HeartbeatInterval))
                {
                    step.LastReported = now;
                    _report($"Cog: [{step.Number}/{_dockerfile.Steps.Count}] still running ({Duration(now - step.Started)})");
                }
            }
        }

        /// <summary>Ends what is still running when the engine exits: as failed when the build failed.</summary>
        public void Finish(bool succeeded)
        {
            lock (_lock)
            {
                foreach (Step step in _steps.Values.Where(s => s.Running))
                {
                    // A failed build's other steps were stopped, not failed: only the failing one says so.
                    bool failedHere = step.Instruction == (_failedLine ?? _failedVertex ?? _current?.Instruction);
                    End(step, succeeded ? "done" : failedHere ? "failed" : null);
                }
            }
        }

        /// <summary>The instruction as a log line shows it: mounts left out, exec form as a command line, one line, not too long.</summary>
        internal static string Describe(DockerfileInstruction instruction)
        {
            string text = MountFlag.Replace(instruction.Text, "");
            int space = text.IndexOf(' ');
            string keyword = space < 0 ? text : text.Substring(0, space);
            string rest = space < 0 ? "" : text.Substring(space + 1);
            if ((keyword == "RUN" || keyword == "CMD") && rest.StartsWith("[", StringComparison.Ordinal)
                && JsonText.TryParse(rest, out var parsed, out _) && parsed is System.Text.Json.Nodes.JsonArray arguments
                && arguments.All(a => a is System.Text.Json.Nodes.JsonValue value && value.TryGetValue(out string? _)))
            {
                var words = arguments.Select(a => JsonText.Show(a)).ToList();
                rest = words.Count == 3 && words[0] == "/bin/sh" && words[1] == "-c" ? words[2] : string.Join(" ", words);
            }

            string[] lines = rest.Split('\n');
            string shown = keyword + " " + lines[0].Trim() + (lines.Length > 1 ? " ..." : "");
            return shown.Length <= DescriptionLength ? shown : shown.Substring(0, DescriptionLength - 3) + "...";
        }

        internal static string Duration(TimeSpan time) =>
            time.TotalSeconds < 60
                ? time.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s"
                : $"{(int)time.TotalMinutes} min {time.Seconds} s";

        private void ReadBuildKit(string vertex, string rest)
        {
            if (!_vertices.TryGetValue(vertex, out Step? step))
            {
                // The first line of a vertex names it; BuildKit repeats the name when it comes back to a vertex.
                Match header = BuildKitStep.Match(rest);
                DockerfileInstruction? instruction = header.Success ? BuildKitInstruction(header) : null;
                _vertices[vertex] = instruction == null ? null : Start(instruction);
                return;
            }

            if (step == null || rest.StartsWith("[", StringComparison.Ordinal))
            {
                return;
            }

            if (rest == "CACHED")
            {
                step.Cached = true;
                End(step, "done");
            }
            else if (rest.StartsWith("DONE", StringComparison.Ordinal))
            {
                End(step, "done");
            }
            else if (rest.StartsWith("ERROR", StringComparison.Ordinal))
            {
                _failedVertex ??= step.Instruction;
                End(step, "failed");
            }
            else if (rest.StartsWith("CANCELED", StringComparison.Ordinal))
            {
                End(step, null);
            }
            else
            {
                step.Keep(BuildKitTimestamp.Replace(rest, ""));
            }
        }

        /// <summary>BuildKit's step n of count in the model's stage (the only unnamed one) is the n-th of the Dockerfile's steps.</summary>
        private DockerfileInstruction? BuildKitInstruction(Match header)
        {
            string stage = header.Groups["stage"].Value;
            if (stage.Length > 0 && stage != "stage-0")
            {
                return null;
            }

            int n = int.Parse(header.Groups["n"].Value, CultureInfo.InvariantCulture);
            int count = int.Parse(header.Groups["count"].Value, CultureInfo.InvariantCulture);
            if (count == _dockerfile.Steps.Count && n >= 1 && n <= count)
            {
                return _dockerfile.Steps[n - 1];
            }

            // Counted differently (another BuildKit): the step whose text BuildKit quotes.
            string text = Regex.Replace(header.Groups["text"].Value, @"\s+", " ").Trim();
            return _dockerfile.Steps.FirstOrDefault(s => Regex.Replace(s.Text, @"\s+", " ") == text);
        }

        private Step Start(DockerfileInstruction instruction)
        {
            if (_steps.TryGetValue(instruction, out Step? known))
            {
                return known;
            }

            var step = new Step(instruction, _dockerfile.Steps.ToList().IndexOf(instruction) + 1, _clock());
            _steps[instruction] = step;
            if (step.Shown)
            {
                _report($"Cog: [{step.Number}/{_dockerfile.Steps.Count}] {Describe(instruction)}");
            }

            return step;
        }

        /// <param name="outcome">"done", "failed", or null to end the step without a line (it was stopped).</param>
        private void End(Step? step, string? outcome)
        {
            if (step == null || !step.Running)
            {
                return;
            }

            step.Running = false;
            if (!step.Shown || outcome == null)
            {
                return;
            }

            string prefix = $"Cog: [{step.Number}/{_dockerfile.Steps.Count}]";
            TimeSpan took = _clock() - step.Started;
            _report(outcome == "failed" ? $"{prefix} failed after {Duration(took)}"
                : step.Cached ? $"{prefix} cached"
                : $"{prefix} done in {Duration(took)}");
        }

        private sealed class Step
        {
            public Step(DockerfileInstruction instruction, int number, TimeSpan started)
            {
                Instruction = instruction;
                Number = number;
                Started = started;
                LastReported = started;
            }

            public DockerfileInstruction Instruction { get; }

            /// <summary>1-based among the Dockerfile's steps; 0 for an instruction that only sets metadata (not shown).</summary>
            public int Number { get; }

            public bool Shown => Number > 0;

            public TimeSpan Started { get; }

            public TimeSpan LastReported { get; set; }

            public bool Running { get; set; } = true;

            public bool Cached { get; set; }

            public Queue<string> Output { get; } = new Queue<string>();

            public void Keep(string line)
            {
                Output.Enqueue(line);
                if (Output.Count > KeptOutputLines)
                {
                    Output.Dequeue();
                }
            }
        }
    }
}
