using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;

namespace Cog.Sdk.Core.Predict
{
    /// <summary>
    /// File extensions and MIME types, both ways. Files travel to and from the model inline as data URLs
    /// (there is no upload server), so the MIME type is all that tells the output file its extension. The table is the
    /// runtime's own (cog/mime_types.json, embedded), so that a file's name here and its type in the image agree.
    /// </summary>
    public static class MimeTypes
    {
        public const string Unknown = "application/octet-stream";

        private static readonly KeyValuePair<string, string>[] Table = Read();

        /// <summary>The MIME type of a file by its extension; <see cref="Unknown"/> for an extension the table does not know.</summary>
        public static string FromFileName(string path) => First(Path.GetExtension(path), row => row.Key, row => row.Value) ?? Unknown;

        /// <summary>The extension (with its dot) for a MIME type; "" for an unknown type.</summary>
        public static string ToExtension(string mimeType) => First(mimeType, row => row.Value, row => row.Key) ?? "";

        // The first row for a MIME type gives its extension (".jpg" rather than ".jpeg"), the first for an extension its type.
        private static string? First(string key, Func<KeyValuePair<string, string>, string> keyOf, Func<KeyValuePair<string, string>, string> valueOf)
        {
            foreach (var row in Table)
            {
                if (string.Equals(keyOf(row), key, StringComparison.OrdinalIgnoreCase))
                {
                    return valueOf(row);
                }
            }

            return null;
        }

        private static KeyValuePair<string, string>[] Read()
        {
            using var stream = typeof(MimeTypes).Assembly.GetManifestResourceStream("Cog.Sdk.Core.Predict.mime_types.json")!;
            using var reader = new StreamReader(stream);
            var types = (JsonArray)JsonText.ParseObject(reader.ReadToEnd())!["types"]!;
            return types.Select(row => new KeyValuePair<string, string>(row![0]!.GetValue<string>(), row[1]!.GetValue<string>())).ToArray();
        }
    }

    /// <summary>A decoded <c>data:</c> URL (RFC 2397).</summary>
    public sealed class DataUrl
    {
        private const string Scheme = "data:";

        public DataUrl(string mimeType, byte[] content)
        {
            MimeType = mimeType;
            Content = content;
        }

        public string MimeType { get; }
        public byte[] Content { get; }

        public static string FromFile(string path) =>
            Scheme + MimeTypes.FromFileName(path) + ";base64," + Convert.ToBase64String(File.ReadAllBytes(path));

        public static bool IsDataUrl(string? text) =>
            text != null && text.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) && text.IndexOf(',') > 0;

        /// <summary>Decodes "data:[type][;param...][;base64],payload"; false when the text is not such a URL.</summary>
        public static bool TryParse(string? text, out DataUrl? dataUrl)
        {
            dataUrl = null;
            if (!IsDataUrl(text))
            {
                return false;
            }

            int comma = text!.IndexOf(',');
            string[] header = text.Substring(Scheme.Length, comma - Scheme.Length).Split(';');
            string payload = text.Substring(comma + 1);
            string mimeType = header[0].Length == 0 ? "text/plain" : header[0].Trim();
            bool base64 = string.Equals(header[header.Length - 1].Trim(), "base64", StringComparison.OrdinalIgnoreCase);
            try
            {
                byte[] content = base64
                    ? Convert.FromBase64String(payload)
                    : Encoding.UTF8.GetBytes(Uri.UnescapeDataString(payload));
                dataUrl = new DataUrl(mimeType, content);
                return true;
            }
            catch (FormatException)
            {
                return false;
            }
        }
    }
}
