using System;
using System.Collections.Generic;
using System.Linq;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Parse;

namespace Cog.Sdk.Core.Resolve
{
    /// <summary>
    /// One logical line of the user's requirements, as pip sees it after joining continuations and removing
    /// comments, with the file and line it started on.
    /// </summary>
    public sealed class RequirementLine
    {
        private static readonly string[] IndexOptionNames = { "--index-url", "--extra-index-url", "--find-links" };

        public RequirementLine(string text, SourceLocation location, bool isConstraint = false)
        {
            Text = text;
            Location = location;
            IsConstraint = isConstraint;
            IsOption = text.StartsWith("-", StringComparison.Ordinal);
            if (IsOption)
            {
                (OptionName, OptionValue) = SplitOption(text);
                InlineOptions = Array.Empty<string>();
                return;
            }

            string requirementText = SplitInlineOptions(text, out List<string> inlineOptions);
            InlineOptions = inlineOptions;
            if (PythonRequirement.TryParse(requirementText, out PythonRequirement? requirement, out _))
            {
                Requirement = requirement;
            }
        }

        /// <summary>The logical line: continuations joined, comments removed, trimmed.</summary>
        public string Text { get; }

        public SourceLocation Location { get; }

        /// <summary>The requirement on the line; null for options and for lines pip takes as paths, VCS or bare URLs.</summary>
        public PythonRequirement? Requirement { get; }

        /// <summary>A pip option line, such as <c>--extra-index-url URL</c> or <c>--pre</c>.</summary>
        public bool IsOption { get; }

        /// <summary>A line read from a <c>-c</c> constraints file: it limits versions and installs nothing.</summary>
        public bool IsConstraint { get; }

        /// <summary>For an option line, the option's long name (<c>-f</c> reads as <c>--find-links</c>).</summary>
        public string? OptionName { get; }

        /// <summary>For an option line, its value, or null for a flag.</summary>
        public string? OptionValue { get; }

        /// <summary>Options written after a requirement on the same line, such as <c>--hash=sha256:...</c>.</summary>
        public IReadOnlyList<string> InlineOptions { get; }

        /// <summary>Package index or find-links URLs on this line, whether it is an option line or they follow a requirement.</summary>
        public IEnumerable<(string Name, string Url)> IndexOptions()
        {
            if (IsOption)
            {
                if (OptionName != null && OptionValue != null && Array.IndexOf(IndexOptionNames, OptionName) >= 0)
                {
                    yield return (OptionName, OptionValue);
                }

                yield break;
            }

            foreach (string inline in InlineOptions)
            {
                var (name, value) = SplitOption(inline);
                if (value != null && Array.IndexOf(IndexOptionNames, name) >= 0)
                {
                    yield return (name, value);
                }
            }
        }

        /// <summary>Splits <c>-f URL</c>, <c>-fURL</c>, <c>--find-links=URL</c> and <c>--find-links URL</c> into long name and value.</summary>
        internal static (string Name, string? Value) SplitOption(string option)
        {
            string name;
            string rest;
            if (option.StartsWith("--", StringComparison.Ordinal))
            {
                int end = option.IndexOfAny(new[] { '=', ' ', '\t' });
                name = end < 0 ? option : option.Substring(0, end);
                rest = end < 0 ? "" : option.Substring(end + 1);
            }
            else
            {
                name = option.Length >= 2 ? option.Substring(0, 2) : option;
                rest = option.Substring(name.Length);
            }

            name = LongName(name);
            string value = rest.Trim().TrimStart('=').Trim();
            return (name, value.Length == 0 ? null : value);
        }

        private static string LongName(string name)
        {
            switch (name)
            {
                case "-r": return "--requirement";
                case "-c": return "--constraint";
                case "-i": return "--index-url";
                case "-f": return "--find-links";
                case "-e": return "--editable";
                default: return name;
            }
        }

        /// <summary>The requirement part of a line; what follows it as <c> --option</c> or <c> -f</c> goes to <paramref name="options"/>.</summary>
        private static string SplitInlineOptions(string text, out List<string> options)
        {
            options = new List<string>();
            string[] tokens = text.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
            int first = Array.FindIndex(tokens, t => t.StartsWith("--", StringComparison.Ordinal) || t == "-f" || t == "-i");
            if (first <= 0)
            {
                return text;
            }

            for (int i = first; i < tokens.Length; i++)
            {
                bool takesValue = !tokens[i].Contains("=") && i + 1 < tokens.Length && !tokens[i + 1].StartsWith("-", StringComparison.Ordinal);
                options.Add(takesValue ? tokens[i] + " " + tokens[++i] : tokens[i]);
            }

            return string.Join(" ", tokens.Take(first));
        }

        public override string ToString() => Text;
    }
}
