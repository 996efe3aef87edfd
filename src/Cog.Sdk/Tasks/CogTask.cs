using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Cog.Sdk.Core;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Engine;
using Microsoft.Build.Framework;
using MSBuildTask = Microsoft.Build.Utilities.Task;

namespace Cog.Sdk.Tasks
{
    /// <summary>
    /// The shape every Cog.Sdk task shares: a thin adapter that calls the core, turns its diagnostics into MSBuild
    /// errors and warnings at their cog.yaml locations, and never lets an exception escape as MSB4018.
    /// </summary>
    public abstract class CogTask : MSBuildTask, ICancelableTask
    {
        private readonly CancellationTokenSource _cancellation = new CancellationTokenSource();
        private ProcessTermination? _termination;

        protected CancellationToken CancellationToken => _cancellation.Token;

        public void Cancel() => _cancellation.Cancel();

        public sealed override bool Execute()
        {
            try
            {
                Run();
            }
            catch (CogException e)
            {
                Report(e.Diagnostic);
            }
            catch (Exception) when (_cancellation.IsCancellationRequested)
            {
                // The work's OperationCanceledException, or MSBuild's own when it takes the node back after Ctrl+C.
                return Stopped();
            }
            catch (Exception e)
            {
                Report(Diagnostic.Error(ProcessMessages.InternalError, SourceLocation.None, e.Message));
                Log.LogMessage(MessageImportance.Low, e.ToString());
            }
            finally
            {
                _termination?.Dispose();
            }

            return !Log.HasLoggedErrors;
        }

        /// <summary>
        /// The line a task whose normal end is a signal (CogServe: `kill`, a closed terminal) says when one arrives; null
        /// for the others, which a signal cancels as Ctrl+C does.
        /// </summary>
        protected virtual string? StoppedBySignalLine => null;

        private bool Stopped()
        {
            bool success = _termination?.Signaled == true && StoppedBySignalLine != null;
            string line = success ? StoppedBySignalLine! : "Cog: canceled.";
            Action<string> log = message => Log.LogMessage(MessageImportance.High, message);
            if (_termination != null)
            {
                _termination.Stopped(line, success, log);
            }
            else
            {
                log(line);
            }

            return success;
        }

        /// <summary>Does the task's work; report problems through <see cref="Report(Diagnostic)"/> or by throwing <see cref="CogException"/>.</summary>
        protected abstract void Run();

        /// <summary>Runs async core code to completion inside Execute, where MSBuild expects the task's work and its logging.</summary>
        protected static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();

        /// <summary>
        /// As <see cref="Wait{T}"/>, for a wait on the engine (an image build, a prediction) that may take minutes: the node
        /// is yielded meanwhile, so that a multi-process build (-m) runs other projects' work on it, and a SIGTERM or
        /// SIGHUP cancels the work as Ctrl+C does, the process held until it has cleaned up (<see cref="ProcessTermination"/>).
        /// </summary>
        protected T WaitYielding<T>(Task<T> task)
        {
            _termination ??= new ProcessTermination(Cancel);
            var engine = BuildEngine as IBuildEngine3;
            engine?.Yield();
            try
            {
                return Wait(task);
            }
            finally
            {
                engine?.Reacquire();
            }
        }

        /// <summary>The model CogValidate resolved into obj/cog/model.json; a damaged file is removed, so that the next build makes it again.</summary>
        protected static CogProject ReadModel(string modelFile) => ReadBack(modelFile, CogProject.Read);

        /// <summary>
        /// A file an earlier step of the build wrote for a later one (obj/cog/model.json, obj/cog/Dockerfile.json), read
        /// back with <paramref name="read"/>; a damaged one is removed (COG3901), so that the next build writes it again.
        /// </summary>
        protected static T ReadBack<T>(string file, Func<string, T?> read)
            where T : class
        {
            if (read(file) is T value)
            {
                return value;
            }

            FileWrites.Delete(file);
            throw new CogException(Diagnostic.Error(ProcessMessages.ModelFileUnreadable, SourceLocation.None, file));
        }

        /// <summary>The container engine named by CogContainerEngine, its daemon asked; null (and the problem reported) when there is none that works.</summary>
        protected ContainerEngine? FindEngine(string setting)
        {
            var diagnostics = new DiagnosticBag();
            ContainerEngine? engine = EngineLocator.Find(setting, diagnostics, CancellationToken);
            Report(diagnostics);
            return engine;
        }

        /// <summary>A number of seconds from a property, or a coded error naming the property.</summary>
        protected TimeSpan Seconds(string property, string value)
        {
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds > 0)
            {
                return TimeSpan.FromSeconds(seconds);
            }

            throw new CogException(Diagnostic.Error(ConfigurationMessages.InvalidPropertyValue, SourceLocation.None, property, value, "a positive number of seconds"));
        }

        /// <summary>An enum value from a property (case-insensitive), or a coded error listing the choices.</summary>
        protected TEnum Choice<TEnum>(string property, string value)
            where TEnum : struct
        {
            if (Enum.TryParse(value, ignoreCase: true, out TEnum parsed) && Enum.IsDefined(typeof(TEnum), parsed))
            {
                return parsed;
            }

            string choices = string.Join(", ", Enum.GetNames(typeof(TEnum))).ToLowerInvariant();
            throw new CogException(Diagnostic.Error(ConfigurationMessages.InvalidPropertyValue, SourceLocation.None, property, value, "one of: " + choices));
        }

        /// <summary>Engine and container output: at normal verbosity, as the engine prints it.</summary>
        protected void LogEngineLine(string line) => Log.LogMessage(MessageImportance.Normal, line);

        protected void Report(IEnumerable<Diagnostic> diagnostics)
        {
            foreach (Diagnostic diagnostic in diagnostics)
            {
                Report(diagnostic);
            }
        }

        protected void Report(Diagnostic d)
        {
            SourceLocation at = d.Location;
            switch (d.Severity)
            {
                case DiagnosticSeverity.Error:
                    Log.LogError(null, d.Code, null, at.File, at.Line, at.Column, 0, 0, d.Message);
                    break;
                case DiagnosticSeverity.Warning:
                    Log.LogWarning(null, d.Code, null, at.File, at.Line, at.Column, 0, 0, d.Message);
                    break;
                default:
                    Log.LogMessage(null, d.Code, null, at.File, at.Line, at.Column, 0, 0, MessageImportance.Normal, d.Message);
                    break;
            }
        }
    }
}
