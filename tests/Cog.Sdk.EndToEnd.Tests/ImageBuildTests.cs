using System.Diagnostics;
using System.Text.Json;
using Cog.Sdk.Testing;

namespace Cog.Sdk.EndToEnd.Tests;

/// <summary>
/// `dotnet build` of a model project on a real engine, with the builder of this test run: the image it makes, incremental
/// builds, failures located in cog.yaml, one Dockerfile for every builder, secrets, the GPU Dockerfile. Checked on what the
/// engine made (image ids, layers, files, labels, exit codes), never on how a builder words its output.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public sealed class ImageBuildTests : ModelImageTest
{
    public ImageBuildTests(PackedSdk sdk)
        : base(sdk)
    {
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
        Assert.True(index.WheelDownloads > 0, "pip did not fetch the wheel from the local index");
        var docker = Cli;
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
        string? id = Cli.ImageId(Image);

        var again = BuildImage(model);

        AssertSucceeded(again);
        Assert.Contains($"Cog: {Image} is up to date", again.Output);
        Assert.DoesNotContain("Building " + Image, again.Output);
        Assert.DoesNotContain("Cog: [1/", again.Output);
        Assert.Equal(id, Cli.ImageId(Image));
        Assert.Equal(builtId, File.ReadAllText(idPath));
        Assert.Equal(builtTime, File.GetLastWriteTimeUtc(idPath));
    }

    [EngineFact]
    public void Editing_predict_py_makes_exactly_one_new_layer_the_codes()
    {
        var model = NewModel("CodeEdit", """
              python_version: "3.11"
              run:
                - "date +%s%N > /built-at"
            """);
        model.Write("weights/model.bin", new string('w', 11 * 1024 * 1024));
        AssertSucceeded(BuildImage(model));
        string? first = Cli.ImageId(Image);
        var layers = Cli.Layers(Image);
        string builtAt = Cli.RunIn(Image, "cat", "/built-at").Out;

        model.Write("predict.py", Predictor.Replace("hello ", "hi "));
        var edited = BuildImage(model);

        AssertSucceeded(edited);
        Assert.NotEqual(first, Cli.ImageId(Image));
        var editedLayers = Cli.Layers(Image);
        Assert.Equal(layers.Count, editedLayers.Count);
        // The run command, the runtime and the 11 MB weights file are reused: only the code's layer is new.
        var changed = layers.Zip(editedLayers).Where(pair => pair.First != pair.Second).ToList();
        Assert.True(changed.Count == 1, $"{changed.Count} layers changed:\n{string.Join("\n", layers)}\n---\n{string.Join("\n", editedLayers)}");
        Assert.Equal(builtAt, Cli.RunIn(Image, "cat", "/built-at").Out);
        var run = Cli.RunIn(Image, "grep", "-c", "hi ", "/src/predict.py");
        Assert.True(run.ExitCode == 0, "the image does not hold the edited predict.py");
    }

    /// <summary>
    /// Ctrl+C in a terminal (SIGINT), or a canceled CI job (SIGTERM: the dotnet CLI then ends the process itself), while a
    /// long step builds: the engine stops at once, the build says it was canceled and fails, and neither an image under
    /// the name nor a container is left (Dispose checks the containers).
    /// </summary>
    [EngineTheory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public void A_signal_during_a_build_step_stops_the_engine_and_leaves_nothing(string signal)
    {
        // A command of this test's own: a builder's cache may hold the finished step of an earlier run.
        string step = "sleep 300 && echo " + Id;
        var model = NewModel("Stopped" + signal, $"  python_version: \"3.11\"\n  run:\n    - \"{step}\"");
        using var build = new BackgroundMsbuild(Sdk, model, "-restore", "-t:Build", "-v:n", "-p:CogImageName=" + Image);
        var deadline = DateTime.UtcNow.AddMinutes(4);
        while (!build.Output.Contains(step, StringComparison.Ordinal))
        {
            Assert.False(build.HasExited, "the build ended before its long step started:\n" + build.Output);
            Assert.True(DateTime.UtcNow < deadline, "the long step did not start within 4 minutes:\n" + build.Output);
            Thread.Sleep(200);
        }

        Thread.Sleep(1000);
        var stopping = Stopwatch.StartNew();
        build.Signal(signal);
        var result = build.WaitForExit(TimeSpan.FromSeconds(90));

        Assert.True(result.ExitCode != 0, "a canceled build reported success:\n" + result);
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(90), "the build went on after the signal:\n" + result);
        Assert.True(result.Output.Contains("Cog: canceled."), "the build did not say it was canceled:\n" + result);
        BuildAssert.NoCrash(result);
        Assert.Null(Cli.ImageId(Image));
        // Nor a process of the step, or of the engine's CLI, which would go on installing and downloading alone; the
        // classic builder's daemon removes the step's container a moment after the build is gone (Dispose checks it).
        var gone = DateTime.UtcNow.AddSeconds(30);
        while ((ProcessesMentioning(Id).Count > 0 || Cli.ContainersMentioning(Id).Count > 0) && DateTime.UtcNow < gone)
        {
            Thread.Sleep(500);
        }

        Assert.Empty(ProcessesMentioning(Id));
    }

    /// <summary>The command lines of this machine's processes (a local engine's build steps among them) that hold <paramref name="text"/>.</summary>
    private static List<string> ProcessesMentioning(string text)
    {
        var found = new List<string>();
        foreach (string directory in Directory.EnumerateDirectories("/proc").Where(d => Path.GetFileName(d).All(char.IsDigit)))
        {
            try
            {
                string commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains(text, StringComparison.Ordinal))
                {
                    found.Add(Path.GetFileName(directory) + ": " + commandLine);
                }
            }
            catch (IOException)
            {
                // Gone meanwhile.
            }
        }

        return found;
    }

    [EngineFact]
    public void A_changed_cog_yaml_a_deleted_image_and_CogNoCache_each_rebuild()
    {
        const string Run = """
              python_version: "3.11"
              run:
                - "date +%s%N > /built-at"
            """;
        var model = NewModel("Rebuilds", Run);
        AssertSucceeded(BuildImage(model));
        string? first = Cli.ImageId(Image);

        // A new system package: the Dockerfile changes, so does the image.
        model.Write("cog.yaml", Yaml(Run + "\n" + """
              system_packages:
                - "jq"
            """));
        AssertSucceeded(BuildImage(model));
        string? second = Cli.ImageId(Image);
        Assert.NotEqual(first, second);
        Assert.Equal(0, Cli.RunIn(Image, "jq", "--version").ExitCode);
        string builtAt = Cli.RunIn(Image, "cat", "/built-at").Out;

        // The image deleted behind the build's back: the timestamps alone must not call it up to date.
        Cli.RemoveImage(Image);
        var afterRemoval = BuildImage(model);
        AssertSucceeded(afterRemoval);
        Assert.DoesNotContain("is up to date", afterRemoval.Output);
        Assert.NotNull(Cli.ImageId(Image));
        builtAt = Cli.RunIn(Image, "cat", "/built-at").Out;

        // CogNoCache: nothing changed, yet every step runs again.
        var noCache = BuildImage(model, "-p:CogNoCache=true");
        AssertSucceeded(noCache);
        Assert.NotEqual(builtAt, Cli.RunIn(Image, "cat", "/built-at").Out);
        Assert.Contains("--no-cache", noCache.Output);
    }

    /// <summary>A model that mounts a secret in a run command, and a project that passes it as a CogBuildSecret from a file.</summary>
    private (ModelProject Model, string Secret) SecretModel(string name, bool mounted)
    {
        string secret = "cog-e2e-secret-" + Guid.NewGuid().ToString("N");
        string file = Path.Combine(Sdk.Root, "secret-" + Id + ".txt");
        File.WriteAllText(file, secret);
        string project = $"""
            <Project Sdk="Cog.Sdk/{Sdk.Version}">
              <ItemGroup>
                <CogBuildSecret Include="token" File="{file}" />
              </ItemGroup>
            </Project>
            """;
        string run = mounted
            ? """
                  run:
                    - command: "wc -c < /run/secrets/token > /secret-length"
                      mounts:
                        - type: secret
                          id: token
                          target: /run/secrets/token
                """
            : "";
        var model = NewModel(name, "  python_version: \"3.11\"\n  system_packages:\n    - \"jq\"\n" + run, project);
        return (model, secret);
    }

    [EngineFact]
    public void The_dockerfile_in_obj_is_the_same_without_an_engine_in_a_design_time_build_and_for_every_builder()
    {
        var (model, secret) = SecretModel("OneDockerfile", mounted: true);
        string Generate(IDictionary<string, string?>? environment, params string[] properties)
        {
            // From nothing each time: the record in obj/cog would otherwise keep the Dockerfile of the build before.
            if (Directory.Exists(model.PathOf("obj/cog")))
            {
                Directory.Delete(model.PathOf("obj/cog"), recursive: true);
            }

            var build = model.DotnetWithEnvironment(TimeSpan.FromMinutes(5), environment,
                new[] { "build", "-p:CogImageName=" + Image }.Concat(properties).ToArray());
            AssertSucceeded(build);
            return File.ReadAllText(model.PathOf("obj/cog/Dockerfile"));
        }

        string written = Generate(null, "-p:CogBuildImage=false");

        Assert.Contains("RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get update", written);
        Assert.Contains("RUN --mount=type=secret,id=token,target=/run/secrets/token ", written);
        Assert.DoesNotContain("# syntax=", written); // it would pull a frontend image from Docker Hub
        Assert.Equal(written, Generate(new Dictionary<string, string?> { ["DOCKER_BUILDKIT"] = "0" }, "-p:CogBuildImage=false", "-p:CogContainerEngine=docker"));
        Assert.Equal(written, Generate(null, "-p:CogBuildImage=false", "-p:CogContainerEngine=podman"));
        Assert.Equal(written, Generate(null, "-p:CogBuildImage=false", "-p:CogContainerEngine=/nonexistent/docker"));
        Assert.Equal(written, Generate(null, "-p:DesignTimeBuild=true"));

        // The builder of this run: BuildKit and podman build it, the classic builder cannot mount the secret.
        File.Delete(model.PathOf("obj/cog/dockerfile.files"));
        var build = BuildImage(model);
        Assert.Equal(written, File.ReadAllText(model.PathOf("obj/cog/Dockerfile")));
        if (TestEngine.Builder == TestBuilder.Classic)
        {
            var error = BuildAssert.SingleErrorAt(build, "COG3005", BuildAssert.LineOf(File.ReadAllText(model.PathOf("cog.yaml")), "type: secret"));
            Assert.Contains("'token'", error.Message);
            Assert.DoesNotContain("unknown flag", build.Output);
            return;
        }

        AssertSucceeded(build);
        Assert.Equal(secret.Length.ToString(), Cli.RunIn(Image, "cat", "/secret-length").Out.Trim());
        Assert.DoesNotContain(secret, build.Output);
        Assert.False(Cli.ImageHolds(Image, secret), "the secret is in the image");
    }

    [EngineFact]
    public void A_CogBuildSecret_with_the_classic_builder_is_COG3011_not_the_engines_usage_text()
    {
        var (model, _) = SecretModel("ClassicSecret", mounted: false);

        var build = model.DotnetWithEnvironment(TimeSpan.FromMinutes(5), new Dictionary<string, string?> { ["DOCKER_BUILDKIT"] = "0" },
            "build", "-p:CogImageName=" + Image, "-p:CogContainerEngine=docker");

        Assert.True(build.ExitCode != 0, build.ToString());
        BuildAssert.NoCrash(build);
        var error = Assert.Single(build.Errors);
        Assert.True(error.Code == "COG3011", build.ToString());
        Assert.Contains("'token'", error.Message);
        Assert.DoesNotContain("unknown flag", build.Output);
        Assert.DoesNotContain("--help", build.Output);
        Assert.Null(EngineCli.Docker.ImageId(Image));
    }

    [EngineFact]
    public void A_system_package_that_does_not_exist_is_COG3002_at_its_line()
    {
        string missing = "cogsdk-missing-" + Id;
        var model = NewModel("MissingApt", $"""
              python_version: "3.11"
              system_packages:
                - "jq"
                - "{missing}"
            """);

        var build = BuildImage(model);

        var error = BuildAssert.SingleErrorAt(build, "COG3002", BuildAssert.LineOf(File.ReadAllText(model.PathOf("cog.yaml")), missing));
        Assert.Contains(missing, error.Message);
        Assert.Null(Cli.ImageId(Image));
        Assert.False(File.Exists(model.PathOf("obj/cog/image.id")));
    }

    [EngineFact]
    public void A_failing_run_command_is_COG3004_at_its_line_with_its_exit_code_and_its_own_output()
    {
        var model = NewModel("FailingRun", """
              python_version: "3.11"
              run:
                - "echo first"
                - "echo about to fail $((6*7)) && exit 7"
                - "echo never"
            """);

        // At the default verbosity the engine's output is not in the log: the error quotes what the command printed.
        var build = model.Build("-p:CogImageName=" + Image);

        var error = BuildAssert.SingleErrorAt(build, "COG3004", BuildAssert.LineOf(File.ReadAllText(model.PathOf("cog.yaml")), "exit 7"));
        Assert.Contains("echo about to fail $((6*7)) && exit 7", error.Message);
        Assert.Contains("exit code 7", error.Message);
        Assert.Contains("about to fail 42", error.Message);
        Assert.Null(Cli.ImageId(Image));
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
        Assert.Null(Cli.ImageId(Image));
    }

    [Fact]
    public void An_engine_path_that_does_not_exist_is_COG1004()
    {
        var model = Sdk.NewProject("NoEngine").Write("cog.yaml", Yaml("  python_version: \"3.11\"\n")).Write("predict.py", Predictor);

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
        var model = Sdk.NewProject("NoDaemon").Write("cog.yaml", Yaml("  python_version: \"3.11\"\n")).Write("predict.py", Predictor);

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
        var model = Sdk.NewProject("GpuModel").Write("cog.yaml", GpuYaml).Write("predict.py", Predictor);

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
        Removes(Cli, Image);
        var model = Sdk.NewProject("GpuBuild").Write("cog.yaml", GpuYaml.Replace("predict:", $"environment:\n  - {Marker}\npredict:")).Write("predict.py", Predictor);

        var build = BuildImage(model);

        AssertSucceeded(build);
        var run = Cli.RunIn(Image, "python", "-c", "import sys, torch; print(sys.version_info[:2], torch.__version__)");
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Contains("(3, 11) 2.0.1+cu118", run.Out);
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
        var run = Cli.RunIn(Image, "find", "/src", "-type", "f");
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
        string dll = Directory.EnumerateFiles(Path.Combine(Sdk.Packages, "cog.sdk", Sdk.Version.ToLowerInvariant()), "Cog.Sdk.Core.dll", SearchOption.AllDirectories)
            .First(p => p.Replace('\\', '/').Contains("/tasks/net8.0/", StringComparison.Ordinal));
        return FileVersionInfo.GetVersionInfo(dll).ProductVersion!;
    }
}
