using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Cog.Sdk.Core.Diagnostics;

namespace Cog.Sdk.Core.Parse
{
    /// <summary>
    /// Turns the YAML tree of cog.yaml into a <see cref="CogConfig"/>: decides the form, refuses keys of the other
    /// form and unknown keys, and checks the type of every value. Keeps going after each problem so that the user
    /// sees all of them at once.
    /// </summary>
    internal sealed class CogConfigReader
    {
        private const string AString = "a string";
        private const string AList = "a list (one '- item' per line)";
        private const string AMapping = "a mapping of keys";
        private const string TrueOrFalse = "true or false";
        private const string AWholeNumber = "a whole number";

        private readonly CogConfig _config;
        private readonly DiagnosticBag _diagnostics;
        private Located<bool>? _architecturesGpu;

        public CogConfigReader(CogConfig config, DiagnosticBag diagnostics)
        {
            _config = config;
            _diagnostics = diagnostics;
        }

        private delegate void KeyReader(YamlNode key, YamlNode value);

        public void Read(YamlNode root)
        {
            YamlNode? decidingKey = DecidingKey(root);
            _config.Form = decidingKey != null ? FormOf(decidingKey, ValueOf(root, decidingKey))!.Value : ConfigForm.Current;
            _config.Gpu = new Located<bool>(false, _config.FileLocation);
            _config.PythonVersion = new Located<string>(
                _config.Form == ConfigForm.Original ? CogConfig.OriginalDefaultPythonVersion : CogConfig.DefaultPythonVersion,
                _config.FileLocation);

            if (root.IsNull)
            {
                return; // An empty cog.yaml is valid: every setting takes its default.
            }

            if (root.Kind != YamlNodeKind.Mapping)
            {
                _diagnostics.Error(ConfigurationMessages.WrongType, root.Location, "cog.yaml", "a mapping of keys such as 'build' and 'predict'", root.Describe());
                return;
            }

            var readers = _config.Form == ConfigForm.Original ? OriginalTopLevel() : CurrentTopLevel();
            foreach (var pair in root.Pairs)
            {
                ConfigForm? form = FormOf(pair.Key, pair.Value);
                if (form != null && form != _config.Form && decidingKey != null)
                {
                    _diagnostics.Error(ConfigurationMessages.FormsMixed, pair.Key.Location, pair.Key.Text, FormName(form.Value),
                        decidingKey.Text, decidingKey.Location.Line, FormName(_config.Form), MixedFormHint(pair.Key.Text));
                    continue;
                }

                ReadKey(readers, "cog.yaml", pair.Key, pair.Value);
            }

            if (_architecturesGpu != null && _config.Gpu.Location.Line == 0)
            {
                _config.Gpu = _architecturesGpu; // 'gpu', when also written, wins.
            }
        }

        private static YamlNode ValueOf(YamlNode mapping, YamlNode key) => mapping.Pairs.First(p => ReferenceEquals(p.Key, key)).Value;

        /// <summary>The first key that belongs to only one generation decides the form; null when there is none.</summary>
        private static YamlNode? DecidingKey(YamlNode root) =>
            root.Kind != YamlNodeKind.Mapping ? null : root.Pairs.FirstOrDefault(p => FormOf(p.Key, p.Value) != null).Key;

        private static ConfigForm? FormOf(YamlNode key, YamlNode value)
        {
            switch (key.Text)
            {
                case "model":
                    // The original form's predictor (model.py:Class), or current Cog's repository name for managed weights.
                    return value.Kind != YamlNodeKind.Scalar ? (ConfigForm?)null
                        : value.Text.IndexOf(':') >= 0 ? ConfigForm.Original
                        : ConfigForm.Current;
                case "environment":
                    return value.Kind == YamlNodeKind.Mapping ? ConfigForm.Original
                        : value.Kind == YamlNodeKind.Sequence ? ConfigForm.Current
                        : (ConfigForm?)null;
                case "build":
                case "predict":
                case "run":
                case "train":
                case "concurrency":
                case "weights":
                case "tests":
                    return ConfigForm.Current;
                default:
                    return null;
            }
        }

