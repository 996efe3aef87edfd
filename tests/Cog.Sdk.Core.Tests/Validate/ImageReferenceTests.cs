using Cog.Sdk.Core.Validate;

namespace Cog.Sdk.Core.Tests.Validate;

public class ImageReferenceTests
{
    [Theory]
    [InlineData("r8.im/owner/model", "r8.im", "owner/model", "latest")]
    [InlineData("127.0.0.1:5000/team/model:1.0", "127.0.0.1:5000", "team/model", "1.0")]
    [InlineData("localhost/model", "localhost", "model", "latest")]
    [InlineData("localhost:5000/a/b:latest", "localhost:5000", "a/b", "latest")]
    [InlineData("docker.io/user/model:v2", "docker.io", "user/model", "v2")]
    [InlineData("Registry/model", "Registry", "model", "latest")]
    [InlineData("team/model:dev", null, "team/model", "dev")]
    [InlineData("cog-hello", null, "cog-hello", "latest")]
    public void The_registry_is_the_first_part_when_the_engines_would_read_it_so(string name, string? registry, string repository, string tag)
    {
        var reference = ImageReference.Parse(name)!;

        Assert.Equal(registry, reference.Registry);
        Assert.Equal(repository, reference.Repository);
        Assert.Equal(tag, reference.Tag);
        Assert.Equal((registry == null ? "" : registry + "/") + repository + ":" + tag, reference.ToString());
        Assert.Equal(reference.Name + ":ci-7", reference.WithTag("ci-7").ToString());
    }

    [Theory]
    [InlineData("Model")]
    [InlineData("r8.im/owner/model@sha256:0123456789abcdef0123456789abcdef")]
    [InlineData("model:")]
    [InlineData("")]
    public void A_name_that_cannot_be_pushed_to_is_none(string name) => Assert.Null(ImageReference.Parse(name));

    [Theory]
    [InlineData("1.0;latest", new[] { "1.0", "latest" })]
    [InlineData("\"1.0;latest\"", new[] { "1.0", "latest" })]
    [InlineData("'1.0;latest'", new[] { "1.0", "latest" })]
    [InlineData("1.0, latest", new[] { "1.0", "latest" })]
    [InlineData(" 1.0 ;; latest ;1.0 ", new[] { "1.0", "latest" })]
    [InlineData("1.0\nlatest", new[] { "1.0", "latest" })]
    [InlineData("", new string[0])]
    public void Tags_arrive_however_a_shell_or_a_CI_system_let_them_through(string value, string[] tags) =>
        Assert.Equal(tags, ImageReference.SplitTags(value));

    [Theory]
    [InlineData("1.0", true)]
    [InlineData("ci-7_abc.X", true)]
    [InlineData("-dev", false)]
    [InlineData(".dev", false)]
    [InlineData("bad!tag", false)]
    [InlineData("a/b", false)]
    public void Tags_follow_the_registries_grammar(string tag, bool valid)
    {
        Assert.Equal(valid, ImageReference.IsValidTag(tag));
        Assert.True(ImageReference.IsValidTag(new string('a', 128)));
        Assert.False(ImageReference.IsValidTag(new string('a', 129)));
    }

    [Theory]
    [InlineData("linux/amd64", true)]
    [InlineData("linux/arm64", true)]
    [InlineData("linux/arm64/v8", true)]
    [InlineData("linux/arm/v7", true)]
    [InlineData("linux", false)]
    [InlineData("Linux/AMD64", false)]
    [InlineData("linux/amd64,linux/arm64", false)]
    public void Platforms_are_os_and_architecture(string platform, bool valid) =>
        Assert.Equal(valid, ImageReference.IsValidPlatform(platform));

    [Theory]
    [InlineData("docker.io/library/python", "python")]
    [InlineData("docker.io/user/model@sha256:abc", "user/model@sha256:abc")]
    [InlineData("r8.im/user/model", "r8.im/user/model")]
    public void Familiar_names_leave_Docker_Hubs_prefixes_out(string name, string familiar) =>
        Assert.Equal(familiar, ImageReference.FamiliarName(name));
}
