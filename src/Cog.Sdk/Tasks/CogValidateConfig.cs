using System.Collections.Generic;
using System.IO;
using Cog.Sdk.Core;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.UpToDate;
using Microsoft.Build.Framework;

namespace Cog.Sdk.Tasks
{
    /// <summary>
    /// CogValidate: parses and validates cog.yaml, resolves CUDA, cuDNN and the base image, reports every problem
    /// at its place in cog.yaml, and publishes the results as properties. A successful validation is recorded in
    /// obj/cog/validate.json; while cog.yaml, the files it names and the settings are unchanged, the next build
    /// publishes the recorded results (and repeats the recorded warnings) without parsing anything.
    /// </summary>
    public sealed class CogValidateConfig : CogTask
    {
        [Required]
        public string ConfigFile { get; set; } = "";

        /// <summary>Where the record goes (obj/cog); without one, every build validates afresh.</summary>
        public string? IntermediateDirectory { get; set; }

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
            var options = new CogProjectOptions(ConfigFile)
            {
                CompatibilityFile = CompatibilityFile,
                ImageName = ImageName,
                BaseImage = BaseImage,
            };
            string key = StepRecord.KeyOf(TaskAssemblyIdentity, Path.GetFullPath(ConfigFile), CompatibilityFile, ImageName, BaseImage);
            string? recordPath = string.IsNullOrEmpty(IntermediateDirectory) ? null : Path.Combine(IntermediateDirectory, "validate.json");
            if (recordPath != null && StepRecord.ReadCurrent(recordPath, key) is StepRecord current)
            {
                Log.LogMessage(MessageImportance.Low, $"Cog: cog.yaml, the files it names and the settings are as in the last build; its results are in {recordPath}");
                Publish(current);
                ProjectCache.Remember(BuildEngine, ConfigFile, new ValidatedModel(options, current.Fingerprint, project: null));
                return;
            }

            var diagnostics = new DiagnosticBag();
            CogProject? project = CogProject.Load(options, diagnostics);
            if (project == null)
            {
                Report(diagnostics);
                if (recordPath != null)
                {
                    StepRecord.Delete(recordPath);
                }

                return;
            }

            var resolution = project.Resolution;
            var record = StepRecord.Create(key, project.InputFiles, new Dictionary<string, string>
            {
                [nameof(ConfigForm)] = project.Config.Form.ToString(),
                [nameof(ResolvedImageName)] = project.ImageName,
                [nameof(Predictor)] = project.Config.Predictor?.Value ?? "",
                [nameof(PythonVersion)] = resolution.PythonVersion,
                [nameof(Gpu)] = project.Config.Gpu.Value ? "true" : "false",
                [nameof(CudaVersion)] = resolution.CudaVersion ?? "",
                [nameof(CuDnnVersion)] = resolution.CuDnnVersion ?? "",
                [nameof(ResolvedBaseImage)] = resolution.BaseImage,
                [nameof(TorchVersion)] = resolution.TorchVersion ?? "",
                [nameof(TorchIndexUrl)] = resolution.TorchIndexUrl ?? "",
                [nameof(TensorFlowVersion)] = resolution.TensorFlowVersion ?? "",
                [Summary] = resolution.Summary,
            }, diagnostics);
            Publish(record);
            ProjectCache.Remember(BuildEngine, ConfigFile, new ValidatedModel(options, record.Fingerprint, project));
            if (recordPath != null)
            {
                record.Write(recordPath);
            }
        }

        private const string Summary = "Summary";

        private void Publish(StepRecord record)
        {
            Report(record.Messages);
            Log.LogMessage(MessageImportance.Normal, record.Values[Summary]);
            ConfigForm = record.Values[nameof(ConfigForm)];
            ResolvedImageName = record.Values[nameof(ResolvedImageName)];
            Predictor = record.Values[nameof(Predictor)];
            PythonVersion = record.Values[nameof(PythonVersion)];
            Gpu = record.Values[nameof(Gpu)];
            CudaVersion = record.Values[nameof(CudaVersion)];
            CuDnnVersion = record.Values[nameof(CuDnnVersion)];
            ResolvedBaseImage = record.Values[nameof(ResolvedBaseImage)];
            TorchVersion = record.Values[nameof(TorchVersion)];
            TorchIndexUrl = record.Values[nameof(TorchIndexUrl)];
            TensorFlowVersion = record.Values[nameof(TensorFlowVersion)];
        }
    }
}
