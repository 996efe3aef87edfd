using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Parse;

namespace Cog.Sdk.Core.Tests.Parse;

/// <summary>pip's requirement-line grammar: what pip reads is read, what pip refuses is refused with what was meant.</summary>
public class RequirementLineTests
{
    private static RequirementLine Read(string text, string directory = "/project") =>
        RequirementLine.Parse(text, new SourceLocation("/project/requirements.txt", 1, 1), directory);

    public static TheoryData<string, RequirementLineKind> Accepted => new()
    {
        { "numpy==1.26.4", RequirementLineKind.Requirement },
        { "requests[security,socks]>=2.31,<3 ; python_version >= \"3.8\" and (sys_platform == 'linux' or extra == 'x')", RequirementLineKind.Requirement },
        { "torch==2.0.1+cu118", RequirementLineKind.Requirement },
        { "protobuf==3.20.*", RequirementLineKind.Requirement },
        { "rudalle==0.0.1rc2", RequirementLineKind.Requirement },
        { "tb-nightly==2.7.0a20210825", RequirementLineKind.Requirement },
        { "legacy===2021.r3-weird", RequirementLineKind.Requirement },
        { "numpy >= 1.2, < 2", RequirementLineKind.Requirement },
        { "name @ https://host/pkg-0.0.6-cp311-cp311-linux_x86_64.whl#sha256=abc", RequirementLineKind.Requirement },
        { "segment_anything @ git+https://github.com/facebookresearch/segment-anything.git@dca509fe ; python_version >= '3.8'", RequirementLineKind.Requirement },
        { "git+https://github.com/openai/CLIP.git", RequirementLineKind.Url },
        { "git+https://github.com/org/repo.git@v1.0#egg=repo&subdirectory=python", RequirementLineKind.Url },
        { "https://host/pkg-0.0.6-cp311-cp311-linux_x86_64.whl#frag", RequirementLineKind.Url },
        { "https://download.pytorch.org/whl/nightly/cu124/torch-2.6.0.dev20240918%2Bcu124-cp311-cp311-linux_x86_64.whl", RequirementLineKind.Url },
        { "./dist/local_pkg-0.1.0.tar.gz", RequirementLineKind.Path },
        { "./dist/local zip pkg-0.2.0.zip", RequirementLineKind.Path },
        { "wheels/pkg-1.0-py3-none-any.whl[extra]", RequirementLineKind.Path },
        { "torch==1.11.0 --extra-index-url=https://download.pytorch.org/whl/cu113", RequirementLineKind.Requirement },
        { "pkg==1.0 --hash=sha256:abc --hash sha256:def", RequirementLineKind.Requirement },
        { "pkg --config-settings=\"--build-option=--foo bar\"", RequirementLineKind.Requirement },
        { "--pre -f https://download.pytorch.org/whl/nightly/cu117/torch_nightly.html", RequirementLineKind.Options },
        { "-i https://mirror.example.org/simple", RequirementLineKind.Options },
        { "-fhttps://example.org/wheels.html", RequirementLineKind.Options },
        { "--extra-index https://example.org/simple", RequirementLineKind.Options },
        { "-e git+https://github.com/pharmapsychotic/BLIP.git@main#egg=blip", RequirementLineKind.Options },
        { "--only-binary :all:", RequirementLineKind.Options },
        { "--trusted-host mirror.example.org", RequirementLineKind.Options },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Lines_pip_reads_are_read(string text, RequirementLineKind kind)
    {
        RequirementLine line = Read(text);

        Assert.Null(line.Problem);
        Assert.Equal(kind, line.Kind);
    }

    [Fact]
    public void Options_are_split_by_their_long_names_with_their_values()
    {
        RequirementLine line = Read("pkg==1.0 --extra-index=https://x/simple -f https://y/links.html --hash sha256:abc --pre");

        Assert.Equal("pkg==1.0", line.RequirementText);
        Assert.Equal(
            new[] { "--extra-index-url https://x/simple", "--find-links https://y/links.html", "--hash sha256:abc", "--pre" },
            line.Options.Select(o => o.ToString()));
        Assert.Equal(new[] { false, false, true, false }, line.Options.Select(o => o.IsPerRequirement));
    }

    [Fact]
    public void An_option_value_with_spaces_and_quotes_is_written_back_as_pip_splits_it()
    {
        RequirementLine line = Read("pkg --config-settings=\"a b'c\"");
        string written = line.Options.Single().ToString();

        RequirementLine again = Read("pkg " + written);
        Assert.Equal("a b'c", again.Options.Single().Value);
    }

    public static TheoryData<string, string?> Refused => new()
    {
        { "pillow=8.3.1", "pillow==8.3.1" },
        { "torch==latest", null },
        { "numpy>=1.2.*", null },
        { "numpy~=1", null },
        { "name @ ", null },
        { "--extra-index-urll https://example.org/simple", "--extra-index-url https://example.org/simple" },
        { "--pre torch", "torch --pre" },
        { "-f", null },
        { "--pre=yes", null },
        { "requests ; python_verison >= '3.8'", null },
        { "pkg --config-settings='unclosed", null },
        { "git+git://github.com/openai/CLIP.git@8a665a683d791ed3491fedadcb3c91878f9eb78d", "git+https://github.com/openai/CLIP.git@8a665a683d791ed3491fedadcb3c91878f9eb78d" },
        { "numpy==1.0 -r more.txt", null },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Lines_pip_refuses_are_refused_with_what_was_meant(string text, string? suggestion)
    {
        RequirementLine line = Read(text);

        Assert.NotNull(line.Problem);
        Assert.Equal(suggestion, line.Suggestion);
    }

    [Fact]
    public void A_misspelt_marker_variable_gets_a_did_you_mean()
    {
        Assert.Contains("did you mean 'python_version'?", Read("requests ; python_verison >= '3.8'").Problem);
    }

    [Theory]
    [InlineData("./dist/pkg-1.0.tar.gz", "./dist/pkg-1.0.tar.gz")]
    [InlineData("pkg @ file:./dist/pkg-1.0-py3-none-any.whl", "./dist/pkg-1.0-py3-none-any.whl")]
    [InlineData("pkg @ file:///abs/pkg-1.0-py3-none-any.whl", "/abs/pkg-1.0-py3-none-any.whl")]
    [InlineData("my_package @ file://my_package-0.1-py2.py3-none-any.whl", "my_package-0.1-py2.py3-none-any.whl")]
    [InlineData("pkg @ ./wheels/pkg%20x-1.0-py3-none-any.whl", "./wheels/pkg%20x-1.0-py3-none-any.whl")]
    [InlineData("file:///abs/dist/pkg-1.0.zip", "/abs/dist/pkg-1.0.zip")]
    public void Local_archives_are_found_in_paths_file_urls_and_direct_references(string text, string archive)
    {
        RequirementLine line = Read(text);

        Assert.Null(line.Problem);
        Assert.Equal(archive, line.LocalArchive);
    }

    [Fact]
    public void A_name_with_at_is_a_path_when_that_file_exists_as_pip_decides()
    {
        using var project = new TempProject().WithFile("pkg@1.0.tar.gz", "x");

        Assert.Equal(RequirementLineKind.Path, Read("pkg@1.0.tar.gz", project.Directory).Kind);
        Assert.Equal(RequirementLineKind.Requirement, Read("pkg @ https://host/pkg-1.0.tar.gz", project.Directory).Kind);
    }
}
