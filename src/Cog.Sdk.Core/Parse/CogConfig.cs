using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;
using Cog.Sdk.Core.Diagnostics;

namespace Cog.Sdk.Core.Parse
{
    /// <summary>Which generation of cog.yaml a file is written in.</summary>
    public enum ConfigForm
    {
        /// <summary>The original form: <c>environment</c> (a mapping), <c>image</c>, <c>model</c>.</summary>
        Original,

        /// <summary>Cog's current form: <c>build</c>, <c>image</c>, <c>predict</c>/<c>run</c>, <c>train</c>, ...</summary>
        Current,
    }

    /// <summary>
    /// One model of cog.yaml for both generations. Every value remembers where it was read from, so that
    /// later stages (resolution, Dockerfile generation, engine failures) can point back at the line that caused them.
    /// Absent optional values are null; defaults are applied by the parser and carry the location of the file itself.
    /// </summary>
    public sealed class CogConfig
    {
        /// <summary>Full path of cog.yaml.</summary>
        public string FilePath { get; set; } = "";

        /// <summary>The folder holding cog.yaml: the build context and the root of relative paths.</summary>
        public string ProjectDirectory { get; set; } = "";

        public ConfigForm Form { get; set; }

        public Located<bool> Gpu { get; set; } = new Located<bool>(false, SourceLocation.None);

        /// <summary>major.minor, or major.minor.patch, exactly as written.</summary>
        public Located<string>? Cuda { get; set; }

        public Located<string>? CuDnn { get; set; }

        /// <summary>As written ("3.11", "3.8.1"); the default when absent.</summary>
        public Located<string> PythonVersion { get; set; } = new Located<string>(DefaultPythonVersion, SourceLocation.None);

        /// <summary>Entries of <c>python_packages</c>, each located at its list item.</summary>
        public List<Located<string>> PythonPackages { get; set; } = new List<Located<string>>();

        /// <summary>The <c>python_requirements</c> path as written, relative to <see cref="ProjectDirectory"/>.</summary>
        public Located<string>? PythonRequirements { get; set; }

        /// <summary><c>python_extra_index_urls</c> of the original form, passed to pip as <c>--extra-index-url</c>.</summary>
        public List<Located<string>> PythonExtraIndexUrls { get; set; } = new List<Located<string>>();

        /// <summary><c>python_find_links</c> of the original form, passed to pip as <c>--find-links</c>.</summary>
        public List<Located<string>> PythonFindLinks { get; set; } = new List<Located<string>>();

        public List<Located<string>> SystemPackages { get; set; } = new List<Located<string>>();

        /// <summary>The words apt-get is given for a system_packages entry: one package, or several words that Cog passes on as they are.</summary>
        public static IReadOnlyList<string> SystemPackageWords(string entry) =>
            entry.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);

        /// <summary><c>build.run</c> (or nothing in the original form), in order.</summary>
        public List<RunCommand> Run { get; set; } = new List<RunCommand>();

        /// <summary><c>pre_install</c> commands; run after <see cref="Run"/>, as Cog does.</summary>
        public List<Located<string>> PreInstall { get; set; } = new List<Located<string>>();

        public Located<string>? Image { get; set; }

        /// <summary>The predictor pointer, <c>file.py:Class</c>: <c>model</c> (original), <c>predict</c> or <c>run</c> (current).</summary>
        public Located<string>? Predictor { get; set; }

        /// <summary>Which key the predictor came from: "model", "predict" or "run".</summary>
        public string PredictorKey { get; set; } = "predict";

        public Located<string>? Train { get; set; }

        public Located<int>? ConcurrencyMax { get; set; }

        public Located<int>? ConcurrencyDefaultTarget { get; set; }

        /// <summary>Top-level <c>environment</c> list of the current form, in file order.</summary>
        public List<EnvironmentVariable> Environment { get; set; } = new List<EnvironmentVariable>();

        /// <summary>
        /// <c>workdir</c> of the original form (2021): the folder, relative to the project, that holds the predictor
        /// and that the model runs in.
        /// </summary>
        public Located<string>? WorkingDirectory { get; set; }

        /// <summary><c>post_install</c> of the original form: commands run once the model's files are in the image.</summary>
        public List<Located<string>> PostInstall { get; set; } = new List<Located<string>>();

        /// <summary><c>examples</c> of the original form, kept as written for a test target to run.</summary>
        public List<CogExample> Examples { get; set; } = new List<CogExample>();

