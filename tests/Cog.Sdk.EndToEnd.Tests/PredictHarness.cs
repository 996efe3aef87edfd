using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Cog.Sdk.Testing;

namespace Cog.Sdk.EndToEnd.Tests;

/// <summary>
/// What the CogPredict and CogRun tests share: image names unique to one test class (removed in Dispose), the
/// containers those images ran, and `dotnet msbuild` of a model project as the user types it.
/// </summary>
public abstract class ContainerTestBase : IDisposable
{
    protected ContainerTestBase(PackedSdk sdk, string prefix)
    {
        Sdk = sdk;
        ImagePrefix = $"cog-e2e-{prefix}-{Guid.NewGuid().ToString("N").Substring(0, 6)}";
    }

    protected PackedSdk Sdk { get; }

    /// <summary>Every image this class builds starts with this; Dispose removes them all.</summary>
    protected string ImagePrefix { get; }

    /// <summary>A fresh model project whose image is named &lt;prefix&gt;-&lt;name&gt; (lower case).</summary>
    protected (ModelProject Project, string Image) NewModel(string name, string cogYaml, string predictPy, string predictFile = "predict.py")
    {
        var project = Sdk.NewProject(name).Write("cog.yaml", cogYaml).Write(predictFile, predictPy);
        return (project, ImageName(name));
    }

    protected string ImageName(string name) => (ImagePrefix + "-" + name).ToLowerInvariant();

    /// <summary>`dotnet msbuild -restore -t:TARGET -p:CogImageName=IMAGE ARGS... PROJECT`, each argument passed verbatim as bash would.</summary>
    protected static BuildOutput Msbuild(ModelProject project, string image, string target, params string[] args) =>
        project.DotnetWithTimeout(TimeSpan.FromMinutes(5),
            new[] { "msbuild", "-restore", "-t:" + target, "-p:CogImageName=" + image }.Concat(args).ToArray());

    /// <summary>The same, started from another folder with the project's path as the argument, as `dotnet msbuild samples/x` is.</summary>
    protected BuildOutput MsbuildFrom(string workingDirectory, ModelProject project, string image, string target, params string[] args)
    {
        var all = new[] { "msbuild", Path.GetRelativePath(workingDirectory, project.ProjectFile), "-restore", "-t:" + target, "-p:CogImageName=" + image, "-nologo", "-nr:false", "-tl:off" };
        var result = DotNet.Run(workingDirectory, TimeSpan.FromMinutes(5), all.Concat(args).ToArray(), new Dictionary<string, string?>
        {
            ["NUGET_PACKAGES"] = Sdk.Packages,
            ["NUGET_HTTP_CACHE_PATH"] = Path.Combine(Sdk.Root, "http-cache"),
        });
        return new BuildOutput(result.ExitCode, result.Output);
    }

    /// <summary>Names of the containers (running or not) that Cog.Sdk made from <paramref name="image"/>: cog-predict-IMAGE-..., cog-run-IMAGE-...</summary>
    protected static IReadOnlyList<string> ContainersOf(string image)
    {
        var (exit, stdout, stderr) = TestEngine.Run("ps", "-a", "--format", "{{.Names}}");
        Assert.True(exit == 0, stderr);
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(n => n.Contains(ContainerNamePart(image), StringComparison.Ordinal)).ToList();
    }

    /// <summary>
    /// Asserts that no container of <paramref name="image"/> is left, waiting a few seconds for --rm to finish.
    /// </summary>
    protected static void AssertNoContainerLeft(string image)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        IReadOnlyList<string> left;
        while (true)
        {
            left = ContainersOf(image);
            if (left.Count == 0 || DateTime.UtcNow > deadline)
            {
                break;
            }

            Thread.Sleep(250);
        }

        Assert.True(left.Count == 0, $"containers of {image} left behind: {string.Join(", ", left)}");
    }

    /// <summary>
    /// The names of the containers the engine created from <paramref name="image"/> since <paramref name="since"/>,
    /// from its event log: proof of whether a model was started at all, even by a container that is gone.
    /// </summary>
    protected static IReadOnlyList<string> ContainersCreatedSince(string image, DateTime since)
    {
        var (exit, stdout, stderr) = TestEngine.Run(TestEngine.ContainerCreateEvents(since));
        Assert.True(exit == 0, stderr);
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(n => n.Contains(ContainerNamePart(image), StringComparison.Ordinal)).ToList();
    }

    /// <summary>The part of a container name Cog.Sdk derives from the image: cog-predict-&lt;image&gt;-&lt;random&gt;.</summary>
    protected static string ContainerNamePart(string image) => "-" + image + "-";

    /// <summary>The diagnostic codes of the errors, for assertions that print the whole log on failure.</summary>
    protected static void AssertError(BuildOutput result, string code)
    {
        Assert.True(result.ExitCode != 0, "expected a failure:\n" + result);
        Assert.True(result.Errors.Any(e => e.Code == code), $"expected error {code}:\n{result}");
    }

    protected static void AssertSucceeded(BuildOutput result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Errors);
    }

    public virtual void Dispose()
    {
        if (!TestEngine.Available)
        {
            return;
        }

        var (_, images, _) = TestEngine.Run("images", "--format", "{{.Repository}}", "--filter", "reference=" + ImagePrefix + "-*");
        foreach (string image in images.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct())
        {
            foreach (string container in ContainersOf(image))
            {
                TestEngine.Run("rm", "-f", container);
            }

            TestEngine.Run("rmi", "-f", image);
        }

        GC.SuppressFinalize(this);
    }
}

