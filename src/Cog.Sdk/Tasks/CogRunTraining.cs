using Cog.Sdk.Core.Predict;

namespace Cog.Sdk.Tasks
{
    /// <summary>CogTrain: one training, as `cog train` runs it: the image's server in train mode, POST /trainings.</summary>
    public sealed class CogRunTraining : CogRunModelTask
    {
        protected override ServerMode Mode => ServerMode.Train;
    }
}
