using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Engine;
using Cog.Sdk.Testing;

namespace Cog.Sdk.Core.Tests.Engine;

[Collection("engine locator cache")]
public class EngineLocatorTests
{
    private static Diagnostic Fails(string setting, Dictionary<string, string>? environment = null) =>
        Assert.Throws<CogException>(() => EngineLocator.FindAsync(setting, environment, CancellationToken.None).GetAwaiter().GetResult()).Diagnostic;

    [Fact]
    public void A_setting_naming_a_missing_engine_is_a_coded_error()
    {
        Assert.Equal("COG1004", Fails("/nonexistent/bin/docker").Code);
        Assert.Equal("COG1004", Fails("podman", new() { ["PATH"] = "/nonexistent" }).Code);
    }

    [Fact]
    public void No_engine_on_path_says_how_to_get_one()
    {
        var error = Fails("auto", new() { ["PATH"] = "/nonexistent" });
        Assert.Equal("COG1001", error.Code);
        Assert.Contains("CogBuildImage=false", error.Message);

        var bag = new DiagnosticBag();
        Assert.Null(EngineLocator.Find("/nonexistent/docker", bag));
        Assert.Equal("COG1004", Assert.Single(bag).Code);
    }

    [Fact]
    public void A_setting_naming_a_file_that_is_not_a_program_is_COG1005()
    {
        // A file that exists (so not COG1004) but cannot be executed: a download that lost its x bit, a text file.
        string folder = Directory.CreateTempSubdirectory("cog-engine-").FullName;
        try
        {
            string notAProgram = Path.Combine(folder, "docker");
            File.WriteAllText(notAProgram, "not a docker CLI\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(notAProgram, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            var error = Fails(notAProgram);
            Assert.Equal("COG1005", error.Code);
            Assert.Contains(notAProgram, error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [EngineFact]
    public void Daemon_that_does_not_answer_is_a_coded_error()
    {
        var error = Fails("docker", new() { ["DOCKER_HOST"] = "unix:///nonexistent.sock" });
        Assert.Equal("COG1002", error.Code);
        Assert.Contains("nonexistent.sock", error.Message);
    }

    [EngineFact]
    public void Docker_is_found_once_and_without_buildx_builds_classic()
    {
        var engine = EngineLocator.Find("auto");
        Assert.Equal(ContainerEngineKind.Docker, engine.Kind);
        Assert.Same(engine, EngineLocator.Find("auto"));
        bool hasBuildx = TestEngine.Run("buildx", "version").ExitCode == 0;
        Assert.Equal(hasBuildx, engine.HasBuildKit);
        Assert.Equal(hasBuildx ? "1" : "0", engine.Environment["DOCKER_BUILDKIT"]);

        var classic = EngineLocator.FindAsync("docker", new Dictionary<string, string> { ["DOCKER_BUILDKIT"] = "0" }, CancellationToken.None).GetAwaiter().GetResult();
        Assert.False(classic.HasBuildKit);
    }
}
