using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cog.Sdk.Testing;

namespace Cog.Sdk.EndToEnd.Tests;

/// <summary>A container engine CLI (docker or podman) called directly by a test, to look at what a build made.</summary>
public sealed class EngineCli
{
    private EngineCli(string executable) => Executable = executable;

    public static EngineCli Docker => new(TestEngine.Docker);

    public static EngineCli Podman => new(TestEngine.FindOnPath("podman") ?? throw new InvalidOperationException("no podman CLI on PATH"));

    public string Executable { get; }

    public (int ExitCode, string Out, string Err) Run(params string[] args)
    {
        var psi = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(300_000))
        {
            p.Kill(true);
            throw new TimeoutException(Executable + " " + string.Join(" ", args));
        }

        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The image's id, or null when no image has that name.</summary>
    public string? ImageId(string image)
    {
        var (code, output, _) = Run("image", "inspect", "--format", "{{.Id}}", image);
        return code == 0 ? output.Trim() : null;
    }

    public IReadOnlyDictionary<string, string> Labels(string image)
    {
        var (code, output, error) = Run("image", "inspect", "--format", "{{json .Config.Labels}}", image);
        Assert.True(code == 0, $"image inspect {image} failed: {error}");
        return JsonSerializer.Deserialize<Dictionary<string, string>>(output.Trim()) ?? new Dictionary<string, string>();
    }

    /// <summary>Runs a command in a throw-away container of the image; the container is removed.</summary>
    public (int ExitCode, string Out, string Err) RunIn(string image, params string[] command) =>
        Run(new[] { "run", "--rm", image }.Concat(command).ToArray());

    /// <summary>Removes the image (and nothing else), whether or not it exists.</summary>
    public void RemoveImage(string image) => Run("image", "rm", "-f", image);

    /// <summary>
    /// Containers (running or not) whose image, environment or command mention <paramref name="marker"/>: the
    /// model's environment carries the marker, so every container a build or a run of it made shows it.
    /// </summary>
    public IReadOnlyList<string> ContainersMentioning(string marker)
    {
        var (_, ids, _) = Run("ps", "-aq", "--no-trunc");
        var found = new List<string>();
        foreach (string id in ids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (code, config, _) = Run("container", "inspect", "--format", "{{.Config.Image}} {{json .Config.Env}} {{json .Config.Cmd}}", id);
            if (code == 0 && config.Contains(marker, StringComparison.Ordinal))
            {
                found.Add(id + " " + config.Trim());
            }
        }

        return found;
    }
}

/// <summary>What the classic builder printed for each Dockerfile step of one build.</summary>
public sealed record BuildStep(int Number, string Instruction, bool FromCache)
{
    private static readonly Regex StepLine = new(@"Step (?<n>\d+)/\d+ : (?<instruction>.*)$", RegexOptions.Multiline);

    /// <summary>The steps of the build in the output; a step is cached when " ---> Using cache" follows it before the next step.</summary>
    public static IReadOnlyList<BuildStep> Parse(string output)
    {
        var matches = StepLine.Matches(output).ToList();
        var steps = new List<BuildStep>();
        for (int i = 0; i < matches.Count; i++)
        {
            int end = i + 1 < matches.Count ? matches[i + 1].Index : output.Length;
            string block = output.Substring(matches[i].Index, end - matches[i].Index);
            steps.Add(new BuildStep(int.Parse(matches[i].Groups["n"].Value), matches[i].Groups["instruction"].Value.Trim(), block.Contains("Using cache", StringComparison.Ordinal)));
        }

        return steps;
    }
}

/// <summary>Checks on a build's output that every test of a failure makes.</summary>
public static class BuildAssert
{
    private static readonly Regex StackFrame = new(@"^\s+at [\w.`<>\[\]]+\.[\w<>`]+\(", RegexOptions.Multiline);

    /// <summary>No MSBuild task crash, no .NET stack trace: failures are coded diagnostics only.</summary>
    public static void NoCrash(BuildOutput build)
    {
        Assert.DoesNotContain("MSB4018", build.Output);
        Assert.DoesNotContain("COG3999", build.Output);
        Assert.DoesNotContain("Unhandled exception", build.Output);
        Assert.False(StackFrame.IsMatch(build.Output), "a stack trace in the output:\n" + build.Output);
    }

    /// <summary>The one error of a failed build, with its code, in cog.yaml at the given line.</summary>
    public static BuildDiagnostic SingleErrorAt(BuildOutput build, string code, int line)
    {
        Assert.True(build.ExitCode != 0, "the build succeeded:\n" + build);
        NoCrash(build);
        var error = Assert.Single(build.Errors);
        Assert.True(error.Code == code, $"expected {code}, got {error.Code}: {error.Message}\n{build.Output}");
        Assert.Equal("cog.yaml", Path.GetFileName(error.File));
        Assert.True(error.Line == line, $"{code} at line {error.Line}, expected line {line}: {error.Message}");
        return error;
    }

    /// <summary>The 1-based line of the first line of <paramref name="text"/> holding <paramref name="fragment"/>.</summary>
    public static int LineOf(string text, string fragment)
    {
        string[] lines = text.Replace("\r\n", "\n").Split('\n');
        int index = Array.FindIndex(lines, l => l.Contains(fragment, StringComparison.Ordinal));
        Assert.True(index >= 0, $"'{fragment}' is not in:\n{text}");
        return index + 1;
    }
}

/// <summary>
/// A test that needs an image the machine cannot pull (e.g. nvidia/cuda on a machine without registry access): it runs
/// only where the image is already in the local docker store, and otherwise skips with that reason, under CI=true too.
/// Without an engine it follows <see cref="EngineFactAttribute"/>'s rule.
/// </summary>
public sealed class LocalImageFactAttribute : FactAttribute
{
    public LocalImageFactAttribute(string image)
    {
        if (TestEngine.SkipReason is string reason)
        {
            Skip = reason;
        }
        else if (TestEngine.Available && EngineCli.Docker.ImageId(image) == null)
        {
            Skip = $"The image {image} is not in the local docker store and cannot be pulled here; this test runs where it is "
                + "(docker pull or docker load it first). This skip is allowed under CI=true: the image is not part of what CI promises.";
        }
    }
}

/// <summary>A test that needs podman's CLI beside the docker engine; skipped where there is none, failing under CI=true.</summary>
public sealed class PodmanFactAttribute : FactAttribute
{
    public PodmanFactAttribute()
    {
        string? podman = TestEngine.FindOnPath("podman");
        if (podman == null && !TestEngine.IsCI)
        {
            Skip = "No podman CLI on PATH. Install podman (README.md, \"Two commands on a fresh machine\"); under CI=true this is a failure.";
        }
    }
}
