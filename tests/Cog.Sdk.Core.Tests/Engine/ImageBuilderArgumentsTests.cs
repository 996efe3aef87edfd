using Cog.Sdk.Core.Engine;
using Cog.Sdk.Core.Generate;

namespace Cog.Sdk.Core.Tests.Engine;

/// <summary>What the engine's build is told about the platform and the builder (CogPlatform, CogBuilder).</summary>
public class ImageBuilderArgumentsTests
{
    private static BuildRequest Request(ContainerEngineKind kind) =>
        new(new ContainerEngine(kind, "/usr/bin/engine", hasBuildKit: true), "/tmp/obj/cog",
            new GeneratedDockerfile("FROM python:3.11-slim\n", Array.Empty<DockerfileInstruction>(), new Dictionary<string, string>()),
            BuildContext.Of(Array.Empty<KeyValuePair<string, string>>(), new Dictionary<string, string>()), "model");

    [Theory]
    [InlineData(ContainerEngineKind.Docker)]
    [InlineData(ContainerEngineKind.Podman)]
    public void The_platform_goes_to_the_engine(ContainerEngineKind kind)
    {
        var request = Request(kind);
        request.Platform = "linux/amd64";

        var arguments = ImageBuilder.BuildArguments(request, "/tmp/obj/cog/Dockerfile", "/tmp/obj/cog/image.iid");

        Assert.Equal("linux/amd64", arguments[arguments.IndexOf("--platform") + 1]);
        Assert.DoesNotContain("--builder", arguments);
    }

    [Fact]
    public void A_builder_of_its_own_builds_and_the_image_is_loaded_back_into_the_engine()
    {
        var request = Request(ContainerEngineKind.Docker);
        request.Builder = "k8s";

        var arguments = ImageBuilder.BuildArguments(request, "/tmp/obj/cog/Dockerfile", "/tmp/obj/cog/image.iid");

        Assert.Equal("k8s", arguments[arguments.IndexOf("--builder") + 1]);
        Assert.Contains("--load", arguments);
        Assert.Equal("/tmp/obj/cog/context", arguments[^1].TrimEnd('/'));
    }

    [Fact]
    public void Without_them_the_engine_decides()
    {
        var arguments = ImageBuilder.BuildArguments(Request(ContainerEngineKind.Docker), "/tmp/obj/cog/Dockerfile", "/tmp/obj/cog/image.iid");

        Assert.DoesNotContain("--platform", arguments);
        Assert.DoesNotContain("--builder", arguments);
    }
}
