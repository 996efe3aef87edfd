using Cog.Sdk.Core.Engine;
using Cog.Sdk.Core.Predict;
using Microsoft.Build.Framework;

namespace Cog.Sdk.Tasks
{
    /// <summary>CogStop: stops the model CogServe keeps for this project, from any shell; the CogServe build then ends.</summary>
    public sealed class CogStopModel : CogTask
    {
        /// <summary>obj/cog/serve.json.</summary>
        [Required] public string StateFile { get; set; } = "";

        [Required] public string ContainerEngine { get; set; } = "";

        protected override void Run()
        {
            if (ServedModel.Read(StateFile) == null)
            {
                Log.LogMessage(MessageImportance.High, "Cog: no model is served for this project.");
                return;
            }

            ContainerEngine? engine = FindEngine(ContainerEngine);
            if (engine != null && Wait(ServedModel.StopAsync(engine, StateFile, Report)) is ServedModel stopped)
            {
                Log.LogMessage(MessageImportance.High, $"Cog: stopped the model served at {stopped.Url} (container {stopped.Container}).");
            }
        }
    }
}
