using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Cog.Sdk.Core.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Cog.Sdk.Core.Parse
{
    internal enum YamlNodeKind
    {
        Scalar,
        Sequence,
        Mapping,
    }

    /// <summary>What a scalar means under the YAML 1.2 core schema, which is how Cog's Go YAML readers type values.</summary>
    internal enum YamlScalarType
    {
        Null,
        Boolean,
        Integer,
        Float,
        String,
    }

    /// <summary>
    /// One node of a cog.yaml document, with the place it starts. Built from YamlDotNet's event stream rather than its
    /// representation model, so that duplicate keys, anchors and nesting depth are under our control.
    /// </summary>
    internal sealed class YamlNode
    {
        private YamlNode(YamlNodeKind kind, SourceLocation location)
        {
            Kind = kind;
            Location = location;
        }

        public YamlNodeKind Kind { get; }
        public SourceLocation Location { get; }

        /// <summary>The scalar's text exactly as written (without quotes); empty for collections.</summary>
        public string Text { get; private set; } = "";

        /// <summary>True for a plain (unquoted, untagged) scalar, the only kind whose type YAML guesses.</summary>
        public bool IsPlain { get; private set; }

        public List<YamlNode> Items { get; } = new List<YamlNode>();
        public List<KeyValuePair<YamlNode, YamlNode>> Pairs { get; } = new List<KeyValuePair<YamlNode, YamlNode>>();

        public static YamlNode Scalar(string text, bool plain, SourceLocation location) =>
            new YamlNode(YamlNodeKind.Scalar, location) { Text = text, IsPlain = plain };

        public static YamlNode Collection(YamlNodeKind kind, SourceLocation location) => new YamlNode(kind, location);

        public YamlScalarType ScalarType
        {
            get
            {
                if (Kind != YamlNodeKind.Scalar || !IsPlain)
                {
                    return YamlScalarType.String;
                }

                switch (Text)
                {
                    case "":
                    case "~":
                    case "null":
                    case "Null":
                    case "NULL":
                        return YamlScalarType.Null;
                    case "true":
                    case "True":
                    case "TRUE":
                    case "false":
                    case "False":
                    case "FALSE":
                        return YamlScalarType.Boolean;
                }

                if (long.TryParse(Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                {
                    return YamlScalarType.Integer;
                }

                return double.TryParse(Text, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
                    ? YamlScalarType.Float
                    : YamlScalarType.String;
            }
        }

        public bool IsNull => Kind == YamlNodeKind.Scalar && ScalarType == YamlScalarType.Null;

        /// <summary>How a problem message names what this node is: "a list", "a mapping", "a number", ...</summary>
        public string Describe()
        {
            switch (Kind)
            {
                case YamlNodeKind.Sequence:
                    return "a list";
                case YamlNodeKind.Mapping:
                    return "a mapping";
            }

            switch (ScalarType)
            {
                case YamlScalarType.Null:
                    return "empty";
                case YamlScalarType.Boolean:
                    return "true or false (" + Text + ")";
                case YamlScalarType.Integer:
                case YamlScalarType.Float:
                    return "a number (" + Text + ")";
                default:
                    return "a string (\"" + Text + "\")";
            }
        }
    }

    /// <summary>
    /// Reads a YAML text into <see cref="YamlNode"/>s, turning every way it can fail into a located diagnostic.
    /// Anchors and aliases are refused outright: cog.yaml never needs them, and refusing them is the simplest
    /// guarantee that an alias bomb ("billion laughs") cannot expand.
    /// </summary>
    internal sealed class YamlTreeReader
    {
        /// <summary>Deeper than any real cog.yaml; keeps the recursive builder far from a stack overflow.</summary>
        public const int MaxDepth = 64;

        private readonly string _file;
        private readonly DiagnosticBag _diagnostics;
        private readonly IParser _parser;

        private YamlTreeReader(string text, string file, DiagnosticBag diagnostics)
        {
            _file = file;
            _diagnostics = diagnostics;
            _parser = new Parser(new StringReader(text));
        }

        /// <summary>The first document's root, or a null scalar for an empty text; null when the text is not usable YAML.</summary>
        public static YamlNode? Read(string text, string file, DiagnosticBag diagnostics) =>
            new YamlTreeReader(text, file, diagnostics).ReadStream();

        private YamlNode? ReadStream()
        {
            try
            {
                _parser.Consume<StreamStart>();
                if (_parser.TryConsume<StreamEnd>(out _))
                {
                    return YamlNode.Scalar("", true, new SourceLocation(_file, 1, 1));
                }

                _parser.Consume<DocumentStart>();
                YamlNode? root = ReadNode(0);
                if (root == null)
                {
                    return null;
                }

                _parser.Consume<DocumentEnd>();
                if (_parser.Current is DocumentStart second)
                {
                    _diagnostics.Error(ConfigurationMessages.YamlMultipleDocuments, Locate(second.Start));
                    return null;
                }

                return root;
            }
            catch (YamlException e)
            {
                _diagnostics.Error(ConfigurationMessages.YamlSyntax, Locate(e.Start), Describe(e));
                return null;
            }
            catch (Exception e) when (e is InvalidOperationException || e is ArgumentException || e is FormatException || e is OverflowException)
            {
                // YamlDotNet's scanner fails this way on some malformed input (found by fuzzing); the last event read
                // is the closest known place.
                Mark near = _parser.Current?.End ?? Mark.Empty;
                _diagnostics.Error(ConfigurationMessages.YamlSyntax, Locate(near), "the text after this point could not be read");
                return null;
            }
        }

        private YamlNode? ReadNode(int depth)
        {
            ParsingEvent current = _parser.Current ?? throw new YamlException("unexpected end of the document");
            if (current is AnchorAlias)
            {
                _diagnostics.Error(ConfigurationMessages.YamlAliasNotSupported, Locate(current.Start));
                return null;
            }

            if (current is NodeEvent node && !node.Anchor.IsEmpty)
            {
                _diagnostics.Error(ConfigurationMessages.YamlAliasNotSupported, Locate(current.Start));
                return null;
            }

            if (depth >= MaxDepth)
            {
                _diagnostics.Error(ConfigurationMessages.YamlTooDeep, Locate(current.Start), MaxDepth);
                return null;
            }

            switch (current)
            {
                case Scalar scalar:
                    _parser.MoveNext();
                    bool plain = scalar.Style == ScalarStyle.Plain && (scalar.Tag.IsEmpty || scalar.Tag.IsNonSpecific);
                    return YamlNode.Scalar(scalar.Value, plain, Locate(scalar.Start));
                case SequenceStart start:
                    {
                        _parser.MoveNext();
                        YamlNode sequence = YamlNode.Collection(YamlNodeKind.Sequence, Locate(start.Start));
                        while (!_parser.TryConsume<SequenceEnd>(out _))
                        {
                            YamlNode? item = ReadNode(depth + 1);
                            if (item == null)
                            {
                                return null;
                            }

                            sequence.Items.Add(item);
                        }

                        return sequence;
                    }

                case MappingStart start:
                    return ReadMapping(start, depth);
                default:
                    throw new YamlException(current.Start, current.End, "unexpected " + current.GetType().Name);
            }
        }

        private YamlNode? ReadMapping(MappingStart start, int depth)
        {
            _parser.MoveNext();
            YamlNode mapping = YamlNode.Collection(YamlNodeKind.Mapping, Locate(start.Start));
            var seen = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            while (!_parser.TryConsume<MappingEnd>(out _))
            {
                YamlNode? key = ReadNode(depth + 1);
                YamlNode? value = key == null ? null : ReadNode(depth + 1);
                if (key == null || value == null)
                {
                    return null;
                }

                if (key.Kind == YamlNodeKind.Scalar && seen.TryGetValue(key.Text, out YamlNode? first))
                {
                    // Cog's YAML reader refuses duplicates too; keeping the first makes the rest of the file still checkable.
                    _diagnostics.Error(ConfigurationMessages.YamlDuplicateKey, key.Location, key.Text, first.Location.Line);
                    continue;
                }

                seen[key.Text] = key;
                mapping.Pairs.Add(new KeyValuePair<YamlNode, YamlNode>(key, value));
            }

            return mapping;
        }

        private SourceLocation Locate(Mark mark) => new SourceLocation(_file, (int)mark.Line, (int)mark.Column);

        /// <summary>YamlDotNet prefixes its messages with the position, which the diagnostic already carries.</summary>
        private static string Describe(YamlException e)
        {
            string message = e.Message;
            int close = message.IndexOf("): ", StringComparison.Ordinal);
            if (message.StartsWith("(", StringComparison.Ordinal) && close > 0)
            {
                message = message.Substring(close + 3);
            }

            return message.TrimEnd('.');
        }
    }
}
