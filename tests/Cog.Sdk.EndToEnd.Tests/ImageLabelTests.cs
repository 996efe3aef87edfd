using System.Globalization;
using System.Text.Json.Nodes;
using Cog.Sdk.Testing;

namespace Cog.Sdk.EndToEnd.Tests;

/// <summary>
/// The labels a built image carries, read as Cog, Replicate and the OCI tools read them: Cog's own (run.cog.*), with
/// the schema label equal to what the running model serves at /openapi.json, and the OCI labels from the project's
/// properties as the .NET SDK writes them.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public sealed class ImageLabelTests : ContainerTestBase
{
    private const string Drawer = """
        from cog import BasePredictor, Input

        class Predictor(BasePredictor):
            def predict(self, prompt: str = Input(description="What to draw"),
                        steps: int = Input(default=4, ge=1, le=50)) -> str:
                return prompt * steps
        """;

    private const string Properties = """
        <Project Sdk="Cog.Sdk/VERSION">
          <PropertyGroup>
            <Version>2.1.0</Version>
            <Authors>Jane Doe</Authors>
            <Title>Drawer</Title>
            <Description>Draws what it is told.
              Slowly.</Description>
            <PackageProjectUrl>https://example.com/drawer</PackageProjectUrl>
            <RepositoryUrl>https://github.com/example/drawer</RepositoryUrl>
            <SourceRevisionId>0123abc</SourceRevisionId>
            <PackageLicenseExpression>Apache-2.0</PackageLicenseExpression>
          </PropertyGroup>
          <ItemGroup>
            <CogImageLabel Include="com.example.team" Value="vision" />
          </ItemGroup>
        </Project>
        """;

    private readonly List<string> _otherImages = new();

    public ImageLabelTests(PackedSdk sdk)
        : base(sdk, "labels")
    {
    }

    public override void Dispose()
    {
        if (TestEngine.Available)
        {
            foreach (string image in _otherImages)
            {
                TestEngine.Run("image", "rm", image);
            }
        }

        base.Dispose();
    }

    [EngineFact]
    public void The_image_carries_Cogs_and_the_OCI_labels_and_its_schema_label_is_what_the_running_model_serves()
    {
        using var index = new LocalPackageIndex();
        var (model, image) = NewModel("Drawer", """
            build:
              python_version: "3.11"
              python_packages:
                - "cogsdk-greeting==1.0.0"
            predict: "predict.py:Predictor"
            """, Drawer);
        model.Write(model.Name + ".csproj", Properties.Replace("VERSION", Sdk.Version));
        DateTimeOffset before = DateTimeOffset.UtcNow.AddSeconds(-1);

        string[] settings = { "-p:CogPipIndexUrl=" + index.Url, "-p:CogBuildNetwork=host" };
        AssertSucceeded(Msbuild(model, image, "Build", settings));

        var labels = EngineCli.Docker.Labels(image);
        Assert.Superset(new HashSet<string> { "run.cog.version", "run.cog.config", "run.cog.openapi_schema", "run.cog.pip_freeze" }, labels.Keys.ToHashSet());
        Assert.Equal(EngineCli.Docker.RunIn(image, "python", "-c", "import cog; print(cog.__version__)").Out.Trim(), labels["run.cog.version"]);
        Assert.Contains("cogsdk-greeting==1.0.0", labels["run.cog.pip_freeze"].Split('\n'));
        var config = JsonNode.Parse(labels["run.cog.config"])!;
        Assert.Equal("3.11", (string?)config["build"]!["python_version"]);
        Assert.Equal("predict.py:Predictor", (string?)config["predict"]);
        var platform = TestEngine.Run("image", "inspect", "--format", "{{.Os}}/{{.Architecture}}", image).Out.Trim();
        Assert.Equal("linux/amd64", platform);
        Assert.Equal(platform, labels["run.cog.sdk.platform"]);

        Assert.Equal("2.1.0", labels["org.opencontainers.image.version"]);
        Assert.Equal("Jane Doe", labels["org.opencontainers.image.authors"]);
        Assert.Equal("Drawer", labels["org.opencontainers.image.title"]);
        Assert.Equal("Draws what it is told. Slowly.", labels["org.opencontainers.image.description"]);
        Assert.Equal("https://example.com/drawer", labels["org.opencontainers.image.url"]);
        Assert.Equal("https://example.com/drawer", labels["org.opencontainers.image.documentation"]);
        Assert.Equal("https://github.com/example/drawer", labels["org.opencontainers.image.source"]);
        Assert.Equal("0123abc", labels["org.opencontainers.image.revision"]);
        Assert.Equal("Apache-2.0", labels["org.opencontainers.image.licenses"]);
        Assert.Equal("python:3.11-slim", labels["org.opencontainers.image.base.name"]);
        Assert.Equal("vision", labels["com.example.team"]);
        Assert.InRange(DateTimeOffset.Parse(labels["org.opencontainers.image.created"], CultureInfo.InvariantCulture), before, DateTimeOffset.UtcNow.AddSeconds(1));

        var served = ServedOpenApi(image);
        Assert.True(JsonNode.DeepEquals(served, JsonNode.Parse(labels["run.cog.openapi_schema"])),
            $"the label differs from /openapi.json:\nlabel:  {labels["run.cog.openapi_schema"]}\nserved: {served!.ToJsonString()}");

        // CogPredict checks inputs against the label alone: a mistake fails with no container started, not even for the schema.
        DateTime started = DateTime.UtcNow;
        var mistake = Msbuild(model, image, "CogPredict", settings.Append("-p:CogInput=\"prompt=a cat;stpes=3\"").ToArray());
        AssertError(mistake, "COG4002");
        Assert.DoesNotContain(ContainersCreatedSince(image, started), n => !n.StartsWith("cog-served-", StringComparison.Ordinal));

        // A build with nothing changed adds no labels again: no labelling container, the same image.
        string id = EngineCli.Docker.ImageId(image)!;
        AssertSucceeded(Msbuild(model, image, "Build", settings));
        Assert.Equal(id, EngineCli.Docker.ImageId(image));
        Assert.DoesNotContain(ContainersCreatedSince(image, started), n => !n.StartsWith("cog-served-", StringComparison.Ordinal));
    }

    [RegistryFact]
    public void A_base_image_from_a_registry_is_named_with_its_digest()
    {
        using var registry = TestRegistry.Open();
        string baseImage = registry.Host + "/" + ImagePrefix + "/python:3.11-slim";
        _otherImages.Add(baseImage);
        Assert.Equal(0, TestEngine.Run("tag", "python:3.11-slim", baseImage).ExitCode);
        Assert.Equal(0, TestEngine.Run("push", baseImage).ExitCode);
        string? digest = registry.ManifestDigest(ImagePrefix + "/python", "3.11-slim");
        Assert.NotNull(digest);
        _otherImages.Add(registry.Host + "/" + ImagePrefix + "/python@" + digest); // the digest reference the push left on python:3.11-slim
        var (model, image) = NewModel("OnRegistryBase", PredictTests.CurrentStyleYaml, ShipTests.Greeter);

        AssertSucceeded(Msbuild(model, image, "Build", "-p:CogBaseImage=" + baseImage));

        var labels = EngineCli.Docker.Labels(image);
        Assert.Equal(baseImage, labels["org.opencontainers.image.base.name"]);
        Assert.Equal(digest, labels["org.opencontainers.image.base.digest"]);
    }

    /// <summary>What the image's server answers at /openapi.json, from a container of its own (removed after).</summary>
    private JsonNode? ServedOpenApi(string image)
    {
        string name = "cog-served-" + image + "-" + Guid.NewGuid().ToString("N")[..6];
        var started = TestEngine.Run("run", "-d", "--name", name, "--publish", "127.0.0.1::5000", image);
        Assert.True(started.ExitCode == 0, started.Err);
        try
        {
            string address = TestEngine.Run("port", name, "5000").Out.Split('\n')[0].Trim();
            using var http = new HttpClient { BaseAddress = new Uri("http://" + address), Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                try
                {
                    using var response = http.GetAsync("/openapi.json").GetAwaiter().GetResult();
                    if (response.IsSuccessStatusCode)
                    {
                        return JsonNode.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
                    }
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline)
                {
                    // The server is not listening yet.
                }

                Assert.True(DateTime.UtcNow < deadline, "the model's server did not answer:\n" + TestEngine.Run("logs", name).Err);
                Thread.Sleep(250);
            }
        }
        finally
        {
            TestEngine.Run("rm", "-f", name);
        }
    }
}
