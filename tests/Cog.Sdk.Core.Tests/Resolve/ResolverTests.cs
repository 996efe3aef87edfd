using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Parse;
using Cog.Sdk.Core.Resolve;
using static Cog.Sdk.Core.Tests.Resolve.ResolveFixture;

namespace Cog.Sdk.Core.Tests.Resolve;

/// <summary>CUDA, cuDNN, base image and torch index per Cog's rules (docs/compatibility.md).</summary>
public class ResolverTests
{
    private const string Pytorch = "https://download.pytorch.org/whl/";

    /// <summary>The sanity table of cog-behaviour.md §2.6, written by hand: gpu true, no cuda/cudnn.</summary>
    [Theory]
    [InlineData("torch==1.13.1", "11.7", "8", "11.7.1-cudnn8-devel-ubuntu22.04", "cu117")]
    [InlineData("torch==2.0.1", "11.8", "8", "11.8.0-cudnn8-devel-ubuntu22.04", "cu118")]
    [InlineData("torch==2.1.2", "12.1", "8", "12.1.1-cudnn8-devel-ubuntu22.04", "cu121")]
    [InlineData("torch==2.2.2", "12.1", "8", "12.1.1-cudnn8-devel-ubuntu22.04", "cu121")]
    [InlineData("torch==2.3.1", "12.1", "8", "12.1.1-cudnn8-devel-ubuntu22.04", "cu121")]
    [InlineData("torch==2.4.1", "12.4", "9", "12.4.1-cudnn-devel-ubuntu22.04", "cu124")]
    [InlineData("torch==2.5.1", "12.4", "9", "12.4.1-cudnn-devel-ubuntu22.04", "cu124")]
    [InlineData("torch==2.6.0", "12.6", "9", "12.6.3-cudnn-devel-ubuntu24.04", "cu126")]
    [InlineData("torch==2.7.0", "12.8", "9", "12.8.1-cudnn-devel-ubuntu24.04", "cu128")]
    [InlineData("torch==2.7.1", "12.8", "9", "12.8.1-cudnn-devel-ubuntu24.04", "cu128")]
    [InlineData("torch==2.8.0", "12.9", "9", "12.9.1-cudnn-devel-ubuntu24.04", "cu129")]
    [InlineData("torch==2.9.1", "13.0", "9", "13.0.3-cudnn-devel-ubuntu24.04", "cu130")]
    [InlineData("torch==2.10.0", "13.0", "9", "13.0.3-cudnn-devel-ubuntu24.04", "cu130")]
    [InlineData("torch==2.11.0", "13.0", "9", "13.0.3-cudnn-devel-ubuntu24.04", "cu130")]
    [InlineData("tensorflow==2.12.0", "11.8", "8", "11.8.0-cudnn8-devel-ubuntu22.04", null)]
    [InlineData("tensorflow==2.13.0", "11.8", "8", "11.8.0-cudnn8-devel-ubuntu22.04", null)]
    [InlineData("tensorflow==2.14.0", "11.8", "8", "11.8.0-cudnn8-devel-ubuntu22.04", null)]
    [InlineData("tensorflow==2.15.0", "12.2", "8", "12.2.2-cudnn8-devel-ubuntu22.04", null)]
    [InlineData("tensorflow==2.18.0", "12.5", "9", "12.5.1-cudnn-devel-ubuntu22.04", null)]
    [InlineData("tensorflow==2.21.0", "12.5", "9", "12.5.1-cudnn-devel-ubuntu22.04", null)]
    [InlineData(null, "11.8", "8", "11.8.0-cudnn8-devel-ubuntu22.04", null)]
    public void Sanity_table_of_the_reference(string? requirement, string cuda, string cudnn, string tag, string? index)
    {
        string[] packages = requirement is null ? new string[0] : new[] { requirement, "pandas==2.0.3" };
        Resolution r = Resolved(Config(gpu: true, packages: packages));
        Assert.Equal(cuda, r.CudaVersion);
        Assert.Equal(cudnn, r.CuDnnVersion);
        Assert.Equal("nvidia/cuda:" + tag, r.BaseImage);
        Assert.Equal(index is null ? null : Pytorch + index, r.TorchIndexUrl);
        Assert.True(r.InstallPython);
        Assert.Equal("3.12", r.PythonVersion);
        Assert.Contains("pandas==2.0.3", r.Requirements.Concat(requirement is null ? new[] { "pandas==2.0.3" } : new string[0]));
    }

