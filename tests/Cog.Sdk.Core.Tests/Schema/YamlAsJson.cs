using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Cog.Sdk.Core.Tests.Schema;

/// <summary>
/// A YAML text as the JSON document an editor's YAML language server validates against a schema: scalars typed by the
/// YAML 1.2 core schema (plain null/true/false/numbers; anything quoted is a string), as Cog's Go readers type them.
/// Written apart from Cog.Sdk's own reader on purpose: the schema is checked the way an editor sees the file.
/// </summary>
public static class YamlAsJson
{
    public static bool TryConvert(string yaml, out JsonNode? document)
    {
        document = null;
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException)
        {
            return false;
        }

        if (stream.Documents.Count > 1)
        {
            return false;
        }

        document = stream.Documents.Count == 0 ? null : ToJson(stream.Documents[0].RootNode);
        return true;
    }

    private static JsonNode? ToJson(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    obj[((YamlScalarNode)key).Value ?? ""] = ToJson(value);
                }

                return obj;
            case YamlSequenceNode sequence:
                return new JsonArray(sequence.Children.Select(ToJson).ToArray());
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw new NotSupportedException(node.GetType().Name);
        }
    }

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        string text = scalar.Value ?? "";
        bool plain = scalar.Style == ScalarStyle.Plain && (scalar.Tag.IsEmpty || scalar.Tag.IsNonSpecific);
        if (!plain)
        {
            return JsonValue.Create(text);
        }

        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long integer))
        {
            return JsonValue.Create(integer);
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && double.IsFinite(number))
        {
            return JsonValue.Create(number);
        }

        return JsonValue.Create(text);
    }
}
