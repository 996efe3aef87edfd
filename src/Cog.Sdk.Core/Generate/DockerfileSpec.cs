using System;
using System.Collections.Generic;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Parse;

namespace Cog.Sdk.Core.Generate
{
    /// <summary>
    /// Everything the Dockerfile is made from: the parsed cog.yaml plus what the resolver decided.
    /// Defined here, in plain values, so that generation does not depend on the resolver's types.
    /// </summary>
    public sealed class DockerfileSpec
    {
        public DockerfileSpec(CogConfig config, string baseImage, string pythonVersion)
        {
            Config = config;
            BaseImage = baseImage;
            PythonVersion = pythonVersion;
        }

        public CogConfig Config { get; }

        /// <summary>e.g. <c>python:3.11-slim</c> or <c>nvidia/cuda:11.8.0-cudnn8-devel-ubuntu22.04</c>.</summary>
        public string BaseImage { get; }

        /// <summary>The cog.yaml line that decided the base image (gpu, cuda or python_version); the file when unknown.</summary>
        public SourceLocation? BaseImageLocation { get; set; }

        /// <summary>major.minor.</summary>
        public string PythonVersion { get; }

        /// <summary>The CUDA version chosen for a GPU model (major.minor), for the completed <c>run.cog.config</c>; null on CPU.</summary>
        public string? CudaVersion { get; set; }

        /// <summary>The cuDNN version chosen with it (major), for the completed <c>run.cog.config</c>.</summary>
        public string? CuDnnVersion { get; set; }

        /// <summary>True on images without the wanted Python (CUDA images): the Dockerfile installs it.</summary>
        public bool InstallPython { get; set; }

        /// <summary>The final requirements.txt lines, each located where it came from (python_packages entry or requirements file).</summary>
        public IReadOnlyList<Located<string>> RequirementsLines { get; set; } = Array.Empty<Located<string>>();

        /// <summary>The lines of the user's <c>-c</c> constraints files: pip applies them to the requirements.</summary>
        public IReadOnlyList<Located<string>> ConstraintsLines { get; set; } = Array.Empty<Located<string>>();

        /// <summary>
        /// Wheels and source archives of the project (relative paths, '/' separated) that requirement lines install from
        /// <c>/tmp/local_packages/&lt;path&gt;</c>: staged into the build and copied in before the requirements.
        /// </summary>
        public IReadOnlyList<string> LocalPackages { get; set; } = Array.Empty<string>();

        /// <summary>How the project wants the image built, beyond cog.yaml.</summary>
        public ImageOptions Options { get; set; } = new ImageOptions();

        /// <summary>
        /// With <see cref="RuntimeSource.PyPI"/>: the cog version to pin; null installs the newest. CogRuntimeVersion, else
        /// cog.yaml's sdk_version, which is the version of Cog's package.
        /// </summary>
        public string? RuntimeVersion => Options.RuntimeVersion ?? Config.SdkVersion?.Value;
    }
}
