using System.Text;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Parse;

namespace Cog.Sdk.Core.Tests.Parse;

public class CogYamlParserTests
{
    /// <summary>The example at the top of the original cog.yaml reference, word for word.</summary>
    private const string OriginalReferenceExample =
        "environment:\n" +
        "  python_version: \"3.8\"\n" +
        "  python_packages:\n" +
        "    - pytorch==1.4.0\n" +
        "  system_packages:\n" +
        "    - \"ffmpeg\"\n" +
        "    - \"libavcodec-dev\"\n" +
        "model: \"model.py:JazzSoloComposerModel\"\n";

    [Fact]
    public void The_original_reference_example_parses_and_validates_cleanly()
    {
        using var project = new TempProject().WithConfig(OriginalReferenceExample).WithFile("model.py");

        var (config, diagnostics) = project.Load();

        // Python 3.8, the example's, works and reached its end of life: a warning says so.
        Assert.Equal(new[] { "COG2059@2,19" }, diagnostics);
        Assert.NotNull(config);
        Assert.Equal(ConfigForm.Original, config!.Form);
        Assert.Equal(project.ConfigPath, config.FilePath);
        Assert.Equal(project.Directory, config.ProjectDirectory);
        Assert.Equal("3.8", config.PythonVersion.Value);
        Assert.Equal((2, 19), (config.PythonVersion.Location.Line, config.PythonVersion.Location.Column));
        Assert.Equal(new[] { "pytorch==1.4.0" }, config.PythonPackages.Select(p => p.Value));
        Assert.Equal((4, 7), (config.PythonPackages[0].Location.Line, config.PythonPackages[0].Location.Column));
        Assert.Equal(new[] { "ffmpeg", "libavcodec-dev" }, config.SystemPackages.Select(p => p.Value));
        Assert.Equal(7, config.SystemPackages[1].Location.Line);
        Assert.Equal("model.py:JazzSoloComposerModel", config.Predictor!.Value);
        Assert.Equal("model", config.PredictorKey);
        Assert.Equal((8, 8), (config.Predictor.Location.Line, config.Predictor.Location.Column));
        Assert.False(config.Gpu.Value);
    }

    [Fact]
    public void The_current_form_fills_every_member()
    {
        using var project = new TempProject().WithConfig(
            "build:\n" +
            "  gpu: true\n" +
            "  cuda: \"12.1\"\n" +
            "  cudnn: \"8\"\n" +
            "  python_version: \"3.11\"\n" +
            "  python_requirements: requirements.txt\n" +
            "  system_packages: [libgl1, \"ffmpeg=7:4.4.2-0ubuntu0.22.04.1\"]\n" +
            "  run:\n" +
            "    - echo one\n" +
            "    - command: pip download x\n" +
            "      mounts:\n" +
            "        - {type: secret, id: token, target: /run/token}\n" +
            "  pre_install:\n" +
            "    - echo two\n" +
            "image: \"r8.im/me/model:1.0\"\n" +
            "predict: \"predict.py:Predictor\"\n" +
            "train: \"train.py:Trainer\"\n" +
            "concurrency:\n" +
            "  max: 4\n" +
            "  default_target: 2\n" +
            "environment:\n" +
            "  - MODEL_CACHE=/src/weights\n" +
            "  - EMPTY=\n")
            .WithFile("requirements.txt", "torch==2.3.1\n").WithFile("predict.py").WithFile("train.py");

        var (config, diagnostics) = project.Load();

        Assert.Empty(diagnostics);
        Assert.Equal(ConfigForm.Current, config!.Form);
        Assert.True(config.Gpu.Value);
        Assert.Equal("12.1", config.Cuda!.Value);
        Assert.Equal("8", config.CuDnn!.Value);
        Assert.Equal("3.11", config.PythonVersion.Value);
        Assert.Equal("requirements.txt", config.PythonRequirements!.Value);
        Assert.Equal(2, config.SystemPackages.Count);
        Assert.Equal(new[] { "echo one", "pip download x" }, config.Run.Select(r => r.Command.Value));
        var mount = Assert.Single(config.Run[1].Mounts);
        Assert.Equal(("token", "/run/token"), (mount.Id, mount.Target));
        Assert.Equal("echo two", Assert.Single(config.PreInstall).Value);
        Assert.Equal("r8.im/me/model:1.0", config.Image!.Value);
        Assert.Equal(("predict", "predict.py:Predictor"), (config.PredictorKey, config.Predictor!.Value));
        Assert.Equal("train.py:Trainer", config.Train!.Value);
        Assert.Equal(4, config.ConcurrencyMax!.Value);
        Assert.Equal(2, config.ConcurrencyDefaultTarget!.Value);
        Assert.Equal(new[] { ("MODEL_CACHE", "/src/weights"), ("EMPTY", "") }, config.Environment.Select(e => (e.Name, e.Value)));
        Assert.Equal(22, config.Environment[0].Location.Line);
    }

