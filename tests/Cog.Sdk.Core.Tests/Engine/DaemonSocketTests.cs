using Cog.Sdk.Core.Engine;
using Cog.Sdk.Testing;

namespace Cog.Sdk.Core.Tests.Engine;

/// <summary>The no-op build's question to the engine about its image: over docker's socket where the CLI would use it, else the CLI.</summary>
public sealed class DaemonSocketTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cog-socket-" + Guid.NewGuid().ToString("N"));

    public DaemonSocketTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ContainerEngine Docker(Dictionary<string, string>? environment = null) =>
        new(ContainerEngineKind.Docker, TestEngine.Docker, hasBuildKit: false, environment);

    private static Task<(System.Net.HttpStatusCode Status, string Body)?> AskSocket(ContainerEngine engine, string image) =>
        DaemonSocket.GetAsync(engine, "images/" + image + "/json", CancellationToken.None);

    [EngineFact]
    public async Task The_socket_and_the_cli_describe_an_image_alike_and_both_miss_a_missing_one()
    {
        string cli = TestEngine.Run("image", "inspect", "--format", "{{.Id}}", "python:3.11-slim").Out.Trim();
        string missing = "cogsdk-no-such-image-" + Guid.NewGuid().ToString("N")[..8];
        var overSocket = Docker();
        var overCli = Docker(new() { ["DOCKER_CONFIG"] = _dir, ["DOCKER_CONTEXT"] = SameDaemonContext() });

        Assert.Equal(System.Net.HttpStatusCode.OK, (await AskSocket(overSocket, "python:3.11-slim"))?.Status);
        Assert.Equal(cli, (await Images.InspectAsync(overSocket, "python:3.11-slim", CancellationToken.None))?.Id);
        Assert.Null(await Images.InspectAsync(overSocket, missing, CancellationToken.None));

        Assert.Null(await AskSocket(overCli, "python:3.11-slim"));
        var fromCli = await Images.InspectAsync(overCli, "python:3.11-slim", CancellationToken.None);
        Assert.Equal(cli, fromCli?.Id);
        Assert.Null(await Images.InspectAsync(overCli, missing, CancellationToken.None));
        Assert.Equal(
            JsonText.Write((await Images.InspectAsync(overSocket, "python:3.11-slim", CancellationToken.None))!.Labels),
            JsonText.Write(fromCli!.Labels));
    }

    /// <summary>A docker context of its own name for the same local daemon, in this test's DOCKER_CONFIG: the CLI's way there.</summary>
    private string SameDaemonContext()
    {
        const string name = "cogsdk-same-daemon";
        string id = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name))).ToLowerInvariant();
        string meta = Path.Combine(_dir, "contexts", "meta", id);
        Directory.CreateDirectory(meta);
        File.WriteAllText(Path.Combine(meta, "meta.json"),
            "{\"Name\":\"" + name + "\",\"Metadata\":{},\"Endpoints\":{\"docker\":{\"Host\":\"unix:///var/run/docker.sock\",\"SkipTLSVerify\":false}}}");
        return name;
    }

    [EngineFact]
    public async Task A_docker_config_whose_context_is_default_still_uses_the_socket()
    {
        File.WriteAllText(Path.Combine(_dir, "config.json"), "{\"currentContext\": \"default\"}");

        Assert.NotNull(await AskSocket(Docker(new() { ["DOCKER_CONFIG"] = _dir }), "python:3.11-slim"));
    }

    [Theory]
    [InlineData("DOCKER_HOST", "tcp://127.0.0.1:2375")]
    [InlineData("DOCKER_HOST", "ssh://user@build-host")]
    [InlineData("DOCKER_HOST", "unix:///nonexistent/docker.sock")]
    [InlineData("DOCKER_CONTEXT", "remote")]
    public async Task Leaves_other_daemons_to_the_cli(string variable, string value)
    {
        var engine = new ContainerEngine(ContainerEngineKind.Docker, "/usr/bin/docker", hasBuildKit: false, new Dictionary<string, string> { [variable] = value });

        Assert.Null(await AskSocket(engine, "python:3.11-slim"));
    }

    [Fact]
    public async Task Leaves_a_chosen_docker_context_and_podman_to_the_cli()
    {
        File.WriteAllText(Path.Combine(_dir, "config.json"), "{\"auths\": {}, \"currentContext\": \"remote\"}");
        var withContext = new ContainerEngine(ContainerEngineKind.Docker, "/usr/bin/docker", hasBuildKit: false, new Dictionary<string, string> { ["DOCKER_CONFIG"] = _dir });
        var podman = new ContainerEngine(ContainerEngineKind.Podman, "/usr/bin/podman", hasBuildKit: true);

        Assert.Null(await AskSocket(withContext, "python:3.11-slim"));
        Assert.Null(await AskSocket(podman, "python:3.11-slim"));
    }
}
