using System;
using System.Collections.Generic;
using System.Threading;
using Cog.Sdk.Core.Diagnostics;
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
