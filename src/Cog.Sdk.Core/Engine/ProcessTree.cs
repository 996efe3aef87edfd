using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;

namespace Cog.Sdk.Core.Engine
{
    /// <summary>
    /// Kills a child process with everything it started. On Linux the whole tree is found first and then killed at
    /// once: podman runs a build's RUN step under a helper that dies with podman, and Process.Kill(entireProcessTree)
    /// stops at a process that has already gone, so the step (a pip install, a download) would go on running alone.
    /// </summary>
    internal static class ProcessTree
    {
        private const int SigKill = 9;

        public static void Kill(Process process)
        {
            try
            {
                if (process.HasExited)
                {
                    return;
                }

                if (Directory.Exists("/proc/self"))
                {
                    foreach (int pid in WithDescendants(process.Id))
                    {
                        kill(pid, SigKill);
                    }

                    return;
                }

#if NETFRAMEWORK
                process.Kill();
#else
                process.Kill(entireProcessTree: true);
#endif
            }
            catch (InvalidOperationException)
            {
                // It exited between the check and the kill.
            }
        }

        /// <summary><paramref name="root"/> and every process below it, parents first, as /proc shows them now.</summary>
        private static List<int> WithDescendants(int root)
        {
            var children = new Dictionary<int, List<int>>();
            foreach (string directory in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && ParentOf(directory) is int parent)
                {
                    if (!children.TryGetValue(parent, out var list))
                    {
                        children[parent] = list = new List<int>();
                    }

                    list.Add(pid);
                }
            }

            var tree = new List<int> { root };
            for (int i = 0; i < tree.Count; i++)
            {
                if (children.TryGetValue(tree[i], out var below))
                {
                    tree.AddRange(below.Where(pid => !tree.Contains(pid)));
                }
            }

            return tree;
        }

        // /proc/PID/stat: "PID (COMMAND) STATE PPID ...", where COMMAND may itself hold spaces and parentheses.
        private static int? ParentOf(string processDirectory)
        {
            try
            {
                string stat = File.ReadAllText(Path.Combine(processDirectory, "stat"));
                string[] fields = stat.Substring(stat.LastIndexOf(')') + 1).Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
                return fields.Length > 1 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int parent) ? parent : (int?)null;
            }
            catch (IOException)
            {
                return null; // Gone meanwhile.
            }
            catch (UnauthorizedAccessException)
            {
                return null;
            }
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int kill(int pid, int signal);
    }
}
