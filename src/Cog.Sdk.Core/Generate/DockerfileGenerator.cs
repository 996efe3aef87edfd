using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Json;
using Cog.Sdk.Core.Parse;

namespace Cog.Sdk.Core.Generate
{
    /// <summary>
    /// Writes the Dockerfile for a model. Layers go from what changes least to what changes most, so an edit rebuilds
    /// as little as possible; see docs/dockerfile.md. Same spec, same bytes: the text depends on nothing but the spec.
    /// </summary>
    public static class DockerfileGenerator
    {
        /// <summary>Context folder of the model's code, copied last.</summary>
        public const string SourceFolder = "src";

        /// <summary>Context folder of the model's large files, copied just before the code.</summary>
        public const string WeightsFolder = "weights";

        /// <summary>Context folder of what Cog.Sdk generates (requirements.txt, runtime).</summary>
        public const string CogFolder = "cog";

        public const string RequirementsFile = CogFolder + "/requirements.txt";
        public const string RuntimeFolder = CogFolder + "/runtime";

        /// <summary>Pinned, so the same spec always means the same image; bump with care (docs/dockerfile.md).</summary>
        public const string UvImage = "ghcr.io/astral-sh/uv:0.9.26";

        private const string AptCacheMount = "--mount=type=cache,target=/var/cache/apt,sharing=locked ";
        private const string PipCacheMount = "--mount=type=cache,target=/root/.cache/pip ";

        private static readonly Regex EnvironmentName = new Regex("^[A-Za-z_][A-Za-z0-9_]*$");
        private static readonly Regex PythonMajorMinor = new Regex(@"^\d+\.\d+$");

        /// <summary>Generates the Dockerfile, or throws <see cref="CogException"/> with the first problem found.</summary>
        public static GeneratedDockerfile Generate(DockerfileSpec spec)
        {
            var diagnostics = new DiagnosticBag();
            GeneratedDockerfile? result = Generate(spec, diagnostics);
            return result ?? throw new CogException(diagnostics.First(d => d.IsError));
        }

        /// <summary>Generates the Dockerfile; returns null, with every problem in <paramref name="diagnostics"/>, when a value cannot be written safely.</summary>
        public static GeneratedDockerfile? Generate(DockerfileSpec spec, DiagnosticBag diagnostics)
        {
            int errorsBefore = diagnostics.Count(d => d.IsError);
            var writer = new Writer(spec, diagnostics);
            writer.WriteAll();
            if (diagnostics.Count(d => d.IsError) > errorsBefore)
            {
                return null;
            }

            var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
            if (spec.RequirementsLines.Count > 0)
            {
                files[RequirementsFile] = string.Concat(spec.RequirementsLines.Select(l => l.Value + "\n"));
            }

            return new GeneratedDockerfile(writer.Text, writer.Instructions, files);
        }

        /// <summary>The version of Cog.Sdk that generated the image, for the <c>run.cog.sdk.version</c> label.</summary>
        public static string SdkVersion =>
            typeof(DockerfileGenerator).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(DockerfileGenerator).Assembly.GetName().Version?.ToString()
            ?? "0.0.0";

        /// <summary>The labels recorded on the image: what was built and from where.</summary>
        public static SortedDictionary<string, string> LabelsFor(DockerfileSpec spec)
        {
            var labels = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                // JsonText's compact form still breaks lines after brackets; those breaks are only structure (a line
                // break inside a string is written as \n), so dropping them keeps the JSON equal and the label one line.
                ["run.cog.config"] = JsonText.Write(ResolvedConfiguration(spec)),
                ["run.cog.sdk.version"] = SdkVersion,
            };
            if (!string.IsNullOrEmpty(spec.SourceUrl))
            {
                labels["org.opencontainers.image.source"] = spec.SourceUrl!;
            }

            if (!string.IsNullOrEmpty(spec.SourceRevision))
            {
                labels["org.opencontainers.image.revision"] = spec.SourceRevision!;
            }

            foreach (var pair in spec.Labels)
            {
                labels[pair.Key] = pair.Value;
            }

            return labels;
        }

