using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Engine;

namespace Cog.Sdk.Core.Predict
{
    /// <summary>
    /// Reads a built image's OpenAPI schema, to check inputs before a prediction starts a container.
    /// In order: the image's run.cog.openapi_schema label (every build of Cog.Sdk writes it; images built elsewhere may lack it), a cache file keyed by the
    /// image id, and finally `python -m cog.command.openapi_schema` in a throwaway container, which imports
    /// predict.py but never calls setup(), needs no GPU and no network.
    /// </summary>
    public static class SchemaReader
    {
        public const string SchemaLabel = "run.cog.openapi_schema";

        /// <summary>The prefix of the schema command's one-line reason when it refuses a predictor (exit code 1).</summary>
        internal const string RefusalPrefix = "cog: cannot produce the OpenAPI schema: ";

        /// <summary>The inputs and output of predictions.</summary>
        public static Task<InputSchema> ReadAsync(ContainerEngine engine, string image, string? cacheDirectory, Action<Diagnostic> report, CancellationToken cancellationToken) =>
            ReadAsync(engine, image, ServerMode.Predict, cacheDirectory, report, cancellationToken);

        /// <param name="mode">Whose inputs: predictions' (Input) or trainings' (TrainingInput).</param>
        /// <param name="cacheDirectory">A folder under obj/ for schemas by image id; null to skip caching.</param>
        public static async Task<InputSchema> ReadAsync(ContainerEngine engine, string image, ServerMode mode, string? cacheDirectory, Action<Diagnostic> report, CancellationToken cancellationToken)
        {
            ImageDetails details = await ContainerCli.InspectImageAsync(engine, image, cancellationToken).ConfigureAwait(false);
            string id = details.Id;
            if (details.Labels.String(SchemaLabel) is string labelled && TryParse(labelled, mode) is InputSchema fromLabel)
            {
                return fromLabel;
            }

            string? cacheFile = cacheDirectory == null ? null : Path.Combine(cacheDirectory, "openapi-" + id.Replace("sha256:", "").Replace(':', '-') + ".json");
            if (cacheFile != null && File.Exists(cacheFile) && TryParse(File.ReadAllText(cacheFile), mode) is InputSchema cached)
            {
                return cached;
            }

            string json = await GenerateAsync(engine, image, report, cancellationToken).ConfigureAwait(false);
            InputSchema schema;
            try
            {
                schema = InputSchema.Parse(json, mode);
            }
            catch (FormatException e)
            {
                throw new CogException(Diagnostic.Error(PredictionMessages.SchemaUnreadable, SourceLocation.None, image, e.Message));
            }

            if (cacheFile != null)
            {
                FileWrites.WriteAtomically(cacheFile, json);
            }

            return schema;
        }

        private static async Task<string> GenerateAsync(ContainerEngine engine, string image, Action<Diagnostic> report, CancellationToken cancellationToken)
        {
            string name = ContainerCli.NewContainerName("schema", image);
            try
            {
                ProcessResult result = await engine.RunAsync(new[] { "run", "--rm", "--name", name, "--network", "none", "--entrypoint", "python", image, "-m", "cog.command.openapi_schema" },
                    cancellationToken).ConfigureAwait(false);
                if (Refusal(result.StandardError) is string reason)
                {
                    throw new CogException(Diagnostic.Error(PredictionMessages.SchemaRefused, SourceLocation.None, image, reason));
                }

                if (!result.Succeeded)
                {
                    throw new CogException(Diagnostic.Error(PredictionMessages.SchemaUnreadable, SourceLocation.None, image,
                        $"exit code {result.ExitCode}:\n{ContainerCli.Tail(result.StandardError + result.StandardOutput, 20)}"));
                }

                // predict.py may print while it is imported: the schema is the JSON object in the output.
                string output = result.StandardOutput;
                int start = output.IndexOf('{');
                int end = output.LastIndexOf('}');
                return start >= 0 && end > start ? output.Substring(start, end - start + 1) : output;
            }
            finally
            {
                await ContainerCli.RemoveAsync(engine, name, report).ConfigureAwait(false);
            }
        }

        /// <summary>The reason the schema command gave for refusing the predictor (a type Cog cannot describe, no predictor), or null.</summary>
        internal static string? Refusal(string standardError) =>
            standardError.Split('\n').Select(line => line.Trim())
                .Where(line => line.StartsWith(RefusalPrefix, StringComparison.Ordinal))
                .Select(line => line.Substring(RefusalPrefix.Length))
                .LastOrDefault();

        private static InputSchema? TryParse(string json, ServerMode mode)
        {
            try
            {
                return InputSchema.Parse(json, mode);
            }
            catch (FormatException)
            {
                return null;
            }
        }
    }
}
