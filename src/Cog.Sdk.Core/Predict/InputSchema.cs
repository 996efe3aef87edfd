using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;

namespace Cog.Sdk.Core.Predict
{
    /// <summary>One parameter of the model's run()/predict() (or train()), as its OpenAPI schema describes it.</summary>
    public sealed class InputParameter
    {
        internal InputParameter(string name, JsonObject definition, InputParameter? items, IReadOnlyList<InputParameter>? variants, bool required, int order)
        {
            Name = name;
            Type = definition.String("type");
            Format = definition.String("format");
            Items = items;
            Variants = variants;
            Minimum = definition["minimum"].Number();
            Maximum = definition["maximum"].Number();
            Choices = (definition["enum"] as JsonArray)?.ToList();
            Nullable = definition["nullable"] is JsonValue nullable && nullable.TryGetValue(out bool isNullable) && isNullable;
            Deprecated = definition["deprecated"] is JsonValue deprecated && deprecated.TryGetValue(out bool isDeprecated) && isDeprecated;
            Accept = definition.String("x-cog-accept");
            Required = required;
            Order = order;
        }

        public string Name { get; }

        /// <summary>"string", "integer", "number", "boolean", "array", "object", or null (a union, or a schema that says nothing).</summary>
        public string? Type { get; }

        /// <summary>"uri" for cog.Path/cog.File inputs, "password" for cog.Secret.</summary>
        public string? Format { get; }

        /// <summary>For an array: its elements.</summary>
        public InputParameter? Items { get; }

        /// <summary>For a union (anyOf): its members, in the signature's order; null otherwise.</summary>
        public IReadOnlyList<InputParameter>? Variants { get; }

        public double? Minimum { get; }
        public double? Maximum { get; }

        /// <summary>The allowed values (enum, also through an allOf $ref to a choices component), or null.</summary>
        public IReadOnlyList<JsonNode?>? Choices { get; }

        /// <summary>Optional[T]: null is a value it takes.</summary>
        public bool Nullable { get; }

        /// <summary>Input(deprecated=True): still taken, but on its way out.</summary>
        public bool Deprecated { get; }

        /// <summary>Input(accept="image/*,.png") on a file input: the MIME types and extensions it takes, or null.</summary>
        public string? Accept { get; }

        public bool Required { get; }

        /// <summary>The position in the method's signature (x-order).</summary>
        public int Order { get; }

        public bool IsFile => Format == "uri";
        public bool IsArray => Type == "array";
        public bool IsObject => Type == "object";
        public bool IsUnion => Variants != null;

        /// <summary>How an error message names what this parameter takes: "integer", "a file (@path) or URL", "string or number", ...</summary>
        public string Describe() =>
            IsUnion ? string.Join(" or ", Variants!.Select(v => v.Describe()))
            : IsArray ? "a list of " + (Items?.Describe() ?? "values")
            : IsFile ? "a file (name=@path) or URL"
            : IsObject ? "a JSON object"
            : Type ?? "a value";
    }

    /// <summary>The inputs and output of a model's method, read from the OpenAPI schema that Cog's runtime generates.</summary>
    public sealed class InputSchema
    {
        private InputSchema(IReadOnlyList<InputParameter> parameters, JsonObject? output, string json)
        {
            Parameters = parameters;
            Output = output;
            Json = json;
        }

        /// <summary>In the signature's order.</summary>
        public IReadOnlyList<InputParameter> Parameters { get; }

        /// <summary>components.schemas.Output (TrainingOutput for a training), when present.</summary>
        public JsonObject? Output { get; }

        /// <summary>The schema text it was read from.</summary>
        public string Json { get; }

        public InputParameter? Find(string name) => Parameters.FirstOrDefault(p => p.Name == name);

        /// <summary>The inputs and output of predictions.</summary>
        /// <exception cref="FormatException">The text is not JSON or has no components.schemas.Input.</exception>
        public static InputSchema Parse(string json) => Parse(json, ServerMode.Predict);

        /// <summary>The inputs and output of <paramref name="mode"/>'s method (Input/Output, or TrainingInput/TrainingOutput).</summary>
        /// <exception cref="FormatException">The text is not JSON or has no such input component.</exception>
        public static InputSchema Parse(string json, ServerMode mode)
        {
            var root = JsonText.Parse(json) as JsonObject ?? throw new FormatException("the schema is not a JSON object");
            var schemas = Child(Child(root, "components"), "schemas") ?? throw new FormatException("the schema has no components.schemas");
            var input = Child(schemas, mode.InputComponent) ?? throw new FormatException("the schema has no components.schemas." + mode.InputComponent);
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
            return new InputSchema(parameters, Child(schemas, mode.OutputComponent), json);
        }

        private static InputParameter ReadParameter(string name, JsonObject definition, JsonObject schemas, bool required, int position)
        {
            // choices=[...] become a component with an enum, referenced as allOf: [{$ref}] (or a bare $ref):
            // merge what the referenced components say into the property.
            var merged = new JsonObject();
            foreach (var pair in definition)
            {
                merged[pair.Key] = JsonText.Copy(pair.Value);
            }

            var references = new List<JsonObject> { definition };
            if (definition["allOf"] is JsonArray parts)
            {
                references.AddRange(parts.OfType<JsonObject>());
            }

            foreach (var part in references)
            {
                if (part.String("$ref") is string path && Child(schemas, path.Substring(path.LastIndexOf('/') + 1)) is JsonObject component)
                {
                    foreach (var pair in component.Where(pair => !merged.ContainsKey(pair.Key)))
                    {
                        merged[pair.Key] = JsonText.Copy(pair.Value);
                    }
                }
            }

            InputParameter? items = merged["items"] is JsonObject itemDefinition
                ? ReadParameter(name, itemDefinition, schemas, required: false, position: 0)
                : null;
            List<InputParameter>? variants = (merged["anyOf"] as JsonArray)?.OfType<JsonObject>()
                .Select(variant => ReadParameter(name, variant, schemas, required: false, position: 0))
                .ToList();
            int order = merged["x-order"].Integer() is long x ? (int)x : position;
            return new InputParameter(name, merged, items, variants, required, order);
        }

        private static JsonObject? Child(JsonObject? map, string key) => map?[key] as JsonObject;
    }
}
