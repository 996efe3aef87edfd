using System.Collections.Generic;
using System.Linq;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Predict;
using Microsoft.Build.Framework;

namespace Cog.Sdk.Tasks
{
    /// <summary>What the tasks that take a model's inputs share: where the user wrote them (CogInput, its items, CogInputFile).</summary>
    public abstract class CogInputsTask : CogTask
    {
        /// <summary>The folder of cog.yaml, where input files (@path) are read from.</summary>
        [Required] public string ProjectDirectory { get; set; } = "";

        public string? Input { get; set; }

        /// <summary>CogInput items: the name, with the value in Value metadata; repeated names make a list.</summary>
        public ITaskItem[] InputItems { get; set; } = new ITaskItem[0];

        public string? InputFile { get; set; }

        /// <summary>The inputs as the user wrote them; problems (COG4001, COG4010, COG4011) go to <paramref name="diagnostics"/>.</summary>
        protected IReadOnlyList<RawInput> ReadInputs(DiagnosticBag diagnostics) =>
            InputParser.Read(Input, InputItems
                    .GroupBy(i => i.ItemSpec)
                    .Select(g => new KeyValuePair<string, IReadOnlyList<string>>(g.Key, g.Select(i => i.GetMetadata("Value")).ToList())),
                InputFile, ProjectDirectory, diagnostics);

        /// <summary>"predict" or "train" from a target, as the mode it names.</summary>
        protected static ServerMode ModeNamed(string name) =>
            string.Equals(name, ServerMode.Train.Name, System.StringComparison.OrdinalIgnoreCase) ? ServerMode.Train : ServerMode.Predict;
    }
}
