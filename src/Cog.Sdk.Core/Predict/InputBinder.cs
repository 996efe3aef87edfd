using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using Cog.Sdk.Core.Diagnostics;

namespace Cog.Sdk.Core.Predict
{
    /// <summary>
    /// Turns the inputs a user wrote into the JSON object of a prediction request, coercing each value by the
    /// schema's type and checking it against the schema, so that a typo fails before a container starts and a
    /// model loads. Every problem is reported, not only the first.
    /// </summary>
    public static class InputBinder
    {
        /// <summary>Checks the inputs against the schema as <see cref="Bind"/> does, for a check before anything is sent.</summary>
        public static void Check(IReadOnlyList<RawInput> inputs, InputSchema schema, string projectDirectory, DiagnosticBag diagnostics) =>
            Bind(inputs, schema, projectDirectory, diagnostics);

        /// <returns>The "input" object of the request; complete only when <paramref name="diagnostics"/> has no errors.</returns>
        public static JsonObject Bind(IReadOnlyList<RawInput> inputs, InputSchema schema, string projectDirectory, DiagnosticBag diagnostics)
        {
            var bound = new JsonObject();
            foreach (RawInput input in inputs)
            {
                InputParameter? parameter = schema.Find(input.Name);
                if (parameter == null)
                {
                    var names = schema.Parameters.Select(p => p.Name).ToList();
                    string? suggestion = Suggestions.Closest(input.Name, names);
                    diagnostics.Error(PredictionMessages.UnknownInput, input.Location, input.Name,
                        suggestion == null ? "" : $"; did you mean \"{suggestion}\"?", names.Count == 0 ? "(none)" : string.Join(", ", names));
                    continue;
                }

                if (parameter.Deprecated)
                {
                    diagnostics.Warning(PredictionMessages.DeprecatedInput, input.Location, input.Name);
                }

                if (TryBind(input, parameter, projectDirectory, diagnostics, out JsonNode? value))
                {
                    bound[parameter.Name] = value;
                }
            }

            foreach (InputParameter parameter in schema.Parameters.Where(p => p.Required && !inputs.Any(i => i.Name == p.Name)))
            {
                diagnostics.Error(PredictionMessages.MissingRequiredInput, SourceLocation.None, parameter.Name, parameter.Describe());
            }

            return bound;
        }

        private static bool TryBind(RawInput input, InputParameter parameter, string projectDirectory, DiagnosticBag diagnostics, out JsonNode? value)
        {
            value = null;
            // A list input, or a union with a list member given several values (list[str] | int).
            InputParameter? list = parameter.IsArray ? parameter
                : input.Values.Count > 1 ? parameter.Variants?.FirstOrDefault(v => v.IsArray)
                : null;
            if (list != null)
            {
                // Items and CogInput give one value per element; a JSON file gives the whole list (or one element).
                IEnumerable<RawValue> elements = input.Values.Count == 1 && input.Values[0].Json is JsonArray given
                    ? given.Select(RawValue.FromJson)
                    : input.Values;
                var values = new JsonArray();
                bool ok = true;
                foreach (RawValue element in elements)
                {
                    ok &= TryCoerce(input, list.Items ?? list, element, projectDirectory, diagnostics, out JsonNode? item);
                    values.Add(item);
                }

                value = values;
                return ok;
            }

            if (input.Values.Count != 1)
            {
                diagnostics.Error(PredictionMessages.InputGivenSeveralTimes, input.Location, input.Name, input.Values.Count);
                return false;
            }

            return TryCoerce(input, parameter, input.Values[0], projectDirectory, diagnostics, out value);
        }

        private static bool TryCoerce(RawInput input, InputParameter parameter, RawValue raw, string projectDirectory, DiagnosticBag diagnostics, out JsonNode? value)
        {
            value = null;
            if (raw.IsJson && raw.Json == null)
            {
                // An explicit null (from a JSON file): what an optional input is when not given.
                return parameter.Nullable || !parameter.Required || WrongType(input, parameter, raw, diagnostics);
            }

            if (raw.IsFile)
            {
                if (!parameter.IsFile)
                {
                    return WrongType(input, parameter, raw, diagnostics);
                }

                if (!Accepts(parameter, raw.FilePath!, MimeTypes.FromFileName(raw.FilePath!)))
                {
                    diagnostics.Error(PredictionMessages.InputFileNotAccepted, input.Location, input.Name, raw.FilePath, parameter.Accept);
                    return false;
                }

                value = InputParser.ReadFileAsDataUrl(input.Name, raw.FilePath!, projectDirectory, input.Location, diagnostics);
                return value != null;
            }

            value = Coerce(parameter, raw);
            if (value == null)
            {
                return WrongType(input, parameter, raw, diagnostics);
            }

            if (parameter.IsFile && DataUrl.TryParse(JsonText.Show(value), out DataUrl? inline) && !Accepts(parameter, null, inline!.MimeType))
            {
                diagnostics.Error(PredictionMessages.InputFileNotAccepted, input.Location, input.Name, inline.MimeType, parameter.Accept);
                return false;
            }

            return InRange(input, parameter, value, diagnostics) && InChoices(input, parameter, value, diagnostics);
        }

