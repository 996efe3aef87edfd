using Cog.Sdk.Core.Engine;

namespace Cog.Sdk.Core.Tests.Engine;

/// <summary>An engine found by one build is reused by the next without probing, until a setting or the CLI changes.</summary>
[Collection("engine locator cache")]
public sealed class RememberedEngineTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cog-remembered-" + Guid.NewGuid().ToString("N"));

    public RememberedEngineTests()
    {
        Directory.CreateDirectory(_dir);
        // A stand-in docker CLI that records each call: its daemon answers, it has no buildx.
        File.WriteAllText(Docker, "#!/bin/sh\necho \"$@\" >> \"${0%/*}/calls.log\"\n[ \"$1\" = version ] && { echo 20.10.24; exit 0; }\nexit 1\n");
        File.SetUnixFileMode(Docker, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private string Docker => Path.Combine(_dir, "docker");

    private string Remembered => Path.Combine(_dir, "obj", "engine.json");

    private int Calls => File.Exists(Path.Combine(_dir, "calls.log")) ? File.ReadAllLines(Path.Combine(_dir, "calls.log")).Length : 0;

    private ContainerEngine Find()
    {
        EngineLocator.ForgetFoundEngines();
        var environment = new Dictionary<string, string> { ["PATH"] = _dir, ["DOCKER_HOST"] = "unix:///test/" + Path.GetFileName(_dir) };
        return EngineLocator.FindAsync("auto", environment, CancellationToken.None, Remembered).GetAwaiter().GetResult();
    }

    [Fact]
    public void A_later_build_reuses_the_engine_without_probing_until_the_cli_changes()
    {
        ContainerEngine first = Find();
        Assert.Equal((ContainerEngineKind.Docker, Docker, false), (first.Kind, first.ExecutablePath, first.HasBuildKit));
        int probes = Calls;
        Assert.True(probes >= 2, "the first build probes the daemon and buildx");
        Assert.True(File.Exists(Remembered));

        ContainerEngine second = Find();
        Assert.Equal(probes, Calls);
        Assert.Equal((first.Kind, first.ExecutablePath, first.HasBuildKit), (second.Kind, second.ExecutablePath, second.HasBuildKit));
        Assert.Equal(first.Environment, second.Environment);

        File.SetLastWriteTimeUtc(Docker, DateTime.UtcNow.AddMinutes(1));
        Find();
        Assert.True(Calls > probes, "an upgraded CLI is probed again");
    }

    [Fact]
    public void A_damaged_file_only_means_probing_again()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Remembered)!);
        File.WriteAllText(Remembered, "{ not json");

        ContainerEngine engine = Find();

        Assert.Equal(Docker, engine.ExecutablePath);
        Assert.True(Calls >= 2);
        Assert.Contains("\"buildKit\": false", File.ReadAllText(Remembered));
    }

    public void Dispose()
    {
        EngineLocator.ForgetFoundEngines();
        Directory.Delete(_dir, recursive: true);
    }
}
