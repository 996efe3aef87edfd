using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using Cog.Sdk.Core.Diagnostics;

namespace Cog.Sdk.Core.Generate
{
    /// <summary>A file that goes into the build context: where it is, where it goes, and what stat says about it.</summary>
    public sealed class ContextFile
    {
        public ContextFile(string sourcePath, string contextPath, long length, DateTime lastWriteTimeUtc)
        {
            SourcePath = sourcePath;
            ContextPath = contextPath;
            Length = length;
            LastWriteTimeUtc = lastWriteTimeUtc;
        }

        public string SourcePath { get; }

        /// <summary>'/' separated, relative to the context: <c>src/predict.py</c>, <c>weights/model.bin</c>, <c>cog/runtime/cog/...</c>.</summary>
        public string ContextPath { get; }

        public long Length { get; }
        public DateTime LastWriteTimeUtc { get; }
    }

    /// <summary>
    /// The files the engine gets, and nothing else: the model's files without build outputs, VCS and IDE folders,
    /// caches and whatever the user's .dockerignore excludes (read, never rewritten); large files separated from code;
    /// the runtime; the generated files. The context is staged under obj/ with hard links, so the project folder is
    /// never written to and staging gigabytes of weights costs no copy. Nothing from outside the model's folder enters it:
    /// a symbolic link is followed only to what the context would hold anyway; any other link is left out with a warning.
    /// </summary>
    public sealed class BuildContext
    {
        /// <summary>Files from this size on are weights: they get their own layer, copied before the code.</summary>
        public const long LargeFileThreshold = 10L * 1024 * 1024;

        /// <summary>Never part of a model, at any depth.</summary>
        public static readonly IReadOnlyList<string> ExcludedFolderNames = new[] { ".git", ".vs", ".idea", ".vscode", "__pycache__", ".cog" };

        /// <summary>MSBuild's output folders, excluded at the project root.</summary>
        public static readonly IReadOnlyList<string> ExcludedRootFolders = new[] { "bin", "obj" };

        private BuildContext(IReadOnlyList<ContextFile> files, IReadOnlyDictionary<string, string> generatedFiles, IReadOnlyList<Diagnostic> warnings)
        {
            Files = files;
            GeneratedFiles = generatedFiles;
            Warnings = warnings;
        }

        /// <summary>Files linked into the context, sorted by context path.</summary>
        public IReadOnlyList<ContextFile> Files { get; }

        /// <summary>Files written into the context, by context path.</summary>
        public IReadOnlyDictionary<string, string> GeneratedFiles { get; }

        /// <summary>The symbolic links left out (COG3009, COG3010), each located at the link.</summary>
        public IReadOnlyList<Diagnostic> Warnings { get; }

        /// <summary>
        /// Lists the context by stat only (no file is read but .dockerignore).
        /// <paramref name="excludedDirectories"/> are further folders to leave out, e.g. a custom intermediate folder.
        /// </summary>
        /// <param name="localPackages">Project files (relative, '/' separated) that requirements install: staged under cog/local_packages whatever .dockerignore says, as Cog does.</param>
        public static BuildContext Collect(
            string projectDirectory,
            string? runtimeDirectory,
            IReadOnlyDictionary<string, string> generatedFiles,
            IEnumerable<string>? excludedDirectories = null,
            IEnumerable<string>? localPackages = null)
        {
            var files = new List<ContextFile>();
            var warnings = new List<Diagnostic>();
            var ignore = DockerIgnore.Load(Path.Combine(projectDirectory, ".dockerignore"));
            var excluded = new HashSet<string>(
                (excludedDirectories ?? Array.Empty<string>())
                    .Select(d => Path.GetFullPath(d).TrimEnd(Path.DirectorySeparatorChar))
                    .SelectMany(d => new[] { d, SymbolicLink.RealPath(d) ?? d }),
                SymbolicLink.PathComparison == StringComparison.Ordinal ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase);

            foreach (var (file, relative) in new Walker(projectDirectory, ignore, excluded, isProject: true, warnings).Files())
            {
                string folder = file.Length >= LargeFileThreshold ? DockerfileGenerator.WeightsFolder : DockerfileGenerator.SourceFolder;
                files.Add(new ContextFile(file.FullName, folder + "/" + relative, file.Length, file.LastWriteTimeUtc));
            }

            if (runtimeDirectory != null)
            {
                foreach (var (file, relative) in new Walker(runtimeDirectory, DockerIgnore.Empty, excluded, isProject: false, warnings).Files())
                {
                    files.Add(new ContextFile(file.FullName, DockerfileGenerator.RuntimeFolder + "/cog/" + relative, file.Length, file.LastWriteTimeUtc));
                }
            }

            foreach (string package in localPackages ?? Array.Empty<string>())
            {
                var file = new FileInfo(Path.Combine(projectDirectory, package.Replace('/', Path.DirectorySeparatorChar)));
                if (file.Exists)
                {
                    files.Add(new ContextFile(file.FullName, DockerfileGenerator.LocalPackagesFolder + "/" + package, file.Length, file.LastWriteTimeUtc));
                }
            }

            files.Sort((a, b) => string.CompareOrdinal(a.ContextPath, b.ContextPath));
            var generated = new SortedDictionary<string, string>(generatedFiles.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal);
            return new BuildContext(files, generated, warnings);
        }

