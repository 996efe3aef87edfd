using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Parse;
using Cog.Sdk.Core.Resolve;
using static Cog.Sdk.Core.Tests.Resolve.ResolveFixture;

namespace Cog.Sdk.Core.Tests.Resolve;

/// <summary>Reading requirements the way pip does, and rewriting framework lines the way Cog does.</summary>
public class RequirementsTests
{
    private const string Pytorch = "https://download.pytorch.org/whl/";

    [Fact]
    public void Odd_lines_are_read_as_pip_reads_them()
    {
        using var project = new TempProject();
        project.Write("requirements.txt",
            "\uFEFF# whole-line comment\r\n" +
            "numpy==1.26.4  # inline comment\r\n" +
            "\r\n" +
            "pandas\\\r\n" +
            "==2.0.3\r\n" +
            "git+https://github.com/org/repo.git#egg=repo\r\n" +
            "requests>=2.31 ; python_version >= \"3.8\"\r\n" +
            "--extra-index-url https://example.org/simple\r\n" +
            "./dist/local.whl\n");
        var diagnostics = new DiagnosticBag();
        var lines = RequirementsReader.Read(project.Config(gpu: false, "requirements.txt"), diagnostics);

        Assert.Empty(diagnostics);
        Assert.Equal(
            new[] { "numpy==1.26.4", "pandas==2.0.3", "git+https://github.com/org/repo.git#egg=repo", "requests>=2.31 ; python_version >= \"3.8\"", "--extra-index-url https://example.org/simple", "./dist/local.whl" },
            lines.Select(l => l.Text));
        Assert.Equal(new[] { 2, 4, 6, 7, 8, 9 }, lines.Select(l => l.Location.Line));
        Assert.All(lines, l => Assert.Equal(Path.Combine(project.Directory, "requirements.txt"), l.Location.File));
        Assert.Equal("2.0.3", lines[1].Requirement!.PinnedVersion);
        Assert.Null(lines[2].Requirement);
        Assert.Equal("python_version >= \"3.8\"", lines[3].Requirement!.Marker);
        Assert.True(lines[4].IsOption);
        Assert.Equal(("--extra-index-url", "https://example.org/simple"), (lines[4].Options[0].Name, lines[4].Options[0].Value));
    }

    [Fact]
    public void Includes_are_followed_relative_to_the_including_file_with_their_own_locations()
    {
        using var project = new TempProject();
        project.Write("requirements.txt", "-r deps/base.txt\n--constraint=deps/pins.txt\nflask==3.0.0\n");
        project.Write("deps/base.txt", "numpy==1.26.4\n-rmore.txt\n");
        project.Write("deps/more.txt", "scipy==1.11.0\n");
        project.Write("deps/pins.txt", "urllib3<2\n");
        var diagnostics = new DiagnosticBag();
        var lines = RequirementsReader.Read(project.Config(gpu: false, "requirements.txt"), diagnostics);

        Assert.Empty(diagnostics);
        Assert.Equal(new[] { "numpy==1.26.4", "scipy==1.11.0", "urllib3<2", "flask==3.0.0" }, lines.Select(l => l.Text));
        Assert.Equal(Path.Combine(project.Directory, "deps", "more.txt"), lines[1].Location.File);
        Assert.True(lines[2].IsConstraint);

        Resolution r = Resolved(project.Config(gpu: false, "requirements.txt"));
        Assert.Equal(new[] { "numpy==1.26.4", "scipy==1.11.0", "flask==3.0.0" }, r.Requirements);
        Assert.Equal(new[] { "urllib3<2" }, r.Constraints);
    }

    [Theory]
    [InlineData("-r ../outside.txt", "COG2217", 1)]
    [InlineData("numpy\n-r missing.txt", "COG2216", 2)]
    [InlineData("-r requirements.txt", "COG2218", 1)]
    [InlineData("-r", "COG2003", 1)]
    public void Bad_includes_are_located_errors(string text, string code, int line)
    {
        using var project = new TempProject();
        project.Write("requirements.txt", text);
        var (r, diagnostics) = Run(project.Config(gpu: false, "requirements.txt"));
        Assert.Null(r);
        Diagnostic error = Single(diagnostics, code);
        Assert.Equal(Path.Combine(project.Directory, "requirements.txt"), error.Location.File);
        Assert.Equal(line, error.Location.Line);
    }

