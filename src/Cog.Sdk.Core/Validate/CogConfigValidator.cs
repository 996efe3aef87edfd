using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Parse;
using Cog.Sdk.Core.Resolve;

namespace Cog.Sdk.Core.Validate
{
    /// <summary>
    /// Checks the meaning of every value of a parsed cog.yaml and reports all problems at once, each located at
    /// the value that causes it.
    /// </summary>
    public static class CogConfigValidator
    {
        public const int MinCudaMajor = 11;

        private static readonly Regex PythonVersionPattern = new Regex(@"^(?<major>\d+)\.(?<minor>\d+)(?:\.\d+)?\z", RegexOptions.CultureInvariant);
        private static readonly Regex CudaPattern = new Regex(@"^(?<major>\d+)\.\d+(?:\.\d+)?\z", RegexOptions.CultureInvariant);
        private static readonly Regex CuDnnPattern = new Regex(@"^\d+(?:\.\d+)?\z", RegexOptions.CultureInvariant);
        private static readonly Regex DebianPackagePattern = new Regex(
            @"^[a-z0-9][a-z0-9+.-]+(?:=[A-Za-z0-9.+~:-]+)?(?::[a-z0-9-]+)?\z", RegexOptions.CultureInvariant);
        private static readonly Regex AptOptionPattern = new Regex(@"^--?[a-z][a-z0-9-]*(?:=[A-Za-z0-9.+~:/_-]+)?\z", RegexOptions.CultureInvariant);
        private static readonly Regex PythonIdentifierPattern = new Regex(@"^[A-Za-z_][A-Za-z0-9_]*\z", RegexOptions.CultureInvariant);

        /// <summary>A secret mount's id or target, written unquoted into <c>RUN --mount=type=secret,id=...,target=...</c>.</summary>
        private static readonly Regex MountValuePattern = new Regex(@"^[^\s,=""']+\z", RegexOptions.CultureInvariant);

        /// <summary>Cog's deny-list (pkg/config/env.go): exact names, and prefixes written with a trailing '*'.</summary>
        private static readonly string[] ReservedEnvironmentNames =
        {
            "PATH", "LD_LIBRARY_PATH", "PYTHONPATH", "VIRTUAL_ENV", "PYTHONUNBUFFERED", "R8_*", "REPLICATE_*", "LIBRARY_PATH",
            "CUDA_*", "NVIDIA_*", "NV_*", "PGET_*", "HF_ENDPOINT", "HF_HUB_ENABLE_HF_TRANSFER", "KUBERNETES_*",
        };

        /// <param name="table">The compatibility table: which Python versions exist as base images.</param>
        public static void Validate(CogConfig config, CompatibilityTable table, DiagnosticBag diagnostics)
        {
            ValidateDockerfileSafety(config, diagnostics);
            ValidateSecretMounts(config, diagnostics);
            ValidatePythonVersion(config, table, diagnostics);
            ValidateGpuSettings(config, diagnostics);
            ValidatePythonPackages(config, diagnostics);
            ValidateRequirementsFile(config, diagnostics);
            LocalPackages.Validate(config, diagnostics);
            ValidateSystemPackages(config, diagnostics);
            ValidateWorkingDirectory(config, diagnostics);
            ValidatePointers(config, diagnostics);
            ValidateImage(config, diagnostics);
            ValidateEnvironment(config, diagnostics);
            ValidateConcurrency(config, diagnostics);
        }

