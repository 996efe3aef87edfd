namespace Cog.Sdk.EndToEnd.Tests;

/// <summary>cog.yaml problems and CUDA resolution, as `dotnet build` of the packed SDK reports them.</summary>
[Collection(PackedSdkCollection.Name)]
public class ConfigurationTests
{
    private const string Predictor = "from cog import BasePredictor\n\nclass Predictor(BasePredictor):\n    def predict(self, text: str) -> str:\n        return text\n";

    private readonly PackedSdk _sdk;

    public ConfigurationTests(PackedSdk sdk) => _sdk = sdk;

    [Fact]
    public void Ten_mistakes_give_ten_located_coded_diagnostics_and_no_stack_trace()
    {
        var model = _sdk.NewProject("TenMistakes").Write("predict.py", Predictor).Write("cog.yaml",
            "build:\n" +
            "  gpu: \"yes\"\n" +
            "  pyhton_packages: [x]\n" +
            "  python_version: \"3.6\"\n" +
            "  python_packages:\n" +
            "    - pillow=8.3.1\n" +
            "  system_packages: [\"Bad Package\"]\n" +
            "  python_requirements: nothing.txt\n" +
            "image: \"upper/Case\"\n" +
            "predict: \"predict.py:Predictor\"\n" +
            "environment: [\"PYTHONPATH=/x\"]\n" +
            "concurrency: {max: 0}\n");

        var build = model.Build("-p:CogBuildImage=false");

        Assert.Equal(1, build.ExitCode);
        Assert.DoesNotContain("MSB4018", build.Output);
        Assert.DoesNotContain("   at ", build.Output);
        string config = model.PathOf("cog.yaml");
        var located = build.Errors.Select(e => $"{e.Code}@{e.Line},{e.Column}").OrderBy(s => s, StringComparer.Ordinal).ToList();
        Assert.Equal(
            new[] { "COG2003@6,7", "COG2013@3,3", "COG2014@2,8", "COG2033@4,19", "COG2040@8,24", "COG2041@8,24", "COG2043@7,21", "COG2049@9,8", "COG2050@11,15", "COG2052@12,20" },
            located);
        Assert.All(build.Errors, e => Assert.Equal(config, e.File));
        Assert.Contains(build.Errors, e => e.Code == "COG2003" && e.Message.Contains("did you mean \"pillow==8.3.1\"?"));
    }

    public static TheoryData<string, byte[]?, string> BrokenFiles => new()
    {
        { "empty", Array.Empty<byte>(), "COG2044" },
        { "binary", new byte[] { 0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0x02, 0xff, 0xfe }, "COG2006" },
        { "alias bomb", System.Text.Encoding.UTF8.GetBytes("a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"), "COG2010" },
        { "tabs", System.Text.Encoding.UTF8.GetBytes("build:\n\tgpu: true\n"), "COG2007" },
        { "duplicate keys", System.Text.Encoding.UTF8.GetBytes("build:\n  python_version: \"3.11\"\n  python_version: \"3.12\"\npredict: \"predict.py:Predictor\"\n"), "COG2009" },
        { "megabytes", System.Text.Encoding.UTF8.GetBytes("# " + new string('x', 3 * 1024 * 1024) + "\n"), "COG2004" },
        { "a directory", null, "COG2002" },
    };

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public void A_broken_cog_yaml_is_a_coded_diagnostic_never_a_crash(string name, byte[]? content, string code)
    {
        var model = _sdk.NewProject("Broken" + name.Replace(" ", "")).Write("predict.py", Predictor);
        if (content == null)
        {
            Directory.CreateDirectory(model.PathOf("cog.yaml"));
        }
        else
        {
            File.WriteAllBytes(model.PathOf("cog.yaml"), content);
        }

        var build = model.Build("-p:CogBuildImage=false");

        Assert.DoesNotContain("MSB4018", build.Output);
        Assert.DoesNotContain("   at ", build.Output);
        var diagnostic = Assert.Single(build.Diagnostics, d => d.Code.StartsWith("COG", StringComparison.Ordinal));
        Assert.Equal(code, diagnostic.Code);
        Assert.Equal(model.PathOf("cog.yaml"), diagnostic.File);
        Assert.Equal(diagnostic.Severity == "error" ? 1 : 0, build.ExitCode);
    }

    [Fact]
    public void A_missing_cog_yaml_says_where_it_was_looked_for()
    {
        var model = _sdk.NewProject("NoConfig");

        var build = model.Build("-p:CogBuildImage=false");

        Assert.Equal(1, build.ExitCode);
        var error = Assert.Single(build.Errors);
        Assert.Equal("COG2000", error.Code);
        Assert.Contains(model.PathOf("cog.yaml"), error.Message + error.File);
    }

