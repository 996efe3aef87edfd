using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Engine;
using Cog.Sdk.Testing;

namespace Cog.Sdk.Core.Tests.Engine;

/// <summary>CogSaveImage's archive is written whole or not at all; what stops it is COG3201, naming the archive.</summary>
public sealed class ImageArchivesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cog-archive-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static async Task<Diagnostic> Fails(ContainerEngine engine, string image, string path) =>
        (await Assert.ThrowsAsync<CogException>(() => ImageArchives.SaveAsync(engine, image, path, _ => { }, CancellationToken.None))).Diagnostic;

    [Fact]
    public async Task An_archive_path_under_a_regular_file_is_COG3201_before_the_engine_is_asked()
    {
        string file = Path.Combine(_folder, "dist");
        File.WriteAllText(file, "a file where CogImageArchive wants a folder");
        string archive = Path.Combine(file, "model.tar");
        // An engine that cannot even be started: asked, it would fail otherwise than with COG3201.
        var engine = new ContainerEngine(ContainerEngineKind.Docker, "/nonexistent/engine/docker", hasBuildKit: false);

        Diagnostic error = await Fails(engine, "python:3.11-slim", archive);

        Assert.Equal("COG3201", error.Code);
        Assert.Contains(archive, error.Message);
        Assert.Equal(new[] { file }, Directory.GetFileSystemEntries(_folder));
    }

    [EngineFact]
    public async Task An_image_the_engine_does_not_have_is_COG3201_and_leaves_no_partial_archive()
    {
        var engine = EngineLocator.Find(TestEngine.Setting);
        string archive = Path.Combine(_folder, "model.tar");

        Diagnostic error = await Fails(engine, "cogsdk-test-never-built-" + Guid.NewGuid().ToString("N")[..8], archive);

        Assert.Equal("COG3201", error.Code);
        Assert.Contains(archive, error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_folder));
    }
}
