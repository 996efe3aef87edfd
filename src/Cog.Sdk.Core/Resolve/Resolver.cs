using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Parse;

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
        public static Resolution? Resolve(CogConfig config, CompatibilityTable table, DiagnosticBag diagnostics, ResolveOptions? options = null)
        {
            options ??= new ResolveOptions();
            int errorsBefore = diagnostics.Count(d => d.IsError);
            string? python = PythonMajorMinor(config, diagnostics);
            var requirementFiles = new List<string>();
            IReadOnlyList<RequirementLine> lines = RequirementsReader.Read(config, diagnostics, requirementFiles);
            RequirementLine? torch = FirstFramework(lines, "torch");
            RequirementLine? tensorFlow = FirstFramework(lines, "tensorflow");

            GpuChoice? gpu = null;
            if (config.Gpu.Value)
            {
                gpu = new GpuChoice(config, table, diagnostics, options.BaseImageOverride != null);
                gpu.Choose(torch, tensorFlow);
            }

            var wheels = new FrameworkWheels(table, gpu?.Cuda, diagnostics);
            IReadOnlyList<string> requirements = wheels.Rewrite(lines);
            if (python is null || diagnostics.Count(d => d.IsError) > errorsBefore || (gpu != null && gpu.Cuda is null))
            {
                return null;
            }

            string computedImage = gpu is null ? $"python:{python}-slim" : gpu.Image?.Reference ?? "";
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
                python,
                installPython: gpu != null,
                requirements,
                lines.Where(l => l.IsConstraint).Select(l => l.Text).ToList(),
                requirementFiles,
                summary);
        }

        /// <summary>The first requirement of the package, skipping direct URLs and constraints, whose versions say nothing.</summary>
        private static RequirementLine? FirstFramework(IEnumerable<RequirementLine> lines, string name) =>
            lines.FirstOrDefault(l => !l.IsConstraint && l.Requirement?.Url is null && l.Requirement?.NormalizedName == name);

        private static string? PythonMajorMinor(CogConfig config, DiagnosticBag diagnostics)
        {
            string text = config.PythonVersion.Value;
            ReleaseVersion? version = ReleaseVersion.TryParse(text);
            if (version is null || text.IndexOf('.') < 0 || version.Local != null)
            {
                diagnostics.Error(ConfigurationMessages.PythonVersionInvalid, config.PythonVersion.Location, text);
                return null;
            }

            return version.MajorMinor;
        }

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