    [Fact]
    public void A_missing_requirements_file_is_reported_once_by_validation_at_cog_yaml()
    {
        using var project = new TempProject();
        project.Write("cog.yaml", "build:\n  python_requirements: nope.txt\n");
        var diagnostics = new DiagnosticBag();

        Cog.Sdk.Core.Validate.CogConfigLoader.Load(Path.Combine(project.Directory, "cog.yaml"), diagnostics);

        Diagnostic error = Assert.Single(diagnostics, d => d.IsError);
        Assert.Equal("COG2041", error.Code);
        Assert.Equal((Path.Combine(project.Directory, "cog.yaml"), 2), (error.Location.File, error.Location.Line));
    }

    [Fact]
    public void Cog_runtime_lines_are_dropped_with_a_warning()
    {
        var (r, diagnostics) = Run(Config(gpu: false, packages: new[] { "cog==0.9.26", "numpy", "coglet" }));
        Assert.Equal(new[] { "numpy" }, r!.Requirements);
        Assert.Equal(new[] { 10, 12 }, diagnostics.Where(d => d.Code == "COG2215").Select(d => d.Location.Line));
    }

    // ---- rewriting ----

    [Theory]
    [InlineData("torch==2.3", "torch==2.3.1", "cu121")]
    [InlineData("torch==2.3.1+cu118", "torch==2.3.1", "cu118")]
    [InlineData("torch[opt]==2.0.1 ; sys_platform == \"linux\"", "torch[opt]==2.0.1 ; sys_platform == \"linux\"", "cu118")]
    [InlineData("Torch==1.13.1", "Torch==1.13.1", "cu117")]
    public void Torch_pins_are_completed_and_get_their_index(string line, string expected, string index)
    {
        Resolution r = Resolved(Config(gpu: true, packages: line));
        Assert.Equal(new[] { "--extra-index-url " + Pytorch + index, expected }, r.Requirements);
    }

    [Fact]
    public void Torch_range_infers_cuda_from_its_first_version_and_passes_through()
    {
        Resolution r = Resolved(Config(gpu: true, packages: "torch>=2.1"));
        Assert.Equal("12.1", r.CudaVersion);
        Assert.Equal(new[] { "torch>=2.1" }, r.Requirements);
        Assert.Equal("2.1", r.TorchVersion);
        Assert.StartsWith("Cog: torch>=2.1 -> CUDA 12.1", r.Summary);
    }

    [Fact]
    public void Torch_range_on_cpu_gets_the_cpu_index()
    {
        Resolution r = Resolved(Config(gpu: false, packages: "torch>=2.1"));
        Assert.Equal(new[] { "--extra-index-url " + Pytorch + "cpu", "torch>=2.1" }, r.Requirements);
    }

    [Fact]
    public void Cu118_pin_on_cpu_gets_the_cpu_wheel()
    {
        Resolution r = Resolved(Config(gpu: false, packages: "torch==2.3.1+cu118"));
        Assert.Equal(new[] { "--extra-index-url " + Pytorch + "cpu", "torch==2.3.1" }, r.Requirements);
    }

    [Fact]
    public void Older_cuda_from_cog_yaml_selects_the_older_wheel()
    {
        Resolution r = Resolved(Config(gpu: true, cuda: "12.3", packages: "torch==2.3.1"));
        Assert.Equal(Pytorch + "cu121", r.TorchIndexUrl);
    }

    [Theory]
    [InlineData("--extra-index-url https://download.pytorch.org/whl/cu116")]
    [InlineData("--index-url https://mirror.example.org/simple")]
    [InlineData("-f https://download.pytorch.org/whl/torch_stable.html")]
    public void A_users_own_index_line_wins(string option)
    {
        string url = option.Split(' ')[1];
        Resolution r = Resolved(Config(gpu: true, packages: new[] { option, "torch==1.13.1+cu116", "torchvision==0.14.1+cu116" }));
        Assert.Equal(new[] { option, "torch==1.13.1+cu116", "torchvision==0.14.1+cu116" }, r.Requirements);
        Assert.Equal(url, r.TorchIndexUrl);
        Assert.Equal("11.6", r.CudaVersion);
    }

    [Fact]
    public void Inline_index_options_are_hoisted_and_win()
    {
        Resolution r = Resolved(Config(gpu: true, packages: "torch==2.0.1 --extra-index-url=https://download.pytorch.org/whl/cu117"));
        Assert.Equal(new[] { "--extra-index-url https://download.pytorch.org/whl/cu117", "torch==2.0.1" }, r.Requirements);
    }

