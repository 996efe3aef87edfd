namespace Cog.Sdk.Targets.Tests;

/// <summary>
/// CogPush and dotnet publish: where a push goes is checked before anything is built or the engine is asked. Every
/// build here names an engine that does not exist: an error that reached the engine would be COG1004.
/// </summary>
[Collection("in-process MSBuild")]
public class ShipTargetsTests
{
    private const string Predictor = "class Predictor:\n    def predict(self, text: str) -> str:\n        return text\n";
    private const string NoEngine = "/nonexistent/engine/docker";

    private static TestProject Model(string? image = null)
    {
        var project = new TestProject();
        project.Write("cog.yaml", "build:\n  python_version: \"3.11\"\npredict: \"predict.py:Predictor\"\n" + (image == null ? "" : $"image: \"{image}\"\n"))
            .Write("predict.py", Predictor);
        return project;
    }

    private static BuildRun Build(TestProject project, string target, Dictionary<string, string>? properties = null)
    {
        properties ??= new Dictionary<string, string>();
        properties["CogContainerEngine"] = NoEngine;
        return project.Build(new[] { target }, properties);
    }

    [Fact]
    public void Publishing_a_model_without_a_name_of_its_own_is_COG2310_at_cog_yaml()
    {
        using var project = Model();

        // As `dotnet publish` runs it: Build first, with _IsPublishing set.
        var run = Build(project, "Publish", new() { ["_IsPublishing"] = "true" });

        Assert.False(run.Succeeded);
        var error = Assert.Single(run.Log.Errors);
        Assert.Equal("COG2310", error.Code);
        Assert.Equal(Path.Combine(project.Directory, "cog.yaml"), error.File);
        Assert.Contains("r8.im/your-user/your-model", error.Message);
        Assert.DoesNotContain("CogBuildContainerImage", run.Log.TasksRun);
    }

    [Fact]
    public void An_image_in_cog_yaml_without_a_registry_is_COG2311_at_its_line()
    {
        using var project = Model("team/hotdog");

        var run = Build(project, "CogPush");

        var error = Assert.Single(run.Log.Errors);
        Assert.Equal("COG2311", error.Code);
        Assert.Equal(Path.Combine(project.Directory, "cog.yaml"), error.File);
        Assert.Equal(4, error.LineNumber);
        Assert.Contains("r8.im/your-user/hotdog", error.Message);
    }

    [Fact]
    public void A_CogImageName_without_a_registry_is_COG2311_and_a_bad_tag_COG2312()
    {
        using var project = Model();

        var noRegistry = Build(project, "CogPush", new() { ["CogImageName"] = "team/hotdog" });
        var badTag = Build(project, "CogPush", new() { ["CogImageName"] = "registry.example.com/team/hotdog", ["CogImageTags"] = "1.0;-dev" });

        Assert.Equal("COG2311", Assert.Single(noRegistry.Log.Errors).Code);
        var error = Assert.Single(badTag.Log.Errors);
        Assert.Equal("COG2312", error.Code);
        Assert.Contains("'-dev'", error.Message);
        Assert.DoesNotContain("CogBuildContainerImage", badTag.Log.TasksRun);
    }

    [Fact]
    public void A_name_that_cannot_be_pushed_is_COG2314_at_its_line_or_of_the_property_and_one_no_engine_takes_is_COG2300()
    {
        // A digest names content already pushed: nothing can be pushed to it. cog.yaml accepts it as an image to run.
        string digestName = "r8.im/someone/hotdog@sha256:" + new string('a', 64);
        using var digest = Model(digestName);
        using var digestProperty = Model();
        using var capitals = Model();

        var fromYaml = Build(digest, "CogPush");
        var fromProperty = Build(digestProperty, "CogPush", new() { ["CogImageName"] = digestName });
        var invalid = Build(capitals, "CogPush", new() { ["CogImageName"] = "r8.im/Someone/HotDog" });

        var error = Assert.Single(fromYaml.Log.Errors);
        Assert.Equal("COG2314", error.Code);
        Assert.Equal((Path.Combine(digest.Directory, "cog.yaml"), 4), (error.File, error.LineNumber));
        error = Assert.Single(fromProperty.Log.Errors);
        Assert.Equal("COG2314", error.Code);
        Assert.Contains("'" + digestName + "'", error.Message);
        // Capitals are no image name at all, for a build as for a push: the property is refused with the model's validation.
        error = Assert.Single(invalid.Log.Errors);
        Assert.Equal("COG2300", error.Code);
        Assert.Contains("'r8.im/Someone/HotDog'", error.Message);
        Assert.DoesNotContain("CogBuildContainerImage", fromYaml.Log.TasksRun.Concat(fromProperty.Log.TasksRun).Concat(invalid.Log.TasksRun));
    }

    [Fact]
    public void The_push_plan_holds_the_name_and_each_tag_once_however_the_list_was_written()
    {
        using var project = Model("r8.im/someone/hotdog");

        var run = project.Build(new[] { "_CogPlanPush" }, new Dictionary<string, string> { ["CogImageTags"] = "\"1.0, latest;ci-7 1.0\"" });

        Assert.True(run.Succeeded, run.ToString());
        Assert.Equal(new[] { "r8.im/someone/hotdog:latest", "r8.im/someone/hotdog:1.0", "r8.im/someone/hotdog:ci-7" },
            run.State!.GetItems("_CogPushReference").Select(i => i.EvaluatedInclude));
    }

    [Fact]
    public void A_model_that_is_not_publishable_publishes_nothing()
    {
        using var project = Model();

        var run = Build(project, "Publish", new() { ["IsPublishable"] = "false", ["CogBuildImage"] = "false" });

        Assert.True(run.Succeeded, run.ToString());
        Assert.DoesNotContain("CogPlanPush", run.Log.TasksRun);
    }

    [Fact]
    public void A_platform_that_is_not_one_is_COG2313()
    {
        using var project = Model();

        var run = Build(project, "Build", new() { ["CogPlatform"] = "amd64" });

        Assert.Contains(run.Log.Errors, e => e.Code == "COG2313");
        Assert.DoesNotContain(run.Log.Errors, e => e.Code.StartsWith("COG1", StringComparison.Ordinal));
    }
}