        /// <summary>The value as the parameter's type, or null when it is not one: text is converted, JSON must already be of the type.</summary>
        private static JsonNode? Coerce(InputParameter parameter, RawValue raw)
        {
            if (parameter.IsUnion)
            {
                // A union takes any member's value. Text is tried as the stricter types first: "3" is a number
                // for str | float, as anyone typing it on a command line means.
                IEnumerable<InputParameter> members = raw.IsJson ? parameter.Variants! : parameter.Variants!.OrderBy(TextPreference);
                return members.Select(member => Coerce(member, raw)).FirstOrDefault(value => value != null);
            }

            JsonNode? value = parameter.Type switch
            {
                "integer" => raw.IsJson ? raw.Json.Integer() : ParseInteger(raw.Text!),
                "number" => raw.IsJson ? raw.Json.Number() is double ? JsonText.Copy(raw.Json) : null : ParseNumber(raw.Text!),
                "boolean" => raw.IsJson ? (raw.Json is JsonValue b && b.TryGetValue(out bool flag) ? flag : null) : ParseBoolean(raw.Text!),
                "string" => raw.IsJson ? (raw.Json is JsonValue s && s.TryGetValue(out string? text) ? text : null) : raw.Text,
                // dict, TypedDict, Opaque, Any: a JSON object, written as JSON in CogInput.
                "object" => raw.IsJson ? JsonText.Copy(raw.Json as JsonObject) : ParseJson(raw.Text!) as JsonObject,
                "array" => raw.IsJson ? JsonText.Copy(raw.Json as JsonArray) : ParseJson(raw.Text!) as JsonArray,
                // No type in the schema: let the model's server judge the value (JSON as is, text as text).
                _ => raw.IsJson ? JsonText.Copy(raw.Json) : raw.Text,
            };
            return parameter.IsFile && !(value is JsonValue url && url.TryGetValue(out string? link) && IsUrl(link)) ? null : value;
        }

        private static int TextPreference(InputParameter member) =>
            member.Type switch { "integer" => 0, "number" => 1, "boolean" => 2, "object" => 3, "array" => 4, _ => 5 };

        /// <summary>
        /// Whether a file fits Input(accept=...): a list of extensions (".png") and MIME types ("image/png", "image/*"), as
        /// an HTML file input reads it. A file input without accept takes any file.
        /// </summary>
        internal static bool Accepts(InputParameter parameter, string? fileName, string mimeType)
        {
            if (string.IsNullOrWhiteSpace(parameter.Accept))
            {
                return true;
            }

            return parameter.Accept!.Split(',').Select(entry => entry.Trim()).Where(entry => entry.Length > 0).Any(entry =>
                entry.StartsWith(".", StringComparison.Ordinal)
                    ? (fileName != null && fileName.EndsWith(entry, StringComparison.OrdinalIgnoreCase)) ||
                      (mimeType != MimeTypes.Unknown && string.Equals(MimeTypes.FromFileName(entry), mimeType, StringComparison.OrdinalIgnoreCase))
                    : entry.EndsWith("/*", StringComparison.Ordinal)
                        ? mimeType.StartsWith(entry.Substring(0, entry.Length - 1), StringComparison.OrdinalIgnoreCase)
                        : string.Equals(entry, mimeType, StringComparison.OrdinalIgnoreCase));
        }

        private static bool WrongType(RawInput input, InputParameter parameter, RawValue raw, DiagnosticBag diagnostics)
        {
            diagnostics.Error(PredictionMessages.InvalidInputType, input.Location, input.Name, parameter.Describe(), raw.ToString());
            return false;
        }

        private static bool InRange(RawInput input, InputParameter parameter, JsonNode value, DiagnosticBag diagnostics)
        {
            if (value.Number() is not double number)
            {
                return true;
            }

            if (parameter.Minimum is double minimum && number < minimum)
            {
                diagnostics.Error(PredictionMessages.InputBelowMinimum, input.Location, input.Name, Format(value), Format(minimum));
                return false;
            }

            if (parameter.Maximum is double maximum && number > maximum)
            {
                diagnostics.Error(PredictionMessages.InputAboveMaximum, input.Location, input.Name, Format(value), Format(maximum));
                return false;
            }

            return true;
        }

        private static bool InChoices(RawInput input, InputParameter parameter, JsonNode value, DiagnosticBag diagnostics)
        {
            if (parameter.Choices == null || parameter.Choices.Any(choice => SameValue(choice, value)))
            {
                return true;
            }

            diagnostics.Error(PredictionMessages.InputNotInChoices, input.Location, input.Name, Format(value), string.Join(", ", parameter.Choices.Select(Format)));
            return false;
        }

        private static bool SameValue(JsonNode? choice, JsonNode value) =>
            choice.Number() is double a && value.Number() is double b ? a == b : JsonText.Write(choice) == JsonText.Write(value);

        private static string Format(JsonNode? value) => JsonText.Show(value);

        private static string Format(double value) => JsonText.Show(value);

        private static JsonNode? ParseJson(string text) => JsonText.TryParse(text, out JsonNode? value, out _) ? value : null;

        private static JsonNode? ParseInteger(string text) =>
            long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l) ? l : null;

        private static JsonNode? ParseNumber(string text) =>
            long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l) ? l
            : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && !double.IsNaN(d) && !double.IsInfinity(d) ? d
            : null;

        private static JsonNode? ParseBoolean(string text) =>
            text.ToLowerInvariant() switch
            {
                "true" or "1" or "yes" => true,
                "false" or "0" or "no" => false,
                _ => null,
            };

        /// <summary>What a file input accepts besides @path: a URL the model's server can fetch.</summary>
        private static bool IsUrl(string text) =>
            DataUrl.IsDataUrl(text) ||
            text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ||
            text.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
    }
}
