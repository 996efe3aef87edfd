using System;
using System.IO;
using System.Runtime.InteropServices;

namespace Cog.Sdk.Core.Generate
{
    /// <summary>
    /// Hard links, so that staging a multi-gigabyte weights file costs no copy. File.CreateHardLink does not exist on
    /// .NET Framework, hence the P/Invoke. Any failure (another volume, FAT, no permission) falls back to a copy.
    /// </summary>
    internal static class HardLink
    {
        /// <summary>Makes <paramref name="destination"/> (which must not exist) a link to, or else a copy of, <paramref name="source"/>.</summary>
        public static void LinkOrCopy(string source, string destination)
        {
            if (!TryLink(source, destination))
            {
                File.Copy(source, destination, overwrite: true);
                File.SetLastWriteTimeUtc(destination, File.GetLastWriteTimeUtc(source));
            }
        }

        private static bool TryLink(string source, string destination)
        {
            try
            {
                return IsWindows ? CreateHardLinkW(destination, source, IntPtr.Zero) : link(source, destination) == 0;
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
            {
                return false;
            }
        }

        private static bool IsWindows => Path.DirectorySeparatorChar == '\\';

        [DllImport("libc", SetLastError = true)]
        private static extern int link(string oldpath, string newpath);

        [DllImport("kernel32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern bool CreateHardLinkW(string lpFileName, string lpExistingFileName, IntPtr lpSecurityAttributes);
    }
}
