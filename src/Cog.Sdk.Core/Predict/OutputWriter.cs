using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using Cog.Sdk.Core.Diagnostics;

namespace Cog.Sdk.Core.Predict
{
    /// <summary>What <see cref="OutputWriter"/> wrote, and what to print.</summary>
    public sealed class WrittenOutput
    {
        internal WrittenOutput(IReadOnlyList<string> files, string? text)
        {
            Files = files;
            Text = text;
        }

        /// <summary>Full paths of the files written, in order.</summary>
        public IReadOnlyList<string> Files { get; }

        /// <summary>The output to print in the build log: a string as is, other values as pretty JSON; null for files.</summary>
        public string? Text { get; }
    }

    /// <summary>
    /// Writes a prediction's output to disk the way `cog predict` does, so that a build can pick the results up:
    /// <list type="bullet">
    /// <item>a file (a data URL) => output&lt;ext&gt;, the extension from its MIME type;</item>
    /// <item>a list of files => output.0&lt;ext&gt;, output.1&lt;ext&gt;, ...;</item>
    /// <item>a string => printed, and written to output.txt (Cog only prints it; a file lets later targets use it);</item>
    /// <item>anything else (numbers, objects, mixed lists) => printed and written as pretty JSON to output.json.</item>
    /// </list>
    /// </summary>
    public static class OutputWriter
    {
        private const string BaseName = "output";

        /// <param name="output">The prediction's output (<see cref="PredictionResult.Output"/>).</param>
        /// <param name="outputDirectory">Where outputs go by default (bin/.../cog-output/).</param>
        /// <param name="outputPath">
        /// CogOutput: a file name to use instead of output&lt;ext&gt; (a list numbers it: result.0.png), or a directory
        /// (an existing one, or one written with a trailing slash). A leading '@' is ignored, as Cog does. Relative to
        /// <paramref name="outputDirectory"/>'s caller: pass it already made absolute.
        /// </param>
        /// <exception cref="CogException">COG4021 when there is no output; COG4022 when a file cannot be written.</exception>
        public static WrittenOutput Write(JsonNode? output, string outputDirectory, string? outputPath = null)
        {
            if (output == null)
            {
                throw new CogException(Diagnostic.Error(PredictionMessages.NoOutput, SourceLocation.None));
            }

            var (directory, fileName) = Target(outputDirectory, outputPath);
            if (AsFile(output) is DataUrl file)
            {
                return new WrittenOutput(new[] { WriteFile(directory, fileName, null, file) }, null);
            }

            if (output is JsonArray list && list.Count > 0 && list.All(item => AsFile(item) != null))
            {
                var files = list.Select((item, index) => WriteFile(directory, fileName, index, AsFile(item)!)).ToList();
                return new WrittenOutput(files, null);
            }

            if (output is JsonValue scalar && scalar.TryGetValue(out string? text))
            {
                return new WrittenOutput(new[] { WriteText(directory, fileName, ".txt", text) }, text);
            }

            string json = JsonText.Write(output, indented: true);
            return new WrittenOutput(new[] { WriteText(directory, fileName, ".json", json + "\n") }, json);
        }

        private static DataUrl? AsFile(JsonNode? value) =>
            value is JsonValue scalar && scalar.TryGetValue(out string? s) && DataUrl.TryParse(s, out DataUrl? file) ? file : null;

        /// <summary>The directory and, when CogOutput names a file, its name.</summary>
        private static (string Directory, string? FileName) Target(string outputDirectory, string? outputPath)
        {
            if (string.IsNullOrWhiteSpace(outputPath))
            {
                return (outputDirectory, null);
            }

            string path = outputPath!.Trim().TrimStart('@');
            bool isDirectory = Directory.Exists(path) || path.EndsWith("/", StringComparison.Ordinal) || path.EndsWith("\\", StringComparison.Ordinal);
            return isDirectory ? (path, null) : (Path.GetDirectoryName(Path.GetFullPath(path))!, Path.GetFileName(path));
        }

        private static string WriteFile(string directory, string? fileName, int? index, DataUrl file)
        {
            string extension = MimeTypes.ToExtension(file.MimeType);
            string name = fileName == null
                ? BaseName + (index == null ? "" : "." + index) + extension
                : index == null ? fileName : Path.GetFileNameWithoutExtension(fileName) + "." + index + (Path.GetExtension(fileName) is { Length: > 0 } own ? own : extension);
            return Save(Path.Combine(directory, name), file.Content);
        }

        private static string WriteText(string directory, string? fileName, string extension, string text) =>
            Save(Path.Combine(directory, fileName ?? BaseName + extension), new UTF8Encoding(false).GetBytes(text));

        private static string Save(string path, byte[] content)
        {
            string fullPath = Path.GetFullPath(path);
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
                File.WriteAllBytes(fullPath, content);
                return fullPath;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CogException(Diagnostic.Error(PredictionMessages.OutputNotWritten, SourceLocation.None, fullPath, e.Message));
            }
        }
    }
}
