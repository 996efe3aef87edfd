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
    /// A PEP 508 requirement as pip reads it from one line: <c>name[extras] specifiers ; marker</c>, or
    /// <c>name @ url</c>. Lines that are not requirements (options, paths, VCS URLs) do not parse.
    /// </summary>
    public sealed class PythonRequirement
    {
        private static readonly Regex NamePattern = new Regex(
            @"^\s*(?<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[(?<extras>[^\]]*)\])?\s*", RegexOptions.CultureInvariant);

        private static readonly Regex SpecifierPattern = new Regex(
            @"^\s*(?<op>===|==|!=|~=|<=|>=|<|>)\s*(?<version>[A-Za-z0-9.*+!_-]+)\s*$", RegexOptions.CultureInvariant);

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
        public string? Url { get; }

        /// <summary>The version of an exact <c>==</c> (or <c>===</c>) pin without wildcards; null otherwise.</summary>
        public string? PinnedVersion =>
            Specifiers.Count == 1 && (Specifiers[0].Operator == "==" || Specifiers[0].Operator == "===") && !Specifiers[0].Version.Contains("*")
                ? Specifiers[0].Version
                : null;

        public bool IsPinned => PinnedVersion != null || Url != null;

        /// <summary>The first version named by any specifier (<c>torch&gt;=2.1</c> gives 2.1), as Cog uses for CUDA inference.</summary>
        public string? FirstVersion => Specifiers.Count > 0 ? Specifiers[0].Version : null;

        public static string Normalize(string name) => Regex.Replace(name, "[-_.]+", "-").ToLowerInvariant();

        public static bool TryParse(string text, out PythonRequirement? requirement, out string? error)
        {
            requirement = null;
            error = null;
            string body = text;
            string? marker = null;
            int semicolon = body.IndexOf(';');
            if (semicolon >= 0)
            {
                marker = body.Substring(semicolon + 1).Trim();
                body = body.Substring(0, semicolon);
                if (marker.Length == 0)
                {
                    error = "an environment marker is empty after ';'";
                    return false;
                }
            }

            Match nameMatch = NamePattern.Match(body);
            if (!nameMatch.Success)
            {
                error = "it does not start with a package name";
                return false;
            }

            string name = nameMatch.Groups["name"].Value;
            var extras = nameMatch.Groups["extras"].Success
                ? nameMatch.Groups["extras"].Value.Split(',').Select(e => e.Trim()).Where(e => e.Length > 0).ToList()
                : new List<string>();
            string rest = body.Substring(nameMatch.Length).Trim();

            if (rest.StartsWith("@", StringComparison.Ordinal))
            {
                string url = rest.Substring(1).Trim();
                if (url.Length == 0 || url.Any(char.IsWhiteSpace))
                {
                    error = "the URL after '@' is missing or holds spaces";
                    return false;
                }

                requirement = new PythonRequirement(text, name, extras, Array.Empty<VersionSpecifier>(), marker, url);
                return true;
            }

            if (rest.StartsWith("(", StringComparison.Ordinal) && rest.EndsWith(")", StringComparison.Ordinal))
            {
                rest = rest.Substring(1, rest.Length - 2);
            }

            var specifiers = new List<VersionSpecifier>();
            if (rest.Length > 0)
            {
                foreach (string clause in rest.Split(','))
                {
                    Match spec = SpecifierPattern.Match(clause);
                    if (!spec.Success)
                    {
                        error = $"'{clause.Trim()}' is not a version specifier such as ==1.0 or >=1.0";
                        return false;
                    }

                    specifiers.Add(new VersionSpecifier(spec.Groups["op"].Value, spec.Groups["version"].Value));
                }
            }

            requirement = new PythonRequirement(text, name, extras, specifiers, marker, null);
            return true;
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
}
