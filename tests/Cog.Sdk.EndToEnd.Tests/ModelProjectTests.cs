namespace Cog.Sdk.EndToEnd.Tests;

/// <summary>A model project is an ordinary project: restore, build, msbuild, clean, design-time builds.</summary>
[Collection(PackedSdkCollection.Name)]
public class ModelProjectTests
{
    // The example at the top of the original cog.yaml reference, word for word.
    internal const string OriginalExample = """
        environment:
          python_version: "3.8"
          python_packages:
            - pytorch==1.4.0
          system_packages:
            - "ffmpeg"
            - "libavcodec-dev"
        model: "model.py:JazzSoloComposerModel"
        """;

    internal const string JazzModel = """
        import cog

        class JazzSoloComposerModel(cog.Model):
            def setup(self):
                pass

            @cog.input("bars", type=int, default=4)
            def predict(self, bars):
                return "C D E F " * bars
        """;

    private readonly PackedSdk _sdk;

    public ModelProjectTests(PackedSdk sdk) => _sdk = sdk;

    [Fact]
    public void The_original_reference_example_builds_and_writes_its_Dockerfile()
    {
        var model = _sdk.NewProject("JazzSoloComposer").Write("cog.yaml", OriginalExample).Write("model.py", JazzModel);

        var build = model.Build("-p:CogBuildImage=false");

        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Empty(build.Errors);
        Assert.DoesNotContain("MSB4018", build.Output);
        string dockerfile = File.ReadAllText(model.PathOf("obj/cog/Dockerfile"));
        Assert.Contains("python:3.8", dockerfile);
        Assert.Contains("ffmpeg", dockerfile);
        Assert.Contains("libavcodec-dev", dockerfile);
        Assert.Contains("model.py:JazzSoloComposerModel", dockerfile);
        // No assembly: the product of a model project is its image.
        Assert.Empty(Directory.GetFiles(model.Directory, "*.dll", SearchOption.AllDirectories));
    }

    [Fact]
    public void Restore_msbuild_and_clean_work_like_any_project()
    {
        var model = _sdk.NewProject("Restorable").Write("cog.yaml", OriginalExample).Write("model.py", JazzModel);

        var restore = model.Dotnet("restore", model.ProjectFile);
        Assert.True(restore.ExitCode == 0, restore.ToString());

        var validate = model.Dotnet("msbuild", "-t:CogValidate", "-getProperty:CogImageName", "-getProperty:CogPythonVersion", "-getProperty:CogPredictor");
        Assert.True(validate.ExitCode == 0, validate.ToString());
        Assert.Contains("\"CogImageName\": \"cog-restorable\"", validate.Output);
        Assert.Contains("\"CogPythonVersion\": \"3.8\"", validate.Output);
        Assert.Contains("\"CogPredictor\": \"model.py:JazzSoloComposerModel\"", validate.Output);

        var build = model.Build("-p:CogBuildImage=false");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.True(File.Exists(model.PathOf("obj/cog/Dockerfile")));

        var clean = model.Dotnet("clean");
        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.False(File.Exists(model.PathOf("obj/cog/Dockerfile")), "dotnet clean leaves the generated Dockerfile behind");
    }

    [Fact]
    public void The_version_can_come_from_global_json()
    {
        var model = _sdk.NewProject("Pinned", "<Project Sdk=\"Cog.Sdk\" />\n")
            .Write("cog.yaml", OriginalExample).Write("model.py", JazzModel)
            .Write("global.json", $$"""{ "msbuild-sdks": { "Cog.Sdk": "{{_sdk.Version}}" } }""");

        var build = model.Build("-p:CogBuildImage=false");

        Assert.True(build.ExitCode == 0, build.ToString());
    }

    [Fact]
    public void A_design_time_build_succeeds_without_touching_the_engine()
    {
        var model = _sdk.NewProject("DesignTime").Write("cog.yaml", OriginalExample).Write("model.py", JazzModel);

        var build = model.Build("-p:DesignTimeBuild=true", "-p:CogContainerEngine=/nonexistent/docker");

        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.DoesNotContain(build.Diagnostics, d => d.Code.StartsWith("COG1", StringComparison.Ordinal));
    }
}
