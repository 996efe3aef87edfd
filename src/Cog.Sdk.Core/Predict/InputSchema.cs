using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;

namespace Cog.Sdk.Core.Predict
{
    /// <summary>One parameter of the model's predict(), as its OpenAPI schema describes it.</summary>
    public sealed class InputParameter
    {
        internal InputParameter(string name, string? type, string? format, InputParameter? items, double? minimum,
            double? maximum, IReadOnlyList<JsonNode?>? choices, bool required, int order)
        {
            Name = name;
            Type = type;
            Format = format;
            Items = items;
            Minimum = minimum;
            Maximum = maximum;
            Choices = choices;
            Required = required;
            Order = order;
        }

        public string Name { get; }

        /// <summary>"string", "integer", "number", "boolean", "array", or null when the schema says nothing.</summary>
        public string? Type { get; }

        /// <summary>"uri" for cog.Path/cog.File inputs, "password" for cog.Secret.</summary>
        public string? Format { get; }

        /// <summary>For an array: its elements.</summary>
        public InputParameter? Items { get; }

        public double? Minimum { get; }
        public double? Maximum { get; }

        /// <summary>The allowed values (enum, also through an allOf $ref to a choices component), or null.</summary>
        public IReadOnlyList<JsonNode?>? Choices { get; }

        public bool Required { get; }

        /// <summary>The position in predict()'s signature (x-order).</summary>
        public int Order { get; }

        public bool IsFile => Format == "uri";
        public bool IsArray => Type == "array";

        /// <summary>How an error message names what this parameter takes: "integer", "a file (@path) or URL", ...</summary>
        public string Describe() =>
            IsArray ? "a list of " + (Items?.Describe() ?? "values")
            : IsFile ? "a file (name=@path) or URL"
            : Type ?? "a value";
    }

    /// <summary>The inputs and output of a model, read from the OpenAPI schema that Cog's runtime generates.</summary>
    public sealed class InputSchema
    {
        private InputSchema(IReadOnlyList<InputParameter> parameters, JsonObject? output, string json)
        {
            Parameters = parameters;
            Output = output;
            Json = json;
        }

        /// <summary>In predict()'s order.</summary>
        public IReadOnlyList<InputParameter> Parameters { get; }

        /// <summary>components.schemas.Output, when present.</summary>
        public JsonObject? Output { get; }

        /// <summary>The schema text it was read from.</summary>
        public string Json { get; }

        public InputParameter? Find(string name) => Parameters.FirstOrDefault(p => p.Name == name);

        /// <exception cref="FormatException">The text is not JSON or has no components.schemas.Input.</exception>
        public static InputSchema Parse(string json)
        {
            var root = JsonText.Parse(json) as JsonObject ?? throw new FormatException("the schema is not a JSON object");
            var schemas = Child(Child(root, "components"), "schemas") ?? throw new FormatException("the schema has no components.schemas");
            var input = Child(schemas, "Input") ?? throw new FormatException("the schema has no components.schemas.Input");
            var required = new HashSet<string>((input["required"] as JsonArray)?.Select(r => JsonText.Show(r)) ?? Enumerable.Empty<string>());
            var parameters = new List<InputParameter>();
            if (Child(input, "properties") is JsonObject properties)
            {
                int position = 0;
                foreach (var property in properties)
                {
                    if (property.Value is JsonObject definition)
                    {
                        parameters.Add(ReadParameter(property.Key, definition, schemas, required.Contains(property.Key), position));
                    }

                    position++;
                }
            }

            parameters.Sort((a, b) => a.Order.CompareTo(b.Order));
            return new InputSchema(parameters, Child(schemas, "Output"), json);
        }

        private static InputParameter ReadParameter(string name, JsonObject definition, JsonObject schemas, bool required, int position)
        {
            // choices=[...] become a component with an enum, referenced as allOf: [{$ref}] (or a bare $ref):
            // merge what the referenced components say into the property.
            var merged = definition.ToDictionary(pair => pair.Key, pair => pair.Value);
            var references = new List<JsonObject> { definition };
            if (definition["allOf"] is JsonArray parts)
            {
                references.AddRange(parts.OfType<JsonObject>());
            }

            foreach (var part in references)
            {
                if (part.String("$ref") is string path && Child(schemas, path.Substring(path.LastIndexOf('/') + 1)) is JsonObject component)
                {
                    foreach (var pair in component)
                    {
                        if (!merged.ContainsKey(pair.Key))
                        {
                            merged[pair.Key] = pair.Value;
                        }
                    }
                }
            }

            JsonNode? Get(string key) => merged.TryGetValue(key, out JsonNode? value) ? value : null;
            string? Text(string key) => Get(key) is JsonValue scalar && scalar.TryGetValue(out string? text) ? text : null;
            InputParameter? items = Get("items") is JsonObject itemDefinition
                ? ReadParameter(name, itemDefinition, schemas, required: false, position: 0)
                : null;
            return new InputParameter(
                name,
                Text("type"),
                Text("format"),
                items,
                Get("minimum").Number(),
                Get("maximum").Number(),
                (Get("enum") as JsonArray)?.ToList(),
                required,
                Get("x-order").Integer() is long order ? (int)order : position);
        }

        private static JsonObject? Child(JsonObject? map, string key) => map?[key] as JsonObject;
    }
}