    [Fact]
    public void Summary_lines_read_as_documented()
    {
        Assert.Equal(
            "Cog: torch==2.0.1 -> CUDA 11.8, cuDNN 8 -> nvidia/cuda:11.8.0-cudnn8-devel-ubuntu22.04",
            Resolved(Config(gpu: true, packages: "torch==2.0.1")).Summary);
        Assert.Equal(
            "Cog: CPU, torch==2.0.1 (CPU wheels) -> python:3.11-slim",
            Resolved(Config(gpu: false, python: "3.11", packages: "torch==2.0.1")).Summary);
        Assert.Equal(
            "Cog: no framework pinned -> CUDA 11.8 (default), cuDNN 8 -> nvidia/cuda:11.8.0-cudnn8-devel-ubuntu22.04",
            Resolved(Config(gpu: true)).Summary);
        Assert.Equal(
            "Cog: torch==2.0.1 -> CUDA 11.7 (cog.yaml), cuDNN 8 -> nvidia/cuda:11.7.1-cudnn8-devel-ubuntu22.04",
            Resolved(Config(gpu: true, cuda: "11.7", packages: "torch==2.0.1")).Summary);
    }

    [Fact]
    public void Torch_on_gpu_gets_the_index_of_its_cuda_build()
    {
        Resolution r = Resolved(Config(gpu: true, packages: new[] { "torch==2.0.1", "torchvision==0.15.2", "numpy" }));
        Assert.Equal(new[] { "--extra-index-url " + Pytorch + "cu118", "torch==2.0.1", "torchvision==0.15.2", "numpy" }, r.Requirements);
        Assert.Equal("2.0.1", r.TorchVersion);
    }

    [Fact]
    public void A_torchvision_with_no_build_for_the_chosen_cuda_is_installed_as_written_with_COG2213_at_its_line()
    {
        // Booth-AI/lora-training: CUDA 11.4, older than every CUDA build of torch 1.13.0 and its torchvision 0.14.0.
        var (r, diagnostics) = Run(Config(gpu: true, cuda: "11.4", packages: new[] { "torch==1.13.0", "torchvision==0.14.0" }));

        Diagnostic warning = Single(diagnostics, "COG2213");
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Equal((CogYaml, 11, 7), (warning.Location.File, warning.Location.Line, warning.Location.Column));
        Assert.Contains("torchvision 0.14.0", warning.Message);
        Assert.Contains("CUDA 11.4", warning.Message);
        Assert.Equal("11.4", r!.CudaVersion);
        Assert.Contains("torchvision==0.14.0", r.Requirements);
    }

    public static IEnumerable<object[]> TorchReleases() => CompatibilityTable.Default.Torch.Select(r => new object[] { r.Version.Text });

    public static IEnumerable<object[]> TorchMinors() =>
        CompatibilityTable.Default.Torch.Select(r => r.Version.MajorMinor).Distinct().Select(m => new object[] { m });

    public static IEnumerable<object[]> TensorFlowReleases() => CompatibilityTable.Default.TensorFlow.Select(r => new object[] { r.Version.Text });

