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

/// <summary>Finds the engine the tests use, once per test run.</summary>
public static class TestEngine
{
    private static readonly Lazy<(string? Docker, string? Problem)> Probe = new(ProbeEngine);

    /// <summary>True under CI=true, where tests must not skip for lack of an engine.</summary>
    public static bool IsCI => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Full path of the docker CLI, when its daemon answers.</summary>
    public static string Docker => Probe.Value.Docker ?? throw new InvalidOperationException(Probe.Value.Problem);

    public static bool Available => Probe.Value.Docker != null;

    /// <summary>Why engine tests skip here; null when they run (always null under CI=true: they run and fail).</summary>
    public static string? SkipReason =>
        Available || IsCI ? null : $"No container engine answers here ({Probe.Value.Problem}). Start Docker or Podman (README.md, \"Two commands on a fresh machine\"); under CI=true this is a failure.";

    /// <summary>Runs the docker CLI and returns (exit code, stdout, stderr).</summary>
    public static (int ExitCode, string Out, string Err) Run(params string[] args)
    {
        var psi = new ProcessStartInfo(Docker) { RedirectStandardOutput = true, RedirectStandardError = true };
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
            throw new TimeoutException("docker " + string.Join(" ", args));
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
