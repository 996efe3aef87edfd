using System.IO.Compression;
using System.Formats.Tar;
using System.Text;

namespace Cog.Sdk.Testing;

/// <summary>What an image holds, looked at byte by byte: for proving that something is nowhere in it.</summary>
public static class ImageArchive
{
    /// <summary>
    /// Whether <paramref name="text"/> occurs anywhere in the image as <c>save</c> writes it (every layer, every file, the
    /// configuration), saved with <paramref name="cli"/> (docker or podman).
    /// </summary>
    public static bool Holds(string cli, string image, string text)
    {
        string archive = Path.Combine(Path.GetTempPath(), "cogsdk-save-" + Guid.NewGuid().ToString("N") + ".tar");
        try
        {
            var psi = new System.Diagnostics.ProcessStartInfo(cli) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string argument in new[] { "save", "-o", archive, image })
            {
                psi.ArgumentList.Add(argument);
            }

            using var process = System.Diagnostics.Process.Start(psi)!;
            var error = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"{cli} save {image}: {error.Result}");
            using var stream = File.OpenRead(archive);
            return TarHolds(stream, Encoding.UTF8.GetBytes(text));
        }
        finally
        {
            File.Delete(archive);
        }
    }

    /// <summary>Searches every entry of a tar archive; a layer (a tar in the tar, perhaps gzip-compressed) is searched as it stores its files.</summary>
    private static bool TarHolds(Stream stream, byte[] needle)
    {
        using var reader = new TarReader(stream, leaveOpen: true);
        while (reader.GetNextEntry(copyData: true) is { } entry)
        {
            if (entry.DataStream == null)
            {
                continue;
            }

            var content = new MemoryStream();
            entry.DataStream.CopyTo(content);
            byte[] bytes = content.ToArray();
            if (bytes.Length > 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
            {
                using var unzipped = new MemoryStream();
                using (var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress))
                {
                    gzip.CopyTo(unzipped);
                }

                bytes = unzipped.ToArray();
            }

            // A tar stores each file's bytes whole, so a layer's files are found in the layer's bytes.
            if (bytes.AsSpan().IndexOf(needle) >= 0)
            {
                return true;
            }
        }

        return false;
    }
}