        private static string FormName(ConfigForm form) =>
            form == ConfigForm.Original ? "original (environment/image/model)" : "current (build/predict)";

        private static string MixedFormHint(string key)
        {
            switch (key)
            {
                case "model":
                    return "write 'predict: \"predict.py:Predictor\"' instead of 'model'";
                case "environment":
                    return "move these settings under 'build'; 'environment' of the current form is a list of NAME=value";
                default:
                    return "rewrite the whole file in the current form: 'build' instead of 'environment', 'predict' instead of 'model'";
            }
        }

        private Dictionary<string, KeyReader> OriginalTopLevel() => new Dictionary<string, KeyReader>(StringComparer.Ordinal)
        {
            ["environment"] = (k, v) => ReadSection(k, v, BuildKeys(original: true)),
            ["image"] = (k, v) => _config.Image = ReadString(k, v),
            ["model"] = ReadPredictor,
            ["examples"] = ReadExamples,
            ["workdir"] = ReadWorkingDirectory,
            ["name"] = (k, v) => Retired(k, ReadString(k, v), FirstReleases, "ignored: the image name comes from 'image', the CogImageName property or the folder. Remove it."),
        };

        private Dictionary<string, KeyReader> CurrentTopLevel() => new Dictionary<string, KeyReader>(StringComparer.Ordinal)
        {
            ["build"] = (k, v) => ReadSection(k, v, BuildKeys(original: false)),
            ["image"] = (k, v) => _config.Image = ReadString(k, v),
            ["predict"] = ReadPredictor,
            ["run"] = ReadPredictor,
            ["train"] = (k, v) => _config.Train = ReadString(k, v),
            ["concurrency"] = ReadConcurrency,
            ["environment"] = ReadEnvironment,
            ["model"] = (k, v) => Retired(k, ReadString(k, v), "current Cog's repository for managed weights",
                "not used: Cog.Sdk pushes nothing, and the image name comes from 'image', the CogImageName property or the folder."),
            ["weights"] = (k, v) => Retired(k, v.IsNull ? null : v, "current Cog's managed weights",
                "not fetched: the image will not hold them. Put the files in the project folder, or download them in setup()."),
            ["tests"] = (k, v) => Retired(k, v.IsNull ? null : v, SinceRemoved, "ignored: Cog.Sdk has no test target yet. Remove it."),
        };

        private const string FirstReleases = "a key of Cog's first releases (2021)";

        private static readonly HashSet<string> RetiredKeys = new HashSet<string>(StringComparer.Ordinal)
        {
            "cog.yaml/examples", "cog.yaml/workdir", "cog.yaml/name", "cog.yaml/tests",
            "'environment'/architectures", "'environment'/build_requires_gpu", "'environment'/post_install",
            "'build'/fast", "'build'/cog_runtime", "'build'/python_overrides", "'build'/environment",
        };
        private const string SinceRemoved = "a key of Cog 0.14 to 0.16 (2025), since removed";

