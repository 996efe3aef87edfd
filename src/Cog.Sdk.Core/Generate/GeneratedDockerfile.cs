using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
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

        public DockerfileInstruction(int line, InstructionKind kind, string text, SourceLocation origin, IReadOnlyList<Located<string>> items)
        {
            Line = line;
            Kind = kind;
            Text = text;
            Origin = origin;
            Items = items;
            ClassicText = text;
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
        public string ClassicText { get; internal set; }

        /// <summary>The secrets a RUN mounts (<c>RUN --mount=type=secret</c>), which only BuildKit and podman can build.</summary>
        public IReadOnlyList<SecretMount> SecretMounts { get; internal set; } = Array.Empty<SecretMount>();

        /// <summary>
        /// Whether the instruction is a build step that makes or changes the image's files (FROM, RUN, COPY, ADD, WORKDIR):
        /// the steps BuildKit reports, and the ones whose progress a build log shows. ENV, LABEL, CMD and the like only set metadata.
        /// </summary>
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
        public IReadOnlyDictionary<int, SourceLocation> Origins { get; }

        /// <summary>Every instruction in order: the n-th step of the classic builder and of podman is <c>Instructions[n - 1]</c>.</summary>
        public IReadOnlyList<DockerfileInstruction> Instructions { get; }

        /// <summary>The instructions that are build steps (<see cref="DockerfileInstruction.IsStep"/>): BuildKit's step n is <c>Steps[n - 1]</c>.</summary>
        public IReadOnlyList<DockerfileInstruction> Steps { get; }

        /// <summary>Generated files the Dockerfile copies, by context-relative path ('/' separated), e.g. <c>cog/requirements.txt</c>.</summary>
        public IReadOnlyDictionary<string, string> ContextFiles { get; }

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
        /// Needs the instructions, so not a Dockerfile from <see cref="ReadBack"/>.
        /// </summary>
        public string ForClassicBuilder()
        {
            if (Instructions.Count == 0)
            {
                throw new InvalidOperationException("The classic Dockerfile is made from the generated instructions, which a Dockerfile read back from obj/ does not have.");
            }

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

        /// <summary>
        /// The Dockerfile and context files as CogGenerateDockerfile wrote them to <paramref name="intermediateDirectory"/>
        /// (<paramref name="writtenFiles"/>: the Dockerfile, and the context files under <c>context/</c>), without the origins
        /// of its lines: enough to tell whether the image is up to date, not to explain a failed build. Null when one is missing.
        /// </summary>
        public static GeneratedDockerfile? ReadBack(string intermediateDirectory, IEnumerable<string> writtenFiles)
        {
            string dockerfile = PathIn(intermediateDirectory);
            string context = Path.GetFullPath(ContextDirectoryIn(intermediateDirectory)) + Path.DirectorySeparatorChar;
            try
            {
                var contextFiles = writtenFiles
                    .Select(Path.GetFullPath)
                    .Where(file => file.StartsWith(context, StringComparison.Ordinal))
                    .ToDictionary(file => file.Substring(context.Length).Replace(Path.DirectorySeparatorChar, '/'), File.ReadAllText);
                return new GeneratedDockerfile(File.ReadAllText(dockerfile), Array.Empty<DockerfileInstruction>(), contextFiles);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return null;
            }
        }
    }
}