        /// <summary>
        /// Every string that reaches the Dockerfile, with the key it came from. A line break, a trailing backslash
        /// (line continuation) or a NUL would let a value end its instruction and start another.
        /// </summary>
        private static IEnumerable<(string Key, Located<string> Value)> DockerfileValues(CogConfig c)
        {
            var singles = new (string, Located<string>?)[]
            {
                ("cuda", c.Cuda), ("cudnn", c.CuDnn), ("python_version", c.PythonVersion), ("python_requirements", c.PythonRequirements),
                ("image", c.Image), (c.PredictorKey, c.Predictor), ("train", c.Train), ("workdir", c.WorkingDirectory), ("sdk_version", c.SdkVersion),
            };
            foreach (var (key, value) in singles)
            {
                if (value != null)
                {
                    yield return (key, value);
                }
            }

            foreach (var value in c.PythonPackages) yield return ("python_packages", value);
            foreach (var value in c.PythonExtraIndexUrls) yield return ("python_extra_index_urls", value);
            foreach (var value in c.PythonFindLinks) yield return ("python_find_links", value);
            foreach (var value in c.SystemPackages) yield return ("system_packages", value);
            foreach (var value in c.Environment) yield return ("environment", new Located<string>(value.Value, value.Location));
            foreach (var mount in c.Run.SelectMany(r => r.Mounts))
            {
                yield return ("mounts", new Located<string>(mount.Id, mount.Location));
                yield return ("mounts", new Located<string>(mount.Target, mount.Location));
            }
        }

        private static void ValidateDockerfileSafety(CogConfig config, DiagnosticBag diagnostics)
        {
            foreach (var (key, value) in DockerfileValues(config))
            {
                ReportUnsafe(key, value, diagnostics, lineBreaksToo: true);
            }

            // Commands get Cog's own message for a line break, which says what to do instead.
            var commands = config.Run.Select(r => ("run", r.Command))
                .Concat(config.PreInstall.Select(p => ("pre_install", p)))
                .Concat(config.PostInstall.Select(p => ("post_install", p)));
            foreach (var (key, command) in commands)
            {
                if (HasLineBreak(command.Value.TrimEnd('\r', '\n')))
                {
                    diagnostics.Error(ConfigurationMessages.CommandHoldsNewline, command.Location, key, command.Value.Trim());
                }

                ReportUnsafe(key, new Located<string>(command.Value.TrimEnd('\r', '\n'), command.Location), diagnostics, lineBreaksToo: false);
            }
        }

        /// <summary>
        /// Each secret mount becomes a <c>--mount</c> flag of its RUN: its id and target must read as one flag value, and two
        /// mounts of one command at the same target would hide one secret behind the other.
        /// </summary>
        private static void ValidateSecretMounts(CogConfig config, DiagnosticBag diagnostics)
        {
            foreach (RunCommand command in config.Run)
            {
                var targets = new Dictionary<string, SecretMount>(StringComparer.Ordinal);
                foreach (SecretMount mount in command.Mounts)
                {
                    foreach (var (key, value) in new[] { ("id", mount.Id), ("target", mount.Target) })
                    {
                        // A line break is COG2031 already.
                        if (!HasLineBreak(value) && !MountValuePattern.IsMatch(value))
                        {
                            diagnostics.Error(ConfigurationMessages.MountValueInvalid, mount.Location, key, value);
                        }
                    }

                    if (targets.TryGetValue(mount.Target, out SecretMount? first))
                    {
                        diagnostics.Error(ConfigurationMessages.MountTargetDuplicate, mount.Location, mount.Target, first.Location.Line);
                    }
                    else
                    {
                        targets[mount.Target] = mount;
                    }
                }
            }
        }

        private static bool HasLineBreak(string value) => value.IndexOf('\n') >= 0 || value.IndexOf('\r') >= 0;

        private static void ReportUnsafe(string key, Located<string> value, DiagnosticBag diagnostics, bool lineBreaksToo)
        {
            string? what =
                value.Value.IndexOf('\0') >= 0 ? "a NUL character"
                : lineBreaksToo && HasLineBreak(value.Value) ? "a line break"
                : value.Value.TrimEnd().EndsWith("\\", StringComparison.Ordinal) ? "a trailing backslash (a line continuation)"
                : null;
            if (what != null)
            {
                diagnostics.Error(ConfigurationMessages.UnsafeValue, value.Location, key, what);
            }
        }