        private Dictionary<string, KeyReader> BuildKeys(bool original)
        {
            var keys = new Dictionary<string, KeyReader>(StringComparer.Ordinal)
            {
                ["gpu"] = (k, v) => _config.Gpu = ReadBoolean(k, v) ?? _config.Gpu,
                ["cuda"] = (k, v) => _config.Cuda = ReadVersion(k, v),
                ["cudnn"] = (k, v) => _config.CuDnn = ReadVersion(k, v),
                ["python_version"] = (k, v) => _config.PythonVersion = ReadVersion(k, v) ?? _config.PythonVersion,
                ["python_packages"] = (k, v) => ReadPythonPackages(k, v, original),
                ["python_requirements"] = (k, v) => _config.PythonRequirements = ReadString(k, v),
                ["system_packages"] = (k, v) => _config.SystemPackages.AddRange(ReadStringList(k, v)),
                ["pre_install"] = (k, v) => _config.PreInstall.AddRange(ReadStringList(k, v)),
            };
            if (original)
            {
                keys["python_extra_index_urls"] = (k, v) => _config.PythonExtraIndexUrls.AddRange(ReadStringList(k, v));
                keys["python_find_links"] = (k, v) => _config.PythonFindLinks.AddRange(ReadStringList(k, v));
                keys["architectures"] = ReadArchitectures;
                keys["build_requires_gpu"] = (k, v) => Retired(k, ReadBoolean(k, v), FirstReleases,
                    "ignored: the image is built without a GPU, as Cog has done since. Remove it.");
                keys["post_install"] = (k, v) => Retired(k, AddAll(_config.PostInstall, ReadStringList(k, v)), FirstReleases,
                    "its commands run after the model's files are copied into the image, in the model's folder, as they did then.");
            }
            else
            {
                keys["run"] = ReadRunCommands;
                keys["fast"] = (k, v) => Retired(k, ReadBoolean(k, v), SinceRemoved, "ignored: Cog.Sdk's builds are incremental without it. Remove it.");
                keys["cog_runtime"] = (k, v) => Retired(k, ReadBoolean(k, v), SinceRemoved,
                    "ignored: the image gets Cog.Sdk's runtime, or Cog's from PyPI with CogRuntime=PyPI. Remove it.");
                keys["python_overrides"] = (k, v) => Retired(k, ReadString(k, v), SinceRemoved,
                    "not applied: pip has no overrides. Pin those versions in the requirements instead.");
                keys["sdk_version"] = ReadSdkVersion;
                keys["environment"] = (k, v) => Retired(k, ReadEnvironmentList(k, v), "where a draft of Cog put 'environment'",
                    "read as the top-level 'environment'. Move it there.");
            }

            return keys;
        }

        private void ReadKey(Dictionary<string, KeyReader> readers, string section, YamlNode key, YamlNode value)
        {
            if (key.Kind == YamlNodeKind.Scalar && readers.TryGetValue(key.Text, out KeyReader? reader))
            {
                reader(key, value);
                return;
            }

            // Keys retired long ago are read when present, but not offered as what a typo meant.
            var offered = readers.Keys.Where(k => !RetiredKeys.Contains(section + "/" + k));
            _diagnostics.Error(ConfigurationMessages.UnknownKey, key.Location, key.Kind == YamlNodeKind.Scalar ? key.Text : key.Describe(),
                section, KeySuggestions.Hint(key.Text, offered));
        }

        private void ReadSection(YamlNode key, YamlNode value, Dictionary<string, KeyReader> readers)
        {
            if (value.IsNull)
            {
                return; // "build:" with nothing under it means all defaults, as in Cog.
            }

            if (value.Kind != YamlNodeKind.Mapping)
            {
                WrongType(key, value, AMapping);
                return;
            }

            foreach (var pair in value.Pairs)
            {
                ReadKey(readers, "'" + key.Text + "'", pair.Key, pair.Value);
            }
        }

        private void ReadPredictor(YamlNode key, YamlNode value)
        {
            Located<string>? pointer = ReadString(key, value);
            if (pointer == null)
            {
                return;
            }

            if (_config.Predictor != null)
            {
                _diagnostics.Error(ConfigurationMessages.PredictAndRunBoth, key.Location, key.Text, _config.PredictorKey, _config.Predictor.Location.Line);
                return;
            }

            _config.Predictor = pointer;
            _config.PredictorKey = key.Text;
        }

