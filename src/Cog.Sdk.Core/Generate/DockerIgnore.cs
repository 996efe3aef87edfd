using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace Cog.Sdk.Core.Generate
{
    /// <summary>
    /// Docker's .dockerignore rules (moby/patternmatcher): one pattern a line, '#' lines are comments, a leading '/' is
    /// dropped, '*' and '?' stay within one path segment, '**' spans any number of segments, '!' re-includes, and the
    /// last pattern that matches a path or one of its parent folders decides. Patterns are relative to the context root:
    /// unlike .gitignore, "*.pyc" matches only at the root; "**/*.pyc" matches everywhere.
    /// </summary>
    public sealed class DockerIgnore
    {
        private readonly List<(Regex Pattern, bool Exclude)> _rules;

        public DockerIgnore(IEnumerable<string> lines)
        {
            _rules = new List<(Regex, bool)>();
            foreach (string raw in lines)
            {
                string line = raw.TrimStart('\uFEFF');
                if (line.StartsWith("#", StringComparison.Ordinal))
                {
                    continue;
                }

                line = line.Trim();
                bool exclude = true;
                if (line.StartsWith("!", StringComparison.Ordinal))
                {
                    exclude = false;
                    line = line.Substring(1).Trim();
                }

                string pattern = Clean(line);
                if (pattern.Length == 0)
                {
                    continue;
                }

                _rules.Add((Compile(pattern), exclude));
            }
        }

        public static DockerIgnore Empty { get; } = new DockerIgnore(Array.Empty<string>());

        /// <summary>The rules of <paramref name="path"/>, or none when the file does not exist.</summary>
        public static DockerIgnore Load(string path) =>
            File.Exists(path) ? new DockerIgnore(File.ReadAllLines(path)) : Empty;

        /// <summary>Whether a context-relative path ('/' separated) stays out of the context.</summary>
        public bool IsExcluded(string relativePath)
        {
            string[] segments = relativePath.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries);
            var candidates = new List<string>(segments.Length);
            for (int i = 1; i <= segments.Length; i++)
            {
                candidates.Add(string.Join("/", segments, 0, i));
            }

            bool excluded = false;
            foreach (var (pattern, exclude) in _rules)
            {
                if (candidates.Any(c => pattern.IsMatch(c)))
                {
                    excluded = exclude;
                }
            }

            return excluded;
        }

        /// <summary>Go's filepath.Clean on a '/' path, then the leading '/' removed: "/a//b/./c/.." becomes "a/b".</summary>
        internal static string Clean(string pattern)
        {
            var parts = new List<string>();
            foreach (string part in pattern.Replace('\\', '/').Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries))
            {
                if (part == ".")
                {
                    continue;
                }

                if (part == ".." && parts.Count > 0 && parts[parts.Count - 1] != "..")
                {
                    parts.RemoveAt(parts.Count - 1);
                    continue;
                }

                parts.Add(part);
            }

            return string.Join("/", parts);
        }

        private static Regex Compile(string pattern)
        {
            var regex = new StringBuilder("^");
            for (int i = 0; i < pattern.Length; i++)
            {
                char c = pattern[i];
                if (c == '*')
                {
                    if (i + 1 < pattern.Length && pattern[i + 1] == '*')
                    {
                        i++;
                        if (i + 1 < pattern.Length && pattern[i + 1] == '/')
                        {
                            i++;
                        }

                        regex.Append(i + 1 == pattern.Length ? ".*" : "(.*/)?");
                    }
                    else
                    {
                        regex.Append("[^/]*");
                    }
                }
                else if (c == '?')
                {
                    regex.Append("[^/]");
                }
                else if (c == '\\' && i + 1 < pattern.Length)
                {
                    regex.Append(Regex.Escape(pattern[++i].ToString()));
                }
                else if (c == '[' || c == ']')
                {
                    regex.Append(c);
                }
                else
                {
                    regex.Append(Regex.Escape(c.ToString()));
                }
            }

            return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
        }
    }
}
