namespace Cog.Sdk.Core.Tests.Generate;

/// <summary>A model folder in the temp directory, removed afterwards.</summary>
internal sealed class TempProject : IDisposable
{
    public TempProject()
    {
        Directory = Path.Combine(Path.GetTempPath(), "cog-engine-test-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public string ObjCog => Path.Combine(Directory, "obj", "cog");

    public string Write(string relative, string content)
    {
        string path = Path.Combine(Directory, relative);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public string WriteBytes(string relative, long length)
    {
        string path = Path.Combine(Directory, relative);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var stream = File.Create(path);
        stream.SetLength(length);
        return path;
    }

    /// <summary>A stand-in for the shipped runtime: a <c>cog</c> package whose server answers nothing.</summary>
    public string FakeRuntime()
    {
        Write("runtime-src/cog/__init__.py", "");
        Write("runtime-src/cog/server/__init__.py", "");
        Write("runtime-src/cog/server/http.py", "print('fake cog server')\n");
        return Path.Combine(Directory, "runtime-src", "cog");
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the temp folder is cleaned by the system anyway.
        }
    }
}
