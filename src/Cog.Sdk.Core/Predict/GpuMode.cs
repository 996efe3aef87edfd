namespace Cog.Sdk.Core.Predict
{
    /// <summary>Whether the container asks for the GPUs (CogGpus).</summary>
    public enum GpuMode
    {
        /// <summary>
        /// Ask for all GPUs when cog.yaml says build.gpu: true; on a machine whose engine has no GPU driver,
        /// warn and run on the CPU, as Cog does when --gpus is not given.
        /// </summary>
        Auto,

        /// <summary>Always ask for all GPUs; a machine without a GPU driver is an error.</summary>
        All,

        /// <summary>Never ask for a GPU.</summary>
        None,
    }
}