        private void ReadPythonPackages(YamlNode key, YamlNode value, bool original)
        {
            foreach (Located<string> entry in ReadStringList(key, value))
            {
                // The original reference documents "package=version"; Cog of that time accepted what pip accepts,
                // so the original form is read leniently and the correction said out loud.
                if (original && !PythonRequirement.TryParse(entry.Value, out _, out _) &&
                    PythonRequirement.TryFixSingleEquals(entry.Value, out string corrected))
                {
                    _diagnostics.Warning(ConfigurationMessages.PackageSingleEquals, entry.Location, entry.Value, corrected);
                    _config.PythonPackages.Add(new Located<string>(corrected, entry.Location));
                    continue;
                }

                _config.PythonPackages.Add(entry);
            }
        }

        private void ReadRunCommands(YamlNode key, YamlNode value)
        {
            foreach (YamlNode item in ListItems(key, value))
            {
                if (item.Kind == YamlNodeKind.Mapping)
                {
                    ReadRunCommandMapping(item);
                }
                else if (IsText(item))
                {
                    _config.Run.Add(new RunCommand(new Located<string>(item.Text, item.Location), Array.Empty<SecretMount>()));
                }
                else
                {
                    WrongEntryType(key, item, "a string or a mapping with 'command' and 'mounts'");
                }
            }
        }

        private void ReadRunCommandMapping(YamlNode entry)
        {
            Located<string>? command = null;
            var mounts = new List<SecretMount>();
            var readers = new Dictionary<string, KeyReader>(StringComparer.Ordinal)
            {
                ["command"] = (k, v) => command = ReadString(k, v),
                ["mounts"] = (k, v) => mounts.AddRange(ListItems(k, v).Select(m => ReadMount(k, m)).Where(m => m != null).Select(m => m!)),
            };
            foreach (var pair in entry.Pairs)
            {
                ReadKey(readers, "a 'run' entry", pair.Key, pair.Value);
            }

            if (command == null)
            {
                _diagnostics.Error(ConfigurationMessages.RunCommandMissing, entry.Location);
                return;
            }

            _config.Run.Add(new RunCommand(command, mounts));
        }

        private SecretMount? ReadMount(YamlNode mountsKey, YamlNode mount)
        {
            if (mount.Kind != YamlNodeKind.Mapping)
            {
                WrongEntryType(mountsKey, mount, "a mapping with 'type', 'id' and 'target'");
                return null;
            }

            Located<string>? type = null, id = null, target = null;
            var readers = new Dictionary<string, KeyReader>(StringComparer.Ordinal)
            {
                ["type"] = (k, v) => type = ReadString(k, v),
                ["id"] = (k, v) => id = ReadString(k, v),
                ["target"] = (k, v) => target = ReadString(k, v),
            };
            foreach (var pair in mount.Pairs)
            {
                ReadKey(readers, "a mount", pair.Key, pair.Value);
            }

            if (type == null || id == null || target == null || type.Value != "secret")
            {
                _diagnostics.Error(ConfigurationMessages.MountInvalid, type?.Location ?? mount.Location, type?.Value ?? "");
                return null;
            }

            return new SecretMount(id.Value, target.Value, mount.Location);
        }

        private void ReadConcurrency(YamlNode key, YamlNode value)
        {
            if (value.IsNull)
            {
                return;
            }

            if (value.Kind == YamlNodeKind.Scalar && value.ScalarType == YamlScalarType.Integer)
            {
                // 'concurrency: 32' can only mean the maximum; it is read so, and the right form is shown.
                _config.ConcurrencyMax = ReadInteger(key, value);
                _diagnostics.Warning(ConfigurationMessages.ConcurrencyAsNumber, value.Location, value.Text);
                return;
            }

            if (value.Kind != YamlNodeKind.Mapping)
            {
                WrongType(key, value, AMapping);
                return;
            }

            var readers = new Dictionary<string, KeyReader>(StringComparer.Ordinal)
            {
                ["max"] = (k, v) => _config.ConcurrencyMax = ReadInteger(k, v),
                ["default_target"] = (k, v) => _config.ConcurrencyDefaultTarget = ReadInteger(k, v),
            };
            foreach (var pair in value.Pairs)
            {
                ReadKey(readers, "'concurrency'", pair.Key, pair.Value);
            }

            if (!value.Pairs.Any(p => p.Key.Text == "max"))
            {
                _diagnostics.Error(ConfigurationMessages.ConcurrencyMaxMissing, key.Location);
            }
        }

