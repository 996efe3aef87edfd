using System.Diagnostics;

namespace Cog.Sdk.Testing;

/// <summary>
/// Cleans up what a test started (a registry, a second dockerd, a network bridge) whatever happens to the test process:
/// a detached shell waits for this process to end and then runs the cleanup script, so that a crash or a killed test
/// run leaves nothing behind. <see cref="Dispose"/> runs the script at once and ends the watchdog.
/// </summary>
public sealed class CleanupWatchdog : IDisposable
{
    private readonly string _script;
    private readonly string _pidFile;

    /// <param name="script">POSIX shell commands that must succeed when run twice and when half of what they undo is missing.</param>
    public CleanupWatchdog(string script)
    {
        string name = Guid.NewGuid().ToString("N")[..8];
        _script = Path.Combine(Path.GetTempPath(), $"cogtest-cleanup-{name}.sh");
        _pidFile = Path.Combine(Path.GetTempPath(), $"cogtest-cleanup-{name}.pid");
        File.WriteAllText(_script, "#!/bin/sh\n" + script + $"\nrm -f '{_script}' '{_pidFile}'\n");
        int me = Environment.ProcessId;
        var watchdog = new ProcessStartInfo("setsid")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in new[] { "-f", "sh", "-c", $"echo $$ > '{_pidFile}'; while kill -0 {me} 2>/dev/null; do sleep 2; done; sh '{_script}'" })
        {
            watchdog.ArgumentList.Add(argument);
        }

        using var started = Process.Start(watchdog)!;
        started.WaitForExit(10_000);
    }

    public void Dispose()
    {
        if (File.Exists(_pidFile) && int.TryParse(File.ReadAllText(_pidFile).Trim(), out int pid))
        {
            try
            {
                Process.GetProcessById(pid).Kill();
            }
            catch (ArgumentException)
            {
                // The watchdog is gone already.
            }
            catch (InvalidOperationException)
            {
                // It ended between the two calls.
            }
        }

        if (File.Exists(_script))
        {
            var run = new ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true };
            run.ArgumentList.Add(_script);
            using var cleanup = Process.Start(run)!;
            cleanup.StandardOutput.ReadToEnd();
            cleanup.StandardError.ReadToEnd();
            cleanup.WaitForExit(120_000);
        }
    }
}