        /// <summary>(major, minor) of a valid python_version, else null.</summary>
        internal static (int Major, int Minor)? ParsePythonVersion(string version)
        {
            Match m = PythonVersionPattern.Match(version);
            if (!m.Success ||
                !int.TryParse(m.Groups["major"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int major) ||
                !int.TryParse(m.Groups["minor"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int minor))
            {
                return null;
            }

            return (major, minor);
        }

        private static void ValidatePythonVersion(CogConfig config, CompatibilityTable table, DiagnosticBag diagnostics)
        {
            Located<string> version = config.PythonVersion;
            var parsed = ParsePythonVersion(version.Value);
            if (parsed == null)
            {
                if (!HasLineBreak(version.Value))
                {
                    diagnostics.Error(ConfigurationMessages.PythonVersionFormat, version.Location, version.Value);
                }

                return;
            }

            // The versions that exist as base images are data (the compatibility table), not a constant here.
            PythonRelease? release = table.PythonFor(parsed.Value.Major, parsed.Value.Minor);
            if (release is null)
            {
                diagnostics.Error(ConfigurationMessages.PythonVersionUnsupported, version.Location, version.Value,
                    string.Join(", ", table.Python.Select(p => p.Version.MajorMinor)));
            }
            else if (release.EndOfLife != null && version.Location.Line > 0)
            {
                diagnostics.Warning(ConfigurationMessages.PythonEndOfLife, version.Location, release.Version.MajorMinor, release.EndOfLife);
            }

            // "3.10.11": the image gets the newest 3.10 (python:3.10-slim, uv's 3.10), as in Cog, which strips the patch too.
            if (release != null && version.Value.Split('.').Length > 2)
            {
                diagnostics.Warning(ConfigurationMessages.PythonPatchIgnored, version.Location, version.Value, release.Version.MajorMinor);
            }
        }

        private static void ValidateGpuSettings(CogConfig config, DiagnosticBag diagnostics)
        {
            if (config.Cuda != null)
            {
                Match m = CudaPattern.Match(config.Cuda.Value);
                if (!m.Success)
                {
                    diagnostics.Error(ConfigurationMessages.CudaFormat, config.Cuda.Location, config.Cuda.Value);
                }
                else if (!int.TryParse(m.Groups["major"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int major) || major < MinCudaMajor)
                {
                    diagnostics.Error(ConfigurationMessages.CudaTooOld, config.Cuda.Location, config.Cuda.Value, MinCudaMajor);
                }
            }

            if (config.CuDnn != null && !CuDnnPattern.IsMatch(config.CuDnn.Value))
            {
                diagnostics.Error(ConfigurationMessages.CuDnnFormat, config.CuDnn.Location, config.CuDnn.Value);
            }

            if (!config.Gpu.Value)
            {
                foreach (var (key, value) in new[] { ("cuda", config.Cuda), ("cudnn", config.CuDnn) })
                {
                    if (value != null)
                    {
                        diagnostics.Warning(ConfigurationMessages.GpuSettingIgnored, value.Location, key);
                    }
                }
            }
        }

        /// <summary>Pinning and duplicates of <c>python_packages</c>; the syntax of every line was checked when it was read.</summary>
        private static void ValidatePythonPackages(CogConfig config, DiagnosticBag diagnostics)
        {
            const string key = "python_packages";
            var seen = new Dictionary<string, RequirementLine>(StringComparer.Ordinal);
            foreach (RequirementLine line in (config.Requirements ?? Array.Empty<RequirementLine>()).Where(l => l.Location.File == config.FilePath))
            {
                PythonRequirement? requirement = line.Requirement;
                if (requirement is null)
                {
                    continue; // URLs, paths and options name no version to pin.
                }

                if (!requirement.IsPinned)
                {
                    diagnostics.Warning(ConfigurationMessages.PackageUnpinned, line.Location, key, line.Text, requirement.Name);
                }

                if (seen.TryGetValue(requirement.NormalizedName, out RequirementLine? first))
                {
                    diagnostics.Warning(ConfigurationMessages.PackageDuplicate, line.Location, key, line.Text, first.Text, first.Location.Line);
                }
                else
                {
                    seen[requirement.NormalizedName] = line;
                }
            }

            if (config.PythonPackages.Count > 0 && config.PythonRequirements != null)
            {
                diagnostics.Error(ConfigurationMessages.PackagesAndRequirements, config.PythonRequirements.Location);
            }
        }

        private static void ValidateRequirementsFile(CogConfig config, DiagnosticBag diagnostics)
        {
            Located<string>? requirements = config.PythonRequirements;
            if (requirements == null || HasLineBreak(requirements.Value) || requirements.Value.IndexOf('\0') >= 0)
            {
                return;
            }

            string? path = config.ProjectPath(requirements.Value);
            if (path != null && Directory.Exists(path))
            {
                diagnostics.Error(ConfigurationMessages.RequirementsPathIsDirectory, requirements.Location, requirements.Value);
            }
            else if (path == null || !File.Exists(path))
            {
                diagnostics.Error(ConfigurationMessages.RequirementsFileMissing, requirements.Location, requirements.Value, config.ProjectDirectory);
            }
        }

        private static void ValidateSystemPackages(CogConfig config, DiagnosticBag diagnostics)
        {
            foreach (Located<string> package in config.SystemPackages)
            {
                if (DebianPackagePattern.IsMatch(package.Value) || HasLineBreak(package.Value))
                {
                    continue;
                }

                // "ffmpeg libsm6", "fluidsynth --fix-missing": Cog writes the entry into apt-get's command line as it is.
                IReadOnlyList<string> words = CogConfig.SystemPackageWords(package.Value);
                if (words.Count > 1 && DebianPackagePattern.IsMatch(words[0]) && words.All(w => DebianPackagePattern.IsMatch(w) || AptOptionPattern.IsMatch(w)))
                {
                    diagnostics.Warning(ConfigurationMessages.SystemPackageWords, package.Location, package.Value, string.Join(", ", words.Select(w => "'" + w + "'")));
                }
                else
                {
                    diagnostics.Error(ConfigurationMessages.SystemPackageInvalid, package.Location, package.Value);
                }
            }
        }

        private static void ValidateWorkingDirectory(CogConfig config, DiagnosticBag diagnostics)
        {
            Located<string>? workdir = config.WorkingDirectory;
            if (workdir is null || HasLineBreak(workdir.Value))
            {
                return;
            }

            string? reason = IsOutsideProject(workdir.Value) ? "leaves the project folder"
                : !workdir.Value.All(c => char.IsLetterOrDigit(c) || "._-/ ".IndexOf(c) >= 0) ? "holds characters other than letters, digits, '.', '_', '-', '/' and spaces"
                : config.ProjectPath(workdir.Value) is string path && Directory.Exists(path) ? null
                : "is not a folder in the project";
            if (reason != null)
            {
                diagnostics.Error(ConfigurationMessages.WorkingDirectoryInvalid, workdir.Location, workdir.Value, reason);
                config.WorkingDirectory = null; // The pointers are then checked against the project folder itself.
            }
        }

        private static bool IsOutsideProject(string relative)
        {
            string[] segments = relative.Split(new[] { '/', '\\' }, StringSplitOptions.None);
            return relative.StartsWith("/", StringComparison.Ordinal) || relative.StartsWith("\\", StringComparison.Ordinal)
                || relative.IndexOf(':') >= 0 || segments.Contains("..");
        }

        private static void ValidatePointers(CogConfig config, DiagnosticBag diagnostics)
        {
            // An error already said why (a `predict:` of the wrong shape, COG2014): "names no predictor" would only mislead.
            if (config.Predictor == null)
            {
                if (!diagnostics.HasErrors)
                {
                    diagnostics.Warning(ConfigurationMessages.NoPredictor, config.FileLocation,
                        config.Form == ConfigForm.Original ? "model: \"predict.py:Predictor\"" : "predict: \"predict.py:Predictor\"");
                }
            }
            else
            {
                ValidatePointer(config, config.PredictorKey, config.Predictor, diagnostics);
            }

            if (config.Train != null)
            {
                ValidatePointer(config, "train", config.Train, diagnostics);
            }
        }

        private static void ValidatePointer(CogConfig config, string key, Located<string> pointer, DiagnosticBag diagnostics)
        {
            string value = pointer.Value;
            int colon = value.LastIndexOf(':');
            string file = CogConfig.PointerFile(value);
            string className = colon < 0 ? "" : value.Substring(colon + 1);
            if (HasLineBreak(value) || value.IndexOf('\0') >= 0)
            {
                return;
            }

            if (!file.EndsWith(".py", StringComparison.Ordinal) || file.Length <= 3 || className.Length == 0)
            {
                diagnostics.Error(ConfigurationMessages.PointerFormat, pointer.Location, key, value);
                return;
            }

            if (!PythonIdentifierPattern.IsMatch(className))
            {
                diagnostics.Error(ConfigurationMessages.PointerClassInvalid, pointer.Location, key, className);
            }

            if (IsOutsideProject(file))
            {
                diagnostics.Error(ConfigurationMessages.PointerOutsideProject, pointer.Location, key, file);
                return;
            }

            string inProject = config.PointerPathInProject(value);
            string? path = config.ProjectPath(inProject);
            if (path == null || !File.Exists(path))
            {
                diagnostics.Error(ConfigurationMessages.PointerFileMissing, pointer.Location, key, inProject, config.ProjectDirectory);
            }
        }

        private static void ValidateImage(CogConfig config, DiagnosticBag diagnostics)
        {
            Located<string>? image = config.Image;
            if (image != null && !HasLineBreak(image.Value) && !ImageNames.IsValidReference(image.Value))
            {
                diagnostics.Error(ConfigurationMessages.ImageNameInvalid, image.Location, image.Value);
            }
        }

        private static void ValidateEnvironment(CogConfig config, DiagnosticBag diagnostics)
        {
            var seen = new Dictionary<string, EnvironmentVariable>(StringComparer.Ordinal);
            foreach (EnvironmentVariable variable in config.Environment)
            {
                string? reserved = ReservedEnvironmentNames.FirstOrDefault(r => r.EndsWith("*", StringComparison.Ordinal)
                    ? variable.Name.StartsWith(r.Substring(0, r.Length - 1), StringComparison.Ordinal)
                    : variable.Name == r);
                if (reserved != null)
                {
                    diagnostics.Error(ConfigurationMessages.EnvironmentNameReserved, variable.Location, variable.Name, reserved);
                }

                if (seen.TryGetValue(variable.Name, out EnvironmentVariable? first))
                {
                    diagnostics.Error(ConfigurationMessages.EnvironmentNameDuplicate, variable.Location, variable.Name, first.Location.Line);
                }
                else
                {
                    seen[variable.Name] = variable;
                }
            }
        }

        private static void ValidateConcurrency(CogConfig config, DiagnosticBag diagnostics)
        {
            Located<int>? max = config.ConcurrencyMax;
            if (max == null)
            {
                return;
            }

            if (max.Value < 1)
            {
                diagnostics.Error(ConfigurationMessages.ConcurrencyMaxTooSmall, max.Location, max.Value);
                return;
            }

            var python = ParsePythonVersion(config.PythonVersion.Value);
            if (max.Value > 1 && python != null && python.Value.Major == 3 && python.Value.Minor < 11)
            {
                diagnostics.Error(ConfigurationMessages.ConcurrencyNeedsPython311, max.Location, max.Value, config.PythonVersion.Value);
            }

            // The runtime refuses a synchronous method under concurrency at setup; the source says so before any build.
            string pointer = config.Predictor?.Value ?? "";
            string file = config.PointerPathInProject(pointer);
            if (max.Value > 1 && file.Length > 0 && config.ProjectPath(file) is string path
                && PredictorSource.Find(path, pointer.Substring(pointer.LastIndexOf(':') + 1)) is PredictorMethod method && !method.IsAsync)
            {
                diagnostics.Error(ConfigurationMessages.ConcurrencyNeedsAsync, max.Location, max.Value, method.Display, file, method.Line, method.Name);
            }
        }
    }
}
