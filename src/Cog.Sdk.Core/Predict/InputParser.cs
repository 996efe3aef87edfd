using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using Cog.Sdk.Core.Diagnostics;

namespace Cog.Sdk.Core.Predict
{
    /// <summary>One value the user gave for an input, before the schema says what it means.</summary>
    public sealed class RawValue
    {
        private RawValue(string? text, string? filePath, JsonNode? json, bool isJson)
        {
            Text = text;
            FilePath = filePath;
            Json = json;
            IsJson = isJson;
        }

        /// <summary>Text from CogInput or an input item, to be coerced by the schema's type.</summary>
        public string? Text { get; }

        /// <summary>The path after '@', as written (relative to the project directory).</summary>
        public string? FilePath { get; }

        /// <summary>A value from a JSON input file, already typed ("@path" strings already made data URLs).</summary>
        public JsonNode? Json { get; }

        public bool IsJson { get; }
        public bool IsFile => FilePath != null;

        public static RawValue FromText(string text) =>
            text.StartsWith("@", StringComparison.Ordinal) ? new RawValue(null, text.Substring(1), null, false) : new RawValue(text, null, null, false);

        public static RawValue FromJson(JsonNode? json) => new RawValue(null, null, json, true);

        /// <summary>How an error message quotes what was given.</summary>
        public override string ToString() =>
            IsFile ? "@" + FilePath : IsJson ? JsonText.Show(Json) : Text ?? "";
    }

    /// <summary>An input name with every value given for it (several make a list).</summary>
    public sealed class RawInput
    {
        public RawInput(string name, IReadOnlyList<RawValue> values, SourceLocation location = default)
        {
            Name = name;
            Values = values;
            Location = location;
        }

        public string Name { get; }
        public IReadOnlyList<RawValue> Values { get; }

        /// <summary>Where it was written (the JSON input file), for the diagnostics about it.</summary>
        public SourceLocation Location { get; }
    }

    /// <summary>
    /// Reads the inputs of a prediction from the three places a user can write them: the CogInput string
    /// ("name=value;image=@photo.jpg"), input items (a name and its values), or a JSON file (CogInputFile).
    /// </summary>
    public static class InputParser
    {
        /// <summary>
        /// The inputs from wherever the user wrote them: the CogInput string and items together, or a JSON file
        /// (not both: COG4011).
        /// </summary>
        /// <param name="items">CogInput items: each name with its values (a repeated name makes a list).</param>
        public static IReadOnlyList<RawInput> Read(string? text, IEnumerable<KeyValuePair<string, IReadOnlyList<string>>> items, string? inputFile,
            string projectDirectory, DiagnosticBag diagnostics)
        {
            var fromItems = FromItems(items);
            bool hasInput = !string.IsNullOrWhiteSpace(text) || fromItems.Count > 0;
            if (hasInput && !string.IsNullOrWhiteSpace(inputFile))
            {
                diagnostics.Error(PredictionMessages.InputSourcesExclusive, SourceLocation.None);
                return Array.Empty<RawInput>();
            }

            if (!string.IsNullOrWhiteSpace(inputFile))
            {
                return ReadInputFile(ResolvePath(projectDirectory, inputFile!), projectDirectory, diagnostics);
            }

            var fromString = string.IsNullOrWhiteSpace(text) ? Array.Empty<RawInput>() : ParseInputString(text!, diagnostics);
            return fromString.Concat(fromItems).ToList();
        }

        /// <summary>
        /// Parses "name=value;name=@path;tags=a;tags=b". Pairs are separated by ';' outside double quotes, so a
        /// quoted value may contain ';'. The value is everything after the first '=' (it may contain '='), with
        /// surrounding double quotes stripped; a repeated name makes a list.
        /// </summary>
        public static IReadOnlyList<RawInput> ParseInputString(string text, DiagnosticBag diagnostics, SourceLocation location = default)
        {
            var pairs = new List<KeyValuePair<string, string>>();
            foreach (string segment in SplitOutsideQuotes(StripQuotes(text.Trim()), ';'))
            {
                string pair = segment.Trim();
                if (pair.Length == 0)
                {
                    continue;
                }

                int equals = pair.IndexOf('=');
                if (equals <= 0)
                {
                    diagnostics.Error(PredictionMessages.InputSyntax, location, pair);
                    continue;
                }

                pairs.Add(new KeyValuePair<string, string>(pair.Substring(0, equals).Trim(), StripQuotes(pair.Substring(equals + 1).Trim())));
            }

            return Group(pairs, location);
        }