    [Theory]
    [InlineData("", ConfigForm.Current, "3.12")]
    [InlineData("build:\n", ConfigForm.Current, "3.12")]
    [InlineData("image: x\n", ConfigForm.Current, "3.12")]
    [InlineData("environment:\n  gpu: false\n", ConfigForm.Original, "3.8")]
    [InlineData("model: \"m.py:M\"\n", ConfigForm.Original, "3.8")]
    [InlineData("run: \"m.py:M\"\n", ConfigForm.Current, "3.12")]
    [InlineData("environment: [A=1]\n", ConfigForm.Current, "3.12")]
    public void The_form_and_its_default_python_version_follow_from_the_keys(string yaml, ConfigForm form, string python)
    {
        using var project = new TempProject().WithConfig(yaml);

        var (config, diagnostics) = project.Load(validate: false);

        Assert.Empty(diagnostics);
        Assert.Equal(form, config!.Form);
        Assert.Equal(python, config.PythonVersion.Value);
        Assert.Equal(project.ConfigPath, config.PythonVersion.Location.File);
        Assert.False(config.Gpu.Value);
    }

    [Fact]
    public void The_original_form_reads_package_single_equals_as_a_pin_and_warns()
    {
        using var project = new TempProject().WithConfig("environment:\n  python_packages:\n    - pillow=8.3.1\n");

        var bag = new DiagnosticBag();
        CogConfig? config = CogYamlParser.Parse(project.ConfigPath, bag);

        Assert.Equal("pillow==8.3.1", Assert.Single(config!.PythonPackages).Value);
        Diagnostic warning = Assert.Single(bag);
        Assert.Equal(("COG2017", DiagnosticSeverity.Warning, 3, 7), (warning.Code, warning.Severity, warning.Location.Line, warning.Location.Column));
    }

    [Fact]
    public void The_current_form_refuses_package_single_equals_with_a_did_you_mean()
    {
        using var project = new TempProject().WithConfig("build:\n  python_packages:\n    - pillow=8.3.1\n");

        var bag = new DiagnosticBag();
        CogConfig? config = Cog.Sdk.Core.Validate.CogConfigLoader.Load(project.ConfigPath, bag);

        Diagnostic error = bag.Single(d => d.IsError);
        Assert.Equal("COG2003", error.Code);
        Assert.Equal("'python_packages' entry \"pillow=8.3.1\" is not a requirement pip can read: '=8.3.1' is not a version specifier such as ==1.0 or >=1.0; did you mean \"pillow==8.3.1\"?", error.Message);
        Assert.Equal((3, 7), (error.Location.Line, error.Location.Column));
        Assert.Equal("pillow=8.3.1", config!.PythonPackages[0].Value);
    }

