using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Cog.Sdk.Core.Diagnostics;

namespace Cog.Sdk.Core.Resolve
{
    /// <summary>
    /// Which <c>nvidia/cuda</c> images exist and which CUDA each PyTorch and TensorFlow release was built for.
    /// The shipped table is <c>Resolve/compatibility.json</c>, embedded in this assembly; users extend or replace it
    /// with a file of the same format (CogCompatibilityFile). Format and refresh: docs/compatibility.md.
    /// </summary>
    public sealed class CompatibilityTable
    {
        /// <summary>The manifest name of the embedded default table.</summary>
        public const string DefaultResourceName = "Cog.Sdk.Core.Resolve.compatibility.json";

        /// <summary>The CUDA used when no framework decides it and the table names none: Cog's long-standing default.</summary>
        private const string FallbackDefaultCuda = "11.8";

        private static readonly Lazy<CompatibilityTable> DefaultTable = new Lazy<CompatibilityTable>(LoadDefault);

        // A build evaluates many projects in one process; user tables are parsed once per file version.
        private static readonly Dictionary<string, CachedLoad> LoadCache = new Dictionary<string, CachedLoad>(StringComparer.Ordinal);

        private CompatibilityTable(string source, bool replace, string? defaultCuda, IReadOnlyList<PythonRelease> python, IReadOnlyList<CudaImage> cudaImages, IReadOnlyList<TorchRelease> torch, IReadOnlyList<TensorFlowRelease> tensorFlow)
        {
            Source = source;
            Replace = replace;
            DefaultCudaText = defaultCuda;
            Python = python;
            CudaImages = cudaImages;
            Torch = torch;
            TensorFlow = tensorFlow;
        }

        /// <summary>The table shipped with Cog.Sdk, parsed once per process.</summary>
        public static CompatibilityTable Default => DefaultTable.Value;

        /// <summary>Where the table came from: a file path, or the embedded resource name.</summary>
        public string Source { get; }

        /// <summary>A user table with <c>"replace": true</c> stands alone instead of extending the shipped one.</summary>
        public bool Replace { get; }

        /// <summary>The CUDA for a GPU model that pins no framework (major.minor).</summary>
        public string DefaultCuda => DefaultCudaText ?? FallbackDefaultCuda;

        /// <summary>The Python versions a model can use, ascending: the supported range is data, extendable like the rest.</summary>
        public IReadOnlyList<PythonRelease> Python { get; }

        public IReadOnlyList<CudaImage> CudaImages { get; }

        /// <summary>Releases in ascending version order.</summary>
        public IReadOnlyList<TorchRelease> Torch { get; }

        /// <summary>Releases in ascending version order.</summary>
        public IReadOnlyList<TensorFlowRelease> TensorFlow { get; }

        private string? DefaultCudaText { get; }

        /// <summary>The text of the shipped table, for users who want to read or copy it.</summary>
        public static string ReadDefaultText()
        {
            using Stream stream = typeof(CompatibilityTable).Assembly.GetManifestResourceStream(DefaultResourceName)
                ?? throw new InvalidOperationException($"The embedded resource {DefaultResourceName} is missing from Cog.Sdk.Core.");
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return reader.ReadToEnd();
        }

        /// <summary>
        /// Reads a table file; problems are reported located in that file and give null. Results are cached per
        /// full path and last-write time, so repeated calls in one build cost a file-time check.
        /// </summary>
        public static CompatibilityTable? Load(string path, DiagnosticBag diagnostics)
        {
            string fullPath = Path.GetFullPath(path);
            if (!File.Exists(fullPath))
            {
                diagnostics.Error(ConfigurationMessages.CompatibilityTableUnreadable, new SourceLocation(fullPath), fullPath, "the file does not exist");
                return null;
            }

            DateTime stamp = File.GetLastWriteTimeUtc(fullPath);
            lock (LoadCache)
            {
                if (LoadCache.TryGetValue(fullPath, out CachedLoad? cached) && cached.Stamp == stamp)
                {
                    diagnostics.AddRange(cached.Diagnostics);
                    return cached.Table;
                }
            }

            var found = new DiagnosticBag();
            CompatibilityTable? table = null;
            try
            {
                table = Parse(File.ReadAllText(fullPath), fullPath, found);
            }
            catch (IOException e)
            {
                found.Error(ConfigurationMessages.CompatibilityTableUnreadable, new SourceLocation(fullPath), fullPath, e.Message);
            }
            catch (UnauthorizedAccessException e)
            {
                found.Error(ConfigurationMessages.CompatibilityTableUnreadable, new SourceLocation(fullPath), fullPath, e.Message);
            }

            if (found.HasErrors)
            {
                table = null;
            }

            lock (LoadCache)
            {
                LoadCache[fullPath] = new CachedLoad(stamp, table, found.ToList());
            }

            diagnostics.AddRange(found);
            return table;
        }

