using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Predict;

namespace Cog.Sdk.Core.Parse
{
    /// <summary>What a line of pip's requirements format holds.</summary>
    public enum RequirementLineKind
    {
        /// <summary>A PEP 508 requirement: <c>name[extras] specifiers ; marker</c>, or <c>name @ url</c>.</summary>
        Requirement,

        /// <summary>A bare URL pip installs from: <c>git+https://...@rev#egg=name</c>, <c>https://.../pkg.whl</c>.</summary>
        Url,

        /// <summary>A local path: <c>./dist/pkg-1.0.tar.gz</c>, <c>wheels/pkg.whl</c>, <c>./folder</c>.</summary>
        Path,

        /// <summary>Options only: <c>--extra-index-url URL</c>, <c>--pre -f URL</c>, <c>-r other.txt</c>.</summary>
        Options,
    }

    /// <summary>One option of pip's requirements format, by its long name.</summary>
    public sealed class PipOption
    {
        public PipOption(string name, string? value)
        {
            Name = name;
            Value = value;
        }

        /// <summary>The long name: <c>-f</c> is <c>--find-links</c>.</summary>
        public string Name { get; }

        /// <summary>The value, or null for a flag such as <c>--pre</c>.</summary>
        public string? Value { get; }

        /// <summary>Options that belong to one requirement and stay on its line: <c>--hash</c>, <c>--config-settings</c>.</summary>
        public bool IsPerRequirement => RequirementLine.PerRequirementOptions.Contains(Name);

        /// <summary>Where packages come from: <c>--index-url</c>, <c>--extra-index-url</c>, <c>--find-links</c>.</summary>
        public bool IsPackageSource => Name == "--index-url" || Name == "--extra-index-url" || Name == "--find-links";

        /// <summary>As pip reads it back: the value shell-quoted where it needs to be (pip splits option text with shlex).</summary>
        public override string ToString() => Value is null ? Name : Name + " " + Quote(Value);

        private static string Quote(string value) =>
            value.Length > 0 && value.All(c => !char.IsWhiteSpace(c) && c != '\'' && c != '"' && c != '\\')
                ? value
                : "'" + value.Replace("'", "'\\''") + "'";
    }

    /// <summary>
    /// One logical line of requirements (a <c>python_packages</c> entry, or a line of a requirements file after
    /// continuations are joined and comments removed), read with pip's grammar: the requirement part ends at the
    /// first word that starts with '-', and the rest is pip's options, split as a shell would. A line pip would refuse
    /// carries a <see cref="Problem"/> (and a <see cref="Suggestion"/> where one is likely); nothing here throws.
    /// </summary>
    public sealed class RequirementLine
    {
        /// <summary>pip's requirements-file options: long name, short name, whether it takes a value.</summary>
        private static readonly (string Long, string? Short, bool TakesValue)[] KnownOptions =
        {
            ("--index-url", "-i", true), ("--extra-index-url", null, true), ("--no-index", null, false),
            ("--constraint", "-c", true), ("--requirement", "-r", true), ("--editable", "-e", true),
            ("--find-links", "-f", true), ("--no-binary", null, true), ("--only-binary", null, true),
            ("--prefer-binary", null, false), ("--require-hashes", null, false), ("--pre", null, false),
            ("--trusted-host", null, true), ("--use-feature", null, true),
            ("--hash", null, true), ("--config-settings", null, true), ("--global-option", null, true),
        };

        internal static readonly string[] PerRequirementOptions = { "--hash", "--config-settings", "--global-option" };

        /// <summary>Archive suffixes pip installs from a path (and Cog stages into the build).</summary>
        public static readonly IReadOnlyList<string> ArchiveSuffixes = new[] { ".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz" };