    /// <summary>
    /// Every torch release on GPU, against an oracle written from the rules, not the resolver: the highest CUDA build
    /// that has an image, the newest-patch newest-Ubuntu image of its newest cuDNN, and that build's index.
    /// </summary>
    [Theory]
    [MemberData(nameof(TorchReleases))]
    public void Every_torch_release_on_gpu(string version)
    {
        CompatibilityTable table = CompatibilityTable.Default;
        TorchRelease release = table.Torch.Single(t => t.Version.Text == version);
        var images = table.CudaImages;
        TorchBuild? expected = release.Builds
            .Where(b => b.Cuda != null && images.Any(i => i.Cuda.Major == b.Cuda.Major && i.Cuda.Minor == b.Cuda.Minor))
            .OrderBy(b => b.Cuda!.Major * 100 + b.Cuda.Minor)
            .LastOrDefault();

        var (resolution, diagnostics) = Run(Config(gpu: true, packages: "torch==" + version));
        if (expected is null)
        {
            Assert.Null(resolution);
            Diagnostic error = Single(diagnostics, "COG2212");
            Assert.Equal((CogYaml, 10), (error.Location.File, error.Location.Line));
            return;
        }

        Assert.NotNull(resolution);
        string cuda = expected.Cuda!.Major + "." + expected.Cuda.Minor;
        var sameCuda = images.Where(i => i.Cuda.Text.StartsWith(cuda + ".", StringComparison.Ordinal)).ToList();
        int cudnn = sameCuda.Max(i => i.CuDnn);
        CudaImage image = sameCuda.Where(i => i.CuDnn == cudnn).OrderBy(i => i.Cuda.Patch).ThenBy(i => double.Parse(i.Ubuntu.Text, System.Globalization.CultureInfo.InvariantCulture)).Last();
        Assert.Equal(cuda, resolution!.CudaVersion);
        Assert.Equal(cudnn.ToString(), resolution.CuDnnVersion);
        Assert.Equal("nvidia/cuda:" + image.Tag, resolution.BaseImage);
        Assert.Equal(expected.IndexUrl ?? expected.FindLinks, resolution.TorchIndexUrl);
        string pin = expected.FindLinks != null ? version + "+cu" + expected.Cuda.Major + expected.Cuda.Minor : version;
        Assert.Contains("torch==" + pin, resolution.Requirements);
        Assert.Equal($"Cog: torch=={pin} -> CUDA {cuda}, cuDNN {cudnn} -> nvidia/cuda:{image.Tag}", resolution.Summary);
    }

    [Theory]
    [MemberData(nameof(TorchReleases))]
    public void Every_torch_release_on_cpu_gets_its_cpu_wheel(string version)
    {
        TorchBuild cpu = CompatibilityTable.Default.Torch.Single(t => t.Version.Text == version).CpuBuild!;
        Resolution r = Resolved(Config(gpu: false, python: "3.10.4", packages: "torch==" + version));
        Assert.Equal("python:3.10-slim", r.BaseImage);
        Assert.False(r.InstallPython);
        Assert.Null(r.CudaVersion);
        string pin = cpu.FindLinks != null ? version + "+cpu" : version;
        string source = cpu.FindLinks != null ? "--find-links " + cpu.FindLinks : "--extra-index-url " + cpu.IndexUrl;
        Assert.Equal(new[] { source, "torch==" + pin }, r.Requirements);
        Assert.Equal($"Cog: CPU, torch=={pin} (CPU wheels) -> python:3.10-slim", r.Summary);
    }

