using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Cog.Sdk.Core.Generate
{
    /// <summary>
    /// Where symbolic links lead, for deciding what may enter the build context. .NET Framework (Visual Studio's MSBuild)
    /// cannot read links (<see cref="CanResolve"/>): there no link is followed.
    /// </summary>
    internal static class SymbolicLink
    {
#if NET
        public static bool CanResolve { get; } = true;
#else
        public static bool CanResolve { get; } = false;
#endif

        /// <summary>At most this many links on one path, as the kernel's ELOOP limit: more is a loop.</summary>
        private const int MaxLinks = 40;

        private static readonly char[] Separators = { Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar };

        public static StringComparison PathComparison { get; } =
            Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

        public static bool IsLink(FileSystemInfo entry) => entry.Attributes.HasFlag(FileAttributes.ReparsePoint);

        /// <summary>The target as the link writes it, for messages; null where it cannot be read.</summary>
        public static string? TargetOf(FileSystemInfo link)
        {
#if NET
            try
            {
                return link.LinkTarget;
            }
            catch (IOException)
            {
                return null;
            }
#else
            return null;
#endif
        }

        /// <summary>
        /// The path with every link in it followed, component by component as realpath(3) does, so that a link to a path
        /// that runs through another link is judged by where it really ends. Null when it leads to nothing that exists, or
        /// round in a loop, or where links cannot be read.
        /// </summary>
        public static string? RealPath(string path)
        {
            if (!CanResolve)
            {
                return null;
            }

            string full = Path.GetFullPath(path);
            string resolved = Path.GetPathRoot(full)!;
            var pending = new List<string>(Split(full.Substring(resolved.Length)));
            int followed = 0;
            while (pending.Count > 0)
            {
                string part = pending[0];
                pending.RemoveAt(0);
                if (part == "..")
                {
                    // What is resolved so far holds no link, so its parent is its real parent.
                    resolved = Path.GetDirectoryName(resolved) ?? resolved;
                    continue;
                }

                string next = Path.Combine(resolved, part);
                string? target = TargetOf(new FileInfo(next));
                if (target == null)
                {
                    if (!File.Exists(next) && !Directory.Exists(next))
                    {
                        return null;
                    }

                    resolved = next;
                    continue;
                }

                if (++followed > MaxLinks)
                {
                    return null;
                }

                if (Path.IsPathRooted(target))
                {
                    resolved = Path.GetPathRoot(target)!;
                    target = target.Substring(resolved.Length);
                }

                pending.InsertRange(0, Split(target));
            }

            return File.Exists(resolved) || Directory.Exists(resolved) ? resolved : null;
        }

        /// <summary>Whether <paramref name="path"/> is <paramref name="folder"/> or inside it (both full paths).</summary>
        public static bool IsInside(string path, string folder)
        {
            folder = folder.TrimEnd(Separators);
            return path.Equals(folder, PathComparison)
                || (path.StartsWith(folder, PathComparison) && path.Length > folder.Length && Separators.Contains(path[folder.Length]));
        }

        private static IEnumerable<string> Split(string path) =>
            path.Split(Separators, StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".");
    }
}
