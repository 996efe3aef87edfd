using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Serialization;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Parse;

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
        private static readonly string[] StepKeywords = { "FROM", "RUN", "COPY", "ADD", "WORKDIR" };

        [JsonConstructor]
        public DockerfileInstruction(
            int line,
            InstructionKind kind,
            string text,
            SourceLocation origin,
            IReadOnlyList<Located<string>> items,
            string? classicText = null,
            IReadOnlyList<SecretMount>? secretMounts = null)
        {
            Line = line;
            Kind = kind;
            Text = text;
            Origin = origin;
            Items = items;
            ClassicText = classicText ?? text;
            SecretMounts = secretMounts ?? Array.Empty<SecretMount>();
        }

        /// <summary>1-based line of the instruction in the Dockerfile.</summary>
        public int Line { get; }

        public InstructionKind Kind { get; }

        public string Text { get; }

        /// <summary>The cog.yaml location it came from; <see cref="SourceLocation.None"/> for Cog's own instructions.</summary>
        public SourceLocation Origin { get; }

        /// <summary>The individual values in it (apt packages, requirements), so a failure can point at the one that failed.</summary>
        public IReadOnlyList<Located<string>> Items { get; }

        /// <summary>
        /// The instruction as the classic docker builder gets it: without cache mounts, which it does not know. The same as
        /// <see cref="Text"/> for every instruction without a mount.
        /// </summary>
        public string ClassicText { get; }

        /// <summary>The secrets a RUN mounts (<c>RUN --mount=type=secret</c>), which only BuildKit and podman can build.</summary>
        public IReadOnlyList<SecretMount> SecretMounts { get; }

        /// <summary>
        /// Whether the instruction is a build step that makes or changes the image's files (FROM, RUN, COPY, ADD, WORKDIR):
        /// the steps BuildKit reports, and the ones whose progress a build log shows. ENV, LABEL, CMD and the like only set metadata.
        /// </summary>
        [JsonIgnore]
        public bool IsStep => StepKeywords.Any(k => Text.StartsWith(k + " ", StringComparison.Ordinal));
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
            Steps = instructions.Where(i => i.IsStep).ToList();
        }

        public string Text { get; }

        /// <summary>Dockerfile line (1-based) to the cog.yaml location that produced it; lines of Cog's own making are absent.</summary>
        [JsonIgnore]
        public IReadOnlyDictionary<int, SourceLocation> Origins { get; }

        /// <summary>Every instruction in order: the n-th step of the classic builder and of podman is <c>Instructions[n - 1]</c>.</summary>
        public IReadOnlyList<DockerfileInstruction> Instructions { get; }

        /// <summary>The instructions that are build steps (<see cref="DockerfileInstruction.IsStep"/>): BuildKit's step n is <c>Steps[n - 1]</c>.</summary>
        /// <remarks>Not in Dockerfile.json: the constructor picks them from the instructions again.</remarks>
        [JsonIgnore]
        public IReadOnlyList<DockerfileInstruction> Steps { get; }

        /// <summary>Generated files the Dockerfile copies, by context-relative path ('/' separated), e.g. <c>cog/requirements.txt</c>.</summary>
        public IReadOnlyDictionary<string, string> ContextFiles { get; }

        /// <summary>
        /// The project's wheels and archives that the requirements install (relative to the project, '/' separated),
        /// staged as <c>cog/local_packages/&lt;path&gt;</c>; read from the generated list, so a read-back Dockerfile has them too.
        /// </summary>
        [JsonIgnore]
        public IReadOnlyList<string> LocalPackages =>
            ContextFiles.TryGetValue(DockerfileGenerator.LocalPackagesList, out string? list)
                ? list.Split(new[] { '\n' }, StringSplitOptions.RemoveEmptyEntries)
                : Array.Empty<string>();

        /// <summary>Where the Dockerfile goes in Cog.Sdk's folder under obj/ (obj/cog).</summary>
        public static string PathIn(string intermediateDirectory) => Path.Combine(intermediateDirectory, "Dockerfile");

        /// <summary>
        /// Where the Dockerfile for the classic docker builder goes, written only when that builder is used: the Dockerfile in
        /// obj/cog does not depend on the machine, this one is what the classic builder can build of it.
        /// </summary>
        public static string ClassicPathIn(string intermediateDirectory) => Path.Combine(intermediateDirectory, "Dockerfile.classic");

        /// <summary>
        /// This Dockerfile for the classic docker builder, which has no <c>RUN --mount</c>: the same lines, cache mounts dropped
        /// (<see cref="DockerfileInstruction.ClassicText"/>). A secret mount cannot be dropped: it is COG3005 at its cog.yaml line.
        /// </summary>
        public string ForClassicBuilder()
        {
            SecretMount? secret = Instructions.SelectMany(i => i.SecretMounts).FirstOrDefault();
            if (secret != null)
            {
                throw new CogException(Diagnostic.Error(ProcessMessages.SecretsNeedBuildKit, secret.Location, secret.Id));
            }

            string[] lines = Text.Split('\n');
            foreach (DockerfileInstruction instruction in Instructions)
            {
                lines[instruction.Line - 1] = instruction.ClassicText;
            }

            return string.Join("\n", lines);
        }

        /// <summary>Where the build context is staged in obj/cog; generated context files are written there too.</summary>
        public static string ContextDirectoryIn(string intermediateDirectory) => Path.Combine(intermediateDirectory, "context");

        /// <summary>Where this whole object goes beside the Dockerfile (Dockerfile.json), for the image build to explain a failed step.</summary>
        public static string ModelPathIn(string intermediateDirectory) => Path.Combine(intermediateDirectory, "Dockerfile.json");
    }
}
