using System.Globalization;
using System.Linq;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Parse;

namespace Cog.Sdk.Core.Resolve
{
    /// <summary>
    /// The CUDA, cuDNN and nvidia/cuda image of a GPU model (Cog's validateAndCompleteCUDA and cudaBaseImageFor).
    /// Each problem is reported where its cause is: the cuda/cudnn key of cog.yaml, or the requirement line.
    /// </summary>
    internal sealed class GpuChoice
    {
        private readonly CogConfig _config;
        private readonly CompatibilityTable _table;
        private readonly DiagnosticBag _diagnostics;
        private readonly bool _imageOverridden;
        private readonly ReleaseVersion? _configCuda;
        private readonly int? _configCuDnn;
        private bool _valid = true;

        public GpuChoice(CogConfig config, CompatibilityTable table, DiagnosticBag diagnostics, bool imageOverridden)
        {
            _config = config;
            _table = table;
            _diagnostics = diagnostics;
            _imageOverridden = imageOverridden;
            // Validation checked the format of both (COG2034, COG2036); here they are only read.
            _configCuda = ReleaseVersion.TryParse(config.Cuda?.Value);

            // nvidia tags carry the cuDNN major only, so "8.9" asks for the cuDNN 8 images.
            _configCuDnn = ReleaseVersion.TryParse(config.CuDnn?.Value)?.Major;
        }

        /// <summary>The chosen CUDA; null when none could be chosen (an error was reported).</summary>
        public ReleaseVersion? Cuda { get; private set; }

        /// <summary>The CUDA as reported: as written in cog.yaml, else major.minor.</summary>
        public string? CudaText => _configCuda?.Text ?? Cuda?.MajorMinor;

        public int? CuDnn { get; private set; }
        public CudaImage? Image { get; private set; }
        public bool CudaFromConfig => _configCuda != null;
        public bool CuDnnFromConfig => _configCuDnn != null;
        public bool CudaIsDefault { get; private set; }

        public void Choose(RequirementLine? torch, RequirementLine? tensorFlow)
        {
            if (!_valid || !ConfigCudaIsAvailable())
            {
                return;
            }

            SourceLocation origin;
            string originText;
            int? frameworkCuDnn = null;
            if (tensorFlow != null)
            {
                origin = tensorFlow.Location;
                originText = tensorFlow.Requirement!.FirstVersion is string tf ? "tensorflow==" + tf : "tensorflow";
                frameworkCuDnn = ChooseForTensorFlow(tensorFlow);
            }
            else if (torch != null)
            {
                origin = torch.Location;
                originText = torch.Requirement!.FirstVersion is string pin ? "torch==" + pin : "torch";
                ChooseForTorch(torch);
            }
            else
            {
                origin = _config.Cuda?.Location ?? _config.FileLocation;
                originText = "the default";
                CudaIsDefault = _configCuda is null;
                Cuda = _configCuda ?? ReleaseVersion.TryParse(_table.DefaultCuda);
            }

            if (!_valid || Cuda is null)
            {
                Cuda = null;
                return;
            }

            if (!_table.HasImageFor(Cuda))
            {
                Error(ConfigurationMessages.CudaNotSupported, origin, Cuda.Text, KnownCudaVersions());
                Cuda = null;
                return;
            }

            CuDnn = _configCuDnn ?? frameworkCuDnn ?? _table.CuDnnVersionsFor(Cuda).Last();
            Image = _table.BaseImageFor(Cuda, CuDnn.Value);
            if (Image is null && !_imageOverridden)
            {
                int cuDnn = CuDnn.Value;
                ReleaseVersion suggestion = _table.CudaImages.Where(i => i.CuDnn == cuDnn && i.Cuda.CompareTo(Cuda) <= 0).Select(i => i.Cuda).LastOrDefault()
                    ?? _table.CudaImages.Last().Cuda;
                Error(
                    ConfigurationMessages.NoBaseImageForFramework,
                    _configCuDnn != null ? _config.CuDnn!.Location : origin,
                    originText,
                    Cuda.MajorMinor,
                    cuDnn,
                    string.Join(", ", _table.CuDnnVersionsFor(Cuda)),
                    suggestion.MajorMinor);
                Cuda = null;
            }
        }

        /// <summary>Cog step 2: an explicit cuda must have images, and an explicit cudnn must exist for it.</summary>
        private bool ConfigCudaIsAvailable()
        {
            if (_configCuda is null)
            {
                return true;
            }

            if (!_table.HasImageFor(_configCuda))
            {
                Error(ConfigurationMessages.CudaNotSupported, _config.Cuda!.Location, _configCuda.Text, KnownCudaVersions());
                return false;
            }

            var available = _table.CuDnnVersionsFor(_configCuda);
            if (_configCuDnn != null && !available.Contains(_configCuDnn.Value))
            {
                Error(ConfigurationMessages.CuDnnNotAvailableForCuda, _config.CuDnn!.Location, _configCuDnn, _configCuda.Text, string.Join(", ", available));
                return false;
            }

            return true;
        }

