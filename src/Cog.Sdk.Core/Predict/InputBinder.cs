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
            if (parameter.IsArray)
            {
                // Items and CogInput give one value per element; a JSON file gives the whole list (or one element).
                IEnumerable<RawValue> elements = input.Values.Count == 1 && input.Values[0].Json is JsonArray list
                    ? list.Select(RawValue.FromJson)
                    : input.Values;
                var values = new JsonArray();
                bool ok = true;
                foreach (RawValue element in elements)
                {
                    ok &= TryCoerce(input, parameter.Items ?? parameter, element, projectDirectory, diagnostics, out JsonNode? item);
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
            if (raw.IsFile)
            {
                if (!parameter.IsFile)
                {
                    return WrongType(input, parameter, raw, diagnostics);
                }

                value = InputParser.ReadFileAsDataUrl(input.Name, raw.FilePath!, projectDirectory, input.Location, diagnostics);
                return value != null;
            }

            value = parameter.Type switch
            {
                "integer" => raw.IsJson ? raw.Json.Integer() : ParseInteger(raw.Text!),
                "number" => raw.IsJson ? raw.Json.Number() is double ? JsonText.Copy(raw.Json) : null : ParseNumber(raw.Text!),
                "boolean" => raw.IsJson ? (raw.Json is JsonValue b && b.TryGetValue(out bool flag) ? flag : null) : ParseBoolean(raw.Text!),
                "string" => raw.IsJson ? (raw.Json is JsonValue s && s.TryGetValue(out string? text) ? text : null) : raw.Text,
                // No type in the schema: let the model's server judge the value (JSON as is, text as text).
                _ => raw.IsJson ? JsonText.Copy(raw.Json) : raw.Text,
            };
            if (value == null || (parameter.IsFile && !(value is JsonValue url && url.TryGetValue(out string? link) && IsUrl(link))))
            {
                return WrongType(input, parameter, raw, diagnostics);
            }

            return InRange(input, parameter, value, diagnostics) && InChoices(input, parameter, value, diagnostics);
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
