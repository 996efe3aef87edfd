namespace Cog.Sdk.Targets.Tests;

/// <summary>The SDK's props/targets sandwich: defaults, hooks, the target graph, design-time builds.</summary>
[Collection("in-process MSBuild")]
public class SdkTargetsTests
{
    private const string CpuConfig = """
        build:
          python_version: "3.11"
          system_packages:
            - cowsay
        predict: "predict.py:Predictor"
        """;

    private const string Predictor = """
        from cog import BasePredictor

        class Predictor(BasePredictor):
            def predict(self, text: str) -> str:
                return text
        """;

    // Every default, pinned: (property, value the user sets or null, expected value).
    public static TheoryData<string, string?, string> Defaults => new()
    {
        { "UsingCogSdk", null, "true" },
        { "TargetFramework", null, "net10.0" },
        { "TargetFramework", "net8.0", "net8.0" },
        { "CogBuildImage", null, "true" },
        { "CogBuildImage", "false", "false" },
        { "CogContainerEngine", null, "auto" },
        { "CogContainerEngine", "podman", "podman" },
        { "CogNoCache", null, "false" },
        { "CogRuntime", null, "local" },
        { "CogRuntime", "pypi", "pypi" },
        { "CogGpus", null, "auto" },
        { "CogSetupTimeout", null, "300" },
        { "CogSetupTimeout", "20", "20" },
        { "CogPredictTimeout", null, "1800" },
        { "CogCheckInputsBeforeBuild", null, "true" },
        { "CogCheckInputsBeforeBuild", "false", "false" },
        { "CogHostPython", null, OperatingSystem.IsWindows() ? "python" : "python3" },
        { "CogHostPython", "/opt/python3.12/bin/python3", "/opt/python3.12/bin/python3" },
        { "CogServePort", null, "" },
        { "EnableDefaultCompileItems", null, "false" },
        { "DisableImplicitFrameworkReferences", null, "true" },
        { "IsPackable", null, "false" },
        { "IsPublishable", null, "true" },
        { "IsPublishable", "false", "false" },
        { "CogPlatform", null, "linux/amd64" },
        { "CogPlatform", "linux/arm64", "linux/arm64" },
    };

    [Theory]
    [MemberData(nameof(Defaults))]
    public void A_default_applies_only_when_the_user_set_nothing(string property, string? userValue, string expected)
    {
        using var project = new TestProject(userValue is null ? null : $"<PropertyGroup><{property}>{userValue}</{property}></PropertyGroup>");
        var evaluated = project.Evaluate();
        Assert.Equal(expected, evaluated.GetPropertyValue(property));
    }

    [Fact]
    public void Paths_default_under_the_project_and_obj()
    {
        using var project = new TestProject();
        var evaluated = project.Evaluate();
        Assert.Equal(Path.Combine(project.Directory, "cog.yaml"), evaluated.GetPropertyValue("CogConfigFile"));
        Assert.Equal(Path.Combine(project.Directory, "obj", "cog") + Path.DirectorySeparatorChar, evaluated.GetPropertyValue("CogIntermediateDirectory"));
        Assert.Equal(Path.Combine(project.Directory, "obj", "cog", "Dockerfile"), evaluated.GetPropertyValue("CogDockerfile"));
        Assert.StartsWith(Path.Combine(project.Directory, "bin"), evaluated.GetPropertyValue("CogOutputDirectory"));
        Assert.StartsWith(Path.Combine(project.Directory, "bin"), evaluated.GetPropertyValue("CogTrainOutputDirectory"));
        Assert.EndsWith("cog-train-output" + Path.DirectorySeparatorChar, evaluated.GetPropertyValue("CogTrainOutputDirectory"));
    }

    [Fact]
    public void A_project_with_TargetFrameworks_keeps_them()
    {
        using var project = new TestProject("<PropertyGroup><TargetFrameworks>net8.0;net10.0</TargetFrameworks></PropertyGroup>");
        var evaluated = project.Evaluate();
        Assert.Equal("", evaluated.GetPropertyValue("TargetFramework"));
        Assert.Equal("net8.0;net10.0", evaluated.GetPropertyValue("TargetFrameworks"));
    }