        /// <summary>TensorFlow's own CUDA and cuDNN, unless cog.yaml says otherwise; returns the cuDNN it needs.</summary>
        private int? ChooseForTensorFlow(RequirementLine line)
        {
            ReleaseVersion? version = RequestedVersion(line, "tensorflow");
            if (version is null)
            {
                return null;
            }

            TensorFlowRelease? release = _table.TensorFlowMatching(version).LastOrDefault();
            if (release is null)
            {
                Cuda = UnknownRelease(line, "tensorflow", version, _table.TensorFlow.LastOrDefault()?.Version);
                return null;
            }

            ReleaseVersion needed = ReleaseVersion.TryParse(release.Cuda.MajorMinor)!;
            Cuda = _configCuda ?? needed;
            if (_configCuda != null && !_configCuda.EqualMinor(needed))
            {
                if (_configCuda.Major != needed.Major)
                {
                    Error(ConfigurationMessages.TensorFlowCudaMajorMismatch, _config.Cuda!.Location, release.Version.Text, needed.Text, _configCuda.Text);
                    return null;
                }

                _diagnostics.Warning(ConfigurationMessages.CudaDisagreesWithFramework, _config.Cuda!.Location, _configCuda.Text, "tensorflow", release.Version.Text, needed.Text, needed.Text);
            }

            int cuDnn = release.CuDnn.Major;
            if (_configCuDnn != null && _configCuDnn != cuDnn)
            {
                Error(ConfigurationMessages.CuDnnDisagreesWithTensorFlow, _config.CuDnn!.Location, _configCuDnn, release.Version.Text, cuDnn);
            }

            return cuDnn;
        }

        /// <summary>The highest CUDA the pinned torch was built for (the one named by a +cuXYZ pin), unless cog.yaml says otherwise.</summary>
        private void ChooseForTorch(RequirementLine line)
        {
            ReleaseVersion? version = RequestedVersion(line, "torch");
            if (version is null)
            {
                return;
            }

            var releases = _table.TorchMatching(version).ToList();
            if (releases.Count == 0)
            {
                Cuda = UnknownRelease(line, "torch", version, _table.Torch.LastOrDefault()?.Version);
                return;
            }

            var builds = releases.SelectMany(r => r.GpuBuilds).ToList();
            var usable = builds.Where(b => _table.HasImageFor(b.Cuda!)).ToList();
            var named = usable.Where(b => version.Local != null && b.Cuda != null && "cu" + b.Cuda.Major + b.Cuda.Minor == version.Local).ToList();
            var candidates = (named.Count > 0 ? named : usable).Select(b => b.Cuda!).Distinct(new MajorMinorComparer()).OrderBy(c => c).ToList();
            if (_configCuda != null)
            {
                if (!candidates.Any(c => c.EqualMinor(_configCuda)))
                {
                    string known = candidates.Count > 0 ? string.Join(", ", candidates.Select(c => c.MajorMinor)) : "none with an image";
                    string suggestion = candidates.Count > 0 ? candidates.Last().MajorMinor : _configCuda.Text;
                    _diagnostics.Warning(ConfigurationMessages.CudaDisagreesWithFramework, _config.Cuda!.Location, _configCuda.Text, "torch", version.Text, known, suggestion);
                }

                Cuda = _configCuda;
                return;
            }

            if (candidates.Count == 0)
            {
                TorchRelease? firstUsable = _table.Torch.FirstOrDefault(r => r.GpuBuilds.Any(b => _table.HasImageFor(b.Cuda!)));
                string builtFor = builds.Count > 0 ? string.Join(", ", builds.Select(b => b.Describe()).Distinct()) : "the CPU";
                Error(
                    ConfigurationMessages.TorchBuildsHaveNoImage,
                    line.Location,
                    version.Text,
                    builtFor,
                    _table.CudaImages.FirstOrDefault()?.Cuda.MajorMinor ?? "(none)",
                    firstUsable?.Version.Text ?? "(none)");
                return;
            }

            Cuda = candidates.Last();
        }

        /// <summary>
        /// The first version the requirement names. A GPU image cannot be chosen for an unversioned framework, unless
        /// cog.yaml names the CUDA, which is then used (Cog before 2026 read an unpinned torch as no torch at all).
        /// </summary>
        private ReleaseVersion? RequestedVersion(RequirementLine line, string name)
        {
            string? text = line.Requirement!.FirstVersion;
            ReleaseVersion? version = ReleaseVersion.TryParse(text);
            if (text is null && _configCuda != null)
            {
                Cuda = _configCuda;
            }
            else if (text is null)
            {
                string example = name == "torch" ? _table.Torch.LastOrDefault()?.Version.Text ?? "2.3.1" : _table.TensorFlow.LastOrDefault()?.Version.Text ?? "2.15.0";
                Error(ConfigurationMessages.FrameworkVersionRequired, line.Location, name, example);
            }
            else if (version is null)
            {
                Cuda = UnknownRelease(line, name, null, null, text);
            }

            return version;
        }

        /// <summary>An unknown release is an error unless cog.yaml names the CUDA, which is then used unchecked.</summary>
        private ReleaseVersion? UnknownRelease(RequirementLine line, string name, ReleaseVersion? version, ReleaseVersion? newest, string? text = null)
        {
            string written = version?.Text ?? text ?? "";
            string newestText = newest?.Text ?? "(none)";
            if (_configCuda != null)
            {
                _diagnostics.Warning(ConfigurationMessages.UnknownFrameworkVersionWithCuda, line.Location, name, written, _configCuda.Text, newestText);
                return _configCuda;
            }

            Error(ConfigurationMessages.UnknownFrameworkVersion, line.Location, name, written, newestText);
            return null;
        }

        private string KnownCudaVersions() =>
            string.Join(", ", _table.CudaImages.Select(i => i.Cuda.MajorMinor).Distinct());

        private void Error(string resource, SourceLocation location, params object?[] args)
        {
            _valid = false;
            _diagnostics.Error(resource, location, args);
        }

        private sealed class MajorMinorComparer : System.Collections.Generic.IEqualityComparer<ReleaseVersion>
        {
            public bool Equals(ReleaseVersion? x, ReleaseVersion? y) => x != null && y != null && x.EqualMinor(y);

            public int GetHashCode(ReleaseVersion obj) => obj.Major.GetHashCode() * 397 ^ obj.Minor.GetHashCode();
        }
    }
}