    /// <summary>A major.minor pin matches every patch of it (Cog's Matches) and installs the newest patch built for the chosen CUDA.</summary>
    [Theory]
    [MemberData(nameof(TorchMinors))]
    public void Every_torch_minor_pin_installs_the_newest_patch(string minor)
    {
        CompatibilityTable table = CompatibilityTable.Default;
        var (resolution, diagnostics) = Run(Config(gpu: true, packages: "torch==" + minor));
        var patches = table.Torch.Where(t => t.Version.MajorMinor == minor).ToList();
        if (resolution is null)
        {
            Assert.Contains(diagnostics, d => d.Code == "COG2212");
            Assert.All(patches, p => Assert.DoesNotContain(p.GpuBuilds, b => table.HasImageFor(b.Cuda!)));
            return;
        }

        string cuda = resolution.CudaVersion!;
        TorchRelease newest = patches.Last(p => p.GpuBuilds.Any(b => b.Cuda!.MajorMinor == cuda));
        Assert.StartsWith(newest.Version.Text, resolution.TorchVersion);
        Assert.Equal(patches.SelectMany(p => p.GpuBuilds).Where(b => table.HasImageFor(b.Cuda!)).Max(b => b.Cuda)!.MajorMinor, cuda);
    }

    [Theory]
    [MemberData(nameof(TensorFlowReleases))]
    public void Every_tensorflow_release_on_gpu(string version)
    {
        CompatibilityTable table = CompatibilityTable.Default;
        TensorFlowRelease release = table.TensorFlow.Single(t => t.Version.Text == version);
        string cuda = release.Cuda.Major + "." + release.Cuda.Minor;
        int cudnn = release.CuDnn.Major;
        CudaImage? image = table.CudaImages
            .Where(i => i.Cuda.Text.StartsWith(cuda + ".", StringComparison.Ordinal) && i.CuDnn == cudnn)
            .OrderBy(i => i.Cuda.Patch).ThenBy(i => i.Ubuntu.Text).LastOrDefault();

        // torch rides along, and gets the wheel of TensorFlow's CUDA (or older), never the other way round.
        var (resolution, diagnostics) = Run(Config(gpu: true, packages: new[] { "torch==2.1.2", "tensorflow==" + version }));
        if (image is null)
        {
            Assert.Null(resolution);
            Diagnostic error = Single(diagnostics, "COG2211");
            Assert.Equal(11, error.Location.Line);
            Assert.Contains($"CUDA {cuda} with cuDNN {cudnn}", error.Message);
            return;
        }

        Assert.Equal(cuda, resolution!.CudaVersion);
        Assert.Equal(cudnn.ToString(), resolution.CuDnnVersion);
        Assert.Equal("nvidia/cuda:" + image.Tag, resolution.BaseImage);
        Assert.Equal(version, resolution.TensorFlowVersion);
        Assert.StartsWith($"Cog: tensorflow=={version} -> CUDA {cuda}, cuDNN {cudnn} -> ", resolution.Summary);
        Assert.Contains("tensorflow==" + version, resolution.Requirements);
    }

    [Theory]
    [InlineData("2.16.1", "12.2")]
    [InlineData("2.17.0", "12.2")]
    public void Tensorflow_that_cog_cannot_build_is_a_located_error_with_a_suggestion(string version, string suggested)
    {
        var (resolution, diagnostics) = Run(Config(gpu: true, packages: "tensorflow==" + version));
        Assert.Null(resolution);
        Diagnostic error = Single(diagnostics, "COG2211");
        Assert.Equal(CogYaml, error.Location.File);
        Assert.Equal(10, error.Location.Line);
        Assert.Contains($"cuda: \"{suggested}\"", error.Message);

        // Following the suggestion works, with a warning that the table disagrees.
        var (followed, warnings) = Run(Config(gpu: true, cuda: suggested, packages: "tensorflow==" + version));
        Assert.Equal("nvidia/cuda:12.2.2-cudnn8-devel-ubuntu22.04", followed!.BaseImage);
        Assert.Equal(4, Single(warnings, "COG2206").Location.Line);
    }

    [Fact]
    public void Tensorflow_takes_precedence_over_torch_and_torch_follows_its_cuda()
    {
        Resolution r = Resolved(Config(gpu: true, packages: new[] { "torch==2.3.1", "tensorflow==2.14.0" }));
        Assert.Equal("11.8", r.CudaVersion);
        Assert.Equal(Pytorch + "cu118", r.TorchIndexUrl);
        Assert.Equal("2.3.1", r.TorchVersion);
    }