        /// <summary>
        /// A context listed earlier (<see cref="Collect"/>, handed from one build step to the next as items): each file by
        /// where it is and where it goes, stat'ed again now.
        /// </summary>
        public static BuildContext Of(IEnumerable<KeyValuePair<string, string>> sourceToContextPath, IReadOnlyDictionary<string, string> generatedFiles)
        {
            var files = sourceToContextPath
                .Select(pair => (Info: new FileInfo(pair.Key), ContextPath: pair.Value))
                .Select(f => new ContextFile(f.Info.FullName, f.ContextPath, f.Info.Exists ? f.Info.Length : 0, f.Info.Exists ? f.Info.LastWriteTimeUtc : DateTime.MinValue))
                .OrderBy(f => f.ContextPath, StringComparer.Ordinal)
                .ToList();
            return new BuildContext(files, new SortedDictionary<string, string>(generatedFiles.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal), Array.Empty<Diagnostic>());
        }

        /// <summary>
        /// Makes <paramref name="contextDirectory"/> hold exactly this context: links new and changed files, writes
        /// generated files whose content differs, removes what is no longer part of it.
        /// </summary>
        public void Stage(string contextDirectory)
        {
            contextDirectory = Path.GetFullPath(contextDirectory);
            Directory.CreateDirectory(contextDirectory);
            var wanted = new HashSet<string>(StringComparer.Ordinal);
            foreach (ContextFile file in Files)
            {
                string target = ContextPathToFull(contextDirectory, file.ContextPath);
                wanted.Add(target);
                var staged = new FileInfo(target);
                if (staged.Exists && staged.Length == file.Length && staged.LastWriteTimeUtc == file.LastWriteTimeUtc)
                {
                    continue; // The same link, or a copy of the same version.
                }

                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                if (staged.Exists)
                {
                    staged.Delete();
                }

                // The source is a real file: a followed link's source is where the link leads.
                HardLink.LinkOrCopy(file.SourcePath, target);
            }

            foreach (var pair in GeneratedFiles)
            {
                string target = ContextPathToFull(contextDirectory, pair.Key);
                wanted.Add(target);
                FileWrites.WriteIfChanged(target, pair.Value);
            }

            RemoveStale(contextDirectory, wanted);

            // COPY of a missing folder fails, and the Dockerfile copies both whether or not they have files.
            Directory.CreateDirectory(Path.Combine(contextDirectory, DockerfileGenerator.SourceFolder));
            Directory.CreateDirectory(Path.Combine(contextDirectory, DockerfileGenerator.WeightsFolder));
        }

        private static string ContextPathToFull(string contextDirectory, string contextPath) =>
            Path.Combine(contextDirectory, contextPath.Replace('/', Path.DirectorySeparatorChar));

        /// <summary>
        /// Lists a folder's files for the context, by stat only. A symbolic link (named in .dockerignore: left out quietly) is
        /// followed only when it leads, through any number of links, to a file or folder inside the folder that the context
        /// would hold anyway, and not to a folder above it (a loop); a followed link's files keep the link's path. Any other
        /// link is left out with a warning at the link: outside the folder (COG3009), or leading nowhere or to something
        /// left out (COG3010).
        /// </summary>
        private sealed class Walker
        {
            private readonly string _root;
            private readonly string _realRoot;
            private readonly DockerIgnore _ignore;
            private readonly HashSet<string> _excludedDirectories;
            private readonly bool _isProject;
            private readonly List<Diagnostic> _warnings;

            public Walker(string root, DockerIgnore ignore, HashSet<string> excludedDirectories, bool isProject, List<Diagnostic> warnings)
            {
                _root = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar);
                _realRoot = SymbolicLink.RealPath(_root) ?? _root;
                _ignore = ignore;
                _excludedDirectories = excludedDirectories;
                _isProject = isProject;
                _warnings = warnings;
            }

            public IEnumerable<(FileInfo File, string Relative)> Files() => Walk(_root, "", new[] { _realRoot });

