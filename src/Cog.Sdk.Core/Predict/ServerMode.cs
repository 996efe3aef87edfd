using System;
using System.Collections.Generic;

namespace Cog.Sdk.Core.Predict
{
    /// <summary>
    /// What a model's server runs: predictions (run()/predict(), the default) or trainings (train(), served by
    /// `python -m cog.server.http --x-mode train`, as `cog train` starts it). Each has its own path, schema
    /// components and container name.
    /// </summary>
    public sealed class ServerMode
    {
        public static readonly ServerMode Predict = new ServerMode("predict", "prediction", "predictions", "Input", "Output", "predict()", Array.Empty<string>());

        public static readonly ServerMode Train = new ServerMode("train", "training", "trainings", "TrainingInput", "TrainingOutput", "train()",
            new[] { "python", "-m", "cog.server.http", "--x-mode", "train" });

        private ServerMode(string name, string noun, string path, string inputComponent, string outputComponent, string method, IReadOnlyList<string> command)
        {
            Name = name;
            Noun = noun;
            Path = path;
            InputComponent = inputComponent;
            OutputComponent = outputComponent;
            Method = method;
            Command = command;
        }

        /// <summary>"predict" or "train": the container name's purpose (cog-predict-..., cog-train-...).</summary>
        public string Name { get; }

        /// <summary>"prediction" or "training", for messages.</summary>
        public string Noun { get; }

        /// <summary>The server's path for jobs of this mode: "predictions" or "trainings".</summary>
        public string Path { get; }

        /// <summary>The schema's components that describe the inputs and the output.</summary>
        public string InputComponent { get; }

        public string OutputComponent { get; }

        /// <summary>How messages name the user's method.</summary>
        public string Method { get; }

        /// <summary>The container's command instead of the image's CMD; empty to keep the CMD (the prediction server).</summary>
        public IReadOnlyList<string> Command { get; }
    }
}
