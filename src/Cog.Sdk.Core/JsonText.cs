using System;
using System.IO;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cog.Sdk.Core
{
    /// <summary>
    /// How Cog.Sdk reads and writes JSON (the HTTP prediction API, schemas, labels, files under obj/): System.Text.Json,
    /// with one reading of untrusted text and one way of writing it, so every caller fails and prints alike.
    /// </summary>
    public static class JsonText
    {
        /// <summary>Non-ASCII text stays readable: the output goes into logs, labels and Dockerfiles, never into HTML.</summary>
        private static readonly JsonSerializerOptions Compact = new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

        private static readonly JsonSerializerOptions Indented = new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = true };

        /// <summary>Files Cog.Sdk writes for itself under obj/: camelCase names, one key per line for a reader's eyes.</summary>
        private static readonly JsonSerializerOptions Records = new JsonSerializerOptions
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            WriteIndented = true,
            Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
        };

        /// <summary>The value in <paramref name="text"/>; a <see cref="FormatException"/> saying where it is not JSON.</summary>
        /// <remarks>A repeated key in an object is an error, not a silent last-wins: the text does not say which value was meant.</remarks>
        public static JsonNode? Parse(string text)
        {
            try
            {
                JsonNode? value = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
                RejectRepeatedKeys(value);
                return value;
            }
            catch (JsonException e)
            {
                throw new FormatException(e.Message, e);
            }
            catch (ArgumentException e)
            {
                // JsonObject refuses a repeated key as it builds itself.
                throw new FormatException("the JSON repeats a key: " + e.Message, e);
            }
        }

        /// <summary>The value in <paramref name="text"/>, or false with the reason.</summary>
        public static bool TryParse(string text, out JsonNode? value, out string? error)
        {
            try
            {
                value = Parse(text);
                error = null;
                return true;
            }
            catch (FormatException e)
            {
                value = null;
                error = e.Message;
                return false;
            }
        }

        /// <summary>The object in <paramref name="text"/>; null when it is not JSON or not an object.</summary>
        public static JsonObject? ParseObject(string text) => TryParse(text, out JsonNode? value, out _) ? value as JsonObject : null;

        public static string Write(JsonNode? value, bool indented = false) =>
            value == null ? "null" : value.ToJsonString(indented ? Indented : Compact);

        /// <summary>A file Cog.Sdk wrote for itself (<see cref="Serialize{T}"/>); null when it is missing or cannot be read as one.</summary>
        public static T? ReadFile<T>(string path)
            where T : class
        {
            try
            {
                return File.Exists(path) ? JsonSerializer.Deserialize<T>(File.ReadAllText(path), Records) : null;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is JsonException || e is NotSupportedException)
            {
                // Whatever is wrong with such a file, the step that wrote it can do its work again.
                return null;
            }
        }

        /// <summary>The text of a file Cog.Sdk writes for itself.</summary>
        public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Records) + "\n";

        /// <summary>A JSON string literal: for exec-form Dockerfile instructions, whose arrays are JSON.</summary>
        public static string Quote(string text) => JsonSerializer.Serialize(text, Compact);

        /// <summary>A copy of <paramref name="value"/> that belongs to no object or array yet, to put into another.</summary>
        public static JsonNode? Copy(JsonNode? value) => value == null ? null : JsonNode.Parse(Write(value));

        /// <summary>How a message quotes a value: strings as they are, anything else as compact JSON.</summary>
        public static string Show(JsonNode? value) =>
            value is JsonValue scalar && scalar.TryGetValue(out string? text) ? text : Write(value);

        /// <summary>The string at <paramref name="key"/>, or null when it is absent or not a string.</summary>
        public static string? String(this JsonObject? value, string key) =>
            value != null && value.TryGetPropertyValue(key, out JsonNode? node) && node is JsonValue scalar && scalar.TryGetValue(out string? text) ? text : null;

        /// <summary>The number <paramref name="value"/> holds, or null when it is not a number.</summary>
        public static double? Number(this JsonNode? value)
        {
            if (value is not JsonValue scalar)
            {
                return null;
            }

            // Parsed values hold a JsonElement; values made in code hold the CLR number itself.
            if (scalar.TryGetValue(out JsonElement element))
            {
                return element.ValueKind == JsonValueKind.Number ? element.GetDouble() : null;
            }

            return scalar.TryGetValue(out double d) ? d : scalar.TryGetValue(out long l) ? l : scalar.TryGetValue(out int i) ? i : null;
        }

        /// <summary>The integer <paramref name="value"/> holds (1 and 1.0 alike), or null when it is not a whole number.</summary>
        public static long? Integer(this JsonNode? value) =>
            value.Number() is double d && d == Math.Floor(d) && Math.Abs(d) < 1e15 ? (long)d : null;

        private static void RejectRepeatedKeys(JsonNode? value)
        {
            switch (value)
            {
                case JsonObject map:
                    foreach (var pair in map)
                    {
                        RejectRepeatedKeys(pair.Value);
                    }

                    break;
                case JsonArray list:
                    foreach (JsonNode? item in list)
                    {
                        RejectRepeatedKeys(item);
                    }

                    break;
            }
        }
    }
}
