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
            catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
            {
                Log.LogMessage(MessageImportance.High, "Cog: canceled.");
                return false;
            }
            catch (Exception e)
            {
                Report(Diagnostic.Error(ProcessMessages.InternalError, SourceLocation.None, e.Message));
                Log.LogMessage(MessageImportance.Low, e.ToString());
            }

            return !Log.HasLoggedErrors;
        }

        /// <summary>Does the task's work; report problems through <see cref="Report(Diagnostic)"/> or by throwing <see cref="CogException"/>.</summary>
        protected abstract void Run();

        /// <summary>Runs async core code to completion inside Execute, where MSBuild expects the task's work and its logging.</summary>
        protected static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();

        /// <summary>The model that CogValidate vouched for earlier in this build.</summary>
        internal ValidatedModel Model(string configFile) => Recall<ValidatedModel>(configFile, "CogValidate");

        /// <summary>The model that CogValidate vouched for, loaded (now, if CogValidate took it from its record).</summary>
        protected CogProject ValidatedProject(string configFile) => Model(configFile).Project();

        /// <summary>What an earlier task of this build handed on; an internal error if that task did not run.</summary>
        internal T Recall<T>(string configFile, string fromTarget)
            where T : class =>
            ProjectCache.Recall<T>(BuildEngine, configFile)
            ?? throw new CogException(Diagnostic.Error(ProcessMessages.InternalError, SourceLocation.None, fromTarget + " did not run before " + GetType().Name));

        /// <summary>A stable identity of this task assembly, for the keys of the records in obj/cog.</summary>
        protected string TaskAssemblyIdentity => GetType().Assembly.ManifestModule.ModuleVersionId.ToString("N");

        /// <summary>
        /// The container engine named by CogContainerEngine, found once per build, and remembered in obj/cog between builds
        /// when <paramref name="intermediateDirectory"/> is given; null, with the problem reported, when there is none that works.
        /// </summary>
        protected ContainerEngine? FindEngine(string setting, string? intermediateDirectory = null)
        {
            var diagnostics = new DiagnosticBag();
            string? rememberIn = intermediateDirectory == null ? null : System.IO.Path.Combine(intermediateDirectory, "engine.json");
            ContainerEngine? engine = EngineLocator.Find(setting, diagnostics, CancellationToken, rememberIn);
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
