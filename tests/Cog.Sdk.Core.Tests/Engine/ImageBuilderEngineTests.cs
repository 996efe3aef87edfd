using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Engine;
using Cog.Sdk.Core.Generate;
using Cog.Sdk.Core.Parse;
using Cog.Sdk.Testing;
using Cog.Sdk.Core.Tests.Generate;

namespace Cog.Sdk.Core.Tests.Engine;

/// <summary>Builds on the real engine: python:3.11-slim, apt from the Debian mirror, no PyPI.</summary>
public class ImageBuilderEngineTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    private static (TempProject Project, CogConfig Config) Model(params string[] systemPackages)
    {
        var project = new TempProject();
        string cogYaml = project.Write("cog.yaml", "build:\n  python_version: '3.11'\npredict: predict.py:Predictor\n");
        project.Write("predict.py", "class Predictor:\n    pass\n");
        var config = new CogConfig { FilePath = cogYaml, ProjectDirectory = project.Directory };
        config.Predictor = new Located<string>("predict.py:Predictor", new SourceLocation(cogYaml, 3, 10));
        for (int i = 0; i < systemPackages.Length; i++)
        {
            config.SystemPackages.Add(new Located<string>(systemPackages[i], new SourceLocation(cogYaml, 4 + i, 7)));
        }

        return (project, config);
    }

    private static BuildRequest Request(ContainerEngine engine, TempProject project, GeneratedDockerfile dockerfile, string image) =>
        new(engine, project.ObjCog, dockerfile, Context(project, dockerfile), image)
        {
            ConfigLocation = new SourceLocation(Path.Combine(project.Directory, "cog.yaml")),
        };

    private static BuildContext Context(TempProject project, GeneratedDockerfile dockerfile) =>
        BuildContext.Collect(project.Directory, project.FakeRuntime(), dockerfile.ContextFiles, new[] { project.ObjCog });

    /// <summary>The image's filesystem layers, bottom first: the same id means the same content, reused.</summary>
    private static string[] Layers(string image) =>
        JsonText.Parse(TestEngine.Run("image", "inspect", "--format", "{{json .RootFS.Layers}}", image).Out)!.AsArray().Select(l => JsonText.Show(l)).ToArray();

    private static string ImageName() => "cogsdk-test-" + Guid.NewGuid().ToString("N")[..10];

    private static async Task<(string ImageId, string Log)> Build(BuildRequest request)
    {
        var log = new List<string>();
        using var timeout = new CancellationTokenSource(Limit);
        string imageId = await ImageBuilder.BuildAsync(request, line => { lock (log) { log.Add(line); } }, timeout.Token);
        return (imageId, string.Join("\n", log));
    }

    private static async Task<Diagnostic> BuildFails(BuildRequest request) =>
        (await Assert.ThrowsAsync<CogException>(() => Build(request))).Diagnostic;

    [EngineFact]
    public async Task Builds_labels_and_rebuilds_only_the_code_layer_after_an_edit()
    {
        var (project, config) = Model("jq");
        using var _ = project;
        config.Run.Add(new RunCommand(new Located<string>("echo built > /built.txt", new SourceLocation(config.FilePath, 9, 5)), Array.Empty<SecretMount>()));
        project.WriteBytes("weights/model.bin", BuildContext.LargeFileThreshold + 1);
        var spec = new DockerfileSpec(config, "python:3.11-slim", "3.11") { SourceRevision = "abc123" };
        string image = ImageName();
        var engine = EngineLocator.Find("docker");
        var dockerfile = DockerfileGenerator.Generate(spec);
        try
        {
            var (first, _) = await Build(Request(engine, project, dockerfile, image));
            var labels = JsonText.ParseObject(TestEngine.Run("image", "inspect", "--format", "{{json .Config.Labels}}", image).Out)!;
            Assert.NotNull(labels.String("run.cog.config"));
            Assert.Equal(DockerfileGenerator.SdkVersion, labels.String("run.cog.sdk.version"));
            Assert.Equal("abc123", labels.String("org.opencontainers.image.revision"));
            Assert.Equal(first, TestEngine.Run("image", "inspect", "--format", "{{.Id}}", image).Out.Trim());
            Assert.Equal("built\n", TestEngine.Run("run", "--rm", image, "cat", "/built.txt").Out);
            string[] before = Layers(image);

            project.Write("predict.py", "class Predictor:\n    edited = True\n");
            var (edited, _) = await Build(Request(engine, project, dockerfile, image));

            // One filesystem layer is new, the code's: apt, the runtime and the 10 MB weights file come from the cache.
            string[] after = Layers(image);
            Assert.NotEqual(first, edited);
            Assert.Equal(before.Length, after.Length);
            Assert.Single(Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]));
            Assert.Contains("edited = True", TestEngine.Run("run", "--rm", image, "cat", "/src/predict.py").Out);
            Assert.Contains("fake cog server", TestEngine.Run("run", "--rm", image).Out); // CMD finds the runtime
        }
        finally
        {
            TestEngine.Run("rmi", "-f", image);
        }
    }

    [EngineFact]
    public async Task Missing_apt_package_points_at_its_line()
    {
        var (project, config) = Model("jq", "no-such-package-cogsdk");
        using var _ = project;
        var request = Request(EngineLocator.Find("docker"), project, DockerfileGenerator.Generate(new DockerfileSpec(config, "python:3.11-slim", "3.11")), ImageName());

        Diagnostic error = await BuildFails(request);

        Assert.Equal("COG3002", error.Code);
        Assert.Equal(5, error.Location.Line);
        Assert.Contains("'no-such-package-cogsdk'", error.Message);
    }

    [EngineFact]
    public async Task Failing_run_command_points_at_its_line()
    {
        var (project, config) = Model();
        using var _ = project;
        config.Run.Add(new RunCommand(new Located<string>("echo fine", new SourceLocation(config.FilePath, 6, 5)), Array.Empty<SecretMount>()));
        config.Run.Add(new RunCommand(new Located<string>("echo \"$HOME\" && exit 7", new SourceLocation(config.FilePath, 7, 5)), Array.Empty<SecretMount>()));
        var request = Request(EngineLocator.Find("docker"), project, DockerfileGenerator.Generate(new DockerfileSpec(config, "python:3.11-slim", "3.11")), ImageName());

        Diagnostic error = await BuildFails(request);

        Assert.Equal("COG3004", error.Code);
        Assert.Equal(7, error.Location.Line);
        Assert.Contains("exit code 7", error.Message);
    }

    [EngineFact]
    public async Task Base_image_that_cannot_be_pulled()
    {
        var (project, config) = Model();
        using var _ = project;
        var spec = new DockerfileSpec(config, "nonexistent.invalid/cogsdk/nope:1", "3.11") { BaseImageLocation = new SourceLocation(config.FilePath, 2, 3) };
        var request = Request(EngineLocator.Find("docker"), project, DockerfileGenerator.Generate(spec), ImageName());

        Diagnostic error = await BuildFails(request);

        Assert.Equal("COG3001", error.Code);
        Assert.Equal(2, error.Location.Line);
    }

    [EngineFact]
    public async Task Cancelling_stops_the_engine_at_once()
    {
        var (project, config) = Model();
        using var _ = project;
        config.Run.Add(new RunCommand(new Located<string>("sleep 120", new SourceLocation(config.FilePath, 6, 5)), Array.Empty<SecretMount>()));
        var request = Request(EngineLocator.Find("docker"), project, DockerfileGenerator.Generate(new DockerfileSpec(config, "python:3.11-slim", "3.11")), ImageName());
        using var cancel = new CancellationTokenSource();
        var started = DateTime.UtcNow;

        var build = ImageBuilder.BuildAsync(request, line => { if (line.Contains("sleep 120")) cancel.CancelAfter(500); }, cancel.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => build);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(60), "the build went on after cancellation");
    }

    [EngineFact]
    public async Task BuildKit_dockerfile_with_cache_and_secret_mounts_builds_with_podman()
    {
        Assert.NotNull(TestEngine.FindOnPath("podman"));
        var (project, config) = Model("jq");
        using var _ = project;
        var mount = new SecretMount("token", "/run/secrets/token", new SourceLocation(config.FilePath, 8, 9));
        config.Run.Add(new RunCommand(new Located<string>("test \"$(cat /run/secrets/token)\" = s3cret && echo ok > /ok", new SourceLocation(config.FilePath, 7, 5)), new[] { mount }));
        var engine = EngineLocator.Find("podman");
        Assert.Equal(ContainerEngineKind.Podman, engine.Kind);
        Assert.True(engine.HasBuildKit);
        var dockerfile = DockerfileGenerator.Generate(new DockerfileSpec(config, "python:3.11-slim", "3.11") { UseBuildKit = true });
        Assert.Contains("--mount=type=cache", dockerfile.Text);
        string secretFile = project.Write("secret.txt", "s3cret");
        project.Write(".dockerignore", "secret.txt\n");
        string image = ImageName();
        var request = Request(engine, project, dockerfile, image);
        request.Secrets = new[] { BuildSecret.FromFile("token", secretFile) };
        try
        {
            var (imageId, log) = await Build(request);
            Assert.DoesNotContain(secretFile, log);
            var details = await Images.InspectAsync(engine, image, CancellationToken.None);
            Assert.True(ImageDetails.SameId(imageId, details!.Id));
            Assert.Equal(DockerfileGenerator.SdkVersion, details.Labels.String("run.cog.sdk.version"));
        }
        finally
        {
            await engine.RunAsync(new[] { "rmi", "-f", image }, CancellationToken.None);
        }
    }
}
