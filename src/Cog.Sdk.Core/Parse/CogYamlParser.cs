using System;
using System.IO;
using System.Security;
using System.Text;
using Cog.Sdk.Core.Diagnostics;

namespace Cog.Sdk.Core.Parse
{
    /// <summary>
    /// Reads cog.yaml, in either generation, into a <see cref="CogConfig"/>. Reports the problems of the document
    /// itself (reading, YAML syntax, unknown keys, wrong types, mixed forms); the meaning of the values is checked
    /// by <c>CogConfigValidator</c>. Never throws for a bad input file.
    /// </summary>
    public static class CogYamlParser
    {
        /// <summary>A cog.yaml is a few hundred bytes; the cap bounds the memory and time any input can take.</summary>
        public const int MaxFileBytes = 1024 * 1024;

        /// <returns>The configuration, or null when the file cannot be read or is not usable YAML.</returns>
        public static CogConfig? Parse(string configPath, DiagnosticBag diagnostics)
        {
            string? fullPath = FullPathOf(configPath, diagnostics);
            string? text = fullPath == null ? null : ReadText(fullPath, diagnostics);
            if (fullPath == null || text == null || !HasSpaceIndentationOnly(text, fullPath, diagnostics))
            {
                return null;
            }

            YamlNode? root = YamlTreeReader.Read(text, fullPath, diagnostics);
            if (root == null)
            {
                return null;
            }

            var config = new CogConfig
            {
                FilePath = fullPath,
                ProjectDirectory = Path.GetDirectoryName(fullPath) ?? "",
            };
            new CogConfigReader(config, diagnostics).Read(root);
            return config;
        }

        private static string? FullPathOf(string configPath, DiagnosticBag diagnostics)
        {
            try
            {
                return Path.GetFullPath(configPath);
            }
            catch (Exception e) when (e is ArgumentException || e is NotSupportedException || e is IOException || e is SecurityException)
            {
                diagnostics.Error(ConfigurationMessages.ConfigFileUnreadable, new SourceLocation(configPath), configPath, e.Message);
                return null;
            }
        }

        private static string? ReadText(string path, DiagnosticBag diagnostics)
        {
            var fileLocation = new SourceLocation(path);
            try
            {
                if (Directory.Exists(path))
                {
                    diagnostics.Error(ConfigurationMessages.ConfigPathIsDirectory, fileLocation, path);
                    return null;
                }

                if (!File.Exists(path))
                {
                    diagnostics.Error(ConfigurationMessages.ConfigFileMissing, fileLocation, path);
                    return null;
                }

                long length = new FileInfo(path).Length;
                if (length > MaxFileBytes)
                {
                    diagnostics.Error(ConfigurationMessages.ConfigFileTooLarge, fileLocation, length, MaxFileBytes);
                    return null;
                }

                byte[] bytes = File.ReadAllBytes(path);
                int nul = Array.IndexOf(bytes, (byte)0);
                if (nul >= 0)
                {
                    diagnostics.Error(ConfigurationMessages.ConfigHoldsNul, LocateByte(path, bytes, nul));
                    return null;
                }

                bool bom = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF;
                int start = bom ? 3 : 0;
                return new UTF8Encoding(false, true).GetString(bytes, start, bytes.Length - start);
            }
            catch (DecoderFallbackException)
            {
                diagnostics.Error(ConfigurationMessages.ConfigNotUtf8, fileLocation);
                return null;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is SecurityException || e is NotSupportedException)
            {
                diagnostics.Error(ConfigurationMessages.ConfigFileUnreadable, fileLocation, path, e.Message);
                return null;
            }
        }

        private static SourceLocation LocateByte(string path, byte[] bytes, int index)
        {
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < index; i++)
            {
                if (bytes[i] == (byte)'\n')
                {
                    line++;
                    lineStart = i + 1;
                }
            }

            return new SourceLocation(path, line, index - lineStart + 1);
        }

        /// <summary>
        /// YAML forbids tabs in indentation, and YamlDotNet's own complaint about them is cryptic; every such line is
        /// reported with a message that says what to do, and the document is not parsed further.
        /// </summary>
        private static bool HasSpaceIndentationOnly(string text, string path, DiagnosticBag diagnostics)
        {
            bool clean = true;
            string[] lines = text.Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i];
                int first = 0;
                while (first < line.Length && (line[first] == ' ' || line[first] == '\t'))
                {
                    first++;
                }

                int tab = line.IndexOf('\t', 0, first);
                bool blank = first >= line.Length || line[first] == '\r' || line[first] == '#';
                if (tab >= 0 && !blank)
                {
                    diagnostics.Error(ConfigurationMessages.YamlTabIndent, new SourceLocation(path, i + 1, tab + 1));
                    clean = false;
                }
            }

            return clean;
        }
    }
}
