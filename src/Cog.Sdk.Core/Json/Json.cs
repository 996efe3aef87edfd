using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Cog.Sdk.Core.Json
{
    /// <summary>
    /// A small JSON reader and writer. The task assembly also runs inside Visual Studio's .NET Framework MSBuild,
    /// where System.Text.Json is not part of the framework and shipping a second copy beside MSBuild's is risky,
    /// so Cog.Sdk reads and writes its JSON (labels, the HTTP prediction API, schemas) with this.
    /// Values are: null, bool, double/long (numbers), string, List&lt;object?&gt; (arrays),
    /// and Dictionary&lt;string, object?&gt; with insertion order kept (objects).
    /// </summary>
    public static class JsonText
    {
        public static object? Parse(string text)
        {
            var reader = new Reader(text);
            reader.SkipWhitespace();
            object? value = reader.ReadValue(0);
            reader.SkipWhitespace();
            if (!reader.AtEnd)
            {
                throw reader.Fail("unexpected text after the JSON value");
            }

            return value;
        }

        public static bool TryParse(string text, out object? value, out string? error)
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

        public static string Write(object? value, bool indented = false)
        {
            var sb = new StringBuilder();
            WriteValue(sb, value, indented ? 0 : -1);
            return sb.ToString();
        }

        public static string Quote(string s)
        {
            var sb = new StringBuilder(s.Length + 2);
            WriteString(sb, s);
            return sb.ToString();
        }

        private static void WriteValue(StringBuilder sb, object? value, int indent)
        {
            switch (value)
            {
                case null:
                    sb.Append("null");
                    break;
                case bool b:
                    sb.Append(b ? "true" : "false");
                    break;
                case string s:
                    WriteString(sb, s);
                    break;
                case int or long or short or byte or uint or ulong:
                    sb.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                    break;
                case double d:
                    sb.Append(FormatDouble(d));
                    break;
                case float f:
                    sb.Append(FormatDouble(f));
                    break;
                case decimal m:
                    sb.Append(m.ToString(CultureInfo.InvariantCulture));
                    break;
                case IDictionary<string, object?> map:
                    WriteObject(sb, map, indent);
                    break;
                case IDictionary dict:
                    var copy = new Dictionary<string, object?>();
                    foreach (DictionaryEntry e in dict)
                    {
                        copy[Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? ""] = e.Value;
                    }

                    WriteObject(sb, copy, indent);
                    break;
                case IEnumerable list:
                    WriteArray(sb, list, indent);
                    break;
                default:
                    WriteString(sb, Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");
                    break;
            }
        }

        private static string FormatDouble(double d)
        {
            if (double.IsNaN(d) || double.IsInfinity(d))
            {
                return "null";
            }

            if (d == Math.Floor(d) && Math.Abs(d) < 1e15)
            {
                return ((long)d).ToString(CultureInfo.InvariantCulture);
            }

            return d.ToString("R", CultureInfo.InvariantCulture);
        }

        private static void WriteObject(StringBuilder sb, IDictionary<string, object?> map, int indent)
        {
            if (map.Count == 0)
            {
                sb.Append("{}");
                return;
            }

            sb.Append('{');
            bool first = true;
            foreach (var pair in map)
            {
                if (!first)
                {
                    sb.Append(',');
                }

                first = false;
                NewLine(sb, indent >= 0 ? indent + 1 : -1);
                WriteString(sb, pair.Key);
                sb.Append(indent >= 0 ? ": " : ":");
                WriteValue(sb, pair.Value, indent >= 0 ? indent + 1 : -1);
            }

            NewLine(sb, indent);
            sb.Append('}');
        }

        private static void WriteArray(StringBuilder sb, IEnumerable list, int indent)
        {
            sb.Append('[');
            bool first = true;
            foreach (object? item in list)
            {
                if (!first)
                {
                    sb.Append(',');
                }

                first = false;
                NewLine(sb, indent >= 0 ? indent + 1 : -1);
                WriteValue(sb, item, indent >= 0 ? indent + 1 : -1);
            }

            if (!first)
            {
                NewLine(sb, indent);
            }

            sb.Append(']');
        }

        private static void NewLine(StringBuilder sb, int indent)
        {
            if (indent < 0)
            {
                return;
            }

            sb.Append('\n').Append(' ', indent * 2);
        }

        private static void WriteString(StringBuilder sb, string s)
        {
            sb.Append('"');
            foreach (char c in s)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    case '\b': sb.Append("\\b"); break;
                    case '\f': sb.Append("\\f"); break;
                    default:
                        if (c < 0x20 || c == '\u2028' || c == '\u2029')
                        {
                            sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            sb.Append(c);
                        }

                        break;
                }
            }

            sb.Append('"');
        }

        private sealed class Reader
        {
            private const int MaxDepth = 256;
            private readonly string _text;
            private int _pos;

            public Reader(string text) => _text = text;

            public bool AtEnd => _pos >= _text.Length;

            public FormatException Fail(string what) => new FormatException($"Invalid JSON at offset {_pos}: {what}");

            public void SkipWhitespace()
            {
                while (_pos < _text.Length && (_text[_pos] == ' ' || _text[_pos] == '\t' || _text[_pos] == '\n' || _text[_pos] == '\r'))
                {
                    _pos++;
                }
            }

            public object? ReadValue(int depth)
            {
                if (depth > MaxDepth)
                {
                    throw Fail("nested too deeply");
                }

                if (AtEnd)
                {
                    throw Fail("unexpected end of text");
                }

                char c = _text[_pos];
                switch (c)
                {
                    case '{': return ReadObject(depth);
                    case '[': return ReadArray(depth);
                    case '"': return ReadString();
                    case 't': Expect("true"); return true;
                    case 'f': Expect("false"); return false;
                    case 'n': Expect("null"); return null;
                    default:
                        if (c == '-' || (c >= '0' && c <= '9'))
                        {
                            return ReadNumber();
                        }

                        throw Fail($"unexpected character '{c}'");
                }
            }

            private void Expect(string word)
            {
                if (string.CompareOrdinal(_text, _pos, word, 0, word.Length) != 0)
                {
                    throw Fail($"expected '{word}'");
                }

                _pos += word.Length;
            }

            private Dictionary<string, object?> ReadObject(int depth)
            {
                var map = new Dictionary<string, object?>();
                _pos++;
                SkipWhitespace();
                if (!AtEnd && _text[_pos] == '}')
                {
                    _pos++;
                    return map;
                }

                while (true)
                {
                    SkipWhitespace();
                    if (AtEnd || _text[_pos] != '"')
                    {
                        throw Fail("expected a property name");
                    }

                    string key = ReadString();
                    SkipWhitespace();
                    if (AtEnd || _text[_pos] != ':')
                    {
                        throw Fail("expected ':'");
                    }

                    _pos++;
                    SkipWhitespace();
                    map[key] = ReadValue(depth + 1);
                    SkipWhitespace();
                    if (AtEnd)
                    {
                        throw Fail("unterminated object");
                    }

                    if (_text[_pos] == ',')
                    {
                        _pos++;
                        continue;
                    }

                    if (_text[_pos] == '}')
                    {
                        _pos++;
                        return map;
                    }

                    throw Fail("expected ',' or '}'");
                }
            }

            private List<object?> ReadArray(int depth)
            {
                var list = new List<object?>();
                _pos++;
                SkipWhitespace();
                if (!AtEnd && _text[_pos] == ']')
                {
                    _pos++;
                    return list;
                }

                while (true)
                {
                    SkipWhitespace();
                    list.Add(ReadValue(depth + 1));
                    SkipWhitespace();
                    if (AtEnd)
                    {
                        throw Fail("unterminated array");
                    }

                    if (_text[_pos] == ',')
                    {
                        _pos++;
                        continue;
                    }

                    if (_text[_pos] == ']')
                    {
                        _pos++;
                        return list;
                    }

                    throw Fail("expected ',' or ']'");
                }
            }

            private string ReadString()
            {
                _pos++;
                var sb = new StringBuilder();
                while (true)
                {
                    if (AtEnd)
                    {
                        throw Fail("unterminated string");
                    }

                    char c = _text[_pos++];
                    if (c == '"')
                    {
                        return sb.ToString();
                    }

                    if (c != '\\')
                    {
                        sb.Append(c);
                        continue;
                    }

                    if (AtEnd)
                    {
                        throw Fail("unterminated escape");
                    }

                    char e = _text[_pos++];
                    switch (e)
                    {
                        case '"': sb.Append('"'); break;
                        case '\\': sb.Append('\\'); break;
                        case '/': sb.Append('/'); break;
                        case 'b': sb.Append('\b'); break;
                        case 'f': sb.Append('\f'); break;
                        case 'n': sb.Append('\n'); break;
                        case 'r': sb.Append('\r'); break;
                        case 't': sb.Append('\t'); break;
                        case 'u':
                            if (_pos + 4 > _text.Length ||
                                !int.TryParse(_text.Substring(_pos, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int code))
                            {
                                throw Fail("bad \\u escape");
                            }

                            sb.Append((char)code);
                            _pos += 4;
                            break;
                        default:
                            throw Fail($"bad escape '\\{e}'");
                    }
                }
            }

            private object ReadNumber()
            {
                int start = _pos;
                if (_text[_pos] == '-')
                {
                    _pos++;
                }

                bool isFloat = false;
                while (!AtEnd)
                {
                    char c = _text[_pos];
                    if (c >= '0' && c <= '9')
                    {
                        _pos++;
                    }
                    else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')
                    {
                        isFloat = true;
                        _pos++;
                    }
                    else
                    {
                        break;
                    }
                }

                string token = _text.Substring(start, _pos - start);
                if (!isFloat && long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l))
                {
                    return l;
                }

                if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
                {
                    return d;
                }

                throw Fail($"bad number '{token}'");
            }
        }
    }
}
