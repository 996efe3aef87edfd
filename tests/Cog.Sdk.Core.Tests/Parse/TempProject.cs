using System.Text;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Parse;
using Cog.Sdk.Core.Validate;

namespace Cog.Sdk.Core.Tests.Parse;

/// <summary>A project folder in the temp directory holding a real cog.yaml and whatever files a test needs.</summary>
public sealed class TempProject : IDisposable
{
    public TempProject(string? folderName = null)
    {
        Directory = Path.Combine(Path.GetTempPath(), "cogsdk-tests", Guid.NewGuid().ToString("N"), folderName ?? "project");
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }
    public string ConfigPath => Path.Combine(Directory, "cog.yaml");

    public TempProject WithConfig(string yaml) => WithBytes("cog.yaml", new UTF8Encoding(false).GetBytes(yaml));

    public TempProject WithFile(string relativePath, string content = "") =>
        WithBytes(relativePath, Encoding.UTF8.GetBytes(content));

    public TempProject WithBytes(string relativePath, byte[] content)
    {
        string path = Path.Combine(Directory, relativePath);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return this;
    }

    /// <summary>Parse and validate; the diagnostics as "CODE@line,column", in the order reported.</summary>
    public (CogConfig? Config, List<string> Diagnostics) Load(bool validate = true)
    {
        var bag = new DiagnosticBag();
        CogConfig? config = validate ? CogConfigLoader.Load(ConfigPath, bag) : CogYamlParser.Parse(ConfigPath, bag);
        return (config, bag.Select(Format).ToList());
    }

    public static string Format(Diagnostic d) => $"{d.Code}@{d.Location.Line},{d.Location.Column}";

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Path.GetDirectoryName(Directory)!, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
    }
}