        private static readonly Regex UrlStart = new Regex(@"^(?:(?:git|hg|svn|bzr)\+[A-Za-z][A-Za-z0-9+.-]*://|[A-Za-z][A-Za-z0-9+.-]*://|file:)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        private RequirementLine(string text, SourceLocation location, string baseDirectory, bool isConstraint)
        {
            Text = text;
            Location = location;
            BaseDirectory = baseDirectory;
            IsConstraint = isConstraint;
        }

        /// <summary>The logical line as written: continuations joined, comments removed, trimmed.</summary>
        public string Text { get; }

        public SourceLocation Location { get; }

        /// <summary>The folder a relative path on this line starts from: the requirements file's folder, or the project's.</summary>
        public string BaseDirectory { get; }

        /// <summary>A line read from a <c>-c</c> constraints file: it limits versions and installs nothing.</summary>
        public bool IsConstraint { get; }

        public RequirementLineKind Kind { get; private set; }

        /// <summary>The requirement of a <see cref="RequirementLineKind.Requirement"/> line.</summary>
        public PythonRequirement? Requirement { get; private set; }

        /// <summary>The URL or path of a <see cref="RequirementLineKind.Url"/> or <see cref="RequirementLineKind.Path"/> line, without extras and marker.</summary>
        public string? Target { get; private set; }

        /// <summary>What follows the target of a URL or path line: <c>[extras]</c> and <c> ; marker</c>, as written.</summary>
        public string TargetSuffix { get; private set; } = "";

        /// <summary>The options on the line: all of an options line, or those written after a requirement.</summary>
        public IReadOnlyList<PipOption> Options { get; private set; } = Array.Empty<PipOption>();

        /// <summary>Why pip would refuse this line; null when it reads it.</summary>
        public string? Problem { get; private set; }

        /// <summary>What was probably meant, when <see cref="Problem"/> has a likely fix.</summary>
        public string? Suggestion { get; private set; }

        public bool IsOption => Kind == RequirementLineKind.Options;

        /// <summary>The text before the options: the requirement, URL or path as written.</summary>
        public string RequirementText { get; private set; } = "";

        /// <summary>A path (or <c>file:</c> URL, or <c>name @ ./path</c>) that names an archive to install from the project.</summary>
        public string? LocalArchive { get; private set; }

        /// <summary>The first option of an options line, for the includes (<c>-r</c>, <c>-c</c>) and <c>-e</c>.</summary>
        public PipOption? FirstOption => Options.Count > 0 && IsOption ? Options[0] : null;

        public static RequirementLine Parse(string text, SourceLocation location, string baseDirectory, bool isConstraint = false)
        {
            var line = new RequirementLine(text.Trim(), location, baseDirectory, isConstraint);
            line.Read();
            return line;
        }

        public static bool HasArchiveSuffix(string path) =>
            ArchiveSuffixes.Any(s => path.EndsWith(s, StringComparison.OrdinalIgnoreCase));

        private void Read()
        {
            // pip's break_args_options: the requirement is every word before the first that starts with '-'.
            string optionText = "";
            RequirementText = Text;
            if (Text.StartsWith("-", StringComparison.Ordinal) || Text.IndexOf(" -", StringComparison.Ordinal) >= 0 || Text.IndexOf("\t-", StringComparison.Ordinal) >= 0)
            {
                string[] words = Text.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
                int first = Array.FindIndex(words, w => w.StartsWith("-", StringComparison.Ordinal));
                RequirementText = first < 0 ? Text : string.Join(" ", words.Take(first));
                optionText = first < 0 ? "" : OptionPart(first);
            }

            Options = ReadOptions(optionText);
            if (Problem != null)
            {
                return;
            }

            if (RequirementText.Length == 0)
            {
                Kind = RequirementLineKind.Options;
                return;
            }

            if (RequirementText.IndexOf(':') > 0 && UrlStart.IsMatch(RequirementText))
            {
                ReadTarget(RequirementLineKind.Url, "; ");
                CheckUrl(Target!);
            }
            else if (IsPath(RequirementText, BaseDirectory))
            {
                ReadTarget(RequirementLineKind.Path, ";");
                if (HasArchiveSuffix(Target!))
                {
                    LocalArchive = Target;
                }
            }
            else
            {
                ReadRequirement();
            }

            if (Problem == null && Options.FirstOrDefault(o => o.Name == "--requirement" || o.Name == "--constraint" || o.Name == "--editable") is PipOption misplaced)
            {
                Problem = $"'{misplaced.Name}' cannot follow a requirement on the same line: write it on a line of its own";
            }
        }

        /// <summary>The option words exactly as written, from the first one on (the split above keeps no positions).</summary>
        private string OptionPart(int firstOptionWord)
        {
            int at = 0;
            for (int word = 0; word <= firstOptionWord; word++)
            {
                while (at < Text.Length && (Text[at] == ' ' || Text[at] == '\t'))
                {
                    at++;
                }

                if (word == firstOptionWord)
                {
                    break;
                }

                while (at < Text.Length && Text[at] != ' ' && Text[at] != '\t')
                {
                    at++;
                }
            }

            return Text.Substring(at);
        }

        private IReadOnlyList<PipOption> ReadOptions(string text)
        {
            if (text.Length == 0)
            {
                return Array.Empty<PipOption>();
            }

            var options = new List<PipOption>();
            IReadOnlyList<string> words;
            try
            {
                words = ShellWords.Split(text);
            }
            catch (FormatException e)
            {
                Problem = "its options cannot be split into words: " + e.Message;
                return options;
            }

            for (int i = 0; i < words.Count; i++)
            {
                string word = words[i];
                if (!word.StartsWith("-", StringComparison.Ordinal) || word == "-" || word == "--")
                {
                    Problem = $"pip ignores '{word}' after an option: a requirement comes first on its line, options after it";
                    Suggestion = word + " " + string.Join(" ", words.Take(i));
                    return options;
                }

                string? value = null;
                string written;
                bool attached = false;
                if (word.StartsWith("--", StringComparison.Ordinal))
                {
                    int equals = word.IndexOf('=');
                    written = equals < 0 ? word : word.Substring(0, equals);
                    if (equals >= 0)
                    {
                        value = word.Substring(equals + 1);
                        attached = true;
                    }
                }
                else
                {
                    written = word.Substring(0, 2);
                    if (word.Length > 2)
                    {
                        value = word.Substring(2);
                        attached = true;
                    }
                }

                var known = Find(written);
                if (known is null)
                {
                    Problem = $"pip has no option '{written}' in a requirements file";
                    string? closest = Suggestions.Closest(written, KnownOptions.Select(o => o.Long));
                    Suggestion = closest is null ? null : Text.Replace(written, closest);
                    return options;
                }

                if (known.Value.TakesValue && !attached)
                {
                    if (i + 1 >= words.Count)
                    {
                        Problem = $"the option '{known.Value.Long}' needs a value";
                        return options;
                    }

                    value = words[++i];
                }
                else if (!known.Value.TakesValue && attached)
                {
                    Problem = $"the option '{known.Value.Long}' takes no value";
                    return options;
                }

                options.Add(new PipOption(known.Value.Long, value));
            }

            return options;
        }

        /// <summary>An exact name, a short name, or (as pip's optparse allows) a unique prefix of a long name.</summary>
        private static (string Long, string? Short, bool TakesValue)? Find(string written)
        {
            foreach (var option in KnownOptions)
            {
                if (option.Long == written || option.Short == written)
                {
                    return option;
                }
            }

            if (written.StartsWith("--", StringComparison.Ordinal) && written.Length > 3)
            {
                var prefixed = KnownOptions.Where(o => o.Long.StartsWith(written, StringComparison.Ordinal)).ToList();
                if (prefixed.Count == 1)
                {
                    return prefixed[0];
                }
            }

            return null;
        }

        private static readonly Regex DirectReferenceStart = new Regex(@"^[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?\s*@", RegexOptions.CultureInvariant);

        /// <summary>
        /// pip's rules (install_req_from_line): a name followed by '@' is a direct reference unless the file it would
        /// otherwise be exists; something that looks like a path (pip's _looks_like_path) or names an archive is a path.
        /// </summary>
        private static bool IsPath(string text, string baseDirectory)
        {
            int semicolon = text.IndexOf(';');
            string path = (semicolon < 0 ? text : text.Substring(0, semicolon)).Trim();
            if (path.EndsWith("]", StringComparison.Ordinal) && path.LastIndexOf('[') is int open && open > 0)
            {
                path = path.Substring(0, open); // pkg.whl[extra]
            }

            if (text.IndexOf('@') > 0 && DirectReferenceStart.IsMatch(text))
            {
                return HasArchiveSuffix(path) && ExistsIn(baseDirectory, path);
            }

            return LooksLikePath(text) || HasArchiveSuffix(path);
        }

        /// <summary>pip's _looks_like_path: a path separator anywhere, or a leading '.'.</summary>
        private static bool LooksLikePath(string text) =>
            text.StartsWith(".", StringComparison.Ordinal) || text.StartsWith("~", StringComparison.Ordinal)
            || text.IndexOf('/') >= 0 || text.IndexOf('\\') >= 0;

        private static bool ExistsIn(string baseDirectory, string path)
        {
            try
            {
                return System.IO.File.Exists(System.IO.Path.Combine(baseDirectory, path));
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        /// <summary>A URL or path, then optionally <c>[extras]</c> and a marker after <paramref name="markerSeparator"/>.</summary>
        private void ReadTarget(RequirementLineKind kind, string markerSeparator)
        {
            Kind = kind;
            string target = RequirementText;
            int marker = target.IndexOf(markerSeparator, StringComparison.Ordinal);
            if (marker >= 0)
            {
                string condition = target.Substring(marker + 1).Trim();
                if (!MarkerGrammar.IsValid(condition, out string? error))
                {
                    Problem = error;
                    return;
                }

                TargetSuffix = " ; " + condition;
                target = target.Substring(0, marker).TrimEnd();
            }

            Match extras = Regex.Match(target, @"\[[^\[\]]*\]\z");
            if (extras.Success && kind == RequirementLineKind.Path)
            {
                TargetSuffix = extras.Value + TargetSuffix;
                target = target.Substring(0, extras.Index);
            }

            Target = target;
            if (kind == RequirementLineKind.Url && target.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
            {
                Kind = RequirementLineKind.Path;
                Target = FilePath(target);
                LocalArchive = HasArchiveSuffix(Target) ? Target : null;
            }
        }

        private void ReadRequirement()
        {
            Kind = RequirementLineKind.Requirement;
            if (PythonRequirement.TryParse(RequirementText, out PythonRequirement? requirement, out string? error))
            {
                Requirement = requirement;
                string? url = requirement!.Url;
                if (url != null && !UrlStart.IsMatch(url) && (LooksLikePath(url) || HasArchiveSuffix(url)))
                {
                    LocalArchive = url; // name @ ./dist/pkg.whl: pip needs a URL; the archive is staged and the line rewritten.
                }
                else if (url != null && url.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
                {
                    LocalArchive = FilePath(url);
                }
                else if (url != null)
                {
                    CheckUrl(url);
                }

                if (LocalArchive != null && !HasArchiveSuffix(LocalArchive))
                {
                    Problem = $"'{LocalArchive}' is not a wheel or source archive ({string.Join(", ", ArchiveSuffixes)})";
                    LocalArchive = null;
                }

                return;
            }

            Problem = error;
            if (PythonRequirement.TryFixSingleEquals(RequirementText, out string corrected))
            {
                Suggestion = corrected + Text.Substring(RequirementText.Length);
            }
        }

        /// <summary>GitHub turned off the unauthenticated git:// protocol in 2022: such a line can no longer be fetched.</summary>
        private void CheckUrl(string url)
        {
            Match git = Regex.Match(url, @"^git\+git://(?<rest>(?:www\.)?github\.com/.*)$", RegexOptions.IgnoreCase);
            if (git.Success)
            {
                Problem = $"GitHub no longer serves the git:// protocol (turned off in 2022), so pip cannot fetch '{url}'";
                Suggestion = Text.Replace(url, "git+https://" + git.Groups["rest"].Value);
            }
        }

        /// <summary>
        /// The path a <c>file:</c> URL names: <c>file:///abs/x.whl</c>, <c>file:./x.whl</c>, or <c>file://x.whl</c>
        /// (which pip reads as a host name; meant as a file beside the requirements).
        /// </summary>
        private static string FilePath(string url)
        {
            string path = Regex.Replace(url, "^file:(//)?", "", RegexOptions.IgnoreCase);
            if (url.StartsWith("file:///", StringComparison.OrdinalIgnoreCase))
            {
                path = "/" + path.TrimStart('/');
            }

            return Uri.UnescapeDataString(path);
        }

        public override string ToString() => Text;
    }
}