    [Fact]
    public void An_unrelated_extra_index_does_not_stop_the_torch_index()
    {
        Resolution r = Resolved(Config(gpu: true, packages: new[] { "--extra-index-url https://example.org/simple", "torch==2.0.1" }));
        Assert.Equal(new[] { "--extra-index-url " + Pytorch + "cu118", "--extra-index-url https://example.org/simple", "torch==2.0.1" }, r.Requirements);
    }

    [Fact]
    public void Torchvision_and_torchaudio_follow_torch()
    {
        Resolution r = Resolved(Config(gpu: true, packages: new[] { "torch==2.5.1", "torchvision", "torchaudio==2.5.1" }));
        Assert.Equal(new[] { "--extra-index-url " + Pytorch + "cu124", "torch==2.5.1", "torchvision==0.20.1", "torchaudio==2.5.1" }, r.Requirements);
    }

    [Fact]
    public void Torchvision_of_another_torch_release_is_a_warning()
    {
        var (r, diagnostics) = Run(Config(gpu: true, packages: new[] { "torch==2.5.1", "torchvision==0.15.2" }));
        Diagnostic warning = Single(diagnostics, "COG2214");
        Assert.Equal(11, warning.Location.Line);
        Assert.Contains("torchvision==0.20.1", warning.Message);
        Assert.Contains("torchvision==0.15.2", r!.Requirements);
    }

    /// <summary>
    /// pip reads "torchvision==0.19" as 0.19.0, which goes with torch 2.4.0 (as the torchaudio beside it does, in a real
    /// file): completing it to 0.19.1 would ask for torch 2.4.1 and make the file unresolvable.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_short_torchvision_pin_keeps_the_release_pip_means(bool gpu)
    {
        var (r, diagnostics) = Run(Config(gpu: gpu, packages: new[] { "torchaudio==2.4.0", "torchvision==0.19", "xformers==0.0.27.post2" }));
        Assert.Contains("torchvision==0.19.0", r!.Requirements);
        Assert.DoesNotContain(r.Requirements, l => l.StartsWith("torchvision==0.19.1", StringComparison.Ordinal));
        Assert.DoesNotContain(diagnostics, d => d.Code == "COG2214");

        // Beside torch 2.4.1 it is still 0.19.0, and the mismatch is said at its line.
        var (withTorch, mismatch) = Run(Config(gpu: gpu, packages: new[] { "torch==2.4.1", "torchvision==0.19" }));
        Assert.Contains("torchvision==0.19.0", withTorch!.Requirements);
        Assert.Contains("torchvision==0.19.1", Single(mismatch, "COG2214").Message);
    }

    /// <summary>pip fetches git+https:// with git, which python:X-slim lacks: a warning at the line on a CPU model, until git is a system package.</summary>
    [Fact]
    public void A_git_requirement_on_a_python_slim_image_without_git_is_COG2065_at_its_line()
    {
        var config = Config(gpu: false, packages: new[] { "numpy==1.26.4", "git+https://github.com/openai/CLIP.git", "clip @ git+https://github.com/openai/CLIP.git" });
        var (_, diagnostics) = Run(config);
        Assert.Equal(11, Single(diagnostics, "COG2065").Location.Line);

        config.SystemPackages.Add(new Located<string>("git", new SourceLocation("/project/cog.yaml", 5, 5)));
        Assert.DoesNotContain(Run(config).Diagnostics, d => d.Code == "COG2065");
        Assert.DoesNotContain(Run(Config(gpu: true, packages: new[] { "torch==2.5.1", "git+https://github.com/openai/CLIP.git" })).Diagnostics, d => d.Code == "COG2065");
        Assert.DoesNotContain(Run(Config(gpu: false, packages: new[] { "https://host/pkg-1.0-py3-none-any.whl" })).Diagnostics, d => d.Code == "COG2065");
    }

    [Fact]
    public void Find_links_builds_keep_their_local_label()
    {
        Resolution r = Resolved(Config(gpu: true, packages: new[] { "torch==1.10.1", "torchvision==0.11.2" }));
        Assert.Equal("11.1", r.CudaVersion);
        Assert.Equal(
            new[] { "--find-links https://download.pytorch.org/whl/cu111/torch_stable.html", "torch==1.10.1+cu111", "torchvision==0.11.2+cu111" },
            r.Requirements);
    }

    [Fact]
    public void Torch_as_a_url_passes_through_and_decides_nothing()
    {
        string wheel = "torch @ https://example.org/torch-2.3.1-cp311-linux_x86_64.whl";
        Resolution r = Resolved(Config(gpu: true, packages: wheel));
        Assert.Equal(new[] { wheel }, r.Requirements);
        Assert.Equal("11.8", r.CudaVersion);
    }
}
