using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Parse;

namespace Cog.Sdk.Core.Resolve
{
    /// <summary>
    /// Reads the user's Python requirements the way pip reads a requirements file: CRLF and BOM tolerated,
    /// backslash continuations joined, whole-line and inline (<c> #</c>) comments removed, blank lines dropped,
    /// <c>-r</c>/<c>-c</c> includes followed relative to the including file but never out of the project folder.
    /// Every line keeps the file and line it started on, so later problems point at it.
    /// </summary>
    public static class RequirementsReader
    {
        // pip's rule: '#' starts a comment at the start of a line or after whitespace, so '...#egg=name' in a URL is kept.
        private static readonly Regex CommentPattern = new Regex(@"(^|\s+)#.*$", RegexOptions.CultureInvariant);

        /// <summary>Package names of the Cog runtime, which the image gets by other means.</summary>
        private static readonly string[] RuntimePackages = { "cog", "coglet" };

        /// <summary>
        /// The lines of <c>python_packages</c>, then those of the <c>python_requirements</c> file with its includes.
        /// Every file read (or tried) is added to <paramref name="filesRead"/>, for the record that lets a no-op build skip this.
        /// </summary>
        public static IReadOnlyList<RequirementLine> Read(CogConfig config, DiagnosticBag diagnostics, ICollection<string>? filesRead = null)
        {
            var reading = new Reading(config.ProjectDirectory, diagnostics, filesRead ?? new List<string>());
            foreach (Located<string> package in config.PythonPackages)
            {
                reading.AddLine(package.Value, package.Location, reading.ProjectDirectory, isConstraint: false);
            }

            if (config.PythonRequirements != null)
            {
                string path = Path.Combine(reading.ProjectDirectory, config.PythonRequirements.Value);
                reading.ReadFile(path, config.PythonRequirements.Location, isConstraint: false);
            }

            return reading.Lines;
        }

        /// <summary>Splits text into pip's logical lines: (text, first physical line number).</summary>
        internal static IEnumerable<(string Text, int Line)> LogicalLines(string text)
        {
            string[] physical = text.TrimStart('\uFEFF').Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
            var joined = new StringBuilder();
            int start = 0;
            for (int i = 0; i < physical.Length; i++)
            {
                string line = physical[i];
                if (joined.Length == 0)
                {
                    start = i + 1;
                }

                bool isComment = line.TrimStart().StartsWith("#", StringComparison.Ordinal);
                if (line.EndsWith("\\", StringComparison.Ordinal) && !isComment)
                {
                    joined.Append(line, 0, line.Length - 1);
                    continue;
                }

                joined.Append(isComment && joined.Length > 0 ? "" : line);
                string logical = CommentPattern.Replace(joined.ToString(), "").Trim();
                joined.Clear();
                if (logical.Length > 0)
                {
                    yield return (logical, start);
                }
            }

            string rest = CommentPattern.Replace(joined.ToString(), "").Trim();
            if (rest.Length > 0)
            {
                yield return (rest, start);
            }
        }

        private sealed class Reading
        {
            private readonly DiagnosticBag _diagnostics;
            private readonly Stack<string> _including = new Stack<string>();
            private readonly ICollection<string> _filesRead;

            public Reading(string projectDirectory, DiagnosticBag diagnostics, ICollection<string> filesRead)
            {
                ProjectDirectory = Path.GetFullPath(projectDirectory.Length == 0 ? "." : projectDirectory);
                _diagnostics = diagnostics;
                _filesRead = filesRead;
            }

            public string ProjectDirectory { get; }
            public List<RequirementLine> Lines { get; } = new List<RequirementLine>();

            public void ReadFile(string path, SourceLocation includedAt, bool isConstraint)
            {
                string fullPath = Path.GetFullPath(path);
                if (!IsInsideProject(fullPath))
                {
                    _diagnostics.Error(ConfigurationMessages.RequirementsIncludeOutsideProject, includedAt, fullPath, ProjectDirectory);
                    return;
                }

                if (_including.Contains(fullPath))
                {
                    _diagnostics.Error(ConfigurationMessages.RequirementsIncludeCycle, includedAt, fullPath);
                    return;
                }

                string text;
                _filesRead.Add(fullPath);
                try
                {
                    text = File.ReadAllText(fullPath);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    string reason = File.Exists(fullPath) ? e.Message.TrimEnd('.') : "the file does not exist";
                    _diagnostics.Error(ConfigurationMessages.RequirementsFileUnreadable, includedAt, fullPath, reason);
                    return;
                }

                _including.Push(fullPath);
                string directory = Path.GetDirectoryName(fullPath) ?? ProjectDirectory;
                foreach (var (line, number) in LogicalLines(text))
                {
                    AddLine(line, new SourceLocation(fullPath, number, 1), directory, isConstraint);
                }

                _including.Pop();
            }

            public void AddLine(string text, SourceLocation location, string directory, bool isConstraint)
            {
                var line = new RequirementLine(text.Trim(), location, isConstraint);
                if (line.IsOption && (line.OptionName == "--requirement" || line.OptionName == "--constraint"))
                {
                    if (line.OptionValue is null)
                    {
                        _diagnostics.Error(ConfigurationMessages.RequirementsIncludeMissingPath, location, line.OptionName);
                        return;
                    }

                    ReadFile(Path.Combine(directory, line.OptionValue), location, isConstraint || line.OptionName == "--constraint");
                    return;
                }

                // '-e .' installs the project itself, whose source is not in the image when requirements are installed: Cog drops it.
                if (line.IsOption && line.OptionName == "--editable" && line.OptionValue == ".")
                {
                    return;
                }

                if (line.Requirement != null && Array.IndexOf(RuntimePackages, line.Requirement.NormalizedName) >= 0)
                {
                    _diagnostics.Warning(ConfigurationMessages.RuntimePackageDropped, location, line.Text);
                    return;
                }

                Lines.Add(line);
            }

            private bool IsInsideProject(string fullPath)
            {
                string root = ProjectDirectory.EndsWith(Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal)
                    ? ProjectDirectory
                    : ProjectDirectory + Path.DirectorySeparatorChar;
                StringComparison comparison = Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
                return fullPath.StartsWith(root, comparison);
            }
        }
    }
}
