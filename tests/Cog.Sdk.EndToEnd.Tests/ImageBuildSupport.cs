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

    /// <summary>The CLI of this test run's builder (<see cref="TestEngine.Builder"/>): what the SDK under test builds with.</summary>
    public static EngineCli UnderTest => new(TestEngine.Cli);

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

    /// <summary>The image's filesystem layers (diff ids), bottom first.</summary>
    public IReadOnlyList<string> Layers(string image)
    {
        var (code, output, error) = Run("image", "inspect", "--format", "{{json .RootFS.Layers}}", image);
        Assert.True(code == 0, $"image inspect {image} failed: {error}");
        return JsonSerializer.Deserialize<List<string>>(output.Trim()) ?? new List<string>();
    }

    /// <summary>Whether <paramref name="text"/> is anywhere in the image: in any layer, any file, its configuration.</summary>
    public bool ImageHolds(string image, string text) => ImageArchive.Holds(Executable, image, text);

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

/// <summary>
/// What every test that builds a model's image with `dotnet build` shares. Each test names its image cog-e2e-&lt;id&gt;, puts
/// the same id in the model's environment (so every container of the build carries it), and at the end removes the image
/// and checks that no container is left. Images are built with the builder of this test run (<see cref="TestEngine.Builder"/>).
/// </summary>
public abstract class ModelImageTest : IDisposable
{
    internal const string Predictor = """
        from cog import BasePredictor, Input


        class Predictor(BasePredictor):
            def predict(self, text: str = Input(description="Who to greet")) -> str:
                return "hello " + text
        """;

    private readonly List<(EngineCli Engine, string Image)> _images = new();

    protected ModelImageTest(PackedSdk sdk) => Sdk = sdk;

    protected PackedSdk Sdk { get; }

    /// <summary>Unique to the test: in its image name and its model's environment.</summary>
    protected string Id { get; } = Guid.NewGuid().ToString("N").Substring(0, 12);

    /// <summary>The image name of this test, unique to it.</summary>
    protected string Image => "cog-e2e-" + Id;

    /// <summary>The marker in the model's environment, found in every container the test made.</summary>
    protected string Marker => "COG_E2E_TEST=" + Id;

    /// <summary>The CLI of the builder under test, to look at what a build made.</summary>
    protected static EngineCli Cli => EngineCli.UnderTest;

    public void Dispose()
    {
        foreach (var (engine, image) in _images)
        {
            engine.RemoveImage(image);
        }

        // Checked after the images are gone: removing an image with a container left would have failed quietly.
        foreach (var cli in _images.Select(i => i.Engine).GroupBy(e => e.Executable).Select(g => g.First()))
        {
            var left = cli.ContainersMentioning(Id);
            Assert.True(left.Count == 0, $"{cli.Executable}: containers left behind:\n{string.Join("\n", left)}");
        }
    }

    /// <summary>A cog.yaml in the current form with this test's marker in its environment.</summary>
    protected string Yaml(string build, string predict = "predict.py:Predictor") =>
        $"build:\n{build.TrimEnd()}\npredict: \"{predict}\"\nenvironment:\n  - {Marker}\n";

    /// <summary>A model whose image this test builds (and removes at the end).</summary>
    protected ModelProject NewModel(string name, string build, string? projectXml = null)
    {
        Removes(Cli, Image);
        return Sdk.NewProject(name, projectXml).Write("cog.yaml", Yaml(build)).Write("predict.py", Predictor);
    }

    /// <summary>Removes <paramref name="image"/> at the end of the test.</summary>
    protected void Removes(EngineCli engine, string image) => _images.Add((engine, image));

    /// <summary>`dotnet build` at normal verbosity (the engine's own lines are logged at normal importance) into this test's image.</summary>
    protected BuildOutput BuildImage(ModelProject model, params string[] properties) =>
        model.Build(new[] { "-v:n", "-p:CogImageName=" + Image }.Concat(properties).ToArray());

    protected static void AssertSucceeded(BuildOutput build)
    {
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Empty(build.Errors);
        BuildAssert.NoCrash(build);
    }
}