        /// <summary>Inputs given as items: a name with one or more values each (the same name twice also adds up).</summary>
        public static IReadOnlyList<RawInput> FromItems(IEnumerable<KeyValuePair<string, IReadOnlyList<string>>> items, SourceLocation location = default) =>
            Group(items.SelectMany(item => item.Value.Select(value => new KeyValuePair<string, string>(item.Key.Trim(), value))), location);

        /// <summary>
        /// Reads a JSON object of inputs (like `cog predict --json @inputs.json`). Every string "@path", also inside
        /// lists, becomes a data URL of that file, relative to <paramref name="projectDirectory"/>.
        /// </summary>
        public static IReadOnlyList<RawInput> ReadInputFile(string path, string projectDirectory, DiagnosticBag diagnostics)
        {
            var location = new SourceLocation(path);
            JsonObject? inputs;
            try
            {
                inputs = JsonText.Parse(File.ReadAllText(path)) as JsonObject;
                if (inputs == null)
                {
                    diagnostics.Error(PredictionMessages.InputFileUnreadable, location, path, "it is not a JSON object");
                    return Array.Empty<RawInput>();
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                diagnostics.Error(PredictionMessages.InputFileUnreadable, location, path, e.Message);
                return Array.Empty<RawInput>();
            }

            return inputs
                .Select(pair => new RawInput(pair.Key, new[] { RawValue.FromJson(ResolveFileReferences(pair.Key, pair.Value, projectDirectory, location, diagnostics)) }, location))
                .ToList();
        }

        /// <summary>The path of a file input, relative to the project directory unless it is absolute.</summary>
        public static string ResolvePath(string projectDirectory, string path) => Path.GetFullPath(Path.Combine(projectDirectory, path));

        /// <summary>Reads a file input as a data URL; reports (and returns null) when it does not exist.</summary>
        internal static string? ReadFileAsDataUrl(string inputName, string path, string projectDirectory, SourceLocation location, DiagnosticBag diagnostics)
        {
            string fullPath = ResolvePath(projectDirectory, path);
            if (!File.Exists(fullPath))
            {
                diagnostics.Error(PredictionMessages.InputFileNotFound, location, inputName, path, projectDirectory);
                return null;
            }

            return DataUrl.FromFile(fullPath);
        }

        private static JsonNode? ResolveFileReferences(string name, JsonNode? value, string projectDirectory, SourceLocation location, DiagnosticBag diagnostics) =>
            value switch
            {
                JsonValue scalar when scalar.TryGetValue(out string? s) && s.StartsWith("@", StringComparison.Ordinal) =>
                    ReadFileAsDataUrl(name, s.Substring(1), projectDirectory, location, diagnostics),
                JsonArray list => new JsonArray(list.Select(item => ResolveFileReferences(name, item, projectDirectory, location, diagnostics)).ToArray()),
                _ => JsonText.Copy(value),
            };

        private static IReadOnlyList<RawInput> Group(IEnumerable<KeyValuePair<string, string>> pairs, SourceLocation location) =>
            pairs
                .GroupBy(pair => pair.Key, StringComparer.Ordinal)
                .Select(group => new RawInput(group.Key, group.Select(pair => RawValue.FromText(pair.Value)).ToList(), location))
                .ToList();

        private static string StripQuotes(string text) =>
            text.Length >= 2 && text[0] == '"' && text[text.Length - 1] == '"' ? text.Substring(1, text.Length - 2) : text;

        private static IEnumerable<string> SplitOutsideQuotes(string text, char separator)
        {
            var current = new StringBuilder();
            bool quoted = false;
            foreach (char c in text)
            {
                if (c == '"')
                {
                    quoted = !quoted;
                }

                if (c == separator && !quoted)
                {
                    yield return current.ToString();
                    current.Clear();
                }
                else
                {
                    current.Append(c);
                }
            }

            yield return current.ToString();
        }
    }
}
