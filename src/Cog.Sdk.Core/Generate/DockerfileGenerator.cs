using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cog.Sdk.Core.Diagnostics;
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
        public const string ConstraintsFile = CogFolder + "/constraints.txt";

        /// <summary>Context folder of the project's own wheels and archives that requirements install (cog.yaml's local packages).</summary>
        public const string LocalPackagesFolder = CogFolder + "/local_packages";

        /// <summary>The list of <see cref="LocalPackagesFolder"/>'s files, relative to the project, one a line.</summary>
        public const string LocalPackagesList = CogFolder + "/local_packages.txt";
        public const string RuntimeFolder = CogFolder + "/runtime";

        /// <summary>Pinned, so the same spec always means the same image; bump with care (docs/dockerfile.md).</summary>
        public const string UvImage = "ghcr.io/astral-sh/uv:0.9.26";

        private const string AptCacheMount = "--mount=type=cache,target=/var/cache/apt,sharing=locked ";

        private const string BuildToolsInstall =
            "apt-get update -qq && apt-get install -qqy --no-install-recommends wget curl xz-utils git ca-certificates && rm -rf /var/lib/apt/lists/*";
        private const string PipCacheMount = "--mount=type=cache,target=/root/.cache/pip ";

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
                // pip applies a constraints file only when it is named: the users' -c files become one, named first.
                string constraints = spec.ConstraintsLines.Count > 0 ? "-c /tmp/" + ConstraintsFile + "\n" : "";
                files[RequirementsFile] = constraints + string.Concat(spec.RequirementsLines.Select(l => l.Value + "\n"));
            }

            if (spec.RequirementsLines.Count > 0 && spec.ConstraintsLines.Count > 0)
            {
                files[ConstraintsFile] = string.Concat(spec.ConstraintsLines.Select(l => l.Value + "\n"));
            }

            if (spec.LocalPackages.Count > 0)
            {
                files[LocalPackagesList] = string.Concat(spec.LocalPackages.Select(p => p + "\n"));
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
                ["run.cog.config"] = JsonText.Write(ResolvedConfiguration(spec)),
                ["run.cog.sdk.version"] = SdkVersion,
            };
            if (!string.IsNullOrEmpty(spec.Options.SourceUrl))
            {
                labels["org.opencontainers.image.source"] = spec.Options.SourceUrl!;
            }

            if (!string.IsNullOrEmpty(spec.Options.SourceRevision))
            {
                labels["org.opencontainers.image.revision"] = spec.Options.SourceRevision!;
            }

            foreach (var pair in spec.Options.Labels)
            {
                labels[pair.Key] = pair.Value;
            }

            return labels;
        }

        /// <summary>cog.yaml as it was resolved (Cog's current form), for the <c>run.cog.config</c> label.</summary>
        public static JsonObject ResolvedConfiguration(DockerfileSpec spec)
        {
            CogConfig config = spec.Config;
            var build = new JsonObject
            {
                ["gpu"] = config.Gpu.Value,
                ["base_image"] = spec.BaseImage,
                ["python_version"] = spec.PythonVersion,
            };
            // Completed as Cog completes it: the versions chosen, where cog.yaml left them out.
            if ((spec.CudaVersion ?? config.Cuda?.Value) is string cuda)
            {
                build["cuda"] = cuda;
            }

            if ((spec.CuDnnVersion ?? config.CuDnn?.Value) is string cudnn)
            {
                build["cudnn"] = cudnn;
            }

            build["system_packages"] = Strings(config.SystemPackages.Select(p => p.Value));
            build["python_requirements"] = Strings(spec.RequirementsLines.Select(l => l.Value));
            build["run"] = new JsonArray(config.Run.Select(r => (JsonNode?)new JsonObject
            {
                ["command"] = r.Command.Value,
                ["mounts"] = new JsonArray(r.Mounts.Select(m => (JsonNode?)new JsonObject { ["type"] = "secret", ["id"] = m.Id, ["target"] = m.Target }).ToArray()),
            }).Concat(config.PreInstall.Select(p => (JsonNode?)new JsonObject { ["command"] = p.Value })).ToArray());

            var result = new JsonObject { ["build"] = build };
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
                result["concurrency"] = new JsonObject { ["max"] = config.ConcurrencyMax.Value };
            }

            if (config.Environment.Count > 0)
            {
                result["environment"] = Strings(config.Environment.Select(e => e.Name + "=" + e.Value));
            }

            return result;
        }

        private static JsonArray Strings(IEnumerable<string> values) => new JsonArray(values.Select(v => (JsonNode?)v).ToArray());

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
                    if (!EnvironmentVariable.IsValidName(variable.Name))
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

                string names = string.Join(" ", packages.SelectMany(p => CogConfig.SystemPackageWords(p.Value)).Select(DockerfileText.ShellQuote));
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

                // The tools Cog installs on every image it puts Python on: the CUDA images have none of them, and
                // `run:` lines (curl ... pget, git clone), git+https requirements and uv's own download need them.
                Instruction(InstructionKind.PythonInstall, "RUN " + AptCacheMount + BuildToolsInstall, origin, classicText: "RUN " + BuildToolsInstall);
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

                foreach (var line in _spec.ConstraintsLines.Concat(_spec.LocalPackages.Select(p => new Located<string>(p, Config.FileLocation))))
                {
                    RequireSingleLine("Python requirement", line.Value, line.Location);
                }

                SourceLocation origin = lines[0].Location;
                if (_spec.LocalPackages.Count > 0)
                {
                    // The project's own archives, where the rewritten requirement lines expect them (Cog: /tmp/local_package_artifacts).
                    Instruction(InstructionKind.PythonRequirements, $"COPY {LocalPackagesFolder}/ /tmp/local_packages/", origin, lines);
                }

                if (_spec.ConstraintsLines.Count > 0)
                {
                    Instruction(InstructionKind.PythonRequirements, $"COPY {ConstraintsFile} /tmp/{ConstraintsFile}", origin, lines);
                }

                Instruction(InstructionKind.PythonRequirements, $"COPY {RequirementsFile} /tmp/{RequirementsFile}", origin, lines);
                PipInstall(InstructionKind.PythonRequirements, new[] { "-r", "/tmp/" + RequirementsFile }, origin, lines);
            }

            private void WriteRuntime()
            {
                if (_spec.Options.Runtime == RuntimeSource.PyPI)
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
                AddIndex(options, "--index-url", _spec.Options.PipIndexUrl);
                AddIndex(options, "--extra-index-url", _spec.Options.PipExtraIndexUrl);
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

                // The original form's post_install commands ran with the model's files in place, in its working folder.
                if (Config.PostInstall.Count > 0)
                {
                    Instruction(InstructionKind.Other, "WORKDIR " + WorkingDirectory(), Config.WorkingDirectory?.Location ?? SourceLocation.None);
                    foreach (Located<string> command in Config.PostInstall)
                    {
                        string run = "RUN " + DockerfileText.ExecForm(new[] { "/bin/sh", "-c", command.Value });
                        Instruction(InstructionKind.RunCommand, run, command.Location, new[] { command });
                    }
                }
            }

            /// <summary>/src, or the original form's workdir inside it: where the predictor is and the model runs.</summary>
            private string WorkingDirectory()
            {
                Located<string>? workdir = Config.WorkingDirectory;
                if (workdir is null)
                {
                    return "/src";
                }

                // WORKDIR takes the rest of its line as it is, expanding $variables: only plain path characters may go there.
                if (!workdir.Value.All(c => char.IsLetterOrDigit(c) || "._-/ ".IndexOf(c) >= 0))
                {
                    Refuse("workdir", workdir.Value, "use letters, digits, '.', '_', '-' and '/'", workdir.Location);
                }

                return "/src/" + workdir.Value.Trim('/');
            }

            private void WriteServer()
            {
                // Metadata only, after the files: changing the predictor or a label copies nothing again.
                Instruction(InstructionKind.Other, "WORKDIR " + WorkingDirectory(), Config.WorkingDirectory?.Location ?? SourceLocation.None);
                Instruction(InstructionKind.Other, "EXPOSE 5000", SourceLocation.None);
                if (Config.Predictor != null && RequireSingleLine("Predictor", Config.Predictor.Value, Config.Predictor.Location))
                {
                    Instruction(InstructionKind.Other, "ENV COG_PREDICTOR=" + DockerfileText.QuoteValue(Config.Predictor.Value), Config.Predictor.Location);
                }

                // What the runtime would otherwise look for in ./cog.yaml, which a workdir moves away from.
                if (Config.Train != null && RequireSingleLine("Trainer", Config.Train.Value, Config.Train.Location))
                {
                    Instruction(InstructionKind.Other, "ENV COG_TRAINER=" + DockerfileText.QuoteValue(Config.Train.Value), Config.Train.Location);
                }

                if (Config.ConcurrencyMax != null)
                {
                    Instruction(InstructionKind.Other, "ENV COG_MAX_CONCURRENCY=" + Config.ConcurrencyMax.Value.ToString(CultureInfo.InvariantCulture), Config.ConcurrencyMax.Location);
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
                _instructions.Add(new DockerfileInstruction(_line, kind, text, origin, items ?? Array.Empty<Located<string>>(), classicText, secrets));
                _text.Append(text).Append('\n');
            }
        }
    }
}
