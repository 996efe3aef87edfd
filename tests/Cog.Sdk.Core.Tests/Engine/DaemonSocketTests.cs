using Cog.Sdk.Core.Engine;
using Cog.Sdk.Testing;

namespace Cog.Sdk.Core.Tests.Engine;

/// <summary>The no-op build's question to the daemon, asked over its socket where the CLI would use that socket.</summary>
public sealed class DaemonSocketTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cog-socket-" + Guid.NewGuid().ToString("N"));

    public DaemonSocketTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ContainerEngine Docker(Dictionary<string, string>? environment = null) =>
        new(ContainerEngineKind.Docker, TestEngine.Docker, hasBuildKit: false, environment);

    [EngineFact]
    public void Answers_as_the_cli_does_for_an_image_that_exists_and_one_that_does_not()
    {
        string cli = TestEngine.Run("image", "inspect", "--format", "{{.Id}}", "python:3.11-slim").Out.Trim();

        Assert.Equal(cli, DaemonSocket.InspectImageId(Docker(), "python:3.11-slim"));
        Assert.Equal("", DaemonSocket.InspectImageId(Docker(), "cogsdk-no-such-image-" + Guid.NewGuid().ToString("N")[..8]));
    }

    [EngineFact]
    public void A_docker_config_whose_context_is_default_still_uses_the_socket()
    {
        File.WriteAllText(Path.Combine(_dir, "config.json"), "{\"currentContext\": \"default\"}");

        Assert.NotNull(DaemonSocket.InspectImageId(Docker(new() { ["DOCKER_CONFIG"] = _dir }), "python:3.11-slim"));
    }

    [Theory]
    [InlineData("DOCKER_HOST", "tcp://127.0.0.1:2375")]
    [InlineData("DOCKER_HOST", "ssh://user@build-host")]
    [InlineData("DOCKER_HOST", "unix:///nonexistent/docker.sock")]
    [InlineData("DOCKER_CONTEXT", "remote")]
    public void Leaves_other_daemons_to_the_cli(string variable, string value)
    {
        var engine = new ContainerEngine(ContainerEngineKind.Docker, "/usr/bin/docker", hasBuildKit: false, new Dictionary<string, string> { [variable] = value });

        Assert.Null(DaemonSocket.InspectImageId(engine, "python:3.11-slim"));
    }

    [Fact]
    public void Leaves_a_chosen_docker_context_and_podman_to_the_cli()
    {
        File.WriteAllText(Path.Combine(_dir, "config.json"), "{\"auths\": {}, \"currentContext\": \"remote\"}");
        var withContext = new ContainerEngine(ContainerEngineKind.Docker, "/usr/bin/docker", hasBuildKit: false, new Dictionary<string, string> { ["DOCKER_CONFIG"] = _dir });
        var podman = new ContainerEngine(ContainerEngineKind.Podman, "/usr/bin/podman", hasBuildKit: true);

        Assert.Null(DaemonSocket.InspectImageId(withContext, "python:3.11-slim"));
        Assert.Null(DaemonSocket.InspectImageId(podman, "python:3.11-slim"));
    }
}
