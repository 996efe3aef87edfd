using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Cog.Sdk.Core.Predict
{
    /// <summary>
    /// File extensions and MIME types, both ways. Files travel to and from the model inline as data URLs
    /// (there is no upload server), so the MIME type is all that tells the output file its extension.
    /// </summary>
    public static class MimeTypes
    {
        public const string Unknown = "application/octet-stream";

        // The first row for a MIME type gives its extension (".jpg" rather than ".jpeg").
        private static readonly (string Extension, string MimeType)[] Table =
        {
            (".png", "image/png"),
            (".jpg", "image/jpeg"),
            (".jpeg", "image/jpeg"),
            (".gif", "image/gif"),
            (".webp", "image/webp"),
            (".bmp", "image/bmp"),
            (".tif", "image/tiff"),
            (".tiff", "image/tiff"),
            (".svg", "image/svg+xml"),
            (".wav", "audio/wav"),
            (".wav", "audio/x-wav"),
            (".wav", "audio/wave"),
            (".mp3", "audio/mpeg"),
            (".ogg", "audio/ogg"),
            (".flac", "audio/flac"),
            (".m4a", "audio/mp4"),
            (".mp4", "video/mp4"),
            (".webm", "video/webm"),
            (".mov", "video/quicktime"),
            (".txt", "text/plain"),
            (".csv", "text/csv"),
            (".html", "text/html"),
            (".md", "text/markdown"),
            (".json", "application/json"),
            (".pdf", "application/pdf"),
            (".zip", "application/zip"),
            (".tar", "application/x-tar"),
            (".gz", "application/gzip"),
            (".npy", "application/x-npy"),
        };

        public static string FromFileName(string path)
        {
            string extension = Path.GetExtension(path);
            foreach (var row in Table)
            {
                if (string.Equals(row.Extension, extension, StringComparison.OrdinalIgnoreCase))
                {
                    return row.MimeType;
                }
            }

            return Unknown;
        }

        /// <summary>The extension (with its dot) for a MIME type; "" for an unknown type.</summary>
        public static string ToExtension(string mimeType)
        {
            foreach (var row in Table)
            {
                if (string.Equals(row.MimeType, mimeType, StringComparison.OrdinalIgnoreCase))
                {
                    return row.Extension;
                }
            }

            return "";
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
