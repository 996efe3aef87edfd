using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace Cog.Sdk.Core.Parse
{
    /// <summary>One version clause of a requirement: <c>==2.0.1</c>, <c>&gt;=1.2</c>, <c>~=3.1</c>.</summary>
    public sealed class VersionSpecifier
    {
        public VersionSpecifier(string op, string version)
        {
            Operator = op;
            Version = version;
        }

        public string Operator { get; }
        public string Version { get; }

        public override string ToString() => Operator + Version;
    }

    /// <summary>
    /// A PEP 508 requirement as pip reads it: <c>name[extras] specifiers ; marker</c>, or <c>name[extras] @ url ; marker</c>.
    /// Versions are checked against PEP 440 the way pip's <c>packaging</c> does, markers against the PEP 508 grammar, so
    /// that a line pip would refuse is refused here, before any build. Lines that are not requirements (options, paths,
    /// bare URLs) are <see cref="RequirementLine"/>'s business.
    /// </summary>
    public sealed class PythonRequirement
    {
        private static readonly Regex NamePattern = new Regex(
            @"^(?<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[(?<extras>[^\]]*)\])?\s*", RegexOptions.CultureInvariant);

        private static readonly Regex ExtraPattern = new Regex(@"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\z", RegexOptions.CultureInvariant);

        private static readonly Regex ClausePattern = new Regex(@"^\s*(?<op>===|==|!=|~=|<=|>=|<|>)\s*(?<version>\S+?)\s*\z", RegexOptions.CultureInvariant);

        // PEP 440, as packaging writes it (VERSION_PATTERN), without the local label, which is handled apart.
        private const string PublicVersion =
            @"v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?[0-9]*)?" +
            @"(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?(?:[-_.]?dev[-_.]?[0-9]*)?";

        private static readonly Regex PublicVersionPattern = new Regex("^" + PublicVersion + @"\z", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);
        private static readonly Regex LocalLabelPattern = new Regex(@"^[a-z0-9]+(?:[-_.][a-z0-9]+)*\z", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);
        private static readonly Regex SeparatorRun = new Regex("[-_.]+", RegexOptions.CultureInvariant);

        private PythonRequirement(string text, string name, IReadOnlyList<string> extras, IReadOnlyList<VersionSpecifier> specifiers, string? marker, string? url)
        {
            Text = text;
            Name = name;
            Extras = extras;
            Specifiers = specifiers;
            Marker = marker;
            Url = url;
        }

        /// <summary>The requirement as written.</summary>
        public string Text { get; }

        /// <summary>The distribution name as written.</summary>
        public string Name { get; }

        /// <summary>The PEP 503 normalised name: lower case, runs of <c>-_.</c> folded to <c>-</c>.</summary>
        public string NormalizedName => Normalize(Name);

        public IReadOnlyList<string> Extras { get; }
        public IReadOnlyList<VersionSpecifier> Specifiers { get; }
        public string? Marker { get; }

        /// <summary>The URL of a direct reference (<c>name @ url</c>); null otherwise.</summary>
        public string? Url { get; }

        /// <summary>The version of an exact <c>==</c> (or <c>===</c>) pin without wildcards; null otherwise.</summary>
        public string? PinnedVersion =>
            Specifiers.Count == 1 && (Specifiers[0].Operator == "==" || Specifiers[0].Operator == "===") && !Specifiers[0].Version.Contains("*")
                ? Specifiers[0].Version
                : null;

        public bool IsPinned => PinnedVersion != null || Url != null;

        /// <summary>The first version named by any specifier (<c>torch&gt;=2.1</c> gives 2.1), as Cog uses for CUDA inference.</summary>
        public string? FirstVersion => Specifiers.Count > 0 ? Specifiers[0].Version : null;

        public static string Normalize(string name) => SeparatorRun.Replace(name, "-").ToLowerInvariant();

        public static bool TryParse(string text, out PythonRequirement? requirement, out string? error)
        {
            error = null;
            if (TryParseSimple(text, out requirement))
            {
                return true;
            }

            Match nameMatch = NamePattern.Match(text.Trim());
            if (!nameMatch.Success)
            {
                error = "it does not start with a package name";
                return false;
            }

            string body = text.Trim();
            string name = nameMatch.Groups["name"].Value;
            var extras = new List<string>();
            if (nameMatch.Groups["extras"].Success)
            {
                foreach (string extra in nameMatch.Groups["extras"].Value.Split(',').Select(e => e.Trim()))
                {
                    if (!ExtraPattern.IsMatch(extra))
                    {
                        error = $"'[{nameMatch.Groups["extras"].Value}]' is not a list of extras such as [gpu,audio]";
                        return false;
                    }

                    extras.Add(extra);
                }
            }

            string rest = body.Substring(nameMatch.Length);
            if (rest.StartsWith("@", StringComparison.Ordinal))
            {
                return TryParseDirectReference(text, name, extras, rest.Substring(1), out requirement, out error);
            }

            string? marker = null;
            int semicolon = rest.IndexOf(';');
            if (semicolon >= 0)
            {
                marker = rest.Substring(semicolon + 1).Trim();
                rest = rest.Substring(0, semicolon);
                if (!MarkerGrammar.IsValid(marker, out error))
                {
                    return false;
                }
            }

            rest = rest.Trim();
            if (rest.StartsWith("(", StringComparison.Ordinal) && rest.EndsWith(")", StringComparison.Ordinal))
            {
                rest = rest.Substring(1, rest.Length - 2);
            }

            var specifiers = new List<VersionSpecifier>();
            if (rest.Trim().Length > 0)
            {
                foreach (string clause in rest.Split(','))
                {
                    if (!TryParseClause(clause, out VersionSpecifier? specifier, out error))
                    {
                        return false;
                    }

                    specifiers.Add(specifier!);
                }
            }

            requirement = new PythonRequirement(text, name, extras, specifiers, marker, null);
            error = null;
            return true;
        }

        private static readonly char[] NotInSimpleLines = { ' ', '\t', '[', ']', ';', ',', '@', '(', ')', '*', '+' };
        private static readonly char[] OperatorStart = { '=', '<', '>', '!', '~' };

        /// <summary>PEP 440's comparison operators, longest first so that '===' is not read as '=='.</summary>
        private static readonly string[] Operators = { "===", "==", "!=", "~=", "<=", ">=", "<", ">" };

        /// <summary>
        /// <c>name</c> or <c>name==version</c> (any one operator), by far the commonest lines, read without the general
        /// machinery: a 20,000-line requirements file spends its time here. Anything else goes the long way.
        /// </summary>
        private static bool TryParseSimple(string text, out PythonRequirement? requirement)
        {
            requirement = null;
            if (text.Length == 0 || text.IndexOfAny(NotInSimpleLines) >= 0)
            {
                return false;
            }

            int op = text.IndexOfAny(OperatorStart);
            string name = op < 0 ? text : text.Substring(0, op);
            if (!IsName(name))
            {
                return false;
            }

            if (op < 0)
            {
                requirement = new PythonRequirement(text, name, Array.Empty<string>(), Array.Empty<VersionSpecifier>(), null, null);
                return true;
            }

            string? found = Operators.FirstOrDefault(o => string.CompareOrdinal(text, op, o, 0, o.Length) == 0);
            string version = found is null ? "" : text.Substring(op + found.Length);
            if (found is null || version.Length == 0 || version.IndexOfAny(OperatorStart) >= 0 || !IsVersionFor(found, version))
            {
                return false;
            }

            requirement = new PythonRequirement(text, name, Array.Empty<string>(), new[] { new VersionSpecifier(found, version) }, null, null);
            return true;
        }

        /// <summary>PEP 508's name: letters and digits at both ends, '.', '_' and '-' between.</summary>
        private static bool IsName(string name)
        {
            if (name.Length == 0 || !char.IsLetterOrDigit(name[0]) || !char.IsLetterOrDigit(name[name.Length - 1]))
            {
                return false;
            }

            foreach (char c in name)
            {
                if (c > 127 || !(char.IsLetterOrDigit(c) || c == '.' || c == '_' || c == '-'))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary><c>name @ url ; marker</c>: the marker needs a space before its ';', since URLs may hold one.</summary>
        private static bool TryParseDirectReference(string text, string name, List<string> extras, string rest, out PythonRequirement? requirement, out string? error)
        {
            requirement = null;
            rest = rest.Trim();
            string? marker = null;
            Match split = Regex.Match(rest, @"\s+;");
            if (split.Success)
            {
                marker = rest.Substring(split.Index + split.Length).Trim();
                rest = rest.Substring(0, split.Index);
                if (!MarkerGrammar.IsValid(marker, out error))
                {
                    return false;
                }
            }

            if (rest.Length == 0 || rest.Any(char.IsWhiteSpace))
            {
                error = "the URL after '@' is missing or holds spaces";
                return false;
            }

            requirement = new PythonRequirement(text, name, extras, Array.Empty<VersionSpecifier>(), marker, rest);
            error = null;
            return true;
        }

        private static bool TryParseClause(string clause, out VersionSpecifier? specifier, out string? error)
        {
            specifier = null;
            Match m = ClausePattern.Match(clause);
            if (!m.Success)
            {
                error = $"'{clause.Trim()}' is not a version specifier such as ==1.0 or >=1.0";
                return false;
            }

            string op = m.Groups["op"].Value;
            string version = m.Groups["version"].Value;
            if (!IsVersionFor(op, version))
            {
                error = $"'{op}{version}' is not a version pip accepts after {op} (PEP 440: e.g. 1.2, 1.2.3rc1, 2.0.1+cu118{(op == "==" || op == "!=" ? ", 1.2.*" : "")})";
                return false;
            }

            specifier = new VersionSpecifier(op, version);
            error = null;
            return true;
        }

        /// <summary>PEP 440's rules per operator, as pip's packaging applies them.</summary>
        private static bool IsVersionFor(string op, string version)
        {
            switch (op)
            {
                case "===":
                    return version.IndexOfAny(new[] { ',', ';' }) < 0;
                case "==":
                case "!=":
                    if (version.EndsWith(".*", StringComparison.Ordinal))
                    {
                        return PublicVersionPattern.IsMatch(version.Substring(0, version.Length - 2));
                    }

                    return IsVersion(version, allowLocal: true);
                case "~=":
                    return IsVersion(version, allowLocal: false) && ReleaseSegments(version) >= 2;
                default:
                    return IsVersion(version, allowLocal: false);
            }
        }

        private static bool IsVersion(string version, bool allowLocal)
        {
            int plus = version.IndexOf('+');
            if (plus < 0)
            {
                return PublicVersionPattern.IsMatch(version);
            }

            return allowLocal && PublicVersionPattern.IsMatch(version.Substring(0, plus)) && LocalLabelPattern.IsMatch(version.Substring(plus + 1));
        }

        private static int ReleaseSegments(string version)
        {
            Match release = Regex.Match(version, @"^v?(?:[0-9]+!)?(?<release>[0-9]+(?:\.[0-9]+)*)", RegexOptions.IgnoreCase);
            return release.Groups["release"].Value.Split('.').Length;
        }

        private static readonly Regex SingleEqualsPattern = new Regex(
            @"^(?<name>[^=<>!~]*[^=<>!~\s])\s*=(?!=)\s*(?<version>[^=<>!~]+)$", RegexOptions.CultureInvariant);

        /// <summary>
        /// The original cog.yaml reference wrote packages as <c>package=version</c>, which pip refuses; gives the
        /// <c>package==version</c> it meant when that spelling is the only problem.
        /// </summary>
        internal static bool TryFixSingleEquals(string text, out string corrected)
        {
            corrected = "";
            Match m = SingleEqualsPattern.Match(text.Trim());
            if (!m.Success)
            {
                return false;
            }

            string candidate = m.Groups["name"].Value + "==" + m.Groups["version"].Value.Trim();
            if (!TryParse(candidate, out _, out _))
            {
                return false;
            }

            corrected = candidate;
            return true;
        }

        public override string ToString() => Text;
    }

    /// <summary>
    /// PEP 508 environment markers: <c>python_version &gt;= "3.8" and (sys_platform == 'linux' or extra == "gpu")</c>.
    /// Only the grammar is checked, which is what pip refuses a line for.
    /// </summary>
    internal static class MarkerGrammar
    {
        internal static readonly string[] Variables =
        {
            "python_version", "python_full_version", "os_name", "sys_platform", "platform_release", "platform_system",
            "platform_version", "platform_machine", "platform_python_implementation", "implementation_name",
            "implementation_version", "extra", "os.name", "sys.platform", "platform.version", "platform.machine",
            "platform.python_implementation", "python_implementation",
        };

        private static readonly Regex Token = new Regex(
            @"\G\s*(?:(?<string>'[^']*'|""[^""]*"")|(?<op>===|==|!=|<=|>=|~=|<|>)|(?<paren>[()])|(?<word>[A-Za-z_][A-Za-z0-9_.]*))",
            RegexOptions.CultureInvariant);

        public static bool IsValid(string marker, out string? error)
        {
            var tokens = new List<(string Kind, string Text)>();
            int at = 0;
            while (at < marker.Length)
            {
                while (at < marker.Length && char.IsWhiteSpace(marker[at]))
                {
                    at++;
                }

                if (at >= marker.Length)
                {
                    break;
                }

                Match m = Token.Match(marker, at);
                if (!m.Success || m.Length == 0)
                {
                    error = $"the environment marker '{marker}' cannot be read at '{marker.Substring(at).Trim()}'";
                    return false;
                }

                string kind = m.Groups["string"].Success ? "string" : m.Groups["op"].Success ? "op" : m.Groups["paren"].Success ? "paren" : "word";
                tokens.Add((kind, m.Value.Trim()));
                at += m.Length;
            }

            var parser = new Parser(tokens);
            if (tokens.Count == 0)
            {
                error = "an environment marker is empty after ';'";
                return false;
            }

            if (!parser.Or() || parser.Position != tokens.Count)
            {
                error = parser.Problem ?? $"the environment marker '{marker}' is not a condition such as python_version >= \"3.8\"";
                return false;
            }

            error = null;
            return true;
        }

        private sealed class Parser
        {
            private readonly List<(string Kind, string Text)> _tokens;

            public Parser(List<(string Kind, string Text)> tokens) => _tokens = tokens;

            public int Position { get; private set; }
            public string? Problem { get; private set; }

            public bool Or() => Chain(And, "or");

            private bool And() => Chain(Expression, "and");

            private bool Chain(Func<bool> part, string word)
            {
                if (!part())
                {
                    return false;
                }

                while (Peek("word", word))
                {
                    Position++;
                    if (!part())
                    {
                        return false;
                    }
                }

                return true;
            }

            private bool Expression()
            {
                if (Peek("paren", "("))
                {
                    Position++;
                    if (!Or() || !Peek("paren", ")"))
                    {
                        return false;
                    }

                    Position++;
                    return true;
                }

                if (!Value())
                {
                    return false;
                }

                if (Peek("op", null))
                {
                    Position++;
                }
                else if (Peek("word", "in"))
                {
                    Position++;
                }
                else if (Peek("word", "not") && Position + 1 < _tokens.Count && _tokens[Position + 1] == ("word", "in"))
                {
                    Position += 2;
                }
                else
                {
                    return false;
                }

                return Value();
            }

            private bool Value()
            {
                if (Position >= _tokens.Count)
                {
                    return false;
                }

                var (kind, text) = _tokens[Position];
                if (kind == "string")
                {
                    Position++;
                    return true;
                }

                if (kind == "word" && Array.IndexOf(Variables, text) >= 0)
                {
                    Position++;
                    return true;
                }

                if (kind == "word")
                {
                    string? closest = Diagnostics.Suggestions.Closest(text, Variables);
                    Problem = $"'{text}' is not an environment marker variable" + (closest != null ? $"; did you mean '{closest}'?" : " (such as python_version or sys_platform)");
                }

                return false;
            }

            private bool Peek(string kind, string? text) =>
                Position < _tokens.Count && _tokens[Position].Kind == kind && (text is null || _tokens[Position].Text == text);
        }
    }
}
