using System.Text.Json;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Engine;
using Cog.Sdk.Core.Generate;
using Cog.Sdk.Core.Parse;
using Cog.Sdk.Testing;
using Cog.Sdk.Core.Tests.Generate;

namespace Cog.Sdk.Core.Tests.Engine;

/// <summary>
/// Builds on the real engine with the builder of this test run (<see cref="TestEngine.Builder"/>: BuildKit, the classic
/// builder or podman): python:3.11-slim, apt from the Debian mirror, no PyPI. Everything is checked on what the engine
/// made (image ids, layers, files, labels), never on how a builder words its output.
/// </summary>
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

    private static void AddRun(CogConfig config, string command, int line, params SecretMount[] mounts) =>
        config.Run.Add(new RunCommand(new Located<string>(command, new SourceLocation(config.FilePath, line, 5)), mounts));

    private static ContainerEngine Engine() => EngineLocator.Find(TestEngine.Setting);

    /// <summary>A build of the project as it is now: its context listed afresh, as CogCollectBuildContext does in each build.</summary>
    private static BuildRequest Request(ContainerEngine engine, TempProject project, GeneratedDockerfile dockerfile, string image) =>
        new(engine, project.ObjCog, dockerfile, BuildContext.Collect(project.Directory, project.FakeRuntime(), dockerfile.ContextFiles, new[] { project.ObjCog }), image)
        {
            ConfigLocation = new SourceLocation(Path.Combine(project.Directory, "cog.yaml")),
        };

    private static string ImageName() => "cogsdk-test-" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>What a build reported: the engine's lines, the progress lines.</summary>
    private sealed record Reported(List<string> Detail, List<string> Progress);

    private static async Task<(string ImageId, Reported Log)> Build(BuildRequest request, CancellationToken cancel = default)
    {
        var log = new Reported(new(), new());
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(Limit);
        string imageId = await ImageBuilder.BuildAsync(request, new BuildLog(
            line => { lock (log) { log.Detail.Add(line); } },
            line => { lock (log) { log.Progress.Add(line); } }), timeout.Token);
        return (imageId, log);
    }

    private static async Task<Diagnostic> BuildFails(BuildRequest request) =>
        (await Assert.ThrowsAsync<CogException>(() => Build(request))).Diagnostic;

    /// <summary>The image's filesystem layers (diff ids), bottom first.</summary>
    internal static List<string> Layers(string image)
    {
        var (code, output, error) = TestEngine.RunCli("image", "inspect", "--format", "{{json .RootFS.Layers}}", image);
        Assert.True(code == 0, error);
        return JsonSerializer.Deserialize<List<string>>(output.Trim())!;
    }

    private static string Cat(string image, string file)
    {
        var (code, output, error) = TestEngine.RunCli("run", "--rm", image, "cat", file);
        Assert.True(code == 0, error);
        return output;
    }

    [EngineFact]
    public async Task Builds_labels_and_rebuilds_only_the_code_layer_after_an_edit()
    {
        var (project, config) = Model("jq");
        using var _ = project;
        AddRun(config, "date +%s%N > /built-at", 9);
        project.WriteBytes("weights/model.bin", BuildContext.LargeFileThreshold + 1);
        var spec = new DockerfileSpec(config, "python:3.11-slim", "3.11") { Options = new ImageOptions { SourceRevision = "abc123" } };
        string image = ImageName();
        var engine = Engine();
        var dockerfile = DockerfileGenerator.Generate(spec);
        var request = Request(engine, project, dockerfile, image);
        try
        {
            var (first, _) = await Build(request);
            var labels = TestEngine.RunCli("image", "inspect", "--format", "{{json .Config.Labels}}", image).Out;
            Assert.Contains("run.cog.config", labels);
            Assert.Contains("run.cog.sdk.version", labels);
            Assert.Contains("\"org.opencontainers.image.revision\":\"abc123\"", labels);
            Assert.True(ImageDetails.SameId(first, TestEngine.RunCli("image", "inspect", "--format", "{{.Id}}", image).Out));
            string builtAt = Cat(image, "/built-at");
            List<string> layers = Layers(image);

            // The Dockerfile in obj/ is the one every builder is given; the classic builder gets it without cache mounts.
            Assert.Contains("--mount=type=cache", File.ReadAllText(ImageBuilder.DockerfilePath(request)));
            string classic = GeneratedDockerfile.ClassicPathIn(project.ObjCog);
            Assert.Equal(TestEngine.Builder == TestBuilder.Classic, File.Exists(classic));
            if (File.Exists(classic))
            {
                Assert.DoesNotContain("--mount", File.ReadAllText(classic));
            }

            project.Write("predict.py", "class Predictor:\n    edited = True\n");
            var (edit, _) = await Build(Request(engine, project, dockerfile, image));
            Assert.NotEqual(first, edit);
            List<string> edited = Layers(image);
            Assert.Equal(layers.Count, edited.Count);
            // One new filesystem layer, the code's: apt, the run command and the 10 MB weights file are reused.
            Assert.Single(layers.Zip(edited), pair => pair.First != pair.Second);
            Assert.Equal(builtAt, Cat(image, "/built-at"));
            Assert.Contains("edited = True", Cat(image, "/src/predict.py"));
            Assert.Contains("fake cog server", TestEngine.RunCli("run", "--rm", image).Out); // CMD finds the runtime
        }
        finally
        {
            TestEngine.RunCli("rmi", "-f", image);
        }
    }

    [EngineFact]
    public async Task Each_step_is_one_progress_line_when_it_starts_and_one_with_its_time_when_it_ends()
    {
        var (project, config) = Model();
        using var _ = project;
        AddRun(config, "echo cog-step-output-marker", 6);
        var dockerfile = DockerfileGenerator.Generate(new DockerfileSpec(config, "python:3.11-slim", "3.11"));
        string image = ImageName();
        try
        {
            var (_, log) = await Build(Request(Engine(), project, dockerfile, image));

            int count = dockerfile.Steps.Count;
            for (int n = 1; n <= count; n++)
            {
                string prefix = $"Cog: [{n}/{count}] ";
                string start = Assert.Single(log.Progress, l => l == prefix + BuildProgress.Describe(dockerfile.Steps[n - 1]));
                string end = Assert.Single(log.Progress, l => l.StartsWith(prefix, StringComparison.Ordinal) && l != start);
                Assert.True(log.Progress.IndexOf(start) < log.Progress.IndexOf(end), $"step {n} ended before it started:\n{string.Join("\n", log.Progress)}");
                Assert.Matches(@"^(done in \d+(\.\d)? s|cached)$", end.Substring(prefix.Length));
            }

            Assert.Equal(2 * count, log.Progress.Count);
            Assert.Contains(log.Progress, l => l.EndsWith("RUN echo cog-step-output-marker", StringComparison.Ordinal));
            // The step's own output is detail, not progress.
            Assert.DoesNotContain(log.Progress, l => l.Contains("cog-step-output-marker", StringComparison.Ordinal) && !l.Contains("RUN echo"));
            Assert.Contains(log.Detail, l => l.Contains("cog-step-output-marker", StringComparison.Ordinal));
        }
        finally
        {
            TestEngine.RunCli("rmi", "-f", image);
        }
    }

    [EngineFact]
    public async Task Missing_apt_package_points_at_its_line()
    {
        var (project, config) = Model("jq", "no-such-package-cogsdk");
        using var _ = project;
        var request = Request(Engine(), project, DockerfileGenerator.Generate(new DockerfileSpec(config, "python:3.11-slim", "3.11")), ImageName());

        Diagnostic error = await BuildFails(request);

        Assert.Equal("COG3002", error.Code);
        Assert.Equal(5, error.Location.Line);
        Assert.Contains("'no-such-package-cogsdk'", error.Message);
    }

    [EngineFact]
    public async Task Failing_run_command_points_at_its_line_and_quotes_its_own_output()
    {
        var (project, config) = Model();
        using var _ = project;
        AddRun(config, "echo fine", 6);
        AddRun(config, "echo \"cog-marker-$HOME\" && exit 7", 7);
        var request = Request(Engine(), project, DockerfileGenerator.Generate(new DockerfileSpec(config, "python:3.11-slim", "3.11")), ImageName());

        Diagnostic error = await BuildFails(request);

        Assert.Equal("COG3004", error.Code);
        Assert.Equal(7, error.Location.Line);
        Assert.Contains("exit code 7", error.Message);
        Assert.Contains("cog-marker-/root", error.Message);
        Assert.DoesNotContain("\n", error.Message);
    }

    [EngineFact]
    public async Task Base_image_that_cannot_be_pulled()
    {
        var (project, config) = Model();
        using var _ = project;
        var spec = new DockerfileSpec(config, "nonexistent.invalid/cogsdk/nope:1", "3.11") { BaseImageLocation = new SourceLocation(config.FilePath, 2, 3) };
        var request = Request(Engine(), project, DockerfileGenerator.Generate(spec), ImageName());

        Diagnostic error = await BuildFails(request);

        Assert.Equal("COG3001", error.Code);
        Assert.Equal(2, error.Location.Line);
    }

    [EngineFact]
    public async Task Cancelling_stops_the_engine_at_once()
    {
        var (project, config) = Model();
        using var _ = project;
        // A command of this run's own: a builder's cache may hold the finished step of an earlier run.
        AddRun(config, "sleep 120 && echo " + Guid.NewGuid().ToString("N"), 6);
        var request = Request(Engine(), project, DockerfileGenerator.Generate(new DockerfileSpec(config, "python:3.11-slim", "3.11")), ImageName());
        using var cancel = new CancellationTokenSource();
        var started = DateTime.UtcNow;
        var log = new BuildLog(_ => { }, line => { if (line.Contains("sleep 120")) cancel.CancelAfter(500); });

        var build = ImageBuilder.BuildAsync(request, log, cancel.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => build);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(60), "the build went on after cancellation");
    }

    [EngineFact]
    public async Task Secret_mounts_build_with_BuildKit_and_podman_and_are_COG3005_at_the_mount_on_the_classic_builder()
    {
        var (project, config) = Model("jq");
        using var _ = project;
        string secret = "s3cret-" + Guid.NewGuid().ToString("N");
        var mount = new SecretMount("token", "/run/secrets/token", new SourceLocation(config.FilePath, 8, 9));
        // The command reads the secret without naming it, so that the secret can be looked for in the log and the image.
        AddRun(config, "wc -c < /run/secrets/token > /secret-length", 7, mount);
        var dockerfile = DockerfileGenerator.Generate(new DockerfileSpec(config, "python:3.11-slim", "3.11"));
        string secretFile = project.Write("secret.txt", secret);
        project.Write(".dockerignore", "secret.txt\n");
        string image = ImageName();
        var request = Request(Engine(), project, dockerfile, image);
        request.Secrets = new[] { BuildSecret.FromFile("token", secretFile) };
        try
        {
            if (TestEngine.Builder == TestBuilder.Classic)
            {
                Diagnostic error = await BuildFails(request);
                Assert.Equal("COG3005", error.Code);
                Assert.Equal(8, error.Location.Line);
                Assert.Contains("'token'", error.Message);
                return;
            }

            var (_, log) = await Build(request);
            Assert.Equal(secret.Length.ToString(), Cat(image, "/secret-length").Trim());
            Assert.DoesNotContain(log.Detail.Concat(log.Progress), l => l.Contains(secretFile, StringComparison.Ordinal) || l.Contains(secret, StringComparison.Ordinal));
            Assert.False(ImageArchive.Holds(TestEngine.Cli, image, secret), "the secret is in the image");
            Assert.True(ImageArchive.Holds(TestEngine.Cli, image, "class Predictor:"), "the search finds nothing, not even the model's code");
        }
        finally
        {
            TestEngine.RunCli("rmi", "-f", image);
        }
    }

    [EngineFact]
    public async Task A_build_secret_with_the_classic_builder_is_COG3011_before_the_engine_runs()
    {
        var (project, config) = Model();
        using var _ = project;
        var classic = await EngineLocator.FindAsync("docker", new Dictionary<string, string> { ["DOCKER_BUILDKIT"] = "0" }, CancellationToken.None);
        var request = Request(classic, project, DockerfileGenerator.Generate(new DockerfileSpec(config, "python:3.11-slim", "3.11")), ImageName());
        request.Secrets = new[] { BuildSecret.FromEnvironment("token", "HOME") };

        Diagnostic error = await BuildFails(request);

        Assert.Equal("COG3011", error.Code);
        Assert.Contains("'token'", error.Message);
        Assert.False(Directory.Exists(ImageBuilder.ContextDirectory(request)), "the context was staged for a build that cannot run");
    }
}
