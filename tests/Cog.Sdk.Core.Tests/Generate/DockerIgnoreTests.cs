using Cog.Sdk.Core.Generate;

namespace Cog.Sdk.Core.Tests.Generate;

public class DockerIgnoreTests
{
    [Theory]
    [InlineData("*.pyc", "a.pyc", true)]
    [InlineData("*.pyc", "sub/a.pyc", false)] // unlike .gitignore: relative to the root
    [InlineData("**/*.pyc", "sub/deep/a.pyc", true)]
    [InlineData("**/*.pyc", "a.pyc", true)]
    [InlineData("data", "data/x/y.bin", true)] // a folder takes its contents along
    [InlineData("/data", "data/y.bin", true)] // leading '/' is the root
    [InlineData("data/", "data/y.bin", true)]
    [InlineData("./data/../data", "data/y.bin", true)]
    [InlineData("dat?", "data/y.bin", true)]
    [InlineData("dat?", "dat/y.bin", false)]
    [InlineData("*", "sub/x", true)]
    [InlineData("sub/*", "sub/x/y", true)]
    [InlineData("sub/*.txt", "sub/x/y.txt", false)]
    [InlineData("weights/**", "weights/a/b.bin", true)]
    [InlineData("a/**/b", "a/b", true)]
    [InlineData("a/**/b", "a/x/y/b", true)]
    [InlineData("[ab].txt", "b.txt", true)]
    [InlineData("[ab].txt", "c.txt", false)]
    [InlineData("# *.txt", "a.txt", false)] // a comment
    [InlineData("  *.txt  ", "a.txt", true)] // trimmed
    [InlineData("a.b", "axb", false)] // '.' is literal
    [InlineData("\\*.txt", "*.txt", true)]
    public void One_pattern(string pattern, string path, bool excluded) =>
        Assert.Equal(excluded, new DockerIgnore(new[] { pattern }).IsExcluded(path));

    [Theory]
    [InlineData("keep.md", false)]
    [InlineData("other.md", true)]
    [InlineData("data/important/x.bin", false)]
    [InlineData("data/other/x.bin", true)]
    [InlineData("data/important/tmp.log", true)]
    public void Last_matching_pattern_wins_and_exceptions_reach_into_excluded_folders(string path, bool excluded)
    {
        var ignore = new DockerIgnore(new[] { "*.md", "!keep.md", "data", "!data/important", "**/*.log", "", "# comment" });
        Assert.Equal(excluded, ignore.IsExcluded(path));
    }
}
