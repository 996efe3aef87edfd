using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace Cog.Sdk.Core.UpToDate
{
    /// <summary>The two things every record in obj/cog needs: a content hash, and a write that leaves the file whole or absent.</summary>
    public static class Stamps
    {
        /// <summary>SHA-256 of the parts, hex; the parts are joined with a separator no path or setting contains.</summary>
        public static string Hash(IEnumerable<string> parts) => Hash(string.Join("\0\n", parts));

        public static string Hash(string text)
        {
            using var sha = SHA256.Create();
            byte[] bytes = sha.ComputeHash(Encoding.UTF8.GetBytes(text));
            return string.Concat(bytes.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
        }

        /// <summary>Writes to a temporary file and renames it over <paramref name="path"/>: an interrupted build leaves no half-written record.</summary>
        public static void WriteAtomically(string path, string text)
        {
            string temporary = path + ".tmp";
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            File.WriteAllText(temporary, text);
            if (File.Exists(path))
            {
                File.Replace(temporary, path, destinationBackupFileName: null);
            }
            else
            {
                File.Move(temporary, path);
            }
        }
    }
}
