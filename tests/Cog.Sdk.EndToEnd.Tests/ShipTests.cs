using System.Text.Json;
using Cog.Sdk.Testing;

namespace Cog.Sdk.EndToEnd.Tests;

/// <summary>
/// `dotnet publish` and `-t:CogPush` against real registries of the test's own (docker-registry on 127.0.0.1): the tags
/// the registry ends up with, the digest it serves them under, what a second push sends (its access log), refusals,
/// and the engine's own login as the only source of credentials.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public sealed class ShipTests : ContainerTestBase
{
    internal const string Greeter = """
        from cog import BasePredictor

        class Predictor(BasePredictor):
            def predict(self, text: str) -> str:
                return "hello " + text
        """;

    private readonly List<string> _registryImages = new();

    public ShipTests(PackedSdk sdk)
        : base(sdk, "ship")
    {
    }

    public override void Dispose()
    {
        if (TestEngine.Available)
        {
            foreach (string image in _registryImages)
            {
                TestEngine.Run("image", "rm", "-f", image);
            }
        }

        base.Dispose();
    }

    [RegistryFact]
    public void Dotnet_publish_pushes_the_image_and_its_tags_reports_the_digest_the_registry_serves_and_a_second_push_uploads_nothing()
    {
        using var registry = TestRegistry.Open();
        var (model, repository) = NewModel("Published", PredictTests.CurrentStyleYaml, Greeter);
        string image = Track(registry.Host + "/" + repository);

        // What bash passes for '-p:CogImageTags="1.0;ci-7"' (PowerShell 7.3+ and cmd's \"...\" pass the same).
        var published = Publish(model, null, "-p:CogImageName=" + image, "-p:CogImageTags=\"1.0;ci-7\"");

        string digest = Digest(published);
        Assert.Equal(new[] { "1.0", "ci-7", "latest" }, registry.Tags(repository));
        Assert.All(new[] { "latest", "1.0", "ci-7" }, tag => Assert.Equal(digest, registry.ManifestDigest(repository, tag)));
        Assert.Equal(new[] { image + ":latest", image + ":1.0", image + ":ci-7" }, PushedImages(published).Select(p => p.Reference));
        Assert.All(PushedImages(published), p => Assert.Equal(digest, p.Digest));
        Assert.NotEmpty(TestRegistry.Uploads(registry.Requests()));
        string built = File.ReadAllText(model.PathOf("obj/cog/image.id")).Trim();

        int before = registry.Requests().Count;
        var again = Publish(model, null, "-p:CogImageName=" + image);

        Assert.Equal(digest, Digest(again));
        var second = registry.Requests().Skip(before).ToList();
        Assert.Empty(TestRegistry.Uploads(second));
        Assert.Contains($"PUT /v2/{repository}/manifests/latest", second);
        Assert.Equal(built, File.ReadAllText(model.PathOf("obj/cog/image.id")).Trim());

        // Pulled back, the registry's image is the one built here.
        Assert.Equal(0, TestEngine.Run("image", "rm", image).ExitCode);
        var pulled = TestEngine.Run("pull", Track(image + ":ci-7"));
        Assert.True(pulled.ExitCode == 0, pulled.Err);
        Assert.Equal(built, EngineCli.Docker.ImageId(image + ":ci-7"));
        Assert.Contains(image + "@" + digest, TestEngine.Run("image", "inspect", "--format", "{{json .RepoDigests}}", image + ":ci-7").Out);
    }

    [RegistryFact]
    public void Tags_reach_the_registry_as_every_shell_and_CI_system_can_pass_them()
    {
        using var registry = TestRegistry.Open();
        var (model, repository) = NewModel("Tagged", PredictTests.CurrentStyleYaml, Greeter);
        string image = Track(registry.Host + "/" + repository);
        AssertSucceeded(model.Build("-p:CogImageName=" + image));

        // %3B is MSBuild's escape for ';': every shell passes it unchanged, and a batch file writes it %%3B.
        Push(model, image, null, "-p:CogImageTags=2.0%3Bnightly");
        // A CI system's environment variable: MSBuild reads it as a property, and no shell splits it.
        Push(model, image, new Dictionary<string, string?> { ["CogImageTags"] = "3.0;edge" });

        Assert.Equal(new[] { "2.0", "3.0", "edge", "latest", "nightly" }, registry.Tags(repository));
        Assert.Single(new[] { "2.0", "3.0", "edge", "latest", "nightly" }.Select(tag => registry.ManifestDigest(repository, tag)).Distinct());
    }

    [RegistryFact]
    public void A_registry_that_wants_a_login_refuses_with_its_code_until_the_engine_logs_in_and_no_credential_reaches_the_log()
    {
        using var registry = TestRegistry.WithLogin();
        var (model, repository) = NewModel("LoggedIn", PredictTests.CurrentStyleYaml, Greeter);
        string image = Track(registry.Host + "/" + repository);
        string config = Path.Combine(Sdk.NewFolder("docker-config"), "config");
        Directory.CreateDirectory(config);
        var withConfig = new Dictionary<string, string?> { ["DOCKER_CONFIG"] = config };
        AssertSucceeded(model.Build("-p:CogImageName=" + image));

        var refused = model.DotnetWithEnvironment(TimeSpan.FromMinutes(5), withConfig, "msbuild", "-restore", "-t:CogPush", "-p:CogImageName=" + image);

        AssertError(refused, "COG1010");
        Assert.Empty(registry.Tags(repository));
        var login = TestEngine.Run("--config", config, "login", registry.Host, "--username", TestRegistry.User, "--password", TestRegistry.Password);
        Assert.True(login.ExitCode == 0, login.Err);

        var pushed = model.DotnetWithEnvironment(TimeSpan.FromMinutes(5), withConfig, "msbuild", "-restore", "-t:CogPush", "-p:CogImageName=" + image, "-v:diag");

        AssertSucceeded(pushed);
        Assert.Equal(new[] { "latest" }, registry.Tags(repository));
        Assert.DoesNotContain(TestRegistry.Password, pushed.Output);
    }

    private string Track(string image)
    {
        _registryImages.Add(image);
        return image;
    }

    private static BuildOutput Publish(ModelProject model, IDictionary<string, string?>? environment, params string[] args)
    {
        var result = model.DotnetWithEnvironment(TimeSpan.FromMinutes(10), environment,
            new[] { "publish" }.Concat(args).Concat(new[] { "-getProperty:CogImageDigest", "-getItem:CogPushedImage" }).ToArray());
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    private static void Push(ModelProject model, string image, IDictionary<string, string?>? environment, params string[] args)
    {
        var result = model.DotnetWithEnvironment(TimeSpan.FromMinutes(5), environment,
            new[] { "msbuild", "-restore", "-t:CogPush", "-p:CogImageName=" + image }.Concat(args).ToArray());
        AssertSucceeded(result);
    }

    /// <summary>CogImageDigest, as -getProperty prints it.</summary>
    internal static string Digest(BuildOutput result)
    {
        string digest = Json(result).GetProperty("Properties").GetProperty("CogImageDigest").GetString()!;
        Assert.StartsWith("sha256:", digest);
        return digest;
    }

    private static IReadOnlyList<(string Reference, string Digest)> PushedImages(BuildOutput result) =>
        Json(result).GetProperty("Items").GetProperty("CogPushedImage").EnumerateArray()
            .Select(item => (item.GetProperty("Identity").GetString()!, item.GetProperty("Digest").GetString()!)).ToList();

    private static JsonElement Json(BuildOutput result) =>
        JsonDocument.Parse(result.Output[result.Output.IndexOf('{')..]).RootElement;
}