        private void ReadEnvironment(YamlNode key, YamlNode value) => ReadEnvironmentList(key, value);

        private List<Located<string>> ReadEnvironmentList(YamlNode key, YamlNode value)
        {
            List<Located<string>> entries = ReadStringList(key, value);
            foreach (Located<string> entry in entries)
            {
                if (!EnvironmentVariable.TrySplit(entry.Value, out string name, out string text))
                {
                    _diagnostics.Error(ConfigurationMessages.EnvironmentEntryInvalid, entry.Location, entry.Value);
                    continue;
                }

                _config.Environment.Add(new EnvironmentVariable(name, text, entry.Location));
            }

            return entries;
        }

        /// <summary>A key of an earlier Cog, read as far as it still means something and reported with what became of it.</summary>
        private void Retired(YamlNode key, object? value, string era, string outcome)
        {
            if (value != null)
            {
                _diagnostics.Warning(ConfigurationMessages.RetiredKey, key.Location, key.Text, era, outcome);
            }
        }

        private static List<Located<string>> AddAll(List<Located<string>> target, List<Located<string>> items)
        {
            target.AddRange(items);
            return items;
        }

        /// <summary>The first releases built an image per architecture; a list with 'gpu' is 'gpu: true'.</summary>
        private void ReadArchitectures(YamlNode key, YamlNode value)
        {
            var architectures = new List<string>();
            foreach (YamlNode item in ListItems(key, value))
            {
                if (IsText(item) && (item.Text == "cpu" || item.Text == "gpu"))
                {
                    architectures.Add(item.Text);
                }
                else
                {
                    WrongEntryType(key, item, "\"cpu\" or \"gpu\"");
                }
            }

            if (architectures.Count == 0)
            {
                return;
            }

            bool gpu = architectures.Contains("gpu");
            _architecturesGpu = new Located<bool>(gpu, value.Location);
            Retired(key, architectures, FirstReleases, gpu
                ? "read as 'gpu: true' (Cog then built an image per architecture; Cog.Sdk builds the GPU one). Write 'gpu: true' instead."
                : "read as 'gpu: false'. Remove it, or write 'gpu: false'.");
        }

        private void ReadWorkingDirectory(YamlNode key, YamlNode value)
        {
            _config.WorkingDirectory = ReadString(key, value);
            Retired(key, _config.WorkingDirectory, FirstReleases, _config.WorkingDirectory is null ? "" :
                $"the predictor is looked for in '{_config.WorkingDirectory.Value}' and the model runs there, as it did then.");
        }

        private void ReadSdkVersion(YamlNode key, YamlNode value)
        {
            _config.SdkVersion = ReadString(key, value);
            Retired(key, _config.SdkVersion, "current Cog's version of its Python package", _config.SdkVersion is null ? "" :
                $"used with the CogRuntime=PyPI property, which then installs cog=={_config.SdkVersion.Value}; by default the image gets Cog.Sdk's own runtime.");
        }

        /// <summary>Each example: a mapping with 'input' (a mapping of values) and, optionally, 'output'. Kept as written.</summary>
        private void ReadExamples(YamlNode key, YamlNode value)
        {
            foreach (YamlNode item in value.Kind == YamlNodeKind.Sequence ? value.Items : new List<YamlNode>())
            {
                YamlNode? input = item.Kind == YamlNodeKind.Mapping ? item.Pairs.FirstOrDefault(p => p.Key.Text == "input").Value : null;
                YamlNode? output = item.Kind == YamlNodeKind.Mapping ? item.Pairs.FirstOrDefault(p => p.Key.Text == "output").Value : null;
                if (input is null || input.Kind != YamlNodeKind.Mapping || input.Pairs.Any(p => !IsText(p.Value)) || (output != null && !IsText(output)))
                {
                    continue;
                }

                var values = input.Pairs.ToDictionary(p => p.Key.Text, p => p.Value.Text, StringComparer.Ordinal);
                _config.Examples.Add(new CogExample(values, output?.Text, item.Location));
            }

            Retired(key, value, FirstReleases, "kept, not run: Cog.Sdk has no test target yet, and they do not change the image.");
        }

