using Cog.Sdk.Core;
using Cog.Sdk.Core.Diagnostics;
using Microsoft.Build.Framework;

namespace Cog.Sdk.Tasks
{
    /// <summary>
    /// CogValidate: parses and validates cog.yaml, resolves CUDA, cuDNN and the base image, reports every problem
    /// at its place in cog.yaml, and publishes the results as properties.
    /// </summary>
    public sealed class CogValidateConfig : CogTask
    {
        [Required]
        public string ConfigFile { get; set; } = "";

        public string? CompatibilityFile { get; set; }

        public string? ImageName { get; set; }

        public string? BaseImage { get; set; }

        [Output] public string ConfigForm { get; private set; } = "";
        [Output] public string ResolvedImageName { get; private set; } = "";
        [Output] public string Predictor { get; private set; } = "";
        [Output] public string PythonVersion { get; private set; } = "";
        [Output] public string Gpu { get; private set; } = "";
        [Output] public string CudaVersion { get; private set; } = "";
        [Output] public string CuDnnVersion { get; private set; } = "";
        [Output] public string ResolvedBaseImage { get; private set; } = "";
        [Output] public string TorchVersion { get; private set; } = "";
        [Output] public string TorchIndexUrl { get; private set; } = "";
        [Output] public string TensorFlowVersion { get; private set; } = "";

        protected override void Run()
        {
            var diagnostics = new DiagnosticBag();
            var options = new CogProjectOptions(ConfigFile)
            {
                CompatibilityFile = CompatibilityFile,
                ImageName = ImageName,
                BaseImage = BaseImage,
            };
            CogProject? project = CogProject.Load(options, diagnostics);
            Report(diagnostics);
            if (project == null)
            {
                return;
            }

            ProjectCache.Remember(BuildEngine, ConfigFile, project);
            var resolution = project.Resolution;
            Log.LogMessage(MessageImportance.Normal, resolution.Summary);

            ConfigForm = project.Config.Form.ToString();
            ResolvedImageName = project.ImageName;
            Predictor = project.Config.Predictor?.Value ?? "";
            PythonVersion = resolution.PythonVersion;
            Gpu = project.Config.Gpu.Value ? "true" : "false";
            CudaVersion = resolution.CudaVersion ?? "";
            CuDnnVersion = resolution.CuDnnVersion ?? "";
            ResolvedBaseImage = resolution.BaseImage;
            TorchVersion = resolution.TorchVersion ?? "";
            TorchIndexUrl = resolution.TorchIndexUrl ?? "";
            TensorFlowVersion = resolution.TensorFlowVersion ?? "";
        }
    }
}
