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

        /// <summary>The method returned None: nothing was written ("No output generated", as Cog says).</summary>
        public bool IsEmpty => Files.Count == 0 && Text == null;
    }

    /// <summary>
    /// Writes a prediction's (or a training's) output to disk the way `cog predict` does, so that a build can pick the
    /// results up:
    /// <list type="bullet">
    /// <item>a file (a data URL) => output&lt;ext&gt;, the extension from its MIME type;</item>
    /// <item>a list of files => output.0&lt;ext&gt;, output.1&lt;ext&gt;, ...;</item>
    /// <item>a string, or the pieces of a concatenating iterator => printed, and written to output.txt (Cog only prints
    /// it; a file lets later targets use it);</item>
    /// <item>anything else (numbers, objects, mixed lists) => printed and written as pretty JSON to output.json, each file
    /// inside written beside it under the name of its place (an object's "weights" => weights.bin) and named there;</item>
    /// <item>nothing (None) => nothing written: "No output generated", as Cog says, and a success.</item>
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
        /// <param name="outputSchema">The schema's Output component, which says whether a list is an iterator's pieces to join.</param>
        /// <exception cref="CogException">COG4022 when a file cannot be written.</exception>
        public static WrittenOutput Write(JsonNode? output, string outputDirectory, string? outputPath = null, JsonObject? outputSchema = null)
        {
            if (output == null)
            {
                return new WrittenOutput(Array.Empty<string>(), null);
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

            if (IsConcatenated(outputSchema) && output is JsonArray pieces && pieces.All(piece => piece is JsonValue v && v.TryGetValue(out string? _)))
            {
                output = string.Concat(pieces.Select(piece => JsonText.Show(piece)));
            }

            if (output is JsonValue scalar && scalar.TryGetValue(out string? text))
            {
                return new WrittenOutput(new[] { WriteText(directory, fileName, ".txt", text) }, text);
            }

            // Files inside a value are written beside its JSON, which names them instead of holding their bytes.
            string document = fileName ?? BaseName + ".json";
            var written = new List<string>();
            var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { document };
            JsonNode? shown = WriteNestedFiles(output, new List<string>(), output is JsonArray, directory, fileName, written, taken);
            string json = JsonText.Write(shown, indented: true);
            written.Insert(0, Save(Path.Combine(directory, document), new UTF8Encoding(false).GetBytes(json + "\n")));
            return new WrittenOutput(written, json);
        }

        /// <summary>Cog's ConcatenateIterator: a list whose pieces a client joins (a language model's tokens).</summary>
        private static bool IsConcatenated(JsonObject? outputSchema) =>
            outputSchema.String("x-cog-array-type") == "iterator" && outputSchema.String("x-cog-array-display") == "concatenate";

        /// <summary>A copy of <paramref name="value"/> in which each data URL is written to a file and replaced by its name.</summary>
        private static JsonNode? WriteNestedFiles(JsonNode? value, List<string> place, bool underList, string directory, string? fileName,
            List<string> written, HashSet<string> taken)
        {
            switch (value)
            {
                case JsonObject map:
                    var copy = new JsonObject();
                    foreach (var pair in map)
                    {
                        place.Add(pair.Key);
                        copy[pair.Key] = WriteNestedFiles(pair.Value, place, underList, directory, fileName, written, taken);
                        place.RemoveAt(place.Count - 1);
                    }

                    return copy;
                case JsonArray list:
                    var items = new JsonArray();
                    for (int index = 0; index < list.Count; index++)
                    {
                        place.Add(index.ToString(System.Globalization.CultureInfo.InvariantCulture));
                        items.Add(WriteNestedFiles(list[index], place, underList, directory, fileName, written, taken));
                        place.RemoveAt(place.Count - 1);
                    }

                    return items;
                default:
                    if (AsFile(value) is not DataUrl file)
                    {
                        return JsonText.Copy(value);
                    }

                    // Named by its place: an object's "weights" is weights.bin; a list's first item output.0.png.
                    string prefix = (fileName == null ? BaseName : Path.GetFileNameWithoutExtension(fileName)) + ".";
                    string name = (underList ? prefix : "") + string.Join(".", place.Select(SafeName)) + MimeTypes.ToExtension(file.MimeType);
                    if (!taken.Add(name))
                    {
                        name = prefix + name;
                        taken.Add(name);
                    }

                    written.Add(Save(Path.Combine(directory, name), file.Content));
                    return name;
            }
        }

        private static string SafeName(string part)
        {
            var invalid = new HashSet<char>(Path.GetInvalidFileNameChars()) { '/', '\\', ':' };
            string safe = new string(part.Select(c => invalid.Contains(c) ? '_' : c).ToArray()).Trim('.', ' ');
            return safe.Length == 0 ? "_" : safe;
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
