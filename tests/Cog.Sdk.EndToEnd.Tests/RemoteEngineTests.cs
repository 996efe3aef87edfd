using Cog.Sdk.Testing;

namespace Cog.Sdk.EndToEnd.Tests;

/// <summary>
/// A model built, pushed and run on another engine than the machine's own, chosen as the docker CLI chooses it:
/// DOCKER_HOST=tcp://..., DOCKER_CONTEXT, or the context `docker context use` made current. The other engine is a
/// second dockerd of the test's own (<see cref="SecondEngine"/>); the proof that nothing went to the machine's engine is
/// that it never had the image and never created a container for it, while the second one did both.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public sealed class RemoteEngineTests : ContainerTestBase, IClassFixture<SecondEngine>
{
    private readonly SecondEngine _engine;

    public RemoteEngineTests(PackedSdk sdk, SecondEngine engine)
        : base(sdk, "remote")
    {
        _engine = engine;
    }

    [SecondEngineFact]
    public void Over_DOCKER_HOST_tcp_the_build_the_push_and_the_prediction_all_go_to_that_engine()
    {
        using var registry = TestRegistry.Open();
        var (model, local) = NewModel("OverTcp", PredictTests.CurrentStyleYaml, ShipTests.Greeter);
        string image = registry.Host + "/" + local;
        var environment = new Dictionary<string, string?> { ["DOCKER_HOST"] = _engine.Host };
        DateTime started = DateTime.UtcNow;

        BuildBuildPushPredict(model, image, environment, registry);

        AssertOnlyTheSecondEngineSawIt(image, started);
    }

    [SecondEngineFact]
    public void Through_a_docker_context_chosen_by_DOCKER_CONTEXT_or_by_docker_context_use_everything_goes_to_its_engine()
    {
        using var registry = TestRegistry.Open();
        var (model, local) = NewModel("InContext", PredictTests.CurrentStyleYaml, ShipTests.Greeter);
        string image = registry.Host + "/" + local;
        DateTime started = DateTime.UtcNow;

        BuildBuildPushPredict(model, image, new Dictionary<string, string?> { ["DOCKER_CONFIG"] = _engine.DockerConfig, ["DOCKER_CONTEXT"] = _engine.ContextName }, registry);

        // `docker context use` writes the context into the CLI's config.json; Cog.Sdk follows it as the CLI does.
        var use = TestEngine.Run("--config", _engine.DockerConfig, "context", "use", _engine.ContextName);
        Assert.True(use.ExitCode == 0, use.Err);
        try
        {
            var predicted = model.DotnetWithEnvironment(TimeSpan.FromMinutes(5), new Dictionary<string, string?> { ["DOCKER_CONFIG"] = _engine.DockerConfig },
                "msbuild", "-restore", "-t:CogPredict", "-p:CogImageName=" + image, "-p:CogInput=text=current", "-p:CogOutput=bin/out/");
            AssertSucceeded(predicted);
            Assert.Equal("hello current", File.ReadAllText(model.PathOf("bin/out/output.txt")).Trim());
        }
        finally
        {
            TestEngine.Run("--config", _engine.DockerConfig, "context", "use", "default");
        }

        AssertOnlyTheSecondEngineSawIt(image, started);
    }

    [SecondEngineFact]
    public void An_archive_of_the_image_loads_into_an_engine_that_never_saw_it_and_predicts_there()
    {
        var (model, image) = NewModel("Archived", PredictTests.CurrentStyleYaml, ShipTests.Greeter);
        string archive = model.PathOf("artifacts/model.tar");

        AssertSucceeded(Msbuild(model, image, "Build", "-p:CogImageArchive=artifacts/model.tar"));

        string? built = EngineCli.Docker.ImageId(image);
        Assert.NotNull(built);
        Assert.True(File.Exists(archive), "no archive at " + archive);
        DateTime written = File.GetLastWriteTimeUtc(archive);
        AssertSucceeded(Msbuild(model, image, "Build", "-p:CogImageArchive=artifacts/model.tar"));
        Assert.Equal(written, File.GetLastWriteTimeUtc(archive)); // the image did not change: nor does the archive

        Assert.Null(_engine.ImageId(image));
        var load = _engine.Run("load", "-i", archive);
        Assert.True(load.ExitCode == 0, load.Err);
        Assert.Equal(built, _engine.ImageId(image));
        DateTime started = DateTime.UtcNow;

        var predicted = model.DotnetWithEnvironment(TimeSpan.FromMinutes(5), new Dictionary<string, string?> { ["DOCKER_HOST"] = _engine.Host },
            "msbuild", "-restore", "-t:CogPredict", "-p:CogImageName=" + image, "-p:CogBuildImage=false", "-p:CogInput=text=archive", "-p:CogOutput=bin/out/");

        AssertSucceeded(predicted);
        Assert.Equal("hello archive", File.ReadAllText(model.PathOf("bin/out/output.txt")).Trim());
        Assert.Equal(built, _engine.ImageId(image)); // run as loaded, not built again there
        Assert.Contains(_engine.ContainersCreatedSince(started), n => n.StartsWith("cog-predict-", StringComparison.Ordinal));
    }

    [SecondEngineFact]
    public void CogBuilder_builds_with_that_buildx_builder_and_one_that_cannot_is_coded()
    {
        var (model, image) = NewModel("Builders", PredictTests.CurrentStyleYaml, ShipTests.Greeter);

        AssertError(Msbuild(model, image, "Build", "-p:CogBuilder=cogtest-no-such-builder"), "COG1015");
        AssertError(Msbuild(model, image, "Build", "-p:CogBuilder=" + _engine.ContextName, "-p:CogContainerEngine=podman"), "COG1016");
        Assert.Null(EngineCli.Docker.ImageId(image));

        // The builder buildx keeps for the context: it builds on that context's engine, and --load leaves the image there.
        var environment = new Dictionary<string, string?> { ["DOCKER_CONFIG"] = _engine.DockerConfig, ["DOCKER_CONTEXT"] = _engine.ContextName };
        var built = model.DotnetWithEnvironment(TimeSpan.FromMinutes(10), environment, "build", "-p:CogImageName=" + image, "-p:CogBuilder=" + _engine.ContextName, "-v:n");

        AssertSucceeded(built);
        Assert.Contains("--builder " + _engine.ContextName + " ", built.Output); // the build command line, at -v:n
        Assert.Equal(File.ReadAllText(model.PathOf("obj/cog/image.id")).Trim(), _engine.ImageId(image));
        Assert.Null(EngineCli.Docker.ImageId(image));
    }

    /// <summary>dotnet build, CogPredict and CogPush in <paramref name="environment"/>, each checked where it went.</summary>
    private void BuildBuildPushPredict(ModelProject model, string image, IDictionary<string, string?> environment, TestRegistry registry)
    {
        BuildOutput Run(params string[] args) => model.DotnetWithEnvironment(TimeSpan.FromMinutes(10), environment, args);

        AssertSucceeded(Run("build", "-p:CogImageName=" + image));
        string builtId = File.ReadAllText(model.PathOf("obj/cog/image.id")).Trim();
        Assert.Equal(builtId, _engine.ImageId(image));

        // The output goes under bin/, outside the build context: a file written into the model folder would be an edit.
        var predicted = Run("msbuild", "-restore", "-t:CogPredict", "-p:CogImageName=" + image, "-p:CogInput=text=remote", "-p:CogOutput=bin/out/");
        AssertSucceeded(predicted);
        Assert.Equal("hello remote", File.ReadAllText(model.PathOf("bin/out/output.txt")).Trim());

        var pushed = Run("msbuild", "-restore", "-t:CogPush", "-p:CogImageName=" + image, "-getProperty:CogImageDigest");
        Assert.True(pushed.ExitCode == 0, pushed.ToString());
        string digest = pushed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Last(); // -getProperty of one property prints its value
        string repository = image[(registry.Host.Length + 1)..];
        Assert.True(registry.ManifestDigest(repository, "latest") == digest, $"the registry serves {registry.ManifestDigest(repository, "latest")}:\n{pushed}\n{string.Join("\n", registry.Requests())}");
        Assert.Equal(builtId, _engine.ImageId(image)); // pushed as built, not built again
    }

    private void AssertOnlyTheSecondEngineSawIt(string image, DateTime since)
    {
        Assert.Null(EngineCli.Docker.ImageId(image));
        Assert.Empty(ContainersCreatedSince(image[(image.LastIndexOf('/') + 1)..], since)); // containers are named after the last part
        var created = _engine.ContainersCreatedSince(since);
        Assert.Contains(created, n => n.StartsWith("cog-predict-", StringComparison.Ordinal));
        Assert.Contains(created, n => n.StartsWith("cog-labels-", StringComparison.Ordinal));
    }
}
