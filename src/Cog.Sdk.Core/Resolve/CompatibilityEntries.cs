using System.Collections.Generic;
using System.Linq;

namespace Cog.Sdk.Core.Resolve
{
    /// <summary>One <c>nvidia/cuda</c> devel image with cuDNN: one tag of one CUDA release on one Ubuntu release.</summary>
    public sealed class CudaImage
    {
        public CudaImage(ReleaseVersion cuda, int cuDnn, ReleaseVersion ubuntu, string tag)
        {
            Cuda = cuda;
            CuDnn = cuDnn;
            Ubuntu = ubuntu;
            Tag = tag;
        }

        /// <summary>The full toolkit version, major.minor.patch.</summary>
        public ReleaseVersion Cuda { get; }

        /// <summary>The cuDNN major version the image carries.</summary>
        public int CuDnn { get; }

        public ReleaseVersion Ubuntu { get; }
        public string Tag { get; }
        public string Reference => "nvidia/cuda:" + Tag;
    }

    /// <summary>A Python release a model can use: the image a CPU model starts from, and whether it is still maintained.</summary>
    public sealed class PythonRelease
    {
        public PythonRelease(ReleaseVersion version, string image, string? endOfLife)
        {
            Version = version;
            Image = image;
            EndOfLife = endOfLife;
        }

        /// <summary>major.minor.</summary>
        public ReleaseVersion Version { get; }

        /// <summary>The base image of a CPU model, e.g. <c>python:3.13-slim</c>; GPU models install this Python on nvidia/cuda.</summary>
        public string Image { get; }

        /// <summary>When the release stopped getting security fixes (e.g. <c>2024-10</c>); null while it is maintained.</summary>
        public string? EndOfLife { get; }
    }

    /// <summary>A PyTorch release with the torchvision/torchaudio released alongside it and the wheels built for it.</summary>
    public sealed class TorchRelease
    {
        private readonly List<TorchBuild> _builds = new List<TorchBuild>();

        public TorchRelease(ReleaseVersion version, string torchvision, string? torchaudio, IReadOnlyList<ReleaseVersion>? pythons = null)
        {
            Version = version;
            Torchvision = torchvision;
            Torchaudio = torchaudio;
            Pythons = pythons ?? new List<ReleaseVersion>();
        }

        public ReleaseVersion Version { get; }
        public string Torchvision { get; }
        public string? Torchaudio { get; }

        /// <summary>The Python versions (major.minor) it has wheels for; empty when the table does not say.</summary>
        public IReadOnlyList<ReleaseVersion> Pythons { get; }
        public IReadOnlyList<TorchBuild> Builds => _builds;
        public IEnumerable<TorchBuild> GpuBuilds => _builds.Where(b => !b.IsCpu);
        public TorchBuild? CpuBuild => _builds.FirstOrDefault(b => b.IsCpu);

        internal void Add(TorchBuild build) => _builds.Add(build);
    }

    /// <summary>One wheel variant of a torch release: a CUDA build or the CPU build, and where pip finds it.</summary>
    public sealed class TorchBuild
    {
        public TorchBuild(TorchRelease release, ReleaseVersion? cuda, string? indexUrl, string? findLinks)
        {
            Release = release;
            Cuda = cuda;
            IndexUrl = indexUrl;
            FindLinks = findLinks;
        }

        public TorchRelease Release { get; }

        /// <summary>major.minor of the CUDA the wheel was built for; null for the CPU build.</summary>
        public ReleaseVersion? Cuda { get; }

        /// <summary>The pip <c>--extra-index-url</c> serving this wheel, or null.</summary>
        public string? IndexUrl { get; }

        /// <summary>The pip <c>--find-links</c> page listing this wheel (torch before 1.11), or null.</summary>
        public string? FindLinks { get; }

        public bool IsCpu => Cuda is null;

        /// <summary>Neither an index nor a find-links page: the wheel is the default one on PyPI.</summary>
        public bool IsOnPyPI => IndexUrl is null && FindLinks is null;

        /// <summary>The PEP 440 local label of the wheel (<c>cpu</c>, <c>cu118</c>), or null for a PyPI wheel.</summary>
        public string? LocalLabel => IsOnPyPI ? null : Cuda is null ? "cpu" : "cu" + Cuda.Major + Cuda.Minor;

        /// <summary>The CUDA this build is for in words, as the summary and messages print it.</summary>
        public string Describe() => Cuda is null ? "CPU" : "CUDA " + Cuda.MajorMinor;

        /// <summary>
        /// The version to pin. A find-links page lists every variant of a release under one name, so only the
        /// local label (<c>1.10.1+cu111</c>) picks one; a per-CUDA index holds one variant and pip prefers its
        /// local version over PyPI's, so the public version is pinned, as Cog does.
        /// </summary>
        public string PinFor(string publicVersion) => FindLinks != null && LocalLabel != null ? publicVersion + "+" + LocalLabel : publicVersion;
    }

    /// <summary>A TensorFlow release and the CUDA and cuDNN it was built and tested with.</summary>
    public sealed class TensorFlowRelease
    {
        public TensorFlowRelease(ReleaseVersion version, ReleaseVersion cuda, ReleaseVersion cuDnn, IReadOnlyList<ReleaseVersion>? pythons = null)
        {
            Version = version;
            Cuda = cuda;
            CuDnn = cuDnn;
            Pythons = pythons ?? new List<ReleaseVersion>();
        }

        public ReleaseVersion Version { get; }

        /// <summary>The Python versions (major.minor) it has wheels for; empty when the table does not say.</summary>
        public IReadOnlyList<ReleaseVersion> Pythons { get; }

        /// <summary>As published (<c>12.2</c>); images are chosen by its major.minor.</summary>
        public ReleaseVersion Cuda { get; }

        /// <summary>As published (<c>8.9</c>); images are chosen by its major, the only part nvidia tags carry.</summary>
        public ReleaseVersion CuDnn { get; }
    }
}