    [Fact]
    public void Cpu_tensorflow_uses_the_slim_image_and_installs_as_written()
    {
        Resolution r = Resolved(Config(gpu: false, python: "3.11", packages: "tensorflow==2.15.0"));
        Assert.Equal("python:3.11-slim", r.BaseImage);
        Assert.Equal(new[] { "tensorflow==2.15.0" }, r.Requirements);
        Assert.Equal("Cog: CPU, tensorflow==2.15.0 -> python:3.11-slim", r.Summary);
    }

    [Theory]
    [InlineData(ConfigForm.Original)]
    [InlineData(ConfigForm.Current)]
    public void Both_cog_yaml_forms_resolve_alike(ConfigForm form)
    {
        Resolution r = Resolved(Config(gpu: true, form: form, packages: "torch==2.0.1"));
        Assert.Equal("nvidia/cuda:11.8.0-cudnn8-devel-ubuntu22.04", r.BaseImage);
    }

    // ---- explicit cuda / cudnn ----

    [Theory]
    [InlineData("torch==2.3.1", "11.8", null, "11.8", "8", "11.8.0-cudnn8-devel-ubuntu22.04", "cu118")]
    [InlineData("torch==2.3.1", "12.3", null, "12.3", "9", "12.3.2-cudnn9-devel-ubuntu22.04", "cu121")]
    [InlineData("torch==2.3.1", "11.8.0", "8", "11.8.0", "8", "11.8.0-cudnn8-devel-ubuntu22.04", "cu118")]
    [InlineData("torch==2.7.1", "12.6", null, "12.6", "9", "12.6.3-cudnn-devel-ubuntu24.04", "cu126")]
    [InlineData(null, "12.1", null, "12.1", "8", "12.1.1-cudnn8-devel-ubuntu22.04", null)]
    [InlineData(null, "11.6", null, "11.6", "8", "11.6.2-cudnn8-devel-ubuntu20.04", null)]
    [InlineData("tensorflow==2.15.0", "12.2", "8", "12.2", "8", "12.2.2-cudnn8-devel-ubuntu22.04", null)]
    public void Explicit_cuda_wins(string? requirement, string cuda, string? cudnn, string expectedCuda, string expectedCudnn, string tag, string? index)
    {
        string[] packages = requirement is null ? new string[0] : new[] { requirement };
        Resolution r = Resolved(Config(gpu: true, cuda: cuda, cudnn: cudnn, packages: packages));
        Assert.Equal(expectedCuda, r.CudaVersion);
        Assert.Equal(expectedCudnn, r.CuDnnVersion);
        Assert.Equal("nvidia/cuda:" + tag, r.BaseImage);
        Assert.Equal(index is null ? null : Pytorch + index, r.TorchIndexUrl);
    }

    [Fact]
    public void Explicit_cuda_the_table_does_not_list_for_torch_is_a_located_warning_not_a_switch()
    {
        var (r, diagnostics) = Run(Config(gpu: true, cuda: "12.3", packages: "torch==2.3.1"));
        Diagnostic warning = Single(diagnostics, "COG2206");
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Equal(4, warning.Location.Line);
        Assert.Contains("11.8, 12.1", warning.Message);
        Assert.Equal("12.3", r!.CudaVersion);
    }

    [Fact]
    public void Matching_explicit_cuda_gives_no_warning()
    {
        var (_, diagnostics) = Run(Config(gpu: true, cuda: "12.1", packages: "torch==2.3.1"));
        Assert.Empty(diagnostics);
    }

    [Theory]
    [InlineData("12.4", "8", "COG2208", 5)]
    [InlineData("10.2", null, "COG2210", 4)]
    [InlineData("14.0", null, "COG2210", 4)]
    public void Impossible_cuda_or_cudnn_is_a_located_error(string cuda, string? cudnn, string code, int line)
    {
        var (r, diagnostics) = Run(Config(gpu: true, cuda: cuda, cudnn: cudnn, packages: "torch==2.5.1"));
        Assert.Null(r);
        Assert.Equal(line, Single(diagnostics, code).Location.Line);
    }

