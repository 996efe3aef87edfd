using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Serialization;
using Cog.Sdk.Core.Diagnostics;

namespace Cog.Sdk.Core.Resolve
{
    /// <summary>Choices the caller makes outside cog.yaml.</summary>
    public sealed class ResolveOptions
    {
        /// <summary>
        /// An image that replaces the computed base image outright (the CogBaseImage property). CUDA, cuDNN and wheels
        /// are still resolved and reported, but a missing nvidia/cuda image is then no error.
        /// </summary>
        public string? BaseImageOverride { get; set; }
    }

    /// <summary>A wheel or source archive of the project that a requirement line installs.</summary>
    public sealed class LocalPackage
    {
        public LocalPackage(string sourcePath, string projectPath, string imagePath)
        {
            SourcePath = sourcePath;
            ProjectPath = projectPath;
            ImagePath = imagePath;
        }

        /// <summary>Full path of the file.</summary>
        public string SourcePath { get; }

        /// <summary>Relative to the project, '/' separated: <c>dist/pkg-1.0.tar.gz</c>.</summary>
        public string ProjectPath { get; }

        /// <summary>Where it is in the image when the requirements are installed: <c>/tmp/local_packages/dist/pkg-1.0.tar.gz</c>.</summary>
        public string ImagePath { get; }

        public override bool Equals(object? obj) => obj is LocalPackage other && other.ProjectPath == ProjectPath;

        public override int GetHashCode() => ProjectPath.GetHashCode();
    }

    /// <summary>What the model's image is built from: everything the MSBuild layer publishes as properties.</summary>
    public sealed class Resolution
    {
        [JsonConstructor]
        public Resolution(
            bool gpu,
            string? cudaVersion,
            string? cuDnnVersion,
            string baseImage,
            bool baseImageOverridden,
            string? torchVersion,
            string? torchIndexUrl,
            string? tensorFlowVersion,
            string pythonVersion,
            bool installPython,
            IReadOnlyList<Located<string>> requirementLines,
            IReadOnlyList<Located<string>> constraintLines,
            IReadOnlyList<string> requirementFiles,
            IReadOnlyList<LocalPackage> localPackages,
            string summary)
        {
            Gpu = gpu;
            CudaVersion = cudaVersion;
            CuDnnVersion = cuDnnVersion;
            BaseImage = baseImage;
            BaseImageOverridden = baseImageOverridden;
            TorchVersion = torchVersion;
            TorchIndexUrl = torchIndexUrl;
            TensorFlowVersion = tensorFlowVersion;
            PythonVersion = pythonVersion;
            InstallPython = installPython;
            RequirementLines = requirementLines;
            ConstraintLines = constraintLines;
            RequirementFiles = requirementFiles;
            LocalPackages = localPackages;
            Summary = summary;
        }

        public bool Gpu { get; }

        /// <summary>The CUDA version, major.minor (or as written in cog.yaml); null for CPU images.</summary>
        public string? CudaVersion { get; }

        /// <summary>The cuDNN major version; null for CPU images.</summary>
        public string? CuDnnVersion { get; }

        /// <summary>The image to build FROM: <c>nvidia/cuda:...</c>, <c>python:X.Y-slim</c>, or the override.</summary>
        public string BaseImage { get; }

        /// <summary>Whether <see cref="BaseImage"/> came from <see cref="ResolveOptions.BaseImageOverride"/>.</summary>
        public bool BaseImageOverridden { get; }

        /// <summary>The torch version installed (<c>2.3.1</c> for a <c>torch==2.3</c> pin), or the first version of a range; null without torch.</summary>
        public string? TorchVersion { get; }

        /// <summary>The pip index or find-links page the torch wheel comes from; null for PyPI's default wheel.</summary>
        public string? TorchIndexUrl { get; }

        public string? TensorFlowVersion { get; }

        /// <summary>Python major.minor.</summary>
        public string PythonVersion { get; }

        /// <summary>True when the base image has no Python of its own (every nvidia/cuda image) and it must be installed.</summary>
        public bool InstallPython { get; }

        /// <summary>The lines of the image's requirements.txt: global options first, then the packages in the user's order.</summary>
        public IReadOnlyList<string> Requirements => RequirementLines.Select(l => l.Value).ToList();

        /// <summary><see cref="Requirements"/>, each located where it came from (a python_packages entry or a requirements file line).</summary>
        public IReadOnlyList<Located<string>> RequirementLines { get; }

        /// <summary>Lines of the user's <c>-c</c> constraints files, for a constraints file beside requirements.txt.</summary>
        public IReadOnlyList<string> Constraints => ConstraintLines.Select(l => l.Value).ToList();

        public IReadOnlyList<Located<string>> ConstraintLines { get; }

        /// <summary>Wheels and source archives of the project that requirement lines install, staged into the build.</summary>
        public IReadOnlyList<LocalPackage> LocalPackages { get; }

        /// <summary>The requirements files read: <c>python_requirements</c> and its <c>-r</c>/<c>-c</c> includes, full paths.</summary>
        public IReadOnlyList<string> RequirementFiles { get; }

        /// <summary>One line saying what was chosen and why, e.g. <c>Cog: torch==2.0.1 -&gt; CUDA 11.8, cuDNN 8 -&gt; nvidia/cuda:11.8.0-cudnn8-devel-ubuntu22.04</c>.</summary>
        public string Summary { get; }

        public override string ToString() => Summary;
    }
}
