using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Serialization;
using Cog.Sdk.Core.Diagnostics;

namespace Cog.Sdk.Core.Generate
{
    /// <summary>What a Dockerfile instruction is for; the engine's failure analysis picks its error code from it.</summary>
    public enum InstructionKind
    {
        Other,
        BaseImage,
        Environment,
        SystemPackages,
        PythonInstall,
        PythonRequirements,
        Runtime,
        RunCommand,
        ModelFiles,
    }

    /// <summary>One instruction of the generated Dockerfile, with the cog.yaml values it was made from.</summary>
    public sealed class DockerfileInstruction
    {
        public DockerfileInstruction(int line, InstructionKind kind, string text, SourceLocation origin, IReadOnlyList<Located<string>> items)
        {
            Line = line;
            Kind = kind;
            Text = text;
            Origin = origin;
            Items = items;
        }

        /// <summary>1-based line of the instruction in the Dockerfile.</summary>
        public int Line { get; }

        public InstructionKind Kind { get; }

        public string Text { get; }

        /// <summary>The cog.yaml location it came from; <see cref="SourceLocation.None"/> for Cog's own instructions.</summary>
        public SourceLocation Origin { get; }

        /// <summary>The individual values in it (apt packages, requirements), so a failure can point at the one that failed.</summary>
        public IReadOnlyList<Located<string>> Items { get; }
    }

    /// <summary>A generated Dockerfile, the files it expects in the build context, and where each line came from.</summary>
    public sealed class GeneratedDockerfile
    {
        public GeneratedDockerfile(string text, IReadOnlyList<DockerfileInstruction> instructions, IReadOnlyDictionary<string, string> contextFiles)
        {
            Text = text;
            Instructions = instructions;
            ContextFiles = contextFiles;
            Origins = instructions.Where(i => i.Origin.File != null).ToDictionary(i => i.Line, i => i.Origin);
        }

        public string Text { get; }

        /// <summary>Dockerfile line (1-based) to the cog.yaml location that produced it; lines of Cog's own making are absent.</summary>
        [JsonIgnore]
        public IReadOnlyDictionary<int, SourceLocation> Origins { get; }

        /// <summary>Every instruction in order: the n-th build step of an engine is <c>Instructions[n - 1]</c>.</summary>
        public IReadOnlyList<DockerfileInstruction> Instructions { get; }

        /// <summary>Generated files the Dockerfile copies, by context-relative path ('/' separated), e.g. <c>cog/requirements.txt</c>.</summary>
        public IReadOnlyDictionary<string, string> ContextFiles { get; }

        /// <summary>
        /// The project's wheels and archives that the requirements install (relative to the project, '/' separated),
        /// staged as <c>cog/local_packages/&lt;path&gt;</c>; read from the generated list, so a read-back Dockerfile has them too.
        /// </summary>
        public IReadOnlyList<string> LocalPackages =>
            ContextFiles.TryGetValue(DockerfileGenerator.LocalPackagesList, out string? list)
                ? list.Split(new[] { '\n' }, StringSplitOptions.RemoveEmptyEntries)
                : Array.Empty<string>();

        /// <summary>Where the Dockerfile goes in Cog.Sdk's folder under obj/ (obj/cog).</summary>
        public static string PathIn(string intermediateDirectory) => Path.Combine(intermediateDirectory, "Dockerfile");

        /// <summary>Where the build context is staged in obj/cog; generated context files are written there too.</summary>
        public static string ContextDirectoryIn(string intermediateDirectory) => Path.Combine(intermediateDirectory, "context");

        /// <summary>Where this whole object goes beside the Dockerfile (Dockerfile.json), for the image build to explain a failed step.</summary>
        public static string ModelPathIn(string intermediateDirectory) => Path.Combine(intermediateDirectory, "Dockerfile.json");
    }
}
