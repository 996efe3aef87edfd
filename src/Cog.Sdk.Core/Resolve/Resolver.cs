using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Parse;
using Cog.Sdk.Core.Validate;

namespace Cog.Sdk.Core.Resolve
{
    /// <summary>
    /// Chooses the base image, CUDA and cuDNN for a model and rewrites its requirements to match, following Cog's
    /// rules (docs/compatibility.md): TensorFlow decides before torch, torch gives the highest CUDA it was built
    /// for, no framework gives the table's default; an explicit <c>cuda</c> wins with a warning when the table
    /// disagrees; the image is the newest CUDA patch, then the newest Ubuntu, always a devel image with cuDNN.
    /// </summary>
    public static class Resolver
    {
        /// <summary>The folder in the image that local packages are copied to before the requirements are installed.</summary>
        public const string LocalPackagesFolder = "/tmp/local_packages";

        /// <param name="config">A configuration that loaded without errors (<c>CogConfigLoader</c>): valid values, requirements read.</param>
        public static Resolution? Resolve(CogConfig config, CompatibilityTable table, DiagnosticBag diagnostics, ResolveOptions? options = null)
        {
            options ??= new ResolveOptions();
            int errorsBefore = diagnostics.Count(d => d.IsError);
            IReadOnlyList<RequirementLine> lines = config.Requirements
                ?? throw new InvalidOperationException("The requirements are read when cog.yaml is loaded (CogConfigLoader.Load); resolve a loaded configuration.");
            ReleaseVersion python = ReleaseVersion.TryParse(config.PythonVersion.Value)
                ?? throw new InvalidOperationException("python_version is checked when cog.yaml is loaded: " + config.PythonVersion.Value);
            RequirementLine? torch = FirstFramework(lines, "torch");
            RequirementLine? tensorFlow = FirstFramework(lines, "tensorflow");

            GpuChoice? gpu = null;
            if (config.Gpu.Value)
            {
                gpu = new GpuChoice(config, table, diagnostics, options.BaseImageOverride != null);
                gpu.Choose(torch, tensorFlow);
            }

            WarnAboutPython(table, python, torch, tensorFlow, diagnostics);
            if (gpu is null && options.BaseImageOverride is null)
            {
                WarnAboutGit(config, lines, python, diagnostics);
            }

            var localPackages = LocalPackagesOf(config, lines);
            var wheels = new FrameworkWheels(table, gpu?.Cuda, diagnostics, line => localPackages.TryGetValue(line, out var staged) ? staged.ImagePath : null);
            IReadOnlyList<Located<string>> requirements = wheels.Rewrite(lines);
            if (diagnostics.Count(d => d.IsError) > errorsBefore || (gpu != null && gpu.Cuda is null))
            {
                return null;
            }

            string computedImage = gpu is null
                ? table.PythonFor(python.Major, python.Minor)?.Image ?? $"python:{python.MajorMinor}-slim"
                : gpu.Image?.Reference ?? "";
            string baseImage = options.BaseImageOverride ?? computedImage;
            string? torchVersion = wheels.TorchPin ?? torch?.Requirement?.FirstVersion;
            string? tensorFlowVersion = tensorFlow?.Requirement?.FirstVersion;
            string summary = Summarize(gpu, torch, torchVersion, wheels.TorchBuild != null, tensorFlow, baseImage, options.BaseImageOverride != null);
            return new Resolution(
                gpu != null,
                gpu?.CudaText,
                gpu?.CuDnn?.ToString(CultureInfo.InvariantCulture),
                baseImage,
                options.BaseImageOverride != null,
                torch is null ? null : torchVersion,
                wheels.TorchIndexUrl,
                tensorFlowVersion,
                python.MajorMinor,
                installPython: gpu != null,
                requirements,
                lines.Where(l => l.IsConstraint).Select(l => new Located<string>(l.Text, l.Location)).ToList(),
                config.RequirementFiles,
                localPackages.Values.Distinct().ToList(),
                summary);
        }

        /// <summary>
        /// pip fetches a git+https:// requirement with git, which python:X-slim does not have (nor Cog's image of it): the
        /// build would fail at pip's "Cannot find command 'git'". A warning at the first such line, unless git is installed.
        /// </summary>
        private static void WarnAboutGit(CogConfig config, IReadOnlyList<RequirementLine> lines, ReleaseVersion python, DiagnosticBag diagnostics)
        {
            RequirementLine? fromGit = lines.FirstOrDefault(l => !l.IsConstraint && (l.Target ?? l.Requirement?.Url)?.StartsWith("git+", StringComparison.OrdinalIgnoreCase) == true);
            bool hasGit = config.SystemPackages.SelectMany(p => CogConfig.SystemPackageWords(p.Value)).Any(w => w == "git" || w.StartsWith("git=", StringComparison.Ordinal) || w.StartsWith("git:", StringComparison.Ordinal));
            if (fromGit != null && !hasGit)
            {
                diagnostics.Warning(ConfigurationMessages.RequirementNeedsGit, fromGit.Location, fromGit.Text, python.MajorMinor);
            }
        }

