using System;
using System.Threading;
#if NET
using System.Linq;
using System.Runtime.InteropServices;
#endif

namespace Cog.Sdk.Tasks
{
    /// <summary>
    /// While a task waits on the engine (a build, a prediction, a served model), SIGTERM and SIGHUP (a canceled CI job, a
    /// service manager, a closed terminal) cancel the task as Ctrl+C does, and the process's exit is held until the task
    /// has cleaned up: no container is left running behind a process that is gone.
    /// </summary>
    /// <remarks>
    /// The dotnet CLI answers SIGTERM itself with Environment.Exit(0) (its own handler: .NET 10 has no default one), run
    /// before or after this one. MSBuild's loggers print nothing more once that has begun, so the task's last line is
    /// then written to the console by the exit handler, and the exit code says the work was stopped (143, 128 + SIGTERM)
    /// unless stopping was what the task was asked to wait for (CogServe).
    /// </remarks>
    internal sealed class ProcessTermination : IDisposable
    {
        private const int TerminatedExitCode = 143;
        private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(30);
        private readonly Action _cancel;
        private readonly ManualResetEventSlim _finished = new ManualResetEventSlim();
        private volatile bool _exiting;
        private string? _lastLine;
        private bool _stopIsSuccess;
#if NET
        private readonly PosixSignalRegistration[] _signals;
#endif

        public ProcessTermination(Action cancel)
        {
            _cancel = cancel;
            AppDomain.CurrentDomain.ProcessExit += OnExit;
#if NET
            _signals = new[] { PosixSignal.SIGTERM, PosixSignal.SIGHUP }
                .Select(signal => PosixSignalRegistration.Create(signal, context =>
                {
                    context.Cancel = true;
                    Signaled = true;
                    _cancel();
                }))
                .ToArray();
#endif
        }

        /// <summary>Whether a signal (not Ctrl+C, which MSBuild turns into a canceled build) stopped the task.</summary>
        public bool Signaled { get; private set; }

        /// <summary>
        /// The task has stopped: <paramref name="lastLine"/> is logged, or written by the exit handler when the process is
        /// being ended; <paramref name="success"/> says whether stopping was the task's normal end.
        /// </summary>
        public void Stopped(string lastLine, bool success, Action<string> log)
        {
            _stopIsSuccess = success;
            if (_exiting)
            {
                _lastLine = lastLine;
            }
            else
            {
                log(lastLine);
            }
        }

        public void Dispose()
        {
            _finished.Set();
            AppDomain.CurrentDomain.ProcessExit -= OnExit;
#if NET
            foreach (var signal in _signals)
            {
                signal.Dispose();
            }
#endif
        }

        private void OnExit(object? sender, EventArgs e)
        {
            _exiting = true;
            Signaled = true;
            _cancel();
            if (!_finished.Wait(CleanupTimeout))
            {
                return;
            }

            if (_lastLine != null)
            {
                Console.Out.WriteLine("  " + _lastLine);
                Console.Out.Flush();
            }

            if (!_stopIsSuccess)
            {
                Environment.ExitCode = TerminatedExitCode;
            }
        }
    }
}
