using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Resolve;
using static Cog.Sdk.Core.Tests.Resolve.ResolveFixture;

namespace Cog.Sdk.Core.Tests.Resolve;

public class CompatibilityTableTests
{
    [Theory]
    [InlineData("11.8", "11.8.0", true)]
    [InlineData("2.3", "2.3.1+cu121", true)]
    [InlineData("2.3.0", "2.3.1", false)]
    [InlineData("12", "12.0.1", true)]
    [InlineData("12.1", "12.10", false)]
    public void Versions_match_as_in_cog(string a, string b, bool matches)
    {
        ReleaseVersion left = ReleaseVersion.TryParse(a)!, right = ReleaseVersion.TryParse(b)!;
        Assert.Equal(matches, left.Matches(right));
        Assert.Equal(matches, right.Matches(left));
    }

    [Fact]
    public void The_shipped_table_covers_the_documented_range()
    {
        CompatibilityTable table = CompatibilityTable.Default;
        Assert.Same(table, CompatibilityTable.Default);
        Assert.Equal("11.0", table.CudaImages.First().Cuda.MajorMinor);
        Assert.Equal(13, table.CudaImages.Last().Cuda.Major);
        Assert.All(table.CudaImages, i => Assert.Contains("-devel-ubuntu" + i.Ubuntu.Text, i.Tag));
        Assert.Equal(1, table.Torch.First().Version.Major);
        Assert.Equal("2.11.0", table.Torch.Last().Version.Text);
        Assert.All(table.Torch, r => Assert.NotNull(r.CpuBuild));
        Assert.Equal("2.21.0", table.TensorFlow.Last().Version.Text);
        Assert.Equal("11.8", table.DefaultCuda);
        Assert.Equal(new[] { "3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "3.15" }, table.Python.Select(p => p.Version.MajorMinor));
        Assert.Equal("python:3.14-slim", table.PythonFor(3, 14)!.Image);
        Assert.Contains(table.Torch.Last().Pythons, p => p.MajorMinor == "3.14");
        Assert.DoesNotContain(table.Torch.Concat<object>(table.TensorFlow), r => (r is TorchRelease t ? t.Pythons : ((TensorFlowRelease)r).Pythons).Count == 0);
    }

    [Fact]
    public void A_user_table_adds_a_python_version_that_cog_yaml_may_then_name()
    {
        using var project = new Parse.TempProject()
            .WithConfig("build:\n  python_version: \"3.16\"\npredict: \"predict.py:Predictor\"\n")
            .WithFile("predict.py")
            .WithFile("table.json", "{ \"python\": [ { \"version\": \"3.16\", \"image\": \"python:3.16-slim\" } ] }");
        var options = new CogProjectOptions(project.ConfigPath) { CompatibilityFile = Path.Combine(project.Directory, "table.json") };

        var without = new DiagnosticBag();
        Assert.Null(CogProject.Load(new CogProjectOptions(project.ConfigPath), without));
        Assert.Equal("COG2033", Assert.Single(without).Code);

        var with = new DiagnosticBag();
        CogProject? loaded = CogProject.Load(options, with);
        Assert.Empty(with);
        Assert.Equal("python:3.16-slim", loaded!.Resolution.BaseImage);
    }

    [Fact]
    public void The_shipped_file_is_the_embedded_one()
    {
        string file = Path.Combine(Diagnostics.DiagnosticCodeTests.RepoRoot(), "src", "Cog.Sdk.Core", "Resolve", "compatibility.json");
        Assert.Equal(File.ReadAllText(file), CompatibilityTable.ReadDefaultText());
    }

    [Fact]
    public void A_user_table_extends_the_shipped_one_and_replaces_same_versions()
    {
        using var project = new TempProject();
        string path = project.Write("compat.json", """
            { "torch": [
                { "version": "2.12.0", "torchvision": "0.27.0", "builds": [ { "cuda": "13.2", "indexUrl": "https://download.pytorch.org/whl/cu132" } ] },
                { "version": "2.0.1", "torchvision": "0.15.2", "builds": [ { "cuda": "11.7" } ] } ],
              "cudaImages": [ { "cuda": "13.2.1", "cudnn": "10", "ubuntu": ["26.04"], "tag": "13.2.1-cudnn-devel-ubuntu{ubuntu}" } ] }
            """);
        var diagnostics = new DiagnosticBag();
        CompatibilityTable table = CompatibilityTable.Default.Extend(CompatibilityTable.Load(path, diagnostics)!);
        Assert.Empty(diagnostics);

        Resolution added = Resolved(Config(gpu: true, packages: "torch==2.12.0"), table);
        Assert.Equal("nvidia/cuda:13.2.1-cudnn-devel-ubuntu26.04", added.BaseImage);
        Assert.Equal("https://download.pytorch.org/whl/cu132", added.TorchIndexUrl);

        Resolution replaced = Resolved(Config(gpu: true, packages: "torch==2.0.1"), table);
        Assert.Equal("11.7", replaced.CudaVersion);
        Assert.Null(replaced.TorchIndexUrl);
        Assert.Contains(table.Torch, r => r.Version.Text == "2.11.0");
    }

    [Fact]
    public void A_replacing_user_table_stands_alone()
    {
        using var project = new TempProject();
        string path = project.Write("compat.json", """
            { "replace": true, "defaultCuda": "12.4",
              "cudaImages": [ { "cuda": "12.4.1", "cudnn": "9", "ubuntu": ["22.04"], "tag": "12.4.1-cudnn-devel-ubuntu{ubuntu}" } ] }
            """);
        CompatibilityTable table = CompatibilityTable.Default.Extend(CompatibilityTable.Load(path, new DiagnosticBag())!);
        Assert.Empty(table.Torch);
        Assert.Equal("Cog: no framework pinned -> CUDA 12.4 (default), cuDNN 9 -> nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04", Resolved(Config(gpu: true), table).Summary);
        var (_, diagnostics) = Run(Config(gpu: true, packages: "torch==2.5.1"), table);
        Assert.Contains("newest torch it knows is (none)", Single(diagnostics, "COG2204").Message);
    }

    [Theory]
    [InlineData("{ \"torch\": [\n  { \"version\": \"2.x\", \"torchvision\": \"0.1\", \"builds\": [] } ] }", "COG2202", 2)]
    [InlineData("{ \"tensorflow\": [\n\n  { \"version\": \"2.30.0\", \"cuda\": \"12.9\" } ] }", "COG2202", 3)]
    [InlineData("{ \"cudaImages\": [\n  { \"cuda\": \"12.9.9\", \"cudnn\": \"9\", \"ubuntu\": [\"24.04\"], \"tag\": \"12.9.9-cudnn-runtime-ubuntu24.04\" } ] }", "COG2202", 2)]
    [InlineData("{ \"torch\": [\n  { \"version\": \"2.12.0\", \"torchvison\": \"0.27.0\" } ] }", "COG2202", 2)]
    [InlineData("{\n  \"torch\": [ ,\n] }", "COG2201", 2)]
    [InlineData("{ \"python\": [\n  { \"version\": \"3.16.1\", \"image\": \"python:3.16-slim\" } ] }", "COG2202", 2)]
    [InlineData("{ \"torch\": [\n  { \"version\": \"2.12.0\", \"torchvision\": \"0.27.0\", \"pythons\": \"3.12\", \"builds\": [] } ] }", "COG2202", 2)]
    public void Errors_in_a_user_table_are_located_in_it(string text, string code, int line)
    {
        using var project = new TempProject();
        string path = project.Write("compat.json", text);
        var diagnostics = new DiagnosticBag();
        Assert.Null(CompatibilityTable.Load(path, diagnostics));
        Diagnostic error = diagnostics.First(d => d.Code == code);
        Assert.Equal((path, line), (error.Location.File, error.Location.Line));
    }

    [Fact]
    public void User_tables_are_cached_until_the_file_changes()
    {
        using var project = new TempProject();
        string path = project.Write("compat.json", "{ \"defaultCuda\": \"12.1\" }");
        CompatibilityTable first = CompatibilityTable.Load(path, new DiagnosticBag())!;
        Assert.Same(first, CompatibilityTable.Load(path, new DiagnosticBag()));

        File.WriteAllText(path, "{ \"defaultCuda\": \"12.4\" }");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        CompatibilityTable second = CompatibilityTable.Load(path, new DiagnosticBag())!;
        Assert.NotSame(first, second);
        Assert.Equal("12.4", second.DefaultCuda);
    }

    [Fact]
    public void A_missing_user_table_is_an_error()
    {
        var diagnostics = new DiagnosticBag();
        Assert.Null(CompatibilityTable.Load(Path.Combine(Path.GetTempPath(), "no-such-compat.json"), diagnostics));
        Single(diagnostics, "COG2200");
    }
}
