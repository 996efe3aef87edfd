using System.Diagnostics;
using System.Net;
using Cog.Sdk.Testing;

namespace Cog.Sdk.EndToEnd.Tests;

/// <summary>
/// A second docker engine of the test's own, standing in for a remote one: its own dockerd with its own --data-root,
/// --exec-root, --pidfile and managed containerd (so its own containerd state), listening only on
/// tcp://127.0.0.1:PORT, with a docker context for it in a docker config folder of its own. It has python:3.11-slim,
/// copied in with docker save / docker load, and has never seen anything else.
/// It cannot disturb the machine's dockerd: no iptables rules (--iptables=false, --ip-forward=false, --ip-masq=false)
/// and a network bridge of its own. (Not --bridge=none: a dockerd started with it deletes docker0, the bridge of the
/// machine's own dockerd, at start; and published ports, which predictions need, need a bridge.) Everything goes when
/// the fixture is disposed, or when the test process dies (<see cref="CleanupWatchdog"/>).
/// </summary>
public sealed class SecondEngine : IDisposable
{
    private readonly CleanupWatchdog? _cleanup;

    public SecondEngine()
    {
        if (SkipReason != null)
        {
            return;
        }

        string id = Guid.NewGuid().ToString("N")[..8];
        Folder = Path.Combine(Path.GetTempPath(), "cogtest-dockerd-" + id);
        Bridge = "cogt" + id;
        Port = TestRegistry.FreePort();
        ContextName = "cogtest-" + id;
        DockerConfig = Path.Combine(Folder, "docker-config");
        Directory.CreateDirectory(DockerConfig);
        _cleanup = new CleanupWatchdog($$"""
            pid=$(cat '{{Folder}}/dockerd.pid' 2>/dev/null)
            if [ -n "$pid" ]; then kill "$pid" 2>/dev/null; i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 40 ]; do sleep 0.5; i=$((i+1)); done; kill -9 "$pid" 2>/dev/null; fi
            for p in /proc/[0-9]*; do grep -qs '{{Folder}}/' "$p/cmdline" && kill -9 "${p#/proc/}" 2>/dev/null; done
            grep ' {{Folder}}/' /proc/mounts | cut -d' ' -f2 | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
            ip link delete '{{Bridge}}' 2>/dev/null
            rm -rf '{{Folder}}'
            """);
        try
        {
            Start();
        }
        catch
        {
            _cleanup.Dispose();
            throw;
        }
    }

    /// <summary>Why these tests skip here; null when they run (always null under CI=true, where they must run).</summary>
    public static string? SkipReason =>
        TestEngine.SkipReason ?? (TestEngine.IsCI || (Dockerd != null && TestEngine.FindOnPath("ip") != null && Environment.UserName == "root") ? null
            : "A second dockerd needs root, dockerd and ip(8); under CI=true this is a failure.");

    private static string? Dockerd => TestEngine.FindOnPath("dockerd") ?? (File.Exists("/usr/sbin/dockerd") ? "/usr/sbin/dockerd" : null);

    public string Folder { get; } = "";

    public string Bridge { get; } = "";

    public int Port { get; }

    /// <summary>DOCKER_HOST for this engine.</summary>
    public string Host => "tcp://127.0.0.1:" + Port;

    /// <summary>A docker context for this engine, in <see cref="DockerConfig"/> (the machine's docker config is left alone).</summary>
    public string ContextName { get; } = "";

    /// <summary>DOCKER_CONFIG holding <see cref="ContextName"/>.</summary>
    public string DockerConfig { get; } = "";

    /// <summary>The docker CLI against this engine.</summary>
    public (int ExitCode, string Out, string Err) Run(params string[] args) => Command(TestEngine.Docker, new[] { "-H", Host }.Concat(args).ToArray());

    /// <summary>The image's id in this engine; null when it has no such image.</summary>
    public string? ImageId(string image)
    {
        var (code, output, _) = Run("image", "inspect", "--format", "{{.Id}}", image);
        return code == 0 ? output.Trim() : null;
    }

    /// <summary>The names of the containers this engine created since <paramref name="since"/>, from its event log.</summary>
    public IReadOnlyList<string> ContainersCreatedSince(DateTime since)
    {
        var (_, names, _) = Run(TestEngine.ContainerCreateEvents(since));
        return names.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public void Dispose() => _cleanup?.Dispose();

    private void Start()
    {
        // A /24 of its own for the bridge, clear of every route the machine has (docker0, podman's, the LAN's).
        string routes = Command("ip", "-4", "route").Out;
        string subnet = Enumerable.Range(0, 50).Select(_ => $"10.{Random.Shared.Next(200, 250)}.{Random.Shared.Next(1, 254)}")
            .First(prefix => !routes.Contains(prefix + ".", StringComparison.Ordinal));
        Must(Command("ip", "link", "add", Bridge, "type", "bridge"));
        Must(Command("ip", "addr", "add", subnet + ".1/24", "dev", Bridge));
        Must(Command("ip", "link", "set", Bridge, "up"));

        File.WriteAllText(Path.Combine(Folder, "daemon.json"), "{}\n");
        var start = new ProcessStartInfo("setsid") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[]
        {
            "-f", "sh", "-c", $"exec '{Dockerd}' \"$@\" > '{Folder}/dockerd.log' 2>&1", "dockerd",
            "--config-file", Path.Combine(Folder, "daemon.json"),
            "--data-root", Path.Combine(Folder, "data"),
            "--exec-root", Path.Combine(Folder, "exec"),
            "--pidfile", Path.Combine(Folder, "dockerd.pid"),
            "-H", Host,
            "--bridge", Bridge,
            "--iptables=false", "--ip6tables=false", "--ip-forward=false", "--ip-masq=false",
            "--cgroup-parent", "/" + Bridge,
        })
        {
            start.ArgumentList.Add(argument);
        }

        using (var launcher = Process.Start(start)!)
        {
            launcher.WaitForExit(10_000);
        }

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Run("version", "--format", "{{.Server.Version}}").ExitCode != 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("the second dockerd did not start:\n" + Tail(Path.Combine(Folder, "dockerd.log")));
            }

            Thread.Sleep(250);
        }

        // The base image the models need, as a remote engine would have pulled it.
        Must(Command("sh", "-c", $"'{TestEngine.Docker}' save python:3.11-slim | '{TestEngine.Docker}' -H '{Host}' load"));
        Must(Command(TestEngine.Docker, "--config", DockerConfig, "context", "create", ContextName, "--docker", "host=" + Host));
    }

    private static void Must((int ExitCode, string Out, string Err) result)
    {
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(result.Err + result.Out);
        }
    }

    private static string Tail(string file) => File.Exists(file) ? string.Join("\n", File.ReadLines(file).TakeLast(20)) : "(no log)";

    private static (int ExitCode, string Out, string Err) Command(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(300_000))
        {
            process.Kill(true);
            throw new TimeoutException(file + " " + string.Join(" ", args));
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}

/// <summary>A test that needs <see cref="SecondEngine"/>: skipped with the reason where it cannot start, failing under CI=true.</summary>
public sealed class SecondEngineFactAttribute : FactAttribute
{
    public SecondEngineFactAttribute()
    {
        if (SecondEngine.SkipReason is string reason)
        {
            Skip = reason;
        }
    }
}
