using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Parse;
using Cog.Sdk.Core.Resolve;

namespace Cog.Sdk.Core.Tests.Resolve;

/// <summary>Builds CogConfig values the way the parser would, and runs the resolver on them.</summary>
internal static class ResolveFixture
{
    public const string CogYaml = "/project/cog.yaml";

    public static CogConfig Config(bool gpu, string python = "3.12", string? cuda = null, string? cudnn = null, ConfigForm form = ConfigForm.Current, string directory = "/project", params string[] packages)
    {
        var config = new CogConfig
        {
            FilePath = Path.Combine(directory, "cog.yaml"),
            ProjectDirectory = directory,
            Form = form,
            Gpu = new Located<bool>(gpu, new SourceLocation(CogYaml, 2, 3)),
            PythonVersion = new Located<string>(python, new SourceLocation(CogYaml, 3, 3)),
            Cuda = cuda is null ? null : new Located<string>(cuda, new SourceLocation(CogYaml, 4, 3)),
            CuDnn = cudnn is null ? null : new Located<string>(cudnn, new SourceLocation(CogYaml, 5, 3)),
        };
        for (int i = 0; i < packages.Length; i++)
        {
            config.PythonPackages.Add(new Located<string>(packages[i], new SourceLocation(CogYaml, 10 + i, 7)));
        }

        return config;
    }

    public static (Resolution? Resolution, DiagnosticBag Diagnostics) Run(CogConfig config, CompatibilityTable? table = null, ResolveOptions? options = null)
    {
        var diagnostics = new DiagnosticBag();

        // As CogConfigLoader does: the requirements are read with the configuration, before anything is resolved.
        config.Requirements ??= RequirementsReader.Read(config, diagnostics, config.RequirementFiles);
        if (diagnostics.HasErrors)
        {
            return (null, diagnostics);
        }

        Resolution? resolution = Resolver.Resolve(config, table ?? CompatibilityTable.Default, diagnostics, options);
        return (resolution, diagnostics);
    }

    public static Resolution Resolved(CogConfig config, CompatibilityTable? table = null, ResolveOptions? options = null)
    {
        var (resolution, diagnostics) = Run(config, table, options);
        Assert.False(diagnostics.HasErrors, string.Join("\n", diagnostics));
        Assert.NotNull(resolution);
        return resolution!;
    }

    public static Diagnostic Single(DiagnosticBag diagnostics, string code) =>
        Assert.Single(diagnostics, d => d.Code == code);

    /// <summary>A fresh folder for requirements files, removed when disposed.</summary>
    public sealed class TempProject : IDisposable
    {
        public TempProject()
        {
            Directory = Path.Combine(Path.GetTempPath(), "cog-resolve-" + Guid.NewGuid().ToString("N"));
            System.IO.Directory.CreateDirectory(Directory);
        }

        public string Directory { get; }

        public string Write(string relativePath, string text)
        {
            string path = Path.Combine(Directory, relativePath);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
            return path;
        }

        public CogConfig Config(bool gpu, string requirements, string? cuda = null)
        {
            CogConfig config = ResolveFixture.Config(gpu, cuda: cuda, directory: Directory);
            config.FilePath = Path.Combine(Directory, "cog.yaml");
            config.PythonRequirements = new Located<string>(requirements, new SourceLocation(config.FilePath, 6, 24));
            return config;
        }

        public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
    }
}
