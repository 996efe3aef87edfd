using System.IO;
using System.Text;

namespace Cog.Sdk.Core
{
    /// <summary>
    /// How Cog.Sdk writes its files under obj/: only when the content changes (MSBuild decides what is up to date by
    /// timestamps, so an unchanged file must keep its own), and whole or not at all.
    /// </summary>
    public static class FileWrites
    {
        private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

        /// <summary>Writes <paramref name="content"/> unless the file already holds it; true when it wrote.</summary>
        public static bool WriteIfChanged(string path, string content)
        {
            if (File.Exists(path) && File.ReadAllText(path) == content)
            {
                return false;
            }

            WriteAtomically(path, content);
            return true;
        }

        /// <summary>Writes to a temporary file and renames it over <paramref name="path"/>: an interrupted build leaves no half-written file.</summary>
        public static void WriteAtomically(string path, string content)
        {
            string full = Path.GetFullPath(path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            string temporary = full + "." + System.Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp";
            File.WriteAllText(temporary, content, Utf8);
            MoveOver(temporary, full);
        }

        /// <summary>Renames a finished <paramref name="temporary"/> file (in the same folder) over <paramref name="path"/>, replacing it.</summary>
        public static void MoveOver(string temporary, string path)
        {
            if (File.Exists(path))
            {
                File.Replace(temporary, path, destinationBackupFileName: null);
            }
            else
            {
                File.Move(temporary, path);
            }
        }

        /// <summary>Removes a file that may not exist.</summary>
        public static void Delete(string path)
        {
            if (File.Exists(path))
            {
                File.Delete(path);
            }
        }
    }
}
