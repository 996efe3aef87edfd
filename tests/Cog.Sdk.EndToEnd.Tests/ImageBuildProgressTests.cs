using System.Text.RegularExpressions;
using Cog.Sdk.Testing;

namespace Cog.Sdk.EndToEnd.Tests;

/// <summary>
/// What a build log shows of the engine's work through real `dotnet build` output: at the default verbosity (what CI logs
/// and terminals use) one line per step as it starts and as it ends, and a line while a long step runs on; the engine's
/// own output at normal verbosity and in binary logs.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public sealed class ImageBuildProgressTests : ModelImageTest
{
    private static readonly Regex TerminalEscapes = new(@"\x1B(?:\[[0-9;?]*[A-Za-z]|\][^\x1B\x07]*(?:\x07|\x1B\\))");

    public ImageBuildProgressTests(PackedSdk sdk)
        : base(sdk)
    {
    }

    /// <summary>The keyword of each build step of the Dockerfile in obj/, in order (the steps a log numbers).</summary>
    private static List<string> Steps(ModelProject model) =>
        File.ReadAllLines(model.PathOf("obj/cog/Dockerfile"))
            .Select(line => line.Split(' ')[0])
            .Where(keyword => keyword is "FROM" or "RUN" or "COPY" or "ADD" or "WORKDIR")
            .ToList();

    private static List<string> Lines(string output) =>
        output.Split('\n').Select(l => TerminalEscapes.Replace(l, "").Trim()).Where(l => l.Length > 0).ToList();

    [EngineFact]
    public void At_the_default_verbosity_each_step_is_a_line_when_it_starts_and_when_it_ends_and_a_long_step_shows_it_runs_on()
    {
        // The run's own id in the command: a builder's cache may hold the finished step of an earlier run.
        string command = $"echo engine-output-$((6*7)) {Id} && sleep 32";
        var model = NewModel("Progress", $"""
              python_version: "3.11"
              run:
                - "{command}"
            """);
        string binlog = Path.Combine(Sdk.Root, "progress-" + Id + ".binlog");

        // -v:m is what CI logs use; dotnet build's own default too.
        var build = model.Build("-v:m", "-p:CogImageName=" + Image, "-bl:" + binlog);

        AssertSucceeded(build);
        var lines = Lines(build.Output);
        var steps = Steps(model);
        int count = steps.Count;
        int previousStart = -1;
        for (int n = 1; n <= count; n++)
        {
            string prefix = $"Cog: [{n}/{count}] ";
            int start = lines.FindIndex(l => l.StartsWith(prefix + steps[n - 1] + " ", StringComparison.Ordinal));
            Assert.True(start > previousStart, $"step {n} ({steps[n - 1]}) did not start after step {n - 1}:\n{build.Output}");
            Assert.Single(lines, l => l.StartsWith(prefix + steps[n - 1] + " ", StringComparison.Ordinal));
            int end = lines.FindIndex(l => Regex.IsMatch(l, "^" + Regex.Escape(prefix) + @"(done in \d.* s|cached)$"));
            Assert.True(end > start, $"step {n} has no end line after its start:\n{build.Output}");
            previousStart = start;
        }

        string sleep = lines.Single(l => l.EndsWith("] RUN " + command, StringComparison.Ordinal));
        string number = sleep.Substring(0, sleep.IndexOf(']') + 1);
        Assert.Contains(lines, l => l.StartsWith(number + " still running (3", StringComparison.Ordinal));
        Assert.True(lines.IndexOf(sleep) < lines.FindIndex(l => l.StartsWith(number + " still running", StringComparison.Ordinal)));
        Assert.DoesNotContain("engine-output-42", build.Output); // the engine's own output is not at this verbosity

        // The binary log holds everything: replayed at normal verbosity it shows the engine's own output.
        var replay = DotNet.Run(model.Directory, TimeSpan.FromMinutes(2), new[] { "msbuild", binlog, "-v:n", "-tl:off", "-nologo" }, null);
        Assert.True(replay.ExitCode == 0, replay.Output);
        Assert.Contains("engine-output-42", replay.Output);
        Assert.Contains(sleep, replay.Output);
    }

    [EngineFact]
    public void In_a_terminal_the_terminal_logger_shows_the_image_build_running_and_the_steps_at_detailed_verbosity()
    {
        var model = NewModel("Terminal", """
              python_version: "3.11"
            """);

        // The terminal logger (dotnet's default in a terminal, forced here) shows the running target and its time on its
        // live line; it prints messages, ours too, only from detailed verbosity on, in the project's summary.
        var live = model.Build("-tl:on", "-p:CogImageName=" + Image);
        Assert.True(live.ExitCode == 0, live.ToString());
        Assert.Contains("CogContainerBuild", TerminalEscapes.Replace(live.Output, ""));

        var detailed = model.Build("-tl:on", "-v:d", "-p:CogNoCache=true", "-p:CogImageName=" + Image);
        Assert.True(detailed.ExitCode == 0, detailed.ToString());
        int count = Steps(model).Count;
        Assert.Contains(Lines(detailed.Output), l => l.StartsWith($"Cog: [{count}/{count}] WORKDIR", StringComparison.Ordinal));
    }
}