    public static TheoryData<string, string[]> DocumentProblems => new()
    {
        // Unknown keys, with a suggestion; keys of the other form; types.
        { "build:\n  pyhton_version: \"3.11\"\n", new[] { "COG2013@2,3" } },
        { "bild:\n  gpu: true\n", new[] { "COG2013@1,1" } },
        { "build:\n  gpu: \"yes\"\n", new[] { "COG2014@2,8" } },
        { "build:\n  gpu: 1\n", new[] { "COG2014@2,8" } },
        { "build:\n  python_packages: torch==2.0.1\n", new[] { "COG2014@2,20" } },
        { "build:\n  python_packages:\n    - {torch: 2}\n", new[] { "COG2018@3,7" } },
        { "build: [gpu]\n", new[] { "COG2014@1,8" } },
        { "predict: [a.py:A]\n", new[] { "COG2014@1,10" } },
        { "- build\n", new[] { "COG2014@1,1" } },
        { "build:\n  gpu: true\nmodel: \"predict.py:P\"\n", new[] { "COG2015@3,1" } },
        { "environment:\n  gpu: true\nbuild:\n  gpu: true\npredict: p.py:P\n", new[] { "COG2015@3,1", "COG2015@5,1" } },
        { "model: m.py:M\nenvironment: [A=1]\n", new[] { "COG2015@2,1" } },
        { "environment:\n  run: [ls]\n", new[] { "COG2013@2,3" } },
        { "predict: a.py:A\nrun: b.py:B\n", new[] { "COG2016@2,1" } },
        { "build:\n  run:\n    - mounts: []\n", new[] { "COG2019@3,7" } },
        { "build:\n  run:\n    - command: x\n      mounts: [{type: cache, id: a, target: /a}]\n", new[] { "COG2020@4,23" } },
        { "concurrency:\n  default_target: 2\n", new[] { "COG2021@1,1" } },
        { "concurrency:\n  max: many\n", new[] { "COG2014@2,8" } },
        { "environment:\n  - 1BAD=x\n  - NOVALUE\n", new[] { "COG2022@2,5", "COG2022@3,5" } },
        { "build:\n  python_version: 3.10\n  cuda: 12.0\n", new[] { "COG2023@2,19", "COG2023@3,9" } },
        { "build:\n  python_version: 3.11\n  cuda: 11.8\n  cudnn: 8\n", Array.Empty<string>() },
    };

    [Theory]
    [MemberData(nameof(DocumentProblems))]
    public void Document_problems_are_coded_and_located(string yaml, string[] expected)
    {
        using var project = new TempProject().WithConfig(yaml);

        var (config, diagnostics) = project.Load(validate: false);

        Assert.NotNull(config);
        Assert.Equal(expected, diagnostics);
    }

    [Fact]
    public void An_unknown_key_suggests_the_closest_known_key()
    {
        using var project = new TempProject().WithConfig("build:\n  pyhton_version: \"3.11\"\n  foo: 1\n");

        var bag = new DiagnosticBag();
        CogYamlParser.Parse(project.ConfigPath, bag);

        Assert.Equal("'pyhton_version' is not a known key of 'build'; did you mean 'python_version'?", bag[0].Message);
        Assert.StartsWith("'foo' is not a known key of 'build'; the known keys are 'cuda', 'cudnn', 'gpu',", bag[1].Message);
    }

    [Fact]
    public void Mixed_forms_say_which_key_decided_and_what_to_write()
    {
        using var project = new TempProject().WithConfig("build:\n  gpu: true\nmodel: \"predict.py:P\"\n");

        var bag = new DiagnosticBag();
        CogYamlParser.Parse(project.ConfigPath, bag);

        Assert.Equal("'model' is a key of the original (environment/image/model) form of cog.yaml, but 'build' at line 1 makes this file " +
            "the current (build/predict) form, and the two cannot be mixed: write 'predict: \"predict.py:Predictor\"' instead of 'model'.", bag[0].Message);
    }

    [Fact]
    public void An_unquoted_python_3_10_is_reported_and_kept_as_written()
    {
        using var project = new TempProject().WithConfig("build:\n  python_version: 3.10\n");

        var bag = new DiagnosticBag();
        CogConfig? config = CogYamlParser.Parse(project.ConfigPath, bag);

        Assert.Equal("3.10", config!.PythonVersion.Value);
        Diagnostic warning = Assert.Single(bag);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Equal("'python_version' is written 3.10 without quotes, which YAML reads as the number 3.1; it is read as written, \"3.10\". Put it in quotes: \"3.10\".", warning.Message);
    }
}
