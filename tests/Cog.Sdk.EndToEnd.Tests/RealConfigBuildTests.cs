using Cog.Sdk.Testing;

namespace Cog.Sdk.EndToEnd.Tests;

/// <summary>
/// Real images of real-world configurations: a second Python version, and a wheel of the project itself named in
/// requirements.txt, each built by the engine and asked for a prediction through CogPredict.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public sealed class RealConfigBuildTests : ContainerTestBase
{
    private const string VersionModel = """
        import sys
        from cog import BasePredictor

        class Predictor(BasePredictor):
            def predict(self, text: str) -> str:
                return "%s on Python %d.%d" % (text, sys.version_info[0], sys.version_info[1])
        """;

    private const string GreetingModel = """
        from cog import BasePredictor
        from cogsdk_greeting import greet

        class Predictor(BasePredictor):
            def predict(self, name: str) -> str:
                return greet(name)
        """;

    public RealConfigBuildTests(PackedSdk sdk)
        : base(sdk, "realconfig")
    {
    }

    [EngineFact]
    public void A_model_on_Python_3_13_builds_and_predicts()
    {
        var (model, image) = NewModel("Python313", "build:\n  python_version: \"3.13\"\npredict: \"predict.py:Predictor\"\n", VersionModel);

        var result = Msbuild(model, image, "CogPredict", "-p:CogInput=text=hello");

        AssertSucceeded(result);
        Assert.Contains("hello on Python 3.13", result.Output);
        Assert.Contains("FROM python:3.13-slim", File.ReadAllText(model.PathOf("obj/cog/Dockerfile")));
        AssertNoContainerLeft(image);
    }

    [EngineFact]
    public void A_wheel_of_the_project_named_in_requirements_is_staged_installed_and_imported()
    {
        var (model, image) = NewModel("LocalWheel",
            "build:\n  python_version: \"3.11\"\n  python_requirements: requirements.txt\npredict: \"predict.py:Predictor\"\n", GreetingModel);
        model.Write("requirements.txt", "./wheels/cogsdk_greeting-1.0.0-py3-none-any.whl\n");
        Directory.CreateDirectory(model.PathOf("wheels"));
        File.WriteAllBytes(model.PathOf("wheels/cogsdk_greeting-1.0.0-py3-none-any.whl"), LocalPackageIndex.MakeWheel());

        // A .dockerignore that leaves the wheels out of the model's files: the staged copy is still installed, as in Cog.
        model.Write(".dockerignore", "wheels/\n");
        var result = Msbuild(model, image, "CogPredict", "-p:CogInput=name=corpus");

        AssertSucceeded(result);
        Assert.Contains("greetings, corpus", result.Output);
        Assert.Equal("/tmp/local_packages/wheels/cogsdk_greeting-1.0.0-py3-none-any.whl\n",
            File.ReadAllText(model.PathOf("obj/cog/context/cog/requirements.txt")));
        AssertNoContainerLeft(image);
    }
}
