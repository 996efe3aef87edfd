using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Cog.Sdk.Core.Engine;

namespace Cog.Sdk.Core.Predict
{
    /// <summary>What <see cref="SourceSchema.ReadAsync"/> learned: the schema, or why the source could not tell.</summary>
    public sealed class SourceSchemaResult
    {
        internal SourceSchemaResult(string? json, string? reason)
        {
            Json = json;
            Reason = reason;
        }

        /// <summary>The OpenAPI schema as the image's runtime would print it; null when it could not be read here.</summary>
        public string? Json { get; }

        /// <summary>Why there is no schema: python3 missing, predict.py importing what this machine lacks (torch), ...</summary>
        public string? Reason { get; }
    }

    /// <summary>
    /// Reads a model's schema from its source, before any image exists, as Cog does before it builds: the runtime's own
    /// schema command (`python -m cog.command.openapi_schema`, which imports the model's module but never calls setup())
    /// run by this machine's Python on the project's files. The module may import what only the image has (torch); then
    /// the schema is unknown here, and the inputs are checked once the image exists, before a container starts.
    /// </summary>
    public static class SourceSchema
    {
        /// <param name="python">The interpreter, e.g. python3.</param>
        /// <param name="runtimeDirectory">The runtime's `cog` package folder (the one copied into images).</param>
        /// <param name="workingDirectory">Where the model runs from: the folder of cog.yaml (or its workdir).</param>
        /// <param name="predictor">cog.yaml's run/predict/model value, or null.</param>
        /// <param name="trainer">cog.yaml's train value, or null.</param>
        public static async Task<SourceSchemaResult> ReadAsync(string python, string runtimeDirectory, string workingDirectory, string? predictor, string? trainer,
            TimeSpan timeout, CancellationToken cancellationToken)
        {
            string packages = Path.GetDirectoryName(Path.GetFullPath(runtimeDirectory).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar))!;
            string? inherited = Environment.GetEnvironmentVariable("PYTHONPATH");
            var environment = new Dictionary<string, string>
            {
                // This runtime first, before any `cog` installed on this machine.
                ["PYTHONPATH"] = string.IsNullOrEmpty(inherited) ? packages : packages + Path.PathSeparator + inherited,
                ["COG_PREDICTOR"] = predictor ?? "",
                ["COG_TRAINER"] = trainer ?? "",
                // No __pycache__ folders in the project: they would be files of the build context.
                ["PYTHONDONTWRITEBYTECODE"] = "1",
            };
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            ProcessResult result;
            try
            {
                result = await ProcessRunner.RunAsync(python, new[] { "-m", "cog.command.openapi_schema" }, limit.Token,
                    environment: environment, workingDirectory: workingDirectory).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new SourceSchemaResult(null, $"{python} took longer than {timeout.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s to import the model");
            }
            catch (Exception e) when (e is Win32Exception || e is InvalidOperationException || e is IOException)
            {
                return new SourceSchemaResult(null, $"{python} could not be started ({e.Message})");
            }

            if (!result.Succeeded)
            {
                string reason = SchemaReader.Refusal(result.StandardError) ?? ContainerCli.LastLine(result.StandardError);
                return new SourceSchemaResult(null, $"{python} exited with code {result.ExitCode}: {reason}");
            }

            return JsonText.ParseObject(result.StandardOutput) is null
                ? new SourceSchemaResult(null, $"{python} printed no schema")
                : new SourceSchemaResult(result.StandardOutput.Trim(), null);
        }
    }
}