        /// <summary>Each line's local archive, staged at <c>cog/local_packages/&lt;project path&gt;</c> and installed from <see cref="LocalPackagesFolder"/>.</summary>
        private static Dictionary<RequirementLine, LocalPackage> LocalPackagesOf(CogConfig config, IEnumerable<RequirementLine> lines)
        {
            var packages = new Dictionary<RequirementLine, LocalPackage>();
            foreach (RequirementLine line in lines)
            {
                if (LocalPackages.FullPath(line) is string source && LocalPackages.ProjectRelativePath(config, line) is string relative)
                {
                    packages[line] = new LocalPackage(source, relative, LocalPackagesFolder + "/" + relative);
                }
            }

            return packages;
        }

        /// <summary>A framework whose wheels the table lists for other Pythons only will most likely not install.</summary>
        private static void WarnAboutPython(CompatibilityTable table, ReleaseVersion python, RequirementLine? torch, RequirementLine? tensorFlow, DiagnosticBag diagnostics)
        {
            var frameworks = new (RequirementLine? Line, string Name, Func<ReleaseVersion, IEnumerable<IReadOnlyList<ReleaseVersion>>> Pythons)[]
            {
                (torch, "torch", v => table.TorchMatching(v).Select(r => r.Pythons)),
                (tensorFlow, "tensorflow", v => table.TensorFlowMatching(v).Select(r => r.Pythons)),
            };
            foreach (var (line, name, pythonsOf) in frameworks)
            {
                ReleaseVersion? pinned = ReleaseVersion.TryParse(line?.Requirement?.PinnedVersion);
                var known = pinned is null ? new List<ReleaseVersion>() : pythonsOf(pinned).Where(p => p.Count > 0).SelectMany(p => p).ToList();
                if (known.Count > 0 && !known.Any(p => p.EqualMinor(python)))
                {
                    var listed = known.GroupBy(p => p.MajorMinor).Select(g => g.First()).OrderBy(p => p).Select(p => p.MajorMinor).ToList();
                    diagnostics.Warning(ConfigurationMessages.FrameworkPythonUnsupported, line!.Location, name, pinned!.Text, python.MajorMinor, string.Join(", ", listed));
                }
            }
        }

        /// <summary>The first requirement of the package, skipping direct URLs and constraints, whose versions say nothing.</summary>
        private static RequirementLine? FirstFramework(IEnumerable<RequirementLine> lines, string name) =>
            lines.FirstOrDefault(l => !l.IsConstraint && l.Requirement?.Url is null && l.Requirement?.NormalizedName == name);

        private static string Summarize(GpuChoice? gpu, RequirementLine? torch, string? torchVersion, bool torchWheelsChosen, RequirementLine? tensorFlow, string image, bool overridden)
        {
            string imageText = image + (overridden ? " (CogBaseImage)" : "");
            string? torchText = torch is null ? null : Describe(torch, torchVersion);
            string? tensorFlowText = tensorFlow is null ? null : Describe(tensorFlow, null);
            if (gpu is null)
            {
                var parts = new List<string> { "CPU" };
                if (torchText != null)
                {
                    parts.Add(torchText + (torchWheelsChosen ? " (CPU wheels)" : ""));
                }

                if (tensorFlowText != null)
                {
                    parts.Add(tensorFlowText);
                }

                return $"Cog: {string.Join(", ", parts)} -> {imageText}";
            }

            string framework = tensorFlowText ?? torchText ?? "no framework pinned";
            string cudaOrigin = gpu.CudaFromConfig ? " (cog.yaml)" : gpu.CudaIsDefault ? " (default)" : "";
            string cuDnnOrigin = gpu.CuDnnFromConfig ? " (cog.yaml)" : "";
            return $"Cog: {framework} -> CUDA {gpu.CudaText}{cudaOrigin}, cuDNN {gpu.CuDnn}{cuDnnOrigin} -> {imageText}";
        }

        /// <summary><c>torch==2.3.1</c> for a pin (as installed), else the requirement as written.</summary>
        private static string Describe(RequirementLine line, string? installedPin)
        {
            PythonRequirement requirement = line.Requirement!;
            string? pin = requirement.PinnedVersion != null ? installedPin ?? requirement.PinnedVersion : null;
            return pin != null
                ? requirement.NormalizedName + "==" + pin
                : requirement.NormalizedName + string.Join(",", requirement.Specifiers.Select(s => s.ToString()));
        }
    }
}