        /// <summary>cog.yaml as it was resolved (Cog's current form), for the <c>run.cog.config</c> label.</summary>
        public static Dictionary<string, object?> ResolvedConfiguration(DockerfileSpec spec)
        {
            CogConfig config = spec.Config;
            var build = new Dictionary<string, object?>
            {
                ["gpu"] = config.Gpu.Value,
                ["base_image"] = spec.BaseImage,
                ["python_version"] = spec.PythonVersion,
            };
            if (config.Cuda != null)
            {
                build["cuda"] = config.Cuda.Value;
            }

            if (config.CuDnn != null)
            {
                build["cudnn"] = config.CuDnn.Value;
            }

            build["system_packages"] = config.SystemPackages.Select(p => (object?)p.Value).ToList();
            build["python_requirements"] = spec.RequirementsLines.Select(l => (object?)l.Value).ToList();
            build["run"] = config.Run.Select(r => (object?)new Dictionary<string, object?>
            {
                ["command"] = r.Command.Value,
                ["mounts"] = r.Mounts.Select(m => (object?)new Dictionary<string, object?> { ["type"] = "secret", ["id"] = m.Id, ["target"] = m.Target }).ToList(),
            }).Concat(config.PreInstall.Select(p => (object?)new Dictionary<string, object?> { ["command"] = p.Value })).ToList();

            var result = new Dictionary<string, object?> { ["build"] = build };
            if (config.Image != null)
            {
                result["image"] = config.Image.Value;
            }

            if (config.Predictor != null)
            {
                result["predict"] = config.Predictor.Value;
            }

            if (config.Train != null)
            {
                result["train"] = config.Train.Value;
            }

            if (config.ConcurrencyMax != null)
            {
                result["concurrency"] = new Dictionary<string, object?> { ["max"] = config.ConcurrencyMax.Value };
            }

            if (config.Environment.Count > 0)
            {
                result["environment"] = config.Environment.Select(e => (object?)(e.Name + "=" + e.Value)).ToList();
            }

            return result;
        }

        /// <summary>Accumulates the Dockerfile text and, per instruction, its line and origin.</summary>
        private sealed class Writer
        {
            private readonly DockerfileSpec _spec;
            private readonly DiagnosticBag _diagnostics;
            private readonly StringBuilder _text = new StringBuilder();
            private readonly List<DockerfileInstruction> _instructions = new List<DockerfileInstruction>();
            private int _line;

            public Writer(DockerfileSpec spec, DiagnosticBag diagnostics)
            {
                _spec = spec;
                _diagnostics = diagnostics;
            }

            public string Text => _text.ToString();

            public IReadOnlyList<DockerfileInstruction> Instructions => _instructions;

            private CogConfig Config => _spec.Config;

            public void WriteAll()
            {
                Comment("Generated by Cog.Sdk from cog.yaml; rewritten on every build, so edit cog.yaml instead.");
                Comment("Layers go from what changes least to what changes most (docs/dockerfile.md).");
                WriteBaseImage();
                WriteEnvironment();
                WriteSystemPackages();
                WritePythonInstall();
                WriteRequirements();
                WriteRuntime();
                WriteRunCommands();
                WriteModelFiles();
                WriteServer();
                WriteLabels();
            }

            private void WriteBaseImage()
            {
                SourceLocation origin = _spec.BaseImageLocation ?? Config.FileLocation;
                if (RequireSingleLine("Base image", _spec.BaseImage, origin) && _spec.BaseImage.IndexOfAny(new[] { ' ', '\t' }) >= 0)
                {
                    Refuse("Base image", _spec.BaseImage, "an image name has no spaces", origin);
                }

                Instruction(InstructionKind.BaseImage, "FROM " + _spec.BaseImage, origin);
            }

            private void WriteEnvironment()
            {
                var preamble = new List<string>
                {
                    "DEBIAN_FRONTEND=noninteractive",
                    "PYTHONUNBUFFERED=1",
                    "PIP_DISABLE_PIP_VERSION_CHECK=1",
                    "PIP_ROOT_USER_ACTION=ignore",
                };
                if (Config.Gpu.Value)
                {
                    preamble.Add("NVIDIA_DRIVER_CAPABILITIES=all");
                }

                Instruction(InstructionKind.Other, "ENV " + string.Join(" ", preamble), SourceLocation.None);

                var variables = Config.Environment.OrderBy(v => v.Name, StringComparer.Ordinal).ToList();
                if (variables.Count == 0)
                {
                    return;
                }

                foreach (EnvironmentVariable variable in variables)
                {
                    if (!EnvironmentName.IsMatch(variable.Name))
                    {
                        Refuse("Environment variable name", variable.Name, "use letters, digits and '_', not starting with a digit", variable.Location);
                    }

                    RequireSingleLine("Environment variable " + variable.Name, variable.Value, variable.Location);
                }

                string assignments = string.Join(" ", variables.Select(v => v.Name + "=" + DockerfileText.QuoteValue(v.Value)));
                Instruction(InstructionKind.Environment, "ENV " + assignments, variables[0].Location);
            }

