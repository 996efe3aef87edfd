using System;
using System.Collections.Generic;
using System.Linq;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Parse;

namespace Cog.Sdk.Core.Resolve
{
    /// <summary>
    /// Rewrites the requirements so that torch, torchvision and torchaudio come as the wheels built for the image's
    /// CUDA (or the CPU wheels), the way Cog does: the pin is completed from the table (<c>2.3</c> becomes
    /// <c>2.3.1</c>, <c>+cu118</c> is dropped) and the wheel's index is added. Everything else passes through.
    /// </summary>
    internal sealed class FrameworkWheels
    {
        private static readonly string[] Companions = { "torchvision", "torchaudio" };

        private readonly CompatibilityTable _table;
        private readonly ReleaseVersion? _cuda;
        private readonly DiagnosticBag _diagnostics;
        private readonly Func<RequirementLine, string?> _localPackage;
        private static readonly string[] SourceOrder = { "--index-url", "--find-links", "--extra-index-url" };

        /// <summary>Options for the top of the file, in the order found: where pip honours them (it ignores them after a requirement).</summary>
        private readonly List<Located<string>> _sources = new List<Located<string>>();
        private readonly HashSet<string> _sourceTexts = new HashSet<string>(StringComparer.Ordinal);

        /// <param name="cuda">The image's CUDA; null for a CPU image.</param>
        /// <param name="localPackage">Where a line's local archive is in the image, or null when it names none.</param>
        public FrameworkWheels(CompatibilityTable table, ReleaseVersion? cuda, DiagnosticBag diagnostics, Func<RequirementLine, string?> localPackage)
        {
            _table = table;
            _cuda = cuda;
            _diagnostics = diagnostics;
            _localPackage = localPackage;
        }

        /// <summary>The torch build chosen for the first torch line, if any.</summary>
        public TorchBuild? TorchBuild { get; private set; }

        /// <summary>The version pinned on the rewritten torch line, if it is pinned.</summary>
        public string? TorchPin { get; private set; }

        /// <summary>Where torch comes from: the chosen build's index, or the user's own when theirs wins.</summary>
        public string? TorchIndexUrl { get; private set; }

        /// <summary>The lines of the image's requirements.txt, each located where it came from.</summary>
        public IReadOnlyList<Located<string>> Rewrite(IReadOnlyList<RequirementLine> lines)
        {
            // A user who names the PyTorch index, or replaces PyPI, has chosen the wheels: theirs wins, as in Cog.
            string? userIndex = lines
                .SelectMany(l => l.Options)
                .Where(o => o.IsPackageSource && (o.Name == "--index-url" || o.Value!.IndexOf("download.pytorch.org", StringComparison.OrdinalIgnoreCase) >= 0))
                .Select(o => o.Value)
                .FirstOrDefault();

            RequirementLine? torchLine = lines.FirstOrDefault(l => Is(l, "torch"));
            if (userIndex != null)
            {
                TorchIndexUrl = torchLine is null ? null : userIndex;
                TorchPin = torchLine?.Requirement?.PinnedVersion;
            }
            else if (torchLine != null)
            {
                ChooseTorch(torchLine.Requirement!);
            }

            var packages = new List<Located<string>>();
            foreach (RequirementLine line in lines.Where(l => !l.IsConstraint))
            {
                string text = userIndex != null ? HoistInlineOptions(line) : RewriteLine(line, line == torchLine);
                packages.Add(new Located<string>(text, line.Location));
            }

            // Sources first (the user's --index-url, then find-links, then extra indexes), then the other global options.
            return _sources
                .Select((s, i) => (Source: s, Order: Array.IndexOf(SourceOrder, s.Value.Split(' ')[0]), Index: i))
                .OrderBy(s => s.Order < 0 ? SourceOrder.Length : s.Order)
                .ThenBy(s => s.Index)
                .Select(s => s.Source)
                .Concat(packages)
                .ToList();
        }

        private static bool Is(RequirementLine line, string name) =>
            !line.IsConstraint && line.Requirement != null && line.Requirement.Url is null && line.Requirement.NormalizedName == name;

        private void ChooseTorch(PythonRequirement torch)
        {
            ReleaseVersion? pinned = ReleaseVersion.TryParse(torch.PinnedVersion);
            if (pinned != null)
            {
                TorchBuild = BestBuild(_table.TorchMatching(pinned));
                TorchPin = TorchBuild?.PinFor(TorchBuild.Release.Version.Public) ?? torch.PinnedVersion;
            }
            else if (_cuda is null)
            {
                // Unpinned or ranged torch on CPU: the CPU index makes pip prefer the +cpu wheel of whatever version it picks.
                TorchBuild = _table.Torch.Reverse().Select(r => r.CpuBuild).FirstOrDefault(b => b != null);
            }

            TorchIndexUrl = TorchBuild?.IndexUrl ?? TorchBuild?.FindLinks;
        }

        /// <summary>
        /// GPU: among builds for the image's CUDA or older (and with an image, as Cog's table load requires),
        /// the highest CUDA, then the newest release. CPU: the newest release's CPU build.
        /// </summary>
        private TorchBuild? BestBuild(IEnumerable<TorchRelease> releases)
        {
            if (_cuda is null)
            {
                return releases.Reverse().Select(r => r.CpuBuild).FirstOrDefault(b => b != null);
            }

            return releases
                .SelectMany(r => r.GpuBuilds)
                .Where(b => b.Cuda!.CompareTo(_cuda) <= 0 && _table.HasImageFor(b.Cuda))
                .OrderByDescending(b => b.Cuda)
                .ThenByDescending(b => b.Release.Version)
                .FirstOrDefault();
        }

