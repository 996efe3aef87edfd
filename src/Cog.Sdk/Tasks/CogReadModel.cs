using Cog.Sdk.Core;
using Microsoft.Build.Framework;

namespace Cog.Sdk.Tasks
{
    /// <summary>
    /// Publishes what obj/cog/model.json holds as properties and repeats its warnings: cheap, so it runs in every
    /// build, also when MSBuild skipped the resolution because nothing it read had changed.
    /// </summary>
    public sealed class CogReadModel : CogTask
    {
        [Required] public string ModelFile { get; set; } = "";

        [Output] public string ConfigForm { get; private set; } = "";
        [Output] public string ImageName { get; private set; } = "";
        [Output] public string Predictor { get; private set; } = "";
        [Output] public string Trainer { get; private set; } = "";
        [Output] public string PythonVersion { get; private set; } = "";
        [Output] public string Gpu { get; private set; } = "";
        [Output] public string CudaVersion { get; private set; } = "";
        [Output] public string CuDnnVersion { get; private set; } = "";
        [Output] public string BaseImage { get; private set; } = "";
        [Output] public string TorchVersion { get; private set; } = "";
        [Output] public string TorchIndexUrl { get; private set; } = "";
        [Output] public string TensorFlowVersion { get; private set; } = "";

        protected override void Run()
        {
            CogProject model = ReadModel(ModelFile);
            Report(model.Warnings);
            Log.LogMessage(MessageImportance.Normal, model.Resolution.Summary);
            ConfigForm = model.Config.Form.ToString();
            ImageName = model.ImageName;
            Predictor = model.Config.Predictor?.Value ?? "";
            Trainer = model.Config.Train?.Value ?? "";
            PythonVersion = model.Resolution.PythonVersion;
            Gpu = model.Config.Gpu.Value ? "true" : "false";
            CudaVersion = model.Resolution.CudaVersion ?? "";
            CuDnnVersion = model.Resolution.CuDnnVersion ?? "";
            BaseImage = model.Resolution.BaseImage;
            TorchVersion = model.Resolution.TorchVersion ?? "";
            TorchIndexUrl = model.Resolution.TorchIndexUrl ?? "";
            TensorFlowVersion = model.Resolution.TensorFlowVersion ?? "";
        }
    }
}
