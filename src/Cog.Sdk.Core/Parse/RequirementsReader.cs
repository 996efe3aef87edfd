using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;
using Cog.Sdk.Core.Diagnostics;

namespace Cog.Sdk.Core.Parse
{
    /// <summary>
    /// Reads the user's Python requirements the way pip reads a requirements file: CRLF and BOM tolerated,
    /// backslash continuations joined, whole-line and inline (<c> #</c>) comments removed, blank lines dropped,
    /// <c>-r</c>/<c>-c</c> includes followed relative to the including file but never out of the project folder.
    /// Every line is read with pip's grammar (<see cref="RequirementLine"/>) and keeps the file and line it started
    /// on; a line pip would refuse is reported there (COG2003).
    /// </summary>
    public static class RequirementsReader
    {
        // pip's rule: '#' starts a comment at the start of a line or after whitespace, so '...#egg=name' in a URL is kept.
        private static readonly Regex CommentPattern = new Regex(@"(^|\s+)#.*$", RegexOptions.CultureInvariant);

        private static readonly Regex RemoteInclude = new Regex(@"^[A-Za-z][A-Za-z0-9+.-]*://", RegexOptions.CultureInvariant);

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
                reading.AddLine(package.Value, package.Location, reading.ProjectDirectory, isConstraint: false, "'python_packages' entry");
            }

            if (config.PythonRequirements != null && config.ProjectPath(config.PythonRequirements.Value) is string path && File.Exists(path))
            {
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
            private readonly HashSet<string> _including = new HashSet<string>(StringComparer.Ordinal);
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
                if (!ProjectFiles.IsInside(ProjectDirectory, fullPath))
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

                if (text.IndexOf('\0') >= 0)
                {
                    _diagnostics.Error(ConfigurationMessages.RequirementsFileUnreadable, includedAt, fullPath, "it holds a NUL character, so it is not a text file");
                    return;
                }

                _including.Add(fullPath);
                string directory = Path.GetDirectoryName(fullPath) ?? ProjectDirectory;
                string what = "'" + Path.GetFileName(fullPath) + "' line";
                foreach (var (line, number) in LogicalLines(text))
                {
                    AddLine(line, new SourceLocation(fullPath, number, 1), directory, isConstraint, what);
                }

                _including.Remove(fullPath);
            }

            public void AddLine(string text, SourceLocation location, string directory, bool isConstraint, string what)
            {
                if (text.IndexOf('\n') >= 0 || text.IndexOf('\r') >= 0 || text.IndexOf('\0') >= 0)
                {
                    return; // A python_packages entry (a file's lines hold none): refused as unsafe by validation (COG2031).
                }

                var line = RequirementLine.Parse(text, location, directory, isConstraint);
                if (line.Problem != null)
                {
                    string hint = line.Suggestion != null
                        ? $"did you mean \"{line.Suggestion}\"?"
                        : "write it as pip reads it, e.g. \"numpy==1.26.4\", \"name @ https://host/name.whl\" or \"git+https://host/repo.git\".";
                    _diagnostics.Error(ConfigurationMessages.RequirementInvalid, location, what, line.Text, line.Problem + "; " + hint);
                    return;
                }

                PipOption? option = line.FirstOption;
                if (option != null && (option.Name == "--requirement" || option.Name == "--constraint") && !RemoteInclude.IsMatch(option.Value!))
                {
                    ReadFile(Path.Combine(directory, option.Value!), location, isConstraint || option.Name == "--constraint");
                    return;
                }

                // '-e .' installs the project itself, whose source is not in the image when requirements are installed: Cog drops it.
                if (option != null && option.Name == "--editable" && option.Value == "." && line.Options.Count == 1)
                {
                    return;
                }

                if (line.Requirement != null && line.Requirement.Url is null && Array.IndexOf(RuntimePackages, line.Requirement.NormalizedName) >= 0)
                {
                    _diagnostics.Warning(ConfigurationMessages.RuntimePackageDropped, location, line.Text);
                    return;
                }

                Lines.Add(line);
            }
        }
    }

    /// <summary>Whether a path is inside the project folder, by full path and without following links.</summary>
    public static class ProjectFiles
    {
        public static bool IsInside(string projectDirectory, string fullPath)
        {
            string root = projectDirectory.EndsWith(Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal)
                ? projectDirectory
                : projectDirectory + Path.DirectorySeparatorChar;
            StringComparison comparison = Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            return fullPath.StartsWith(root, comparison);
        }
    }
}