        private string RewriteLine(RequirementLine line, bool isTorchLine)
        {
            if (isTorchLine)
            {
                return TorchBuild is null ? HoistInlineOptions(line) : Install(line, TorchBuild, TorchPin);
            }

            string? companion = Companions.FirstOrDefault(c => Is(line, c));
            return companion is null ? HoistInlineOptions(line) : RewriteCompanion(line, companion);
        }

        /// <summary>torchvision and torchaudio follow torch: same CUDA build, same index, the version released with it.</summary>
        private string RewriteCompanion(RequirementLine line, string name)
        {
            PythonRequirement requirement = line.Requirement!;
            TorchRelease? torchRelease = TorchBuild?.Release;
            ReleaseVersion? pinned = ReleaseVersion.TryParse(requirement.PinnedVersion);
            if (pinned is null)
            {
                string? version = torchRelease is null ? null : CompanionVersion(torchRelease, name);
                bool unconstrained = requirement.Specifiers.Count == 0;
                return unconstrained && version != null ? Install(line, TorchBuild!, TorchBuild!.PinFor(version)) : HoistInlineOptions(line);
            }

            // pip's ==, not Cog's prefix match for torch: "torchvision==0.19" is 0.19.0 (torch 2.4.0), never 0.19.1 (torch 2.4.1).
            var releases = _table.Torch.Where(r => ReleaseVersion.TryParse(CompanionVersion(r, name)) is ReleaseVersion v && v.CompareTo(pinned) == 0).ToList();
            if (torchRelease != null && releases.Count > 0 && !releases.Contains(torchRelease))
            {
                _diagnostics.Warning(
                    ConfigurationMessages.TorchvisionDoesNotMatchTorch,
                    line.Location,
                    name,
                    pinned.Public,
                    string.Join(", ", releases.Select(r => r.Version.Public)),
                    torchRelease.Version.Public,
                    CompanionVersion(torchRelease, name));
            }

            TorchBuild? build = BestBuild(releases.Contains(torchRelease!) ? new[] { torchRelease! } : releases);
            if (build is null)
            {
                if (_cuda != null)
                {
                    _diagnostics.Warning(ConfigurationMessages.TorchvisionUnknownForCuda, line.Location, name + " " + pinned.Public, _cuda.Text);
                }

                return HoistInlineOptions(line);
            }

            return Install(line, build, build.PinFor(CompanionVersion(build.Release, name)!));
        }

        private static string? CompanionVersion(TorchRelease release, string name) => name == "torchvision" ? release.Torchvision : release.Torchaudio;

        /// <summary>The line pinned to <paramref name="version"/>, extras, marker and per-requirement options kept, and the build's index added.</summary>
        private string Install(RequirementLine line, TorchBuild build, string? version)
        {
            AddSource(new PipOption(build.FindLinks != null ? "--find-links" : "--extra-index-url", build.FindLinks ?? build.IndexUrl), line.Location);
            PythonRequirement requirement = line.Requirement!;

            // A range, or a bare name with no version to give it, stays as written: pip chooses from the index just added.
            if (version is null || (requirement.PinnedVersion is null && requirement.Specifiers.Count > 0))
            {
                return HoistInlineOptions(line);
            }

            string extras = requirement.Extras.Count > 0 ? "[" + string.Join(",", requirement.Extras) + "]" : "";
            string marker = requirement.Marker != null ? " ; " + requirement.Marker : "";
            return WithOptions(requirement.Name + extras + "==" + version + marker, line);
        }

        private void AddSource(PipOption option, SourceLocation origin)
        {
            if (option.IsPackageSource && option.Value is null)
            {
                return; // A build served from PyPI itself adds no source.
            }

            string text = option.ToString();
            if (_sourceTexts.Add(text))
            {
                _sources.Add(new Located<string>(text, origin));
            }
        }

        /// <summary>
        /// pip ignores global options (indexes, find-links, --pre, ...) written after a requirement; they move to lines of
        /// their own, where pip honours them (Cog does the same for indexes). Option lines stay as written; a local
        /// archive's line names where the archive is in the image.
        /// </summary>
        private string HoistInlineOptions(RequirementLine line)
        {
            if (line.IsOption)
            {
                return line.Text;
            }

            string? staged = _localPackage(line);
            string requirement = staged is null ? line.RequirementText
                : line.Requirement != null ? DirectReference(line.Requirement, staged)
                : staged + line.TargetSuffix;
            return WithOptions(requirement, line);
        }

        /// <summary><c>name[extras] @ file:///tmp/...</c> for a direct reference to a staged archive.</summary>
        private static string DirectReference(PythonRequirement requirement, string staged)
        {
            string extras = requirement.Extras.Count > 0 ? "[" + string.Join(",", requirement.Extras) + "]" : "";
            string marker = requirement.Marker != null ? " ; " + requirement.Marker : "";
            string url = "file://" + string.Join("/", staged.Split('/').Select(Uri.EscapeDataString));
            return requirement.Name + extras + " @ " + url + marker;
        }

        /// <summary>The requirement with its per-requirement options (<c>--hash</c>, <c>--config-settings</c>); the others go to the top.</summary>
        private string WithOptions(string requirement, RequirementLine line)
        {
            var kept = new List<string> { requirement };
            foreach (PipOption option in line.Options)
            {
                if (option.IsPerRequirement)
                {
                    kept.Add(option.ToString());
                }
                else
                {
                    AddSource(option, line.Location);
                }
            }

            return string.Join(" ", kept);
        }
    }
}