/// <summary>`dotnet msbuild` started in the background, for the tests that interrupt it.</summary>
public sealed class BackgroundMsbuild : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public BackgroundMsbuild(PackedSdk sdk, ModelProject project, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = project.Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string a in new[] { "msbuild" }.Concat(args).Concat(new[] { "-nologo", "-nr:false", "-tl:off", project.ProjectFile }))
        {
            psi.ArgumentList.Add(a);
        }

        foreach (string name in DotNet.LeakedVariables)
        {
            psi.Environment.Remove(name);
        }

        psi.Environment["NUGET_PACKAGES"] = sdk.Packages;
        psi.Environment["NUGET_HTTP_CACHE_PATH"] = Path.Combine(sdk.Root, "http-cache");
        _process = new Process { StartInfo = psi };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>What Ctrl+C in a terminal does: SIGINT to the process.</summary>
    public void Interrupt() => Signal("INT");

    /// <summary>What `kill PID` (a service manager, a canceled CI job) does: SIGTERM to the process.</summary>
    public void Terminate() => Signal("TERM");

    /// <summary>Sends the signal (INT, TERM, HUP) to the process, as `kill -SIGNAL PID` does.</summary>
    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", new[] { "-" + signal, _process.Id.ToString() })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    public BuildOutput WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit((int)timeout.TotalMilliseconds))
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            return new BuildOutput(-1, Output + $"\n[test] dotnet msbuild did not exit within {timeout} of the interrupt");
        }

        _process.WaitForExit();
        return new BuildOutput(_process.ExitCode, Output);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line != null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}

/// <summary>Small 8-bit RGB PNGs, written and read back without any imaging library.</summary>
public static class Png
{
    public static byte[] SolidRgb(int width, int height, byte r, byte g, byte b)
    {
        var raw = new MemoryStream();
        for (int y = 0; y < height; y++)
        {
            raw.WriteByte(0);
            for (int x = 0; x < width; x++)
            {
                raw.WriteByte(r);
                raw.WriteByte(g);
                raw.WriteByte(b);
            }
        }

        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            raw.Position = 0;
            raw.CopyTo(z);
        }

        var png = new MemoryStream();
        png.Write(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
        var header = new byte[13];
        WriteBigEndian(header, 0, (uint)width);
        WriteBigEndian(header, 4, (uint)height);
        header[8] = 8;
        header[9] = 2;
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", Array.Empty<byte>());
        return png.ToArray();
    }

    /// <summary>Width and height from the IHDR chunk; throws when the bytes are not a PNG.</summary>
    public static (int Width, int Height) Size(byte[] png)
    {
        Assert.True(png.Length > 24 && png[0] == 0x89 && png[1] == (byte)'P' && png[2] == (byte)'N' && png[3] == (byte)'G', "not a PNG");
        return (ReadBigEndian(png, 16), ReadBigEndian(png, 20));
    }

    /// <summary>The RGB of pixel (x, y) of an unfiltered or filtered 8-bit RGB PNG with one IDAT chunk.</summary>
    public static (byte R, byte G, byte B) Pixel(byte[] png, int x, int y)
    {
        var (width, height) = Size(png);
        int pos = 8;
        var idat = new MemoryStream();
        while (pos < png.Length)
        {
            int length = ReadBigEndian(png, pos);
            string kind = Encoding.ASCII.GetString(png, pos + 4, 4);
            if (kind == "IDAT")
            {
                idat.Write(png, pos + 8, length);
            }

            pos += 12 + length;
        }

        idat.Position = 0;
        var raw = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionMode.Decompress))
        {
            z.CopyTo(raw);
        }

        byte[] data = raw.ToArray();
        int stride = width * 3;
        var previous = new byte[stride];
        byte[] line = previous;
        for (int row = 0; row <= y && row < height; row++)
        {
            int filter = data[row * (stride + 1)];
            line = new byte[stride];
            Array.Copy(data, row * (stride + 1) + 1, line, 0, stride);
            for (int i = 0; i < stride; i++)
            {
                int left = i >= 3 ? line[i - 3] : 0, up = previous[i], corner = i >= 3 ? previous[i - 3] : 0;
                int p = left + up - corner, pa = Math.Abs(p - left), pb = Math.Abs(p - up), pc = Math.Abs(p - corner);
                line[i] = (byte)(filter switch
                {
                    1 => line[i] + left,
                    2 => line[i] + up,
                    3 => line[i] + (left + up) / 2,
                    4 => line[i] + (pa <= pb && pa <= pc ? left : pb <= pc ? up : corner),
                    _ => line[i],
                });
            }

            previous = line;
        }

        return (line[x * 3], line[x * 3 + 1], line[x * 3 + 2]);
    }

    private static void Chunk(Stream png, string kind, byte[] body)
    {
        var length = new byte[4];
        WriteBigEndian(length, 0, (uint)body.Length);
        png.Write(length);
        byte[] kindAndBody = Encoding.ASCII.GetBytes(kind).Concat(body).ToArray();
        png.Write(kindAndBody);
        var crc = new byte[4];
        WriteBigEndian(crc, 0, Crc32(kindAndBody));
        png.Write(crc);
    }

    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
            }
        }

        return crc ^ 0xFFFFFFFF;
    }

    private static void WriteBigEndian(byte[] buffer, int offset, uint value)
    {
        buffer[offset] = (byte)(value >> 24);
        buffer[offset + 1] = (byte)(value >> 16);
        buffer[offset + 2] = (byte)(value >> 8);
        buffer[offset + 3] = (byte)value;
    }

    private static int ReadBigEndian(byte[] buffer, int offset) =>
        (buffer[offset] << 24) | (buffer[offset + 1] << 16) | (buffer[offset + 2] << 8) | buffer[offset + 3];
}
