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
        private static readonly string[] SourceOrder = { "--index-url", "--find-links", "--extra-index-url" };

        /// <summary>Index options for the top of the file, in the order found, as (option, url).</summary>
        private readonly List<(string Option, string Url)> _sources = new List<(string Option, string Url)>();

        /// <param name="cuda">The image's CUDA; null for a CPU image.</param>
        public FrameworkWheels(CompatibilityTable table, ReleaseVersion? cuda, DiagnosticBag diagnostics)
        {
            _table = table;
            _cuda = cuda;
            _diagnostics = diagnostics;
        }

        /// <summary>The torch build chosen for the first torch line, if any.</summary>
        public TorchBuild? TorchBuild { get; private set; }

        /// <summary>The version pinned on the rewritten torch line, if it is pinned.</summary>
        public string? TorchPin { get; private set; }

        /// <summary>Where torch comes from: the chosen build's index, or the user's own when theirs wins.</summary>
        public string? TorchIndexUrl { get; private set; }

        public IReadOnlyList<string> Rewrite(IReadOnlyList<RequirementLine> lines)
        {
            // A user who names the PyTorch index, or replaces PyPI, has chosen the wheels: theirs wins, as in Cog.
            string? userIndex = lines
                .SelectMany(l => l.IndexOptions())
                .Where(o => o.Name == "--index-url" || o.Url.IndexOf("download.pytorch.org", StringComparison.OrdinalIgnoreCase) >= 0)
                .Select(o => o.Url)
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

            var packages = new List<string>();
            foreach (RequirementLine line in lines.Where(l => !l.IsConstraint))
            {
                packages.Add(userIndex != null ? HoistInlineIndexes(line) : RewriteLine(line, line == torchLine));
            }

            return _sources
                .OrderBy(s => Array.IndexOf(SourceOrder, s.Option))
                .Select(s => s.Option + " " + s.Url)
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
                return TorchBuild is null ? HoistInlineIndexes(line) : Install(line, TorchBuild, TorchPin);
            }

            string? companion = Companions.FirstOrDefault(c => Is(line, c));
            return companion is null ? HoistInlineIndexes(line) : RewriteCompanion(line, companion);
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
                return unconstrained && version != null ? Install(line, TorchBuild!, TorchBuild!.PinFor(version)) : HoistInlineIndexes(line);
            }

            var releases = _table.Torch.Where(r => ReleaseVersion.TryParse(CompanionVersion(r, name)) is ReleaseVersion v && v.Matches(pinned)).ToList();
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

                return HoistInlineIndexes(line);
            }

            return Install(line, build, build.PinFor(CompanionVersion(build.Release, name)!));
        }

        private static string? CompanionVersion(TorchRelease release, string name) => name == "torchvision" ? release.Torchvision : release.Torchaudio;

        /// <summary>The line pinned to <paramref name="version"/>, extras, marker and other inline options kept, and the build's index added.</summary>
        private string Install(RequirementLine line, TorchBuild build, string? version)
        {
            AddSource(build.FindLinks != null ? "--find-links" : "--extra-index-url", build.FindLinks ?? build.IndexUrl);
            PythonRequirement requirement = line.Requirement!;

            // A range, or a bare name with no version to give it, stays as written: pip chooses from the index just added.
            if (version is null || (requirement.PinnedVersion is null && requirement.Specifiers.Count > 0))
            {
                return HoistInlineIndexes(line);
            }

            string extras = requirement.Extras.Count > 0 ? "[" + string.Join(",", requirement.Extras) + "]" : "";
            string marker = requirement.Marker != null ? " ; " + requirement.Marker : "";
            return string.Join(" ", new[] { requirement.Name + extras + "==" + version + marker }.Concat(HoistedInlineOptions(line)));
        }

        private void AddSource(string option, string? url)
        {
            if (url != null && !_sources.Contains((option, url)))
            {
                _sources.Add((option, url));
            }
        }

        /// <summary>Index options written after a requirement move to lines of their own, where pip honours them (Cog does the same).</summary>
        private string HoistInlineIndexes(RequirementLine line)
        {
            if (line.IsOption || line.InlineOptions.Count == 0)
            {
                return line.Text;
            }

            return string.Join(" ", new[] { line.Requirement?.Text.Trim() ?? line.Text }.Concat(HoistedInlineOptions(line)));
        }

        /// <summary>Moves the line's inline index options to <see cref="_sources"/>; returns the other inline options.</summary>
        private IEnumerable<string> HoistedInlineOptions(RequirementLine line)
        {
            foreach (var (name, url) in line.IndexOptions())
            {
                AddSource(name, url);
            }

            return line.InlineOptions.Where(o => !IsIndexOption(o)).ToList();
        }

        private static bool IsIndexOption(string option)
        {
            string name = RequirementLine.SplitOption(option).Name;
            return name == "--extra-index-url" || name == "--find-links" || name == "--index-url";
        }
    }
}
