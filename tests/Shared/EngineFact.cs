using System.Diagnostics;

namespace Cog.Sdk.Testing;

/// <summary>
/// A test that needs a running container engine. Where none answers it is skipped with the reason,
/// except under CI=true, where a missing engine is a failure: CI promises to start one.
/// </summary>
public sealed class EngineFactAttribute : FactAttribute
{
    public EngineFactAttribute()
    {
        if (TestEngine.SkipReason is string reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>The <see cref="EngineFactAttribute"/> rule for theories.</summary>
public sealed class EngineTheoryAttribute : TheoryAttribute
{
    public EngineTheoryAttribute()
    {
        if (TestEngine.SkipReason is string reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>The builders Cog.Sdk builds images with; the engine tests run on one of them per test run.</summary>
public enum TestBuilder
{
    /// <summary>docker buildx build: Docker's default since Docker 23.</summary>
    BuildKit,

    /// <summary>The classic builder of the same docker daemon (DOCKER_BUILDKIT=0).</summary>
    Classic,

    /// <summary>podman build (buildah).</summary>
    Podman,
}

/// <summary>Finds the engine the tests use, once per test run.</summary>
public static class TestEngine
{
    private static readonly Lazy<(string? Docker, string? Problem)> Probe = new(ProbeEngine);

    /// <summary>True under CI=true, where tests must not skip for lack of an engine.</summary>
    public static bool IsCI => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    private static readonly Lazy<TestBuilder> ChosenBuilder = new(() =>
        string.Equals(Environment.GetEnvironmentVariable("CogContainerEngine"), "podman", StringComparison.OrdinalIgnoreCase) ? TestBuilder.Podman
        : Environment.GetEnvironmentVariable("DOCKER_BUILDKIT") == "0" || !Available || Run("buildx", "version").ExitCode != 0 ? TestBuilder.Classic
        : TestBuilder.BuildKit);

    /// <summary>
    /// The builder of this test run, chosen the way a user chooses it, so that the SDK under test (which inherits the
    /// environment) builds with the same: CogContainerEngine=podman (the SDK's property, from the environment) for
    /// podman, DOCKER_BUILDKIT=0 for docker's classic builder, otherwise BuildKit where docker has buildx (the classic
    /// builder where it has not, as the SDK does). .ci/run runs the engine tests once with each.
    /// </summary>
    public static TestBuilder Builder => ChosenBuilder.Value;

    /// <summary>The CogContainerEngine setting that builds with <see cref="Builder"/>.</summary>
    public static string Setting => Builder == TestBuilder.Podman ? "podman" : "docker";

    /// <summary>Full path of the CLI of <see cref="Builder"/>: podman's, or docker's.</summary>
    public static string Cli => Builder == TestBuilder.Podman
        ? FindOnPath("podman") ?? throw new InvalidOperationException("CogContainerEngine=podman, but there is no podman CLI on PATH")
        : Docker;

    /// <summary>Full path of the docker CLI, when its daemon answers.</summary>
    public static string Docker => Probe.Value.Docker ?? throw new InvalidOperationException(Probe.Value.Problem);

    public static bool Available => Probe.Value.Docker != null;

    /// <summary>Why engine tests skip here; null when they run (always null under CI=true: they run and fail).</summary>
    public static string? SkipReason =>
        Available || IsCI ? null : $"No container engine answers here ({Probe.Value.Problem}). Start Docker or Podman (README.md, \"Two commands on a fresh machine\"); under CI=true this is a failure.";

    /// <summary>Runs the docker CLI and returns (exit code, stdout, stderr).</summary>
    public static (int ExitCode, string Out, string Err) Run(params string[] args) => RunWith(Docker, args);

    /// <summary>Runs the CLI of the builder under test (docker, or podman) and returns (exit code, stdout, stderr).</summary>
    public static (int ExitCode, string Out, string Err) RunCli(params string[] args) => RunWith(Cli, args);

    /// <summary>
    /// The arguments of `docker events` for the containers created from <paramref name="since"/> until now, to the
    /// millisecond: a window widened to whole seconds would take in the containers of a build that ended just before.
    /// </summary>
    public static string[] ContainerCreateEvents(DateTime since) => new[]
    {
        "events", "--since", UnixSeconds(since), "--until", UnixSeconds(DateTime.UtcNow.AddSeconds(1)),
        "--filter", "type=container", "--filter", "event=create", "--format", "{{.Actor.Attributes.name}}",
    };

    private static string UnixSeconds(DateTime time) =>
        (((DateTimeOffset)time).ToUnixTimeMilliseconds() / 1000.0).ToString("F3", System.Globalization.CultureInfo.InvariantCulture);

    private static (int ExitCode, string Out, string Err) RunWith(string cli, string[] args)
    {
        var psi = new ProcessStartInfo(cli) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(true);
            throw new TimeoutException(cli + " " + string.Join(" ", args));
        }

        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private static (string?, string?) ProbeEngine()
    {
        string? docker = FindOnPath("docker");
        if (docker == null)
        {
            return (null, "no docker CLI on PATH");
        }

        try
        {
            var psi = new ProcessStartInfo(docker, "version --format {{.Server.Version}}") { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            string err = p.StandardError.ReadToEnd();
            p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(15_000))
            {
                p.Kill(true);
                return (null, "'docker version' did not answer in 15 s");
            }

            return p.ExitCode == 0 ? (docker, null) : (null, err.Trim());
        }
        catch (Exception e)
        {
            return (null, e.Message);
        }
    }

    public static string? FindOnPath(string name)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (dir.Length == 0)
            {
                continue;
            }

            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