    [Fact]
    public void The_net472_task_assembly_builds_a_model_too()
    {
        var model = _sdk.NewProject("Framework").Write("predict.py", Predictor)
            .Write("cog.yaml", "build:\n  python_version: \"3.11\"\n  python_packages: [\"torch==2.0.1\"]\npredict: \"predict.py:Predictor\"\n");

        var build = model.Build("-p:CogBuildImage=false", "-p:CogTasksTfm=net472", "-v:d");

        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Contains("tasks/net472/Cog.Sdk.Tasks.dll", build.Output.Replace('\\', '/'));
        Assert.Contains("--extra-index-url https://download.pytorch.org/whl/cpu", File.ReadAllText(model.PathOf("obj/cog/Dockerfile")) + ReadStagedRequirements(model));
    }

    [Fact]
    public void A_GPU_model_publishes_what_was_resolved_and_logs_it_in_one_line()
    {
        var model = _sdk.NewProject("GpuTorch").Write("predict.py", Predictor)
            .Write("cog.yaml", "build:\n  gpu: true\n  python_version: \"3.11\"\n  python_packages:\n    - \"torch==2.0.1\"\npredict: \"predict.py:Predictor\"\n");

        var validate = model.Dotnet("msbuild", "-restore", "-t:CogValidate", "-v:n",
            "-getProperty:CogCudaVersion", "-getProperty:CogCuDnnVersion", "-getProperty:CogBaseImage", "-getProperty:CogTorchIndexUrl", "-getProperty:CogGpu");
        Assert.True(validate.ExitCode == 0, validate.ToString());
        Assert.Contains("\"CogCudaVersion\": \"11.8\"", validate.Output);
        Assert.Contains("\"CogCuDnnVersion\": \"8\"", validate.Output);
        Assert.Contains("\"CogBaseImage\": \"nvidia/cuda:11.8.0-cudnn8-devel-ubuntu22.04\"", validate.Output);
        Assert.Contains("\"CogTorchIndexUrl\": \"https://download.pytorch.org/whl/cu118\"", validate.Output);
        Assert.Contains("\"CogGpu\": \"true\"", validate.Output);

        var build = model.Build("-p:CogBuildImage=false", "-v:n");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Contains("Cog: torch==2.0.1 -> CUDA 11.8, cuDNN 8 -> nvidia/cuda:11.8.0-cudnn8-devel-ubuntu22.04", build.Output);
    }

    [Fact]
    public void An_unknown_torch_is_located_at_its_line_and_names_the_way_out()
    {
        var model = _sdk.NewProject("UnknownTorch").Write("predict.py", Predictor)
            .Write("cog.yaml", "build:\n  gpu: true\n  python_version: \"3.11\"\n  python_packages:\n    - \"torch==9.9.0\"\npredict: \"predict.py:Predictor\"\n");

        var build = model.Build("-p:CogBuildImage=false");

        Assert.Equal(1, build.ExitCode);
        var error = Assert.Single(build.Errors);
        Assert.Equal("COG2204", error.Code);
        Assert.Equal((5, 7), (error.Line, error.Column));
        Assert.Contains("cuda", error.Message);
        Assert.Contains("CogCompatibilityFile", error.Message);
    }

    [Fact]
    public void A_compatibility_file_teaches_a_new_torch_and_CogBaseImage_replaces_the_image()
    {
        var model = _sdk.NewProject("NewTorch").Write("predict.py", Predictor)
            .Write("cog.yaml", "build:\n  gpu: true\n  python_version: \"3.11\"\n  python_packages:\n    - \"torch==9.9.0\"\npredict: \"predict.py:Predictor\"\n")
            .Write("my-table.json", UserTable);

        var validate = model.Dotnet("msbuild", "-restore", "-t:CogValidate", "-p:CogCompatibilityFile=my-table.json",
            "-getProperty:CogCudaVersion", "-getProperty:CogTorchIndexUrl");
        Assert.True(validate.ExitCode == 0, validate.ToString());
        Assert.Contains("\"CogCudaVersion\": \"12.1\"", validate.Output);
        Assert.Contains("\"CogTorchIndexUrl\": \"https://download.pytorch.org/whl/cu121\"", validate.Output);

        var overridden = model.Dotnet("msbuild", "-restore", "-t:CogValidate", "-p:CogCompatibilityFile=my-table.json",
            "-p:CogBaseImage=registry.example.com/ml/cuda-python:12.1", "-getProperty:CogBaseImage");
        Assert.True(overridden.ExitCode == 0, overridden.ToString());
        // A single -getProperty prints the bare value.
        Assert.Equal("registry.example.com/ml/cuda-python:12.1", overridden.Output.Trim().Split('\n').Last().Trim());
    }

    private static string ReadStagedRequirements(ModelProject model)
    {
        string path = model.PathOf("obj/cog/context/cog/requirements.txt");
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }

    // A user table in the shipped format (docs/compatibility.md) that adds one torch release built for CUDA 12.1.
    private const string UserTable = """
        {
          "torch": [
            { "version": "9.9.0", "torchvision": "0.99.0", "torchaudio": "9.9.0", "builds": [
                { "cuda": "cpu", "indexUrl": "https://download.pytorch.org/whl/cpu" },
                { "cuda": "12.1", "indexUrl": "https://download.pytorch.org/whl/cu121" } ] }
          ]
        }
        """;
}
