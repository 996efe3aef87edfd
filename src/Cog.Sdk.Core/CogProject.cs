using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Serialization;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Generate;
using Cog.Sdk.Core.Parse;
using Cog.Sdk.Core.Resolve;
using Cog.Sdk.Core.Validate;

namespace Cog.Sdk.Core
{
    /// <summary>What a build was asked to do with a model, beyond cog.yaml itself (the project's properties).</summary>
    public sealed class CogProjectOptions
    {
        public CogProjectOptions(string configFile)
        {
            ConfigFile = configFile;
        }

        public string ConfigFile { get; }

        /// <summary>A user table that extends or replaces the shipped compatibility table.</summary>
        public string? CompatibilityFile { get; set; }

        /// <summary>CogImageName: replaces cog.yaml's <c>image</c> and the default name.</summary>
        public string? ImageName { get; set; }

        /// <summary>CogBaseImage: replaces the computed base image outright.</summary>
        public string? BaseImage { get; set; }
    }

    /// <summary>
    /// A model after the first three stages of the pipeline: cog.yaml parsed, validated, and resolved
    /// against the compatibility table. Everything later (the Dockerfile, the image, predictions) starts here.
    /// The build keeps it in obj/cog/model.json (<see cref="Write"/>), so that later steps, and later builds
    /// while nothing it was made from changed, take it from there instead of reading cog.yaml again.
    /// </summary>
    public sealed class CogProject
    {
        [JsonConstructor]
        public CogProject(CogConfig config, Resolution resolution, string imageName, IReadOnlyList<string> inputFiles, IReadOnlyList<Diagnostic> warnings)
        {
            Config = config;
            Resolution = resolution;
            ImageName = imageName;
            InputFiles = inputFiles;
            Warnings = warnings;
        }

        public CogConfig Config { get; }
        public Resolution Resolution { get; }

        /// <summary>The image's name: CogImageName, else cog.yaml's <c>image</c>, else Cog's default <c>cog-&lt;folder&gt;</c>.</summary>
        public string ImageName { get; }

        /// <summary>
        /// Every file the load read or looked for (cog.yaml, the requirements files, the compatibility file, the predictor
        /// and trainer files): while none of them changes, nor the options, loading again gives the same project.
        /// </summary>
        public IReadOnlyList<string> InputFiles { get; }

        /// <summary>What loading it warned about: every build that uses the model says it again, until the file is fixed.</summary>
        public IReadOnlyList<Diagnostic> Warnings { get; }

        /// <summary>The model as a file, whole or absent (a temporary file renamed over it).</summary>
        public void Write(string path) => FileWrites.WriteAtomically(path, JsonText.Serialize(this));

        /// <summary>The model <see cref="Write"/> wrote; null when the file is missing or not one.</summary>
        public static CogProject? Read(string path) =>
            JsonText.ReadFile<CogProject>(path) is CogProject project && project.Config != null && project.Resolution != null ? project : null;

        /// <summary>Parses, validates and resolves; null when any error was reported (all of them are in <paramref name="diagnostics"/>).</summary>
        public static CogProject? Load(CogProjectOptions options, DiagnosticBag diagnostics)
        {
            // The table comes first: the Python versions cog.yaml may name are part of it.
            CompatibilityTable table = CompatibilityTable.Default;
            if (!string.IsNullOrEmpty(options.CompatibilityFile))
            {
                CompatibilityTable? user = CompatibilityTable.Load(options.CompatibilityFile!, diagnostics);
                if (user == null)
                {
                    return null;
                }

                table = table.Extend(user);
            }

            CogConfig? config = CogConfigLoader.Load(options.ConfigFile, diagnostics, table);
            if (config == null || diagnostics.HasErrors)
            {
                return null;
            }

            var resolveOptions = new ResolveOptions { BaseImageOverride = Blank(options.BaseImage) };
            Resolution? resolution = Resolver.Resolve(config, table, diagnostics, resolveOptions);
            if (resolution == null || diagnostics.HasErrors)
            {
                return null;
            }

            string? givenName = Blank(options.ImageName);
            if (givenName != null && !ImageNames.IsValidReference(givenName))
            {
                // cog.yaml's image is checked with the file (COG2049); the property gets the same rule before the engine refuses it.
                diagnostics.Error(ConfigurationMessages.InvalidPropertyValue, SourceLocation.None, "CogImageName", givenName,
                    "an image name: lower-case path components with an optional registry host and tag, e.g. registry.example.com/team/model:1.0");
                return null;
            }

            string imageName = givenName ?? config.Image?.Value ?? ImageNames.DefaultFor(config.ProjectDirectory);
            var inputFiles = new List<string> { config.FilePath };
            if (!string.IsNullOrEmpty(options.CompatibilityFile))
            {
                inputFiles.Add(Path.GetFullPath(options.CompatibilityFile!));
            }

            inputFiles.AddRange(resolution.RequirementFiles);
            inputFiles.AddRange(resolution.LocalPackages.Select(package => package.SourcePath));
            inputFiles.AddRange(new[] { config.Predictor, config.Train }
                .Select(pointer => config.PointerPathInProject(pointer?.Value ?? ""))
                .Where(file => file.Length > 0)
                .Select(config.ProjectPath)
                .OfType<string>());
            return new CogProject(config, resolution, imageName, inputFiles.Distinct().ToList(), diagnostics.Where(d => !d.IsError).ToList());
        }

        /// <summary>What the Dockerfile is made from: this model plus how the project wants the image built.</summary>
        public DockerfileSpec CreateDockerfileSpec(ImageOptions options)
        {
            return new DockerfileSpec(Config, Resolution.BaseImage, Resolution.PythonVersion)
            {
                BaseImageLocation = BaseImageOrigin(),
                // A base image of the user's own is taken as it is, unless CogInstallPython asks for Python on top.
                InstallPython = options.InstallPython ?? (Resolution.InstallPython && !Resolution.BaseImageOverridden),
                RequirementsLines = Resolution.RequirementLines,
                ConstraintsLines = Resolution.ConstraintLines,
                LocalPackages = Resolution.LocalPackages.Select(p => p.ProjectPath).ToList(),
                Options = options,
                CudaVersion = Resolution.CudaVersion,
                CuDnnVersion = Resolution.CuDnnVersion,
            };
        }

        // The cog.yaml value that decided the base image, for errors about pulling it.
        private SourceLocation BaseImageOrigin() =>
            Resolution.Gpu ? (Config.Cuda?.Location ?? Config.Gpu.Location) : Config.PythonVersion.Location;

        private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value!.Trim();
    }
}