        /// <summary><c>build.sdk_version</c>: the version of Cog's Python package, installed when the runtime comes from PyPI.</summary>
        public Located<string>? SdkVersion { get; set; }

        /// <summary>
        /// Every line of <c>python_packages</c> and of the requirements files, read with pip's grammar when cog.yaml is
        /// loaded (<c>CogConfigLoader</c>); null until then. Validate and Resolve consume it; what they make of it is in
        /// the <c>Resolution</c>, so the model's file (obj/cog/model.json) does not keep it.
        /// </summary>
        [JsonIgnore]
        public IReadOnlyList<RequirementLine>? Requirements { get; set; }

        /// <summary>The requirements files read: <c>python_requirements</c> and its <c>-r</c>/<c>-c</c> includes, full paths.</summary>
        [JsonIgnore]
        public List<string> RequirementFiles { get; set; } = new List<string>();

        public const string DefaultPythonVersion = "3.12";

        /// <summary>The default of the original form: what Cog of that time installed when python_version was absent.</summary>
        public const string OriginalDefaultPythonVersion = "3.8";

        /// <summary>The location of the file as a whole, for problems that belong to no single key.</summary>
        [JsonIgnore]
        public SourceLocation FileLocation => new SourceLocation(FilePath);

        /// <summary>The file part of a <c>file.py:Class</c> pointer ("" when it has no colon).</summary>
        public static string PointerFile(string pointer)
        {
            int colon = pointer.LastIndexOf(':');
            return colon < 0 ? "" : pointer.Substring(0, colon);
        }

        /// <summary>The file of a pointer relative to the project: inside <see cref="WorkingDirectory"/> when there is one.</summary>
        public string PointerPathInProject(string pointer)
        {
            string file = PointerFile(pointer);
            return WorkingDirectory is null || file.Length == 0 ? file : WorkingDirectory.Value.TrimEnd('/', '\\') + "/" + file;
        }

        /// <summary>A path of cog.yaml resolved against the project folder; null when it is not a usable path at all.</summary>
        public string? ProjectPath(string relative)
        {
            try
            {
                return System.IO.Path.GetFullPath(System.IO.Path.Combine(ProjectDirectory, relative));
            }
            catch (Exception e) when (e is ArgumentException || e is NotSupportedException || e is System.IO.PathTooLongException)
            {
                return null;
            }
        }
    }

    public sealed class RunCommand
    {
        public RunCommand(Located<string> command, IReadOnlyList<SecretMount> mounts)
        {
            Command = command;
            Mounts = mounts;
        }

        public Located<string> Command { get; }
        public IReadOnlyList<SecretMount> Mounts { get; }
    }

    /// <summary>A <c>{type: secret, id, target}</c> mount of a <c>build.run</c> command.</summary>
    public sealed class SecretMount
    {
        public SecretMount(string id, string target, SourceLocation location)
        {
            Id = id;
            Target = target;
            Location = location;
        }

        public string Id { get; }
        public string Target { get; }
        public SourceLocation Location { get; }
    }

    /// <summary>One entry of the original form's <c>examples</c>: the inputs of a prediction and, optionally, its expected output.</summary>
    public sealed class CogExample
    {
        public CogExample(IReadOnlyDictionary<string, string> input, string? output, SourceLocation location)
        {
            Input = input;
            Output = output;
            Location = location;
        }

        public IReadOnlyDictionary<string, string> Input { get; }
        public string? Output { get; }
        public SourceLocation Location { get; }
    }

    public sealed class EnvironmentVariable
    {
        /// <summary>An environment variable's name as Cog allows it (and a shell can use it): letters, digits and '_', not starting with a digit.</summary>
        public const string NamePattern = "[A-Za-z_][A-Za-z0-9_]*";

        private static readonly System.Text.RegularExpressions.Regex Name_ = new System.Text.RegularExpressions.Regex(
            "^" + NamePattern + @"\z", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

        public EnvironmentVariable(string name, string value, SourceLocation location)
        {
            Name = name;
            Value = value;
            Location = location;
        }

        public static bool IsValidName(string name) => Name_.IsMatch(name);

        /// <summary>Splits <c>NAME=value</c>; false when the text does not start with a valid name and '='.</summary>
        public static bool TrySplit(string entry, out string name, out string value)
        {
            int equals = entry.IndexOf('=');
            name = equals < 0 ? entry : entry.Substring(0, equals);
            value = equals < 0 ? "" : entry.Substring(equals + 1);
            return equals >= 0 && IsValidName(name);
        }

        public string Name { get; }
        public string Value { get; }
        public SourceLocation Location { get; }
    }
}