        /// <summary>Parses table text; <paramref name="source"/> names the file in diagnostics.</summary>
        public static CompatibilityTable? Parse(string text, string source, DiagnosticBag diagnostics)
        {
            var reader = new CompatibilityTableReader(text, source, diagnostics);
            return reader.Read(out bool replace, out string? defaultCuda, out var python, out var images, out var torch, out var tensorFlow)
                ? new CompatibilityTable(source, replace, defaultCuda, python, images, torch, tensorFlow)
                : null;
        }

        /// <summary>
        /// This table with a user table laid over it: the user's entries are added, and replace ours where they name
        /// the same image tag, torch version or TensorFlow version. A user table marked <c>"replace": true</c> is
        /// returned as it is.
        /// </summary>
        public CompatibilityTable Extend(CompatibilityTable user)
        {
            if (user.Replace)
            {
                return user;
            }

            return new CompatibilityTable(
                Source + " + " + user.Source,
                replace: false,
                user.DefaultCudaText ?? DefaultCudaText,
                Overlay(Python, user.Python, r => r.Version.MajorMinor, r => r.Version, _ => null),
                Overlay(CudaImages, user.CudaImages, i => i.Tag, i => i.Cuda, i => i.Ubuntu),
                Overlay(Torch, user.Torch, r => r.Version.Public, r => r.Version, _ => null),
                Overlay(TensorFlow, user.TensorFlow, r => r.Version.Public, r => r.Version, _ => null));
        }

        /// <summary>The Python release of this major.minor, or null when the table has none.</summary>
        public PythonRelease? PythonFor(int major, int minor) => Python.FirstOrDefault(p => p.Version.Major == major && p.Version.Minor == minor);

        /// <summary>Images whose CUDA matches <paramref name="cuda"/> (11.8 matches 11.8.0).</summary>
        public IEnumerable<CudaImage> ImagesFor(ReleaseVersion cuda) => CudaImages.Where(i => i.Cuda.Matches(cuda));

        /// <summary>Whether any image serves this CUDA: torch builds without one cannot be used, as in Cog.</summary>
        public bool HasImageFor(ReleaseVersion cuda) => ImagesFor(cuda).Any();

        /// <summary>The newest CUDA patch, then the newest Ubuntu, among images of this CUDA and cuDNN major.</summary>
        public CudaImage? BaseImageFor(ReleaseVersion cuda, int cuDnn) =>
            ImagesFor(cuda)
                .Where(i => i.CuDnn == cuDnn)
                .OrderByDescending(i => i.Cuda)
                .ThenByDescending(i => i.Ubuntu)
                .FirstOrDefault();

        /// <summary>The cuDNN majors available for a CUDA version, ascending.</summary>
        public IReadOnlyList<int> CuDnnVersionsFor(ReleaseVersion cuda) => ImagesFor(cuda).Select(i => i.CuDnn).Distinct().OrderBy(c => c).ToList();

        public IEnumerable<TorchRelease> TorchMatching(ReleaseVersion version) => Torch.Where(r => r.Version.Matches(version));

        public IEnumerable<TensorFlowRelease> TensorFlowMatching(ReleaseVersion version) => TensorFlow.Where(r => r.Version.Matches(version));

        private static List<T> Overlay<T>(IReadOnlyList<T> ours, IReadOnlyList<T> theirs, Func<T, string> key, Func<T, ReleaseVersion> order, Func<T, ReleaseVersion?> thenOrder)
        {
            var replaced = new HashSet<string>(theirs.Select(key), StringComparer.Ordinal);
            return ours.Where(e => !replaced.Contains(key(e)))
                .Concat(theirs)
                .OrderBy(order)
                .ThenBy(e => thenOrder(e))
                .ToList();
        }

        private static CompatibilityTable LoadDefault()
        {
            var diagnostics = new DiagnosticBag();
            CompatibilityTable? table = Parse(ReadDefaultText(), DefaultResourceName, diagnostics);
            if (table is null || diagnostics.HasErrors)
            {
                throw new InvalidOperationException("The shipped compatibility table is invalid: " + string.Join("; ", diagnostics));
            }

            return table;
        }

        private sealed class CachedLoad
        {
            public CachedLoad(DateTime stamp, CompatibilityTable? table, IReadOnlyList<Diagnostic> diagnostics)
            {
                Stamp = stamp;
                Table = table;
                Diagnostics = diagnostics;
            }

            public DateTime Stamp { get; }
            public CompatibilityTable? Table { get; }
            public IReadOnlyList<Diagnostic> Diagnostics { get; }
        }
    }
}
