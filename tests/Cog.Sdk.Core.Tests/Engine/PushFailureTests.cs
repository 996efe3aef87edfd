using Cog.Sdk.Core.Engine;
using Cog.Sdk.Core.Validate;

namespace Cog.Sdk.Core.Tests.Engine;

/// <summary>
/// Refused pushes, by cause, from what docker 26 and podman 4.3 printed for them (ImagePushEngineTests makes each of
/// these refusals happen for real); the engine tests prove the engines, these keep every wording a code.
/// </summary>
public class PushFailureTests
{
    private static readonly ContainerEngine Docker = new(ContainerEngineKind.Docker, "/usr/bin/docker", hasBuildKit: true);
    private static readonly ContainerEngine Podman = new(ContainerEngineKind.Podman, "/usr/bin/podman", hasBuildKit: true);

    [Theory]
    [InlineData("docker", "b94df9a120f2: Preparing\nno basic auth credentials", "COG1010")]
    [InlineData("podman", "Error: trying to reuse blob sha256:1fdd at destination: checking whether a blob sha256:1fdd exists in 127.0.0.1:42697/t/a: unauthorized: authentication required", "COG1010")]
    [InlineData("docker", "denied: requested access to the resource is denied", "COG1011")]
    [InlineData("docker", "c1f752844e0b: Retrying in 1 second\ndenied", "COG1011")]
    [InlineData("docker", "denied: permission_denied: write_package", "COG1011")]
    [InlineData("docker", "name unknown: repository name not known to registry", "COG1012")]
    [InlineData("docker", "The push refers to repository [127.0.0.1:1/t/a]\nGet \"http://127.0.0.1:1/v2/\": dial tcp 127.0.0.1:1: connect: connection refused", "COG1013")]
    [InlineData("docker", "Get \"https://nosuch.invalid/v2/\": dial tcp: lookup nosuch.invalid on 10.255.255.53:53: no such host", "COG1013")]
    [InlineData("podman", "Error: trying to reuse blob sha256:1fdd at destination: pinging container registry 127.0.0.1:1: Get \"http://127.0.0.1:1/v2/\": dial tcp 127.0.0.1:1: connect: connection refused", "COG1013")]
    [InlineData("podman", "Error: trying to reuse blob sha256:1fdd at destination: pinging container registry 127.0.0.1:42697: Get \"https://127.0.0.1:42697/v2/\": http: server gave HTTP response to HTTPS client", "COG1014")]
    [InlineData("docker", "The push refers to repository [127.0.0.1:1/t/nosuch]\nAn image does not exist locally with the tag: 127.0.0.1:1/t/nosuch", "COG3101")]
    [InlineData("podman", "Error: 127.0.0.1:1/t/nosuch: image not known", "COG3101")]
    [InlineData("docker", "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?", "COG1002")]
    [InlineData("docker", "received unexpected HTTP status: 500 Internal Server Error", "COG3200")]
    public void Each_refusal_is_the_code_of_its_cause(string engine, string output, string code)
    {
        var target = ImageReference.Parse("127.0.0.1:5000/team/model")!;

        var diagnostic = PushFailure.Analyze(engine == "podman" ? Podman : Docker, target, output, 1);

        Assert.Equal(code, diagnostic.Code);
        Assert.Contains(code == "COG3101" ? target.ToString() : code == "COG1002" ? "daemon" : "127.0.0.1:5000", diagnostic.Message);
    }

    [Fact]
    public void The_login_to_suggest_is_the_engines_own()
    {
        var target = ImageReference.Parse("r8.im/someone/model")!;

        Assert.Contains("'podman login r8.im'", PushFailure.Analyze(Podman, target, "unauthorized: authentication required", 125).Message);
        Assert.Contains("'docker login r8.im'", PushFailure.Analyze(Docker, target, "no basic auth credentials", 1).Message);
    }
}