        private static bool IsText(YamlNode node) =>
            node.Kind == YamlNodeKind.Scalar && node.ScalarType != YamlScalarType.Null && node.ScalarType != YamlScalarType.Boolean;

        private Located<string>? ReadString(YamlNode key, YamlNode value)
        {
            if (value.IsNull)
            {
                return null;
            }

            if (!IsText(value))
            {
                WrongType(key, value, AString);
                return null;
            }

            return new Located<string>(value.Text, value.Location);
        }

        /// <summary>
        /// A version may be written unquoted, as Cog's schema allows. It is read from the file's own text, as Cog's YAML
        /// reader does for a string field: an unquoted 3.10 is "3.10". Where another reader would see another number
        /// (the float 3.1), a warning suggests quotes.
        /// </summary>
        private Located<string>? ReadVersion(YamlNode key, YamlNode value)
        {
            Located<string>? version = ReadString(key, value);
            if (version != null && value.IsPlain && value.ScalarType == YamlScalarType.Float)
            {
                string asNumber = double.Parse(value.Text, NumberStyles.Float, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture);
                if (asNumber != value.Text)
                {
                    _diagnostics.Warning(ConfigurationMessages.YamlNumberTrap, value.Location, key.Text, value.Text, asNumber);
                }
            }

            return version;
        }

        private Located<bool>? ReadBoolean(YamlNode key, YamlNode value)
        {
            if (value.Kind == YamlNodeKind.Scalar && value.ScalarType == YamlScalarType.Boolean)
            {
                return new Located<bool>(value.Text.Equals("true", StringComparison.OrdinalIgnoreCase), value.Location);
            }

            if (!value.IsNull)
            {
                WrongType(key, value, TrueOrFalse);
            }

            return null;
        }

        private Located<int>? ReadInteger(YamlNode key, YamlNode value)
        {
            if (value.Kind == YamlNodeKind.Scalar && value.ScalarType == YamlScalarType.Integer &&
                int.TryParse(value.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int number))
            {
                return new Located<int>(number, value.Location);
            }

            WrongType(key, value, AWholeNumber);
            return null;
        }

        private List<Located<string>> ReadStringList(YamlNode key, YamlNode value)
        {
            var strings = new List<Located<string>>();
            foreach (YamlNode item in ListItems(key, value))
            {
                if (IsText(item))
                {
                    strings.Add(new Located<string>(item.Text, item.Location));
                }
                else
                {
                    WrongEntryType(key, item, AString);
                }
            }

            return strings;
        }

        /// <summary>The items of a list; nothing for an empty value (Cog's schema allows null lists).</summary>
        private IEnumerable<YamlNode> ListItems(YamlNode key, YamlNode value)
        {
            if (value.IsNull)
            {
                return Array.Empty<YamlNode>();
            }

            if (value.Kind != YamlNodeKind.Sequence)
            {
                WrongType(key, value, AList);
                return Array.Empty<YamlNode>();
            }

            return value.Items;
        }

        private void WrongType(YamlNode key, YamlNode value, string expected) =>
            _diagnostics.Error(ConfigurationMessages.WrongType, value.Location, key.Text, expected, value.Describe());

        private void WrongEntryType(YamlNode key, YamlNode item, string expected) =>
            _diagnostics.Error(ConfigurationMessages.WrongEntryType, item.Location, key.Text, expected, item.Describe());
    }
}
