using System.Net;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Engine;
using Cog.Sdk.Core.Validate;
using Cog.Sdk.Testing;

namespace Cog.Sdk.Core.Tests.Engine;

/// <summary>
/// Pushes on the real engine to real registries of the test's own (docker-registry on 127.0.0.1): what reaches the
/// registry, its digests, and each refusal's code. Every image is a one-file image from scratch, removed at the end.
/// </summary>
public sealed class ImagePushEngineTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cogsdk-push-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<(string Cli, string Image)> _images = new();

    public void Dispose()
    {
        foreach (var (cli, image) in _images)
        {
            Run(cli, "image", "rm", "-f", image);
        }

        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [RegistryFact]
    public async Task Each_tag_reaches_the_registry_with_the_digest_it_serves_and_a_second_push_uploads_nothing()
    {
        using var registry = TestRegistry.Open();
        string repository = "cogsdk-test/push-" + Guid.NewGuid().ToString("N")[..8];
        string image = TinyImage("docker", registry.Host + "/" + repository);
        var engine = EngineLocator.Find("docker");
        var targets = new[] { ImageReference.Parse(image)!, ImageReference.Parse(image + ":1.0")! };

        var pushed = await Push(engine, image, targets);

        Assert.Equal(new[] { image + ":latest", image + ":1.0" }, pushed.Select(p => p.Reference));
        string? served = registry.ManifestDigest(repository, "latest");
        Assert.StartsWith("sha256:", served);
        Assert.All(pushed, p => Assert.Equal(served, p.Digest));
        Assert.Equal(served, registry.ManifestDigest(repository, "1.0"));
        Assert.Equal(new[] { "1.0", "latest" }, registry.Tags(repository));
        Assert.Null(ImageId("docker", image + ":1.0")); // the extra tag was the registry's, not the engine's
        var first = registry.Requests();
        Assert.NotEmpty(TestRegistry.Uploads(first));

        var again = await Push(engine, image, targets);

        var second = registry.Requests().Skip(first.Count).ToList();
        Assert.Empty(TestRegistry.Uploads(second));
        Assert.Contains($"PUT /v2/{repository}/manifests/latest", second);
        Assert.All(again, p => Assert.Equal(served, p.Digest));
    }

    [RegistryFact]
    public async Task A_registry_that_wants_a_login_refuses_with_COG1010_and_takes_the_push_after_the_engines_own_login()
    {
        using var registry = TestRegistry.WithLogin();
        string repository = "cogsdk-test/login-" + Guid.NewGuid().ToString("N")[..8];
        string image = TinyImage("docker", registry.Host + "/" + repository);
        string config = Path.Combine(_folder, "docker-config");
        Directory.CreateDirectory(config);
        var engine = await EngineLocator.FindAsync("docker", new Dictionary<string, string> { ["DOCKER_CONFIG"] = config }, CancellationToken.None);

        var refused = await Refused(engine, image);

        Assert.Equal("COG1010", refused.Code);
        Assert.Contains("docker login " + registry.Host, refused.Message);
        var login = Run("docker", "--config", config, "login", registry.Host, "--username", TestRegistry.User, "--password", TestRegistry.Password);
        Assert.True(login.ExitCode == 0, login.Err);

        var pushed = await Push(engine, image, new[] { ImageReference.Parse(image)! });

        Assert.Equal(registry.ManifestDigest(repository, "latest"), Assert.Single(pushed).Digest);
    }

    [EngineFact]
    public async Task A_registry_that_is_down_is_COG1013()
    {
        string image = TinyImage("docker", $"127.0.0.1:{TestRegistry.FreePort()}/cogsdk-test/down-" + Guid.NewGuid().ToString("N")[..8]);

        var refused = await Refused(EngineLocator.Find("docker"), image);

        Assert.Equal("COG1013", refused.Code);
    }

    [EngineFact]
    public async Task A_registry_that_denies_the_account_is_COG1011_and_one_without_the_repository_COG1012()
    {
        using (var denying = RefusingRegistry.Denying())
        {
            string image = TinyImage("docker", denying.Host + "/cogsdk-test/denied-" + Guid.NewGuid().ToString("N")[..8]);
            var d1 = await Refused(EngineLocator.Find("docker"), image);
            Assert.True(d1.Code == "COG1011", d1.Message);
        }

        using (var empty = RefusingRegistry.WithoutRepositories())
        {
            string image = TinyImage("docker", empty.Host + "/cogsdk-test/unknown-" + Guid.NewGuid().ToString("N")[..8]);
            var d2 = await Refused(EngineLocator.Find("docker"), image);
            Assert.True(d2.Code == "COG1012", d2.Message);
        }
    }

    [RegistryFact]
    public async Task Podman_pushes_with_the_digest_the_registry_serves_once_told_the_registry_speaks_plain_HTTP()
    {
        Assert.NotNull(TestEngine.FindOnPath("podman"));
        using var registry = TestRegistry.Open();
        string repository = "cogsdk-test/podman-" + Guid.NewGuid().ToString("N")[..8];
        string image = TinyImage("podman", registry.Host + "/" + repository);
        var engine = EngineLocator.Find("podman");

        Assert.Equal("COG1014", (await Refused(engine, image)).Code);

        string conf = Path.Combine(_folder, "registries.conf");
        File.WriteAllText(conf, $"[[registry]]\nlocation = \"{registry.Host}\"\ninsecure = true\n");
        var told = await EngineLocator.FindAsync("podman", new Dictionary<string, string> { ["CONTAINERS_REGISTRIES_CONF"] = conf }, CancellationToken.None);
        var pushed = await Push(told, image, new[] { ImageReference.Parse(image)! });

        Assert.Equal(registry.ManifestDigest(repository, "latest"), Assert.Single(pushed).Digest);
    }

    private async Task<IReadOnlyList<PushedImage>> Push(ContainerEngine engine, string image, IReadOnlyList<ImageReference> targets)
    {
        var warnings = new List<Diagnostic>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var pushed = await ImagePush.PushAsync(engine, image, targets, _folder, _ => { }, warnings.Add, timeout.Token);
        Assert.Empty(warnings);
        return pushed;
    }

    private async Task<Diagnostic> Refused(ContainerEngine engine, string image)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var refused = await Assert.ThrowsAsync<CogException>(() => ImagePush.PushAsync(engine, image, new[] { ImageReference.Parse(image)! }, _folder, _ => { }, _ => { }, timeout.Token));
        Assert.Equal(DiagnosticSeverity.Error, refused.Diagnostic.Severity);
        return refused.Diagnostic;
    }

    /// <summary>A one-file image FROM scratch, named <paramref name="name"/>: small, and new to every registry.</summary>
    private string TinyImage(string cli, string name)
    {
        string context = Path.Combine(_folder, Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(context);
        File.WriteAllText(Path.Combine(context, "marker.txt"), Guid.NewGuid().ToString());
        File.WriteAllText(Path.Combine(context, "Dockerfile"), "FROM scratch\nCOPY marker.txt /marker.txt\n");
        _images.Add((cli, name));
        var built = Run(cli, "build", "-t", name, context);
        Assert.True(built.ExitCode == 0, built.Err);
        return name;
    }

    private static string? ImageId(string cli, string image)
    {
        var inspected = Run(cli, "image", "inspect", "--format", "{{.Id}}", image);
        return inspected.ExitCode == 0 ? inspected.Out.Trim() : null;
    }

    private static (int ExitCode, string Out, string Err) Run(string cli, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(TestEngine.FindOnPath(cli) ?? cli) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = System.Diagnostics.Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit(300_000);
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