            private void WriteSystemPackages()
            {
                var packages = Config.SystemPackages;
                if (packages.Count == 0)
                {
                    return;
                }

                foreach (var package in packages)
                {
                    RequireSingleLine("System package", package.Value, package.Location);
                }

                string names = string.Join(" ", packages.Select(p => DockerfileText.ShellQuote(p.Value)));
                string install = "apt-get update -qq && apt-get install -qqy " + names + " && rm -rf /var/lib/apt/lists/*";
                Instruction(InstructionKind.SystemPackages, "RUN " + AptCacheMount + install, packages[0].Location, packages, classicText: "RUN " + install);
            }

            private void WritePythonInstall()
            {
                if (!_spec.InstallPython)
                {
                    return;
                }

                string version = _spec.PythonVersion;
                SourceLocation origin = Config.PythonVersion.Location.File != null ? Config.PythonVersion.Location : Config.FileLocation;
                if (!PythonMajorMinor.IsMatch(version))
                {
                    Refuse("Python version", version, "it must be major.minor, e.g. 3.11", origin);
                }

                // uv installs a prebuilt CPython in seconds on any Debian or Ubuntu base; a venv built from it keeps
                // pip away from PEP 668's "externally managed" refusal without --break-system-packages.
                Instruction(InstructionKind.PythonInstall, $"COPY --from={UvImage} /uv /usr/local/bin/uv", origin);
                Instruction(InstructionKind.PythonInstall, "ENV UV_PYTHON_INSTALL_DIR=/opt/python", origin);
                Instruction(InstructionKind.PythonInstall, $"RUN uv python install {version} && \"$(uv python find {version})\" -m venv /opt/venv", origin);
                Instruction(InstructionKind.PythonInstall, "ENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH", origin);
            }

            private void WriteRequirements()
            {
                var lines = _spec.RequirementsLines;
                if (lines.Count == 0)
                {
                    return;
                }

                foreach (var line in lines)
                {
                    // The file is generated, so a line break would make two requirements out of one.
                    RequireSingleLine("Python requirement", line.Value, line.Location);
                }

                SourceLocation origin = lines[0].Location;
                Instruction(InstructionKind.PythonRequirements, $"COPY {RequirementsFile} /tmp/{RequirementsFile}", origin, lines);
                PipInstall(InstructionKind.PythonRequirements, new[] { "-r", "/tmp/" + RequirementsFile }, origin, lines);
            }

            private void WriteRuntime()
            {
                if (_spec.Runtime == RuntimeSource.PyPI)
                {
                    string package = string.IsNullOrEmpty(_spec.RuntimeVersion) ? "cog" : "cog==" + _spec.RuntimeVersion;
                    RequireSingleLine("Runtime version", package, Config.FileLocation);
                    PipInstall(InstructionKind.Runtime, new[] { package }, SourceLocation.None);
                    return;
                }

                // The path file depends only on Python, so it comes first: a new runtime re-copies only the runtime.
                const string addToPath = "import sysconfig; open(sysconfig.get_paths()['purelib'] + '/cog-runtime.pth', 'w').write('/opt/cog-runtime\\n')";
                Instruction(InstructionKind.Runtime, "RUN " + DockerfileText.ExecForm(new[] { "python", "-c", addToPath }), SourceLocation.None);
                Instruction(InstructionKind.Runtime, $"COPY {RuntimeFolder}/ /opt/cog-runtime/", SourceLocation.None);
            }

            /// <summary>
            /// pip with its download cache in a cache mount, so a changed requirement downloads only what is new; the classic
            /// builder, which has no cache mounts, gets --no-cache-dir instead, so the cache does not end up in the layer.
            /// </summary>
            private void PipInstall(InstructionKind kind, IEnumerable<string> what, SourceLocation origin, IReadOnlyList<Located<string>>? items = null)
            {
                var options = new List<string>();
                AddIndex(options, "--index-url", _spec.PipIndexUrl);
                AddIndex(options, "--extra-index-url", _spec.PipExtraIndexUrl);
                options.AddRange(what);
                string[] pip = { "python", "-m", "pip", "install" };
                Instruction(kind, "RUN " + PipCacheMount + DockerfileText.ExecForm(pip.Concat(options)), origin, items,
                    classicText: "RUN " + DockerfileText.ExecForm(pip.Concat(new[] { "--no-cache-dir" }).Concat(options)));
            }

