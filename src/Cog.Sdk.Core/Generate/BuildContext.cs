using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

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
    /// never written to and staging gigabytes of weights costs no copy.
    /// </summary>
    public sealed class BuildContext
    {
        /// <summary>Files from this size on are weights: they get their own layer, copied before the code.</summary>
        public const long LargeFileThreshold = 10L * 1024 * 1024;

        /// <summary>Never part of a model, at any depth.</summary>
        public static readonly IReadOnlyList<string> ExcludedFolderNames = new[] { ".git", ".vs", ".idea", ".vscode", "__pycache__", ".cog" };

        /// <summary>MSBuild's output folders, excluded at the project root.</summary>
        public static readonly IReadOnlyList<string> ExcludedRootFolders = new[] { "bin", "obj" };

        private BuildContext(IReadOnlyList<ContextFile> files, IReadOnlyDictionary<string, string> generatedFiles)
        {
            Files = files;
            GeneratedFiles = generatedFiles;
        }

        /// <summary>Files linked into the context, sorted by context path.</summary>
        public IReadOnlyList<ContextFile> Files { get; }

        /// <summary>Files written into the context, by context path.</summary>
        public IReadOnlyDictionary<string, string> GeneratedFiles { get; }

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
            var ignore = DockerIgnore.Load(Path.Combine(projectDirectory, ".dockerignore"));
            var excluded = new HashSet<string>(
                (excludedDirectories ?? Array.Empty<string>()).Select(d => Path.GetFullPath(d).TrimEnd(Path.DirectorySeparatorChar)),
                StringComparer.Ordinal);

            foreach (var (file, relative) in Walk(projectDirectory, "", excluded, ignore, isProject: true))
            {
                string folder = file.Length >= LargeFileThreshold ? DockerfileGenerator.WeightsFolder : DockerfileGenerator.SourceFolder;
                files.Add(new ContextFile(file.FullName, folder + "/" + relative, file.Length, file.LastWriteTimeUtc));
            }

            if (runtimeDirectory != null)
            {
                foreach (var (file, relative) in Walk(runtimeDirectory, "", excluded, DockerIgnore.Empty, isProject: false))
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
            return new BuildContext(files, generated);
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
            return new BuildContext(files, new SortedDictionary<string, string>(generatedFiles.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal));
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

                if (new FileInfo(file.SourcePath).Attributes.HasFlag(FileAttributes.ReparsePoint))
                {
                    // A link to a symbolic link would be the link itself; the engine needs the content.
                    File.Copy(file.SourcePath, target);
                }
                else
                {
                    HardLink.LinkOrCopy(file.SourcePath, target);
                }
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

        private static IEnumerable<(FileInfo File, string Relative)> Walk(
            string directory,
            string relativePrefix,
            HashSet<string> excludedDirectories,
            DockerIgnore ignore,
            bool isProject)
        {
            var info = new DirectoryInfo(directory);
            foreach (FileSystemInfo entry in info.EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                string relative = relativePrefix + entry.Name;
                if (entry is DirectoryInfo folder)
                {
                    // Folder links are not followed: they may loop, or lead far outside the model.
                    if (folder.Attributes.HasFlag(FileAttributes.ReparsePoint)
                        || ExcludedFolderNames.Contains(folder.Name)
                        || excludedDirectories.Contains(folder.FullName.TrimEnd(Path.DirectorySeparatorChar))
                        || (isProject && relativePrefix.Length == 0 && ExcludedRootFolders.Contains(relative)))
                    {
                        continue;
                    }

                    // Not pruned by .dockerignore: a '!' pattern may bring back a file inside an excluded folder.
                    foreach (var child in Walk(folder.FullName, relative + "/", excludedDirectories, ignore, isProject))
                    {
                        yield return child;
                    }
                }
                else if (entry is FileInfo file && !ignore.IsExcluded(relative))
                {
                    yield return (file, relative);
                }
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
