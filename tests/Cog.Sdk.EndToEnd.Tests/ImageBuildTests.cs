using System.Diagnostics;
using System.Text.Json;
using Cog.Sdk.Testing;

namespace Cog.Sdk.EndToEnd.Tests;

/// <summary>
/// `dotnet build` of a model project on a real engine: the image it makes, incremental builds, failures located in
/// cog.yaml, the GPU Dockerfile, podman. Every test names its image cog-e2e-&lt;id&gt;, puts the same id in the model's
/// environment (so every container of the build carries it), and at the end removes the image and checks that no
/// container is left.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public sealed class ImageBuildTests : IDisposable
{
    internal const string Predictor = """
        from cog import BasePredictor, Input


        class Predictor(BasePredictor):
            def predict(self, text: str = Input(description="Who to greet")) -> str:
                return "hello " + text
        """;

    private readonly PackedSdk _sdk;
    private readonly string _id = Guid.NewGuid().ToString("N").Substring(0, 12);
    private readonly List<(EngineCli Engine, string Image)> _images = new();

    public ImageBuildTests(PackedSdk sdk) => _sdk = sdk;

    /// <summary>The image name of this test, unique to it.</summary>
    private string Image => "cog-e2e-" + _id;

    /// <summary>The marker in the model's environment and image name, found in every container the test made.</summary>
    private string Marker => "COG_E2E_TEST=" + _id;

    public void Dispose()
    {
        foreach (var (engine, image) in _images)
        {
            engine.RemoveImage(image);
        }

        // Checked after the images are gone: removing an image with a container left would have failed quietly.
        foreach (var engine in _images.Select(i => i.Engine.Executable).Distinct())
        {
            var cli = _images.First(i => i.Engine.Executable == engine).Engine;
            var left = cli.ContainersMentioning(_id);
            Assert.True(left.Count == 0, $"{engine}: containers left behind:\n{string.Join("\n", left)}");
        }
    }

    /// <summary>A cog.yaml in the current form with this test's marker in its environment.</summary>
    private string Yaml(string build, string predict = "predict.py:Predictor") =>
        $"build:\n{build.TrimEnd()}\npredict: \"{predict}\"\nenvironment:\n  - {Marker}\n";

    private ModelProject NewModel(string name, string build, EngineCli? engine = null)
    {
        _images.Add((engine ?? EngineCli.Docker, Image));
        return _sdk.NewProject(name).Write("cog.yaml", Yaml(build)).Write("predict.py", Predictor);
    }

    /// <summary>`dotnet build` at normal verbosity (the engine's lines are logged at normal importance) into this test's image.</summary>
    private BuildOutput BuildImage(ModelProject model, params string[] properties) =>
        model.Build(new[] { "-v:n", "-p:CogImageName=" + Image }.Concat(properties).ToArray());

    private static void AssertSucceeded(BuildOutput build)
    {
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Empty(build.Errors);
        BuildAssert.NoCrash(build);
    }

    private static IReadOnlyList<BuildStep> AssertEngineBuilt(BuildOutput build)
    {
        var steps = BuildStep.Parse(build.Output);
        Assert.True(steps.Count > 0, "the engine did not build:\n" + build.Output);
        return steps;
    }

    [EngineFact]
    public void A_cpu_model_builds_into_an_image_with_its_packages_runtime_code_and_labels()
    {
        using var index = new LocalPackageIndex();
        var model = NewModel("GreetingModel", """
              python_version: "3.11"
              system_packages:
                - "jq"
              python_packages:
                - "cogsdk-greeting==1.0.0"
              run:
                - "echo ran-at-build > /run-marker.txt"
            """);

        var build = BuildImage(model, "-p:CogPipIndexUrl=" + index.Url, "-p:CogBuildNetwork=host");

        AssertSucceeded(build);
        AssertEngineBuilt(build);
        Assert.True(index.WheelDownloads > 0, "pip did not fetch the wheel from the local index");
        var docker = EngineCli.Docker;
        string? id = docker.ImageId(Image);
        Assert.NotNull(id);
        Assert.Contains(id!, File.ReadAllText(model.PathOf("obj/cog/image.id")));

        var labels = docker.Labels(Image);
        using (var config = JsonDocument.Parse(labels["run.cog.config"]))
        {
            var buildSection = config.RootElement.GetProperty("build");
            Assert.Equal("3.11", buildSection.GetProperty("python_version").GetString());
            Assert.False(buildSection.GetProperty("gpu").GetBoolean());
            Assert.Equal(new[] { "jq" }, buildSection.GetProperty("system_packages").EnumerateArray().Select(e => e.GetString()));
            Assert.Contains("cogsdk-greeting==1.0.0", buildSection.GetProperty("python_requirements").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal("echo ran-at-build > /run-marker.txt", buildSection.GetProperty("run")[0].GetProperty("command").GetString());
            Assert.Equal("predict.py:Predictor", config.RootElement.GetProperty("predict").GetString());
        }

        Assert.Equal(ShippedCoreVersion(), labels["run.cog.sdk.version"]);

        var run = docker.RunIn(Image, "python", "-c", """
            import os, cog, cogsdk_greeting
            print(cogsdk_greeting.greet("cog"))
            print("predict.py" in os.listdir("/src"), os.getcwd())
            print(open("/run-marker.txt").read().strip())
            """);
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Equal(new[] { "greetings, cog", "True /src", "ran-at-build" }, run.Out.Trim().Split('\n').Select(l => l.Trim()));
        var jq = docker.RunIn(Image, "jq", "--version");
        Assert.True(jq.ExitCode == 0, "jq from system_packages is not in the image: " + jq.Err);
    }

    [EngineFact]
    public void A_second_build_with_no_change_does_not_call_the_engine()
    {
        var model = NewModel("UpToDate", """
              python_version: "3.11"
            """);
        AssertSucceeded(BuildImage(model));
        string idPath = model.PathOf("obj/cog/image.id");
        string builtId = File.ReadAllText(idPath);
        DateTime builtTime = File.GetLastWriteTimeUtc(idPath);
        string? id = EngineCli.Docker.ImageId(Image);

        var again = BuildImage(model);

        AssertSucceeded(again);
        Assert.Contains($"Cog: {Image} is up to date", again.Output);
        Assert.Empty(BuildStep.Parse(again.Output));
        Assert.DoesNotContain("Building " + Image, again.Output);
        Assert.Equal(id, EngineCli.Docker.ImageId(Image));
        Assert.Equal(builtId, File.ReadAllText(idPath));
        Assert.Equal(builtTime, File.GetLastWriteTimeUtc(idPath));
    }

    [EngineFact]
    public void Editing_predict_py_rebuilds_only_the_code_layer_and_what_follows()
    {
        var model = NewModel("CodeEdit", """
              python_version: "3.11"
              run:
                - "echo layer > /layer.txt"
            """);
        AssertSucceeded(BuildImage(model));
        string? first = EngineCli.Docker.ImageId(Image);

        model.Write("predict.py", Predictor.Replace("hello ", "hi "));
        var edited = BuildImage(model);

        AssertSucceeded(edited);
        var steps = AssertEngineBuilt(edited);
        int code = steps.Single(s => s.Instruction.StartsWith("COPY src/ /src/", StringComparison.Ordinal)).Number;
        // Step 1 (FROM) never says "Using cache"; every other step before the code copy must come from the cache.
        var rerun = steps.Where(s => s.Number > 1 && s.Number < code && !s.FromCache).ToList();
        Assert.True(rerun.Count == 0, "layers before the code ran again: " + string.Join("; ", rerun.Select(s => s.Instruction)));
        Assert.Contains(steps, s => s.Instruction.StartsWith("RUN", StringComparison.Ordinal) && s.FromCache);
        Assert.False(steps.Single(s => s.Number == code).FromCache, "the code layer came from the cache after predict.py changed");
        Assert.NotEqual(first, EngineCli.Docker.ImageId(Image));
        var run = EngineCli.Docker.RunIn(Image, "grep", "-c", "hi ", "/src/predict.py");
        Assert.True(run.ExitCode == 0, "the image does not hold the edited predict.py");
    }

    [EngineFact]
    public void A_changed_cog_yaml_a_deleted_image_and_CogNoCache_each_rebuild()
    {
        var model = NewModel("Rebuilds", """
              python_version: "3.11"
            """);
        AssertSucceeded(BuildImage(model));
        var docker = EngineCli.Docker;
        string? first = docker.ImageId(Image);

        // A new system package: the Dockerfile changes, so does the image.
        model.Write("cog.yaml", Yaml("""
              python_version: "3.11"
              system_packages:
                - "jq"
            """));
        var changed = BuildImage(model);
        AssertSucceeded(changed);
        Assert.Contains(AssertEngineBuilt(changed), s => s.Instruction.Contains("apt-get", StringComparison.Ordinal) && !s.FromCache);
        string? second = docker.ImageId(Image);
        Assert.NotEqual(first, second);
        Assert.Equal(0, docker.RunIn(Image, "jq", "--version").ExitCode);

        // The image deleted behind the build's back: the stamp alone must not call it up to date.
        docker.RemoveImage(Image);
        var afterRemoval = BuildImage(model);
        AssertSucceeded(afterRemoval);
        AssertEngineBuilt(afterRemoval);
        Assert.DoesNotContain("is up to date", afterRemoval.Output);
        Assert.NotNull(docker.ImageId(Image));

        // CogNoCache: nothing changed, yet every step runs again.
        var noCache = BuildImage(model, "-p:CogNoCache=true");
        AssertSucceeded(noCache);
        var steps = AssertEngineBuilt(noCache);
        Assert.DoesNotContain(steps, s => s.FromCache);
        Assert.Contains("--no-cache", noCache.Output);
    }

    [EngineFact]
    public void A_system_package_that_does_not_exist_is_COG3002_at_its_line()
    {
        string missing = "cogsdk-missing-" + _id;
        var model = NewModel("MissingApt", $"""
              python_version: "3.11"
              system_packages:
                - "jq"
                - "{missing}"
            """);

        var build = BuildImage(model);

        var error = BuildAssert.SingleErrorAt(build, "COG3002", BuildAssert.LineOf(File.ReadAllText(model.PathOf("cog.yaml")), missing));
        Assert.Contains(missing, error.Message);
        Assert.Null(EngineCli.Docker.ImageId(Image));
        Assert.False(File.Exists(model.PathOf("obj/cog/image.id")));
    }

    [EngineFact]
    public void A_failing_run_command_is_COG3004_at_its_line_with_its_exit_code()
    {
        var model = NewModel("FailingRun", """
              python_version: "3.11"
              run:
                - "echo first"
                - "echo about to fail && exit 7"
                - "echo never"
            """);

        var build = BuildImage(model);

        var error = BuildAssert.SingleErrorAt(build, "COG3004", BuildAssert.LineOf(File.ReadAllText(model.PathOf("cog.yaml")), "exit 7"));
        Assert.Contains("echo about to fail && exit 7", error.Message);
        Assert.Contains("exit code 7", error.Message);
        Assert.Null(EngineCli.Docker.ImageId(Image));
    }

    [EngineFact]
    public void A_python_package_the_index_does_not_have_is_COG3003_at_its_line()
    {
        using var index = new LocalPackageIndex();
        var model = NewModel("MissingPip", """
              python_version: "3.11"
              python_packages:
                - "cogsdk-greeting==1.0.0"
                - "cogsdk-absent==2.0.0"
            """);

        var build = BuildImage(model, "-p:CogPipIndexUrl=" + index.Url, "-p:CogBuildNetwork=host");

        BuildAssert.SingleErrorAt(build, "COG3003", BuildAssert.LineOf(File.ReadAllText(model.PathOf("cog.yaml")), "cogsdk-absent"));
        Assert.Null(EngineCli.Docker.ImageId(Image));
    }

    [Fact]
    public void An_engine_path_that_does_not_exist_is_COG1004()
    {
        var model = _sdk.NewProject("NoEngine").Write("cog.yaml", Yaml("  python_version: \"3.11\"\n")).Write("predict.py", Predictor);

        var build = model.Build("-p:CogImageName=" + Image, "-p:CogContainerEngine=/nonexistent/docker");

        Assert.True(build.ExitCode != 0, build.ToString());
        BuildAssert.NoCrash(build);
        var error = Assert.Single(build.Errors);
        Assert.Equal("COG1004", error.Code);
        Assert.Contains("/nonexistent/docker", error.Message);
        Assert.True(File.Exists(model.PathOf("obj/cog/Dockerfile")), "the Dockerfile is written before the engine is needed");
    }

    [EngineFact]
    public void A_daemon_that_does_not_answer_is_COG1002()
    {
        var model = _sdk.NewProject("NoDaemon").Write("cog.yaml", Yaml("  python_version: \"3.11\"\n")).Write("predict.py", Predictor);

        var build = model.DotnetWithEnvironment(TimeSpan.FromMinutes(5),
            new Dictionary<string, string?> { ["DOCKER_HOST"] = "unix:///nonexistent.sock" },
            "build", "-p:CogImageName=" + Image, "-p:CogContainerEngine=docker");

        Assert.True(build.ExitCode != 0, build.ToString());
        BuildAssert.NoCrash(build);
        var error = Assert.Single(build.Errors);
        Assert.True(error.Code == "COG1002", build.ToString());
        Assert.Contains("nonexistent.sock", error.Message);
    }

    internal const string GpuYaml = """
        build:
          gpu: true
          python_version: "3.11"
          python_packages:
            - "torch==2.0.1"
        predict: "predict.py:Predictor"
        """;

    [Fact]
    public void A_gpu_model_gets_the_cuda_base_image_python_and_the_cu118_wheels()
    {
        var model = _sdk.NewProject("GpuModel").Write("cog.yaml", GpuYaml).Write("predict.py", Predictor);

        var build = model.Build("-p:CogBuildImage=false", "-p:CogImageName=" + Image);

        AssertSucceeded(build);
        string dockerfile = File.ReadAllText(model.PathOf("obj/cog/Dockerfile"));
        Assert.StartsWith("FROM nvidia/cuda:11.8.0-cudnn8-devel-ubuntu22.04", dockerfile.Split('\n').First(l => l.StartsWith("FROM ", StringComparison.Ordinal) && !l.Contains(" AS ", StringComparison.Ordinal)));
        Assert.Contains("uv python install 3.11", dockerfile);
        Assert.Contains("/opt/venv", dockerfile);
        string requirements = File.ReadAllText(model.PathOf("obj/cog/context/cog/requirements.txt"));
        Assert.Contains("https://download.pytorch.org/whl/cu118", requirements);
        Assert.Contains("torch==2.0.1", requirements);

        var properties = model.Dotnet("msbuild", "-t:CogValidate", "-getProperty:CogCudaVersion", "-getProperty:CogCuDnnVersion",
            "-getProperty:CogBaseImage", "-getProperty:CogTorchIndexUrl");
        Assert.True(properties.ExitCode == 0, properties.ToString());
        using var json = JsonDocument.Parse(properties.Output.Substring(properties.Output.IndexOf('{')));
        var values = json.RootElement.GetProperty("Properties");
        Assert.Equal("11.8", values.GetProperty("CogCudaVersion").GetString());
        Assert.Equal("8", values.GetProperty("CogCuDnnVersion").GetString());
        Assert.Equal("nvidia/cuda:11.8.0-cudnn8-devel-ubuntu22.04", values.GetProperty("CogBaseImage").GetString());
        Assert.Equal("https://download.pytorch.org/whl/cu118", values.GetProperty("CogTorchIndexUrl").GetString());
    }

    [LocalImageFact("nvidia/cuda:11.8.0-cudnn8-devel-ubuntu22.04")]
    public void A_gpu_model_builds_where_the_cuda_base_image_is_present()
    {
        _images.Add((EngineCli.Docker, Image));
        var model = _sdk.NewProject("GpuBuild").Write("cog.yaml", GpuYaml.Replace("predict:", $"environment:\n  - {Marker}\npredict:")).Write("predict.py", Predictor);

        var build = BuildImage(model);

        AssertSucceeded(build);
        var run = EngineCli.Docker.RunIn(Image, "python", "-c", "import sys, torch; print(sys.version_info[:2], torch.__version__)");
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Contains("(3, 11) 2.0.1+cu118", run.Out);
    }

    [PodmanFact]
    public void Podman_builds_the_BuildKit_style_Dockerfile_with_cache_mounts()
    {
        using var index = new LocalPackageIndex();
        var podman = EngineCli.Podman;
        var model = NewModel("PodmanModel", """
              python_version: "3.11"
              python_packages:
                - "cogsdk-greeting==1.0.0"
            """, podman);

        var build = BuildImage(model, "-p:CogContainerEngine=podman", "-p:CogPipIndexUrl=" + index.Url, "-p:CogBuildNetwork=host");

        AssertSucceeded(build);
        Assert.Contains("--mount=type=cache", File.ReadAllText(model.PathOf("obj/cog/Dockerfile")));
        Assert.Contains("STEP ", build.Output);
        Assert.True(index.WheelDownloads > 0, "pip did not fetch the wheel from the local index");
        Assert.NotNull(podman.ImageId(Image));
        var run = podman.RunIn(Image, "python", "-c", "import cog, cogsdk_greeting; print(cogsdk_greeting.greet('podman'))");
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Contains("greetings, podman", run.Out);

        var again = BuildImage(model, "-p:CogContainerEngine=podman", "-p:CogPipIndexUrl=" + index.Url, "-p:CogBuildNetwork=host");
        AssertSucceeded(again);
        Assert.Contains($"Cog: {Image} is up to date", again.Output);
    }

    [EngineFact]
    public void The_build_writes_nothing_outside_obj_and_bin_and_honours_the_users_dockerignore()
    {
        const string dockerignore = "# local files\nsecret.txt\nscratch/\n**/*.tmp\n";
        var model = NewModel("Tidy", """
              python_version: "3.11"
            """)
            .Write(".dockerignore", dockerignore)
            .Write("secret.txt", "do not ship")
            .Write("scratch/notes.md", "scratch")
            .Write("helpers/util.py", "X = 1\n")
            .Write("helpers/cache.tmp", "temp");
        var before = Listing(model.Directory);

        var build = BuildImage(model);

        AssertSucceeded(build);
        Assert.Equal(before, Listing(model.Directory));
        Assert.Equal(dockerignore, File.ReadAllText(model.PathOf(".dockerignore")));
        var run = EngineCli.Docker.RunIn(Image, "find", "/src", "-type", "f");
        Assert.True(run.ExitCode == 0, run.Err);
        var files = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order().ToList();
        Assert.Contains("/src/predict.py", files);
        Assert.Contains("/src/cog.yaml", files);
        Assert.Contains("/src/helpers/util.py", files);
        Assert.DoesNotContain("/src/secret.txt", files);
        Assert.DoesNotContain("/src/scratch/notes.md", files);
        Assert.DoesNotContain("/src/helpers/cache.tmp", files);
        Assert.DoesNotContain(files, f => f.StartsWith("/src/obj/", StringComparison.Ordinal) || f.StartsWith("/src/bin/", StringComparison.Ordinal));
    }

    /// <summary>Every file of the model folder outside obj/ and bin/, with its size and time.</summary>
    private static List<string> Listing(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(root, p).Replace('\\', '/'))
            .Where(p => !p.StartsWith("obj/", StringComparison.Ordinal) && p != "obj" && !p.StartsWith("bin/", StringComparison.Ordinal) && p != "bin")
            .Select(p => File.Exists(Path.Combine(root, p))
                ? $"{p} {new FileInfo(Path.Combine(root, p)).Length} {File.GetLastWriteTimeUtc(Path.Combine(root, p)):O}"
                : p + "/")
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>The informational version of the Cog.Sdk.Core that the packed SDK ships: what run.cog.sdk.version must say.</summary>
    private string ShippedCoreVersion()
    {
        string dll = Directory.EnumerateFiles(Path.Combine(_sdk.Packages, "cog.sdk", _sdk.Version.ToLowerInvariant()), "Cog.Sdk.Core.dll", SearchOption.AllDirectories)
            .First(p => p.Replace('\\', '/').Contains("/tasks/net8.0/", StringComparison.Ordinal));
        return FileVersionInfo.GetVersionInfo(dll).ProductVersion!;
    }
}