            private void AddIndex(List<string> arguments, string option, string? url)
            {
                if (string.IsNullOrEmpty(url))
                {
                    return;
                }

                RequireSingleLine("Package index " + option, url!, Config.FileLocation);
                arguments.Add(option);
                arguments.Add(url!);

                // pip ignores a plain-http index unless its host is trusted: offline mirrors are often plain http.
                if (Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) && uri.Scheme == Uri.UriSchemeHttp)
                {
                    arguments.Add("--trusted-host");
                    arguments.Add(uri.Host);
                }
            }

            private void WriteRunCommands()
            {
                var commands = Config.Run.Select(r => (r.Command, r.Mounts))
                    .Concat(Config.PreInstall.Select(p => (Command: p, Mounts: (IReadOnlyList<SecretMount>)Array.Empty<SecretMount>())));
                foreach (var (command, mounts) in commands)
                {
                    // Validation has checked the ids and targets (COG2061): they hold no spaces, quotes, ',' or '='.
                    string flags = string.Concat(mounts.Select(m => $"--mount=type=secret,id={m.Id},target={m.Target} "));

                    // Exec form through /bin/sh: the same shell as Cog's "RUN <command>", but the JSON string carries
                    // quotes, backslashes and multi-line scripts without any of it being read as Dockerfile syntax.
                    string shell = DockerfileText.ExecForm(new[] { "/bin/sh", "-c", command.Value });
                    Instruction(InstructionKind.RunCommand, "RUN " + flags + shell, command.Location, new[] { command }, classicText: "RUN " + shell, secrets: mounts);
                }
            }

            private void WriteModelFiles()
            {
                // Weights before code: editing predict.py re-copies only the small last layer.
                Instruction(InstructionKind.ModelFiles, $"COPY {WeightsFolder}/ /src/", SourceLocation.None);
                Instruction(InstructionKind.ModelFiles, $"COPY {SourceFolder}/ /src/", SourceLocation.None);
            }

            private void WriteServer()
            {
                // Metadata only, after the files: changing the predictor or a label copies nothing again.
                Instruction(InstructionKind.Other, "WORKDIR /src", SourceLocation.None);
                Instruction(InstructionKind.Other, "EXPOSE 5000", SourceLocation.None);
                if (Config.Predictor != null && RequireSingleLine("Predictor", Config.Predictor.Value, Config.Predictor.Location))
                {
                    Instruction(InstructionKind.Other, "ENV COG_PREDICTOR=" + DockerfileText.QuoteValue(Config.Predictor.Value), Config.Predictor.Location);
                }

                Instruction(InstructionKind.Other, "CMD " + DockerfileText.ExecForm(new[] { "python", "-m", "cog.server.http" }), SourceLocation.None);
            }

            private void WriteLabels()
            {
                var labels = LabelsFor(_spec);
                foreach (var pair in labels)
                {
                    if (pair.Key.Length == 0 || pair.Key.Any(c => char.IsWhiteSpace(c) || c == '"' || c == '=' || c == '\\' || c == '$'))
                    {
                        Refuse("Label name", pair.Key, "use letters, digits, '.', '-' and '_'", Config.FileLocation);
                    }

                    RequireSingleLine("Label " + pair.Key, pair.Value, Config.FileLocation);
                }

                Instruction(InstructionKind.Other, "LABEL " + string.Join(" ", labels.Select(p => p.Key + "=" + DockerfileText.QuoteValue(p.Value))), SourceLocation.None);
            }

            private bool RequireSingleLine(string what, string value, SourceLocation location)
            {
                if (!DockerfileText.HasLineBreak(value))
                {
                    return true;
                }

                Refuse(what, value, "it contains a line break", location);
                return false;
            }

            private void Refuse(string what, string value, string why, SourceLocation location) =>
                _diagnostics.Error(ProcessMessages.ValueBreaksDockerfile, location, what, value.Replace("\r", "\\r").Replace("\n", "\\n"), why);

            private void Comment(string text)
            {
                _text.Append("# ").Append(text).Append('\n');
                _line++;
            }

            /// <param name="classicText">The instruction for the classic builder, which has no RUN --mount; null when it is the same.</param>
            /// <param name="secrets">The secret mounts of a RUN, which the classic builder cannot build.</param>
            private void Instruction(
                InstructionKind kind,
                string text,
                SourceLocation origin,
                IReadOnlyList<Located<string>>? items = null,
                string? classicText = null,
                IReadOnlyList<SecretMount>? secrets = null)
            {
                _line++;
                _instructions.Add(new DockerfileInstruction(_line, kind, text, origin, items ?? Array.Empty<Located<string>>())
                {
                    ClassicText = classicText ?? text,
                    SecretMounts = secrets ?? Array.Empty<SecretMount>(),
                });
                _text.Append(text).Append('\n');
            }
        }
    }
}
