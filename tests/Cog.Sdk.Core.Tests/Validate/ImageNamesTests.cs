using Cog.Sdk.Core.Validate;

namespace Cog.Sdk.Core.Tests.Validate;

public class ImageNamesTests
{
    [Theory]
    [InlineData("/home/me/hotdog", "cog-hotdog")]
    [InlineData("/home/me/My Model", "cog-my-model")]
    [InlineData("/home/me/Jazz_Solo.v2!", "cog-jazzsolov2")]
    [InlineData("/home/me/hotdog/", "cog-hotdog")]
    [InlineData("/home/me/a-very-long-project-name-that-goes-on", "cog-a-very-long-project-name-t")]
    [InlineData("/home/me/abcdefghijklmnopqrstuvwxy-z", "cog-abcdefghijklmnopqrstuvwxy")]
    public void The_default_name_follows_Cogs_rule(string folder, string expected)
    {
        string name = ImageNames.DefaultFor(folder.Replace('/', Path.DirectorySeparatorChar));

        Assert.Equal(expected, name);
        Assert.True(name.Length <= 30);
        Assert.True(ImageNames.IsValidReference(name));
    }

    [Theory]
    [InlineData("model", true)]
    [InlineData("r8.im/owner/model", true)]
    [InlineData("registry.hooli.corp/jazz-solo-model", true)]
    [InlineData("localhost:5000/a/b:latest", true)]
    [InlineData("a__b/c.d/e--f:Tag_1.0-x", true)]
    [InlineData("[::1]:5000/model", true)]
    [InlineData("model@sha256:0123456789abcdef0123456789abcdef", true)]
    [InlineData("Model", false)]
    [InlineData("model:", false)]
    [InlineData("model:-tag", false)]
    [InlineData("-model", false)]
    [InlineData("a//b", false)]
    [InlineData("model@sha256:abc", false)]
    [InlineData("model\n", false)]
    [InlineData("", false)]
    public void References_follow_the_docker_grammar(string reference, bool valid)
    {
        Assert.Equal(valid, ImageNames.IsValidReference(reference));
    }
}
