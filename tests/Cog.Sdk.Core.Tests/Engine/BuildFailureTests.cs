using Cog.Sdk.Core.Engine;
using Cog.Sdk.Core.Generate;
using Cog.Sdk.Core.Parse;
using static Cog.Sdk.Core.Tests.Generate.Specs;

namespace Cog.Sdk.Core.Tests.Engine;

/// <summary>Failure output as each engine prints it, mapped to a code at the cog.yaml line of the failing step.</summary>
public class BuildFailureTests
{
    private static readonly ContainerEngine Docker = new(ContainerEngineKind.Docker, "/usr/bin/docker", false);

    private static GeneratedDockerfile Dockerfile()
    {
        var config = Config("ffmpeg", "libnope");
        config.Run.Add(new RunCommand(At("echo one", 15), Array.Empty<SecretMount>()));
        config.Run.Add(new RunCommand(At("make all\nmake install", 16), Array.Empty<SecretMount>()));
        var spec = Cpu(config);
        spec.RequirementsLines = new[] { At("numpy==1.26.4", 8), At("no_such_thing==1.0", 9) };
        return DockerfileGenerator.Generate(spec);
    }

    private static int Step(GeneratedDockerfile d, InstructionKind kind, int nth = 0) =>
        d.Instructions.Select((i, n) => (i, n)).Where(p => p.i.Kind == kind).ElementAt(nth).n + 1;

    private static Cog.Sdk.Core.Diagnostics.Diagnostic Analyze(GeneratedDockerfile d, params string[] output) =>
        BuildFailure.Analyze(Docker, d, output, 1, new Cog.Sdk.Core.Diagnostics.SourceLocation(ConfigFile));

    [Fact]
    public void Classic_run_command_failure_points_at_its_line_with_the_exit_code()
    {
        var d = Dockerfile();
        int n = Step(d, InstructionKind.RunCommand, 1);
        var error = Analyze(d, "Step 1/20 : FROM python:3.11-slim", $"Step {n}/20 : RUN [\"/bin/sh\", ...]", " ---> Running in 43b86c4a78d6",
            "The command '/bin/sh -c make all", "make install' returned a non-zero code: 2");

        Assert.Equal("COG3004", error.Code);
        Assert.Equal(16, error.Location.Line);
        Assert.Contains("'make all ...'", error.Message);
        Assert.Contains("exit code 2", error.Message);
    }

    [Fact]
    public void Podman_apt_failure_points_at_the_missing_package()
    {
        var d = Dockerfile();
        var error = Analyze(d, "STEP 1/20: FROM python:3.11-slim", $"STEP {Step(d, InstructionKind.SystemPackages)}/20: RUN apt-get update ...",
            "E: Unable to locate package libnope", "Error: building at STEP \"RUN apt-get ...\": exit status 100");

        Assert.Equal("COG3002", error.Code);
        Assert.Equal(6, error.Location.Line);
        Assert.Contains("'libnope'", error.Message);
    }

    [Fact]
    public void BuildKit_pip_failure_points_at_the_requirement()
    {
        var d = Dockerfile();
        int line = d.Instructions[Step(d, InstructionKind.PythonRequirements, 1) - 1].Line;
        var error = Analyze(d, "#9 [5/9] RUN [\"python\", \"-m\", \"pip\", ...]",
            "#9 1.2 ERROR: No matching distribution found for no_such_thing==1.0", "------", $"Dockerfile:{line}", "--------------------",
            "ERROR: failed to solve: process did not complete successfully: exit code: 1");

        Assert.Equal("COG3003", error.Code);
        Assert.Equal(9, error.Location.Line);
        // One line: pip's verdict, not BuildKit's "failed to solve" or the lines around it.
        Assert.Contains("ERROR: No matching distribution found for no_such_thing==1.0", error.Message);
        Assert.DoesNotContain("failed to solve", error.Message);
        Assert.DoesNotContain("\n", error.Message);
    }

    [Fact]
    public void Pull_failure_of_the_base_image_points_at_what_chose_it()
    {
        var d = Dockerfile();
        var error = Analyze(d, "Step 1/20 : FROM python:3.11-slim", "Get \"https://registry-1.docker.io/v2/\": dial tcp: lookup registry-1.docker.io: no such host");
        Assert.Equal("COG3001", error.Code);
        Assert.Contains("python:3.11-slim", error.Message);

        var buildKit = Analyze(d, "ERROR: failed to solve: python:3.11-slim: failed to resolve source metadata for docker.io/library/python:3.11-slim");
        Assert.Equal("COG3001", buildKit.Code);
    }

    [Fact]
    public void Daemon_problems_and_unknown_failures_get_their_own_codes()
    {
        var d = Dockerfile();
        Assert.Equal("COG1002", Analyze(d, "Cannot connect to the Docker daemon at unix:///x.sock. Is the docker daemon running?").Code);
        Assert.Equal("COG1003", Analyze(d, "permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock").Code);

        var unknown = Analyze(d, "DEPRECATED: The legacy builder is deprecated", "something odd happened");
        Assert.Equal("COG3008", unknown.Code);
        Assert.Contains("something odd happened", unknown.Message);
        Assert.DoesNotContain("DEPRECATED", unknown.Message);

        var other = Analyze(d, $"Step {d.Instructions.Count - 3}/20 : WORKDIR /src", "boom");
        Assert.Equal("COG3006", other.Code);
    }
}