    [Fact]
    public void Tensorflow_cuda_of_another_major_is_an_error_and_wrong_cudnn_too()
    {
        var (_, major) = Run(Config(gpu: true, cuda: "12.1", packages: "tensorflow==2.12.0"));
        Assert.Equal(4, Single(major, "COG2207").Location.Line);
        var (_, cudnn) = Run(Config(gpu: true, cuda: "12.4", cudnn: "9", packages: "tensorflow==2.15.0"));
        Assert.Equal(5, Single(cudnn, "COG2209").Location.Line);
    }

    // ---- unknown versions ----

    [Theory]
    [InlineData("torch==3.0.0", "torch", "2.11.0")]
    [InlineData("tensorflow==3.1.0", "tensorflow", "2.21.0")]
    public void Unknown_framework_version_without_cuda_is_an_error_at_the_requirement(string requirement, string name, string newest)
    {
        var (r, diagnostics) = Run(Config(gpu: true, packages: requirement));
        Assert.Null(r);
        Diagnostic error = Single(diagnostics, "COG2204");
        Assert.Equal(10, error.Location.Line);
        Assert.Contains(name + "==" + requirement.Split('=').Last(), error.Message);
        Assert.Contains(newest, error.Message);
        Assert.Contains("CogCompatibilityFile", error.Message);
        Assert.Contains("'cuda'", error.Message);
    }

    [Fact]
    public void Unknown_framework_version_with_cuda_is_a_warning()
    {
        var (r, diagnostics) = Run(Config(gpu: true, cuda: "12.8", packages: "torch==3.0.0"));
        Assert.Equal(10, Single(diagnostics, "COG2205").Location.Line);
        Assert.Equal("nvidia/cuda:12.8.1-cudnn-devel-ubuntu24.04", r!.BaseImage);
        Assert.Contains("torch==3.0.0", r.Requirements);
    }

    [Theory]
    [InlineData("torch")]
    [InlineData("tensorflow")]
    public void Unversioned_framework_on_gpu_is_an_error(string requirement)
    {
        var (r, diagnostics) = Run(Config(gpu: true, packages: requirement));
        Assert.Null(r);
        Assert.Contains("version must be specified when using CUDA", Single(diagnostics, "COG2203").Message);
    }

    [Fact]
    public void Old_torch_built_only_for_cuda_10_is_reported_clearly()
    {
        var (r, diagnostics) = Run(Config(gpu: true, packages: "torch==1.6.0"));
        Assert.Null(r);
        Assert.Contains("CUDA 10.2", Single(diagnostics, "COG2212").Message);
    }

    // ---- python and the base image override ----

    [Theory]
    [InlineData("3.11.4", false, "python:3.11-slim")]
    [InlineData("3.8", false, "python:3.8-slim")]
    public void Cpu_base_image_uses_python_major_minor(string python, bool gpu, string image)
    {
        Resolution r = Resolved(Config(gpu: gpu, python: python));
        Assert.Equal(image, r.BaseImage);
        Assert.Equal("Cog: CPU -> " + image, r.Summary);
    }

    [Fact]
    public void Base_image_override_is_reported_and_excuses_a_missing_nvidia_image()
    {
        var options = new ResolveOptions { BaseImageOverride = "my/cuda:custom" };
        Resolution r = Resolved(Config(gpu: true, packages: "tensorflow==2.16.1"), options: options);
        Assert.Equal("my/cuda:custom", r.BaseImage);
        Assert.True(r.BaseImageOverridden);
        Assert.Equal("12.3", r.CudaVersion);
        Assert.EndsWith("-> my/cuda:custom (CogBaseImage)", r.Summary);
    }
}