            /// <param name="realFolders">The real paths of the folders being walked, outermost first: a link back to one is a loop.</param>
            private IEnumerable<(FileInfo File, string Relative)> Walk(string directory, string relativePrefix, IReadOnlyList<string> realFolders)
            {
                foreach (FileSystemInfo entry in new DirectoryInfo(directory).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
                {
                    string relative = relativePrefix + entry.Name;
                    if (SymbolicLink.IsLink(entry))
                    {
                        if (_ignore.IsExcluded(relative))
                        {
                            continue;
                        }

                        string? real = SymbolicLink.RealPath(entry.FullName);
                        bool isFolder = real != null && Directory.Exists(real);
                        if (NotFollowed(entry, relative, real, isFolder, realFolders) is Diagnostic warning)
                        {
                            _warnings.Add(warning);
                        }
                        else if (isFolder)
                        {
                            foreach (var child in Walk(real!, relative + "/", realFolders.Concat(new[] { real! }).ToList()))
                            {
                                yield return child;
                            }
                        }
                        else
                        {
                            yield return (new FileInfo(real!), relative);
                        }
                    }
                    else if (entry is DirectoryInfo folder)
                    {
                        if (IsExcludedFolder(folder.FullName, relative))
                        {
                            continue;
                        }

                        // Not pruned by .dockerignore: a '!' pattern may bring back a file inside an excluded folder.
                        string realFolder = Path.Combine(realFolders[realFolders.Count - 1], folder.Name);
                        foreach (var child in Walk(folder.FullName, relative + "/", realFolders.Concat(new[] { realFolder }).ToList()))
                        {
                            yield return child;
                        }
                    }
                    else if (entry is FileInfo file && !_ignore.IsExcluded(relative))
                    {
                        yield return (file, relative);
                    }
                }
            }

            /// <summary>Why a link is not followed, as the warning at the link; null when it is followed.</summary>
            private Diagnostic? NotFollowed(FileSystemInfo link, string relative, string? real, bool isFolder, IReadOnlyList<string> realFolders)
            {
                var at = new SourceLocation(link.FullName);
                string target = SymbolicLink.TargetOf(link) ?? real ?? "?";
                if (real != null && !SymbolicLink.IsInside(real, _realRoot))
                {
                    return Diagnostic.Warning(ProcessMessages.LinkOutsideModel, at, relative, target);
                }

                string? why =
                    !SymbolicLink.CanResolve ? "Visual Studio's MSBuild (.NET Framework) cannot check; 'dotnet build' follows links inside the folder"
                    : real == null ? "does not exist (or the links lead round in a loop)"
                    : isFolder && realFolders.Any(f => SymbolicLink.IsInside(f, real)) ? "is a folder that holds the link itself"
                    : IsLeftOut(real, isFolder) ? "is itself left out of the build context (bin/, obj/, .git, .dockerignore, ...)"
                    : null;
                return why == null ? null : Diagnostic.Warning(ProcessMessages.LinkNotFollowed, at, relative, target, why);
            }

            /// <summary>Folders never part of the context: VCS and IDE folders and caches anywhere, bin/ and obj/ at the project root.</summary>
            private bool IsExcludedFolder(string fullPath, string relative) =>
                ExcludedFolderNames.Contains(Path.GetFileName(relative))
                || _excludedDirectories.Contains(fullPath.TrimEnd(Path.DirectorySeparatorChar))
                || (_isProject && relative.IndexOf('/') < 0 && ExcludedRootFolders.Contains(relative));

            /// <summary>Whether a path inside the folder is one the context leaves out, judged by its own place in the folder.</summary>
            private bool IsLeftOut(string real, bool isFolder)
            {
                string relative = real.Substring(_realRoot.Length).TrimStart(Path.DirectorySeparatorChar).Replace(Path.DirectorySeparatorChar, '/');
                string[] segments = relative.Split('/');
                string[] folders = isFolder ? segments : segments.Take(segments.Length - 1).ToArray();
                string folderPath = _realRoot;
                for (int i = 0; i < folders.Length; i++)
                {
                    folderPath = Path.Combine(folderPath, folders[i]);
                    if (IsExcludedFolder(folderPath, string.Join("/", folders, 0, i + 1)))
                    {
                        return true;
                    }
                }

                return !isFolder && _ignore.IsExcluded(relative);
            }
        }

        private static void RemoveStale(string directory, HashSet<string> wanted)
        {
            foreach (string file in Directory.GetFiles(directory))
            {
                if (!wanted.Contains(file))
                {
                    File.Delete(file);
                }
            }

            foreach (string folder in Directory.GetDirectories(directory))
            {
                RemoveStale(folder, wanted);
                if (Directory.GetFileSystemEntries(folder).Length == 0)
                {
                    Directory.Delete(folder);
                }
            }
        }
    }
}