    [Fact]
    public void A_project_with_several_TargetFrameworks_builds_its_model_once_in_the_outer_build()
    {
        using var project = new TestProject("<PropertyGroup><TargetFrameworks>net8.0;net10.0</TargetFrameworks></PropertyGroup>");
        project.Write("cog.yaml", CpuConfig).Write("predict.py", Predictor);
        var run = project.Build(new[] { "Build" }, new Dictionary<string, string> { ["CogBuildImage"] = "false" });
        Assert.True(run.Succeeded, run.ToString());
        Assert.True(File.Exists(Path.Combine(project.Directory, "obj", "cog", "Dockerfile")), run.ToString());
        Assert.Single(run.Log.TasksRun, t => t == "CogWriteDockerfile");
    }

    [Fact]
    public void The_DependsOn_properties_carry_their_defaults_and_take_additions()
    {
        using var project = new TestProject("<PropertyGroup><CogBuildDependsOn>MyStep</CogBuildDependsOn></PropertyGroup>");
        var evaluated = project.Evaluate();
        Assert.Equal(new[] { "CogValidate", "CogGenerateDockerfile", "CogContainerBuild", "CogSaveImage", "MyStep" },
            evaluated.GetPropertyValue("CogBuildDependsOn").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("_CogResolveModel", evaluated.GetPropertyValue("CogValidateDependsOn").Trim());
        string[] Steps(string property) => evaluated.GetPropertyValue(property).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(new[] { "_CogCheckPredictionInputs", "_CogBuildForPrediction" }, Steps("CogPredictDependsOn"));
        Assert.Equal(new[] { "_CogCheckTrainingInputs", "CogBuild" }, Steps("CogTrainDependsOn"));
        Assert.Equal(new[] { "CogBuild" }, Steps("CogServeDependsOn"));
        Assert.Equal(new[] { "CogBuild" }, Steps("CogRunDependsOn"));
        Assert.Empty(Steps("CogStopDependsOn"));
        Assert.Contains("CogModel", evaluated.GetItems("ProjectCapability").Select(i => i.EvaluatedInclude));
    }

    [Fact]
    public void Custom_before_and_after_hooks_are_imported()
    {
        using var project = new TestProject();
        string marker = Guid.NewGuid().ToString("N");
        project.Write("before.props", "<Project><PropertyGroup><CogContainerEngine>podman</CogContainerEngine></PropertyGroup></Project>");
        project.Write("after.targets", $"<Project><PropertyGroup><CogHookMarker>{marker}</CogHookMarker></PropertyGroup></Project>");
        var evaluated = project.Evaluate(new Dictionary<string, string>
        {
            ["CustomBeforeCogProps"] = Path.Combine(project.Directory, "before.props"),
            ["CustomAfterCogTargets"] = Path.Combine(project.Directory, "after.targets"),
        });
        Assert.Equal("podman", evaluated.GetPropertyValue("CogContainerEngine"));
        Assert.Equal(marker, evaluated.GetPropertyValue("CogHookMarker"));
    }

    [Fact]
    public void CogValidate_publishes_what_it_resolves()
    {
        using var project = new TestProject();
        project.Write("cog.yaml", CpuConfig).Write("predict.py", Predictor);
        var run = project.Build(new[] { "CogValidate" }, restore: false);
        Assert.True(run.Succeeded, run.ToString());
        Assert.Equal("3.11", run.Property("CogPythonVersion"));
        Assert.Equal("false", run.Property("CogGpu"));
        Assert.Equal("cog-hotdog-detector", run.Property("CogImageName"));
        Assert.Equal("predict.py:Predictor", run.Property("CogPredictor"));
        Assert.Equal("python:3.11-slim", run.Property("CogBaseImage"));
        Assert.Equal("Current", run.Property("CogConfigForm"));
    }

    [Fact]
    public void CogImageName_and_CogBaseImage_set_by_the_user_win()
    {
        using var project = new TestProject();
        project.Write("cog.yaml", CpuConfig).Write("predict.py", Predictor);
        var run = project.Build(new[] { "CogValidate" }, new Dictionary<string, string>
        {
            ["CogImageName"] = "registry.example.com/team/hotdog:1",
            ["CogBaseImage"] = "example.com/base/python:3.11",
        }, restore: false);
        Assert.True(run.Succeeded, run.ToString());
        Assert.Equal("registry.example.com/team/hotdog:1", run.Property("CogImageName"));
        Assert.Equal("example.com/base/python:3.11", run.Property("CogBaseImage"));
    }

    [Fact]
    public void A_design_time_build_succeeds_and_never_reaches_the_engine()
    {
        using var project = new TestProject();
        project.Write("cog.yaml", CpuConfig).Write("predict.py", Predictor);
        var run = project.Build(new[] { "Build" }, new Dictionary<string, string>
        {
            ["DesignTimeBuild"] = "true",
            ["CogContainerEngine"] = "/nonexistent/engine/docker",
        });
        Assert.True(run.Succeeded, run.ToString());
        Assert.DoesNotContain(run.Log.Errors, e => e.Code.StartsWith("COG1", StringComparison.Ordinal));
        Assert.Empty(run.Log.Errors);
    }

    /// <summary>The global properties Visual Studio's and Rider's design-time builds set (dotnet/project-system docs).</summary>
    public static TheoryData<string> DesignTimeHosts => new() { "VisualStudio", "Rider" };

    [Theory]
    [MemberData(nameof(DesignTimeHosts))]
    public void An_IDE_design_time_build_runs_its_targets_validates_and_never_reaches_the_engine(string host)
    {
        using var project = new TestProject();
        project.Write("cog.yaml", CpuConfig).Write("predict.py", Predictor);
        var properties = new Dictionary<string, string>
        {
            ["DesignTimeBuild"] = "true",
            ["SkipCompilerExecution"] = "true",
            ["ProvideCommandLineArgs"] = "true",
            ["BuildProjectReferences"] = "false",
            ["CogContainerEngine"] = "/nonexistent/engine/docker",
        };
        properties[host == "Rider" ? "BuildingByReSharper" : "BuildingInsideVisualStudio"] = "true";

        var run = project.Build(new[] { "CollectPackageReferences", "ResolveAssemblyReferencesDesignTime", "ResolveProjectReferencesDesignTime", "CompileDesignTime", "Build" }, properties);

        Assert.True(run.Succeeded, run.ToString());
        Assert.Empty(run.Log.Errors);
        Assert.Contains("CogReadModel", run.Log.TasksRun);
        Assert.DoesNotContain(run.Log.TasksRun, t => t is "CogCheckImage" or "CogBuildContainerImage" or "CogCollectBuildContext");
    }

    [Fact]
    public void The_model_files_are_in_the_project_tree_and_the_run_targets_exist()
    {
        using var project = new TestProject();
        project.Write("cog.yaml", CpuConfig).Write("predict.py", Predictor).Write("requirements.txt", "numpy==1.26.4\n")
            .Write("lib/util.py", "").Write("obj/cog/Dockerfile", "FROM x").Write("bin/Debug/out.txt", "");
        var evaluated = project.Evaluate();

        var tree = evaluated.GetItems("None").Select(i => i.EvaluatedInclude.Replace('\\', '/')).ToList();
        Assert.Contains("cog.yaml", tree);
        Assert.Contains("predict.py", tree);
        Assert.Contains("requirements.txt", tree);
        Assert.Contains("lib/util.py", tree);
        Assert.DoesNotContain(tree, i => i.StartsWith("obj/", StringComparison.Ordinal) || i.StartsWith("bin/", StringComparison.Ordinal));
        foreach (string target in new[] { "CogValidate", "CogGenerateDockerfile", "CogBuild", "CogPredict", "CogRun" })
        {
            Assert.True(evaluated.Targets.ContainsKey(target), target);
        }
    }

    [Fact]
    public void CogBuildImage_false_stops_after_the_Dockerfile()
    {
        using var project = new TestProject();
        project.Write("cog.yaml", CpuConfig).Write("predict.py", Predictor);
        var run = project.Build(new[] { "Build" }, new Dictionary<string, string>
        {
            ["CogBuildImage"] = "false",
            ["CogContainerEngine"] = "/nonexistent/engine/docker",
        });
        Assert.True(run.Succeeded, run.ToString());
        string dockerfile = Path.Combine(project.Directory, "obj", "cog", "Dockerfile");
        Assert.True(File.Exists(dockerfile), run.ToString());
        Assert.Contains("FROM python:3.11-slim", File.ReadAllText(dockerfile));
        Assert.Equal(dockerfile, run.Property("CogDockerfile"));
        Assert.False(Directory.Exists(Path.Combine(project.Directory, "bin", "Debug", "net10.0", "cog-output")));
    }

    [Fact]
    public void Errors_are_located_in_cog_yaml()
    {
        using var project = new TestProject();
        project.Write("cog.yaml", "build:\n  python_version: \"3.11\"\n  gpus: true\npredict: \"predict.py:Predictor\"\n").Write("predict.py", Predictor);
        var run = project.Build(new[] { "CogValidate" }, restore: false);
        Assert.False(run.Succeeded);
        var error = Assert.Single(run.Log.Errors);
        Assert.Equal(Path.Combine(project.Directory, "cog.yaml"), error.File);
        Assert.Equal(3, error.LineNumber);
        Assert.Equal(3, error.ColumnNumber);
        Assert.StartsWith("COG2", error.Code);
        Assert.Contains("gpu", error.Message);
    }

    [Fact]
    public void A_damaged_model_file_in_obj_is_COG3901_removed_and_made_again_by_the_next_build()
    {
        using var project = new TestProject();
        project.Write("cog.yaml", CpuConfig).Write("predict.py", Predictor);
        string model = Path.Combine(project.Directory, "obj", "cog", "model.json");
        Assert.True(project.Build(new[] { "CogValidate" }, restore: false).Succeeded);

        // Newer than cog.yaml, so the resolution that wrote it is up to date: only reading it finds the damage.
        File.WriteAllText(model, "{\"Config\": ");
        var damaged = project.Build(new[] { "CogValidate" }, restore: false);
        var next = project.Build(new[] { "CogValidate" }, restore: false);

        Assert.False(damaged.Succeeded);
        var error = Assert.Single(damaged.Log.Errors);
        Assert.Equal("COG3901", error.Code);
        Assert.Contains(model, error.Message);
        Assert.True(next.Succeeded, next.ToString());
        Assert.Equal("python:3.11-slim", next.Property("CogBaseImage"));
    }

    [Fact]
    public void A_damaged_Dockerfile_model_is_COG3901_before_the_engine_is_asked_and_is_written_again_by_the_next_build()
    {
        using var project = new TestProject();
        project.Write("cog.yaml", CpuConfig).Write("predict.py", Predictor);
        var noEngine = new Dictionary<string, string> { ["CogContainerEngine"] = "/nonexistent/engine/docker" };
        Assert.True(project.Build(new[] { "CogGenerateDockerfile" }, noEngine, restore: false).Succeeded);
        string dockerfileModel = Path.Combine(project.Directory, "obj", "cog", "Dockerfile.json");
        string written = File.ReadAllText(dockerfileModel);

        // Damaged, but not newer than the list of written files: the step that writes it sees nothing to do.
        DateTime before = File.GetLastWriteTimeUtc(dockerfileModel);
        File.WriteAllText(dockerfileModel, "{\"Text\": ");
        File.SetLastWriteTimeUtc(dockerfileModel, before);
        var damaged = project.Build(new[] { "CogContainerBuild" }, noEngine, restore: false);
        bool removed = !File.Exists(dockerfileModel);
        var next = project.Build(new[] { "CogGenerateDockerfile" }, noEngine, restore: false);

        var error = Assert.Single(damaged.Log.Errors);
        Assert.Equal("COG3901", error.Code);
        Assert.Contains(dockerfileModel, error.Message);
        Assert.True(removed, "the damaged file was kept");
        Assert.True(next.Succeeded, next.ToString());
        Assert.Equal(written, File.ReadAllText(dockerfileModel));
    }

    [Fact]
    public void The_fast_up_to_date_check_sees_every_model_file_and_a_marker_each_build_touches()
    {
        using var project = new TestProject();
        project.Write("cog.yaml", CpuConfig).Write("predict.py", Predictor).Write("weights/model.bin", "w").Write("obj/stale.txt", "x");
        var evaluated = project.Evaluate();
        var inputs = evaluated.GetItems("UpToDateCheckInput").Select(i => i.EvaluatedInclude.Replace('\\', '/')).ToList();
        Assert.Contains("weights/model.bin", inputs);
        Assert.Contains("predict.py", inputs);
        Assert.DoesNotContain(inputs, i => i.StartsWith("obj/", StringComparison.Ordinal));
        string marker = Path.Combine(project.Directory, "obj", "cog", "build.marker");
        Assert.Equal(marker, Assert.Single(evaluated.GetItems("UpToDateCheckBuilt")).EvaluatedInclude);

        var run = project.Build(new[] { "Build" }, new Dictionary<string, string> { ["CogBuildImage"] = "false" });
        Assert.True(run.Succeeded, run.ToString());
        Assert.True(File.Exists(marker));
        Assert.True(File.GetLastWriteTimeUtc(marker) >= File.GetLastWriteTimeUtc(Path.Combine(project.Directory, "predict.py")));
    }
}
