using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Engine;
using Cog.Sdk.Core.Generate;

namespace Cog.Sdk.Core.Tests.Engine;

/// <summary>
/// The progress lines of one Dockerfile's build as each builder printed it (recorded from docker 26.1 with buildx 0.13,
/// the same daemon with DOCKER_BUILDKIT=0, and podman 4.3, terminal escapes removed): the same lines whichever built it.
/// </summary>
public class BuildProgressTests
{
    private static readonly GeneratedDockerfile Dockerfile = Make(
        "FROM python:3.11-slim",
        "ENV A=1",
        "RUN [\"/bin/sh\", \"-c\", \"echo first-line && sleep 1\"]",
        "COPY src/ /src/",
        "RUN [\"/bin/sh\", \"-c\", \"echo about to fail && echo err-line >&2 && exit 7\"]",
        "LABEL a=b");

    private static readonly string[] BuildKit =
    {
        "#0 building with \"default\" instance using docker driver", "",
        "#1 [internal] load build definition from Dockerfile", "#1 transferring dockerfile: 227B done", "#1 DONE 0.0s", "",
        "#2 [internal] load metadata for docker.io/library/python:3.11-slim", "#2 DONE 0.0s", "",
        "#4 [1/4] FROM docker.io/library/python:3.11-slim", "#4 CACHED", "",
        "#5 [internal] load build context", "#5 transferring context: 52B done", "#5 DONE 0.0s", "",
        "#6 [2/4] RUN [\"/bin/sh\", \"-c\", \"echo first-line && sleep 1\"]", "#6 0.255 first-line", "#6 DONE 1.3s", "",
        "#7 [3/4] COPY src/ /src/", "#7 DONE 0.0s", "",
        "#8 [4/4] RUN [\"/bin/sh\", \"-c\", \"echo about to fail && echo err-line >&2 && exit 7\"]",
        "#8 0.282 about to fail", "#8 0.284 err-line",
        "#8 ERROR: process \"/bin/sh -c echo about to fail && echo err-line >&2 && exit 7\" did not complete successfully: exit code: 7",
        "------", " > [4/4] RUN [\"/bin/sh\", \"-c\", \"echo about to fail && echo err-line >&2 && exit 7\"]:", "0.282 about to fail",
        "0.284 err-line", "------", "Dockerfile:5", "--------------------", "   4 |     COPY src/ /src/",
        "   5 | >>> RUN [\"/bin/sh\", \"-c\", \"echo about to fail && echo err-line >&2 && exit 7\"]", "--------------------",
        "ERROR: failed to solve: process \"/bin/sh -c echo about to fail && echo err-line >&2 && exit 7\" did not complete successfully: exit code: 7",
    };

    private static readonly string[] Classic =
    {
        "DEPRECATED: The legacy builder is deprecated and will be removed in a future release.",
        "            BuildKit is currently disabled; enable it by removing the DOCKER_BUILDKIT=0", "            environment-variable.", "",
        "Sending build context to Docker daemon  5.632kB",
        "Step 1/6 : FROM python:3.11-slim", " ---> 32fa689a3661",
        "Step 2/6 : ENV A=1", " ---> Running in 1a5609ab0530", " ---> Removed intermediate container 1a5609ab0530", " ---> c8425d751771",
        "Step 3/6 : RUN [\"/bin/sh\", \"-c\", \"echo first-line && sleep 1\"]", " ---> Using cache", " ---> f0d042538d4b",
        "Step 4/6 : COPY src/ /src/", " ---> 5fbaf632bad3",
        "Step 5/6 : RUN [\"/bin/sh\", \"-c\", \"echo about to fail && echo err-line >&2 && exit 7\"]", " ---> Running in 32aa71ce9096",
        "about to fail", "err-line", " ---> Removed intermediate container 32aa71ce9096",
        "The command '/bin/sh -c echo about to fail && echo err-line >&2 && exit 7' returned a non-zero code: 7",
    };

    private static readonly string[] Podman =
    {
        "STEP 1/6: FROM python:3.11-slim",
        "STEP 2/6: ENV A=1", "--> 94d3a1c40bf",
        "STEP 3/6: RUN [\"/bin/sh\", \"-c\", \"echo first-line && sleep 1\"]", "--> Using cache 9d5ed6a0a09c", "--> 9d5ed6a0a09",
        "STEP 4/6: COPY src/ /src/", "--> 6be03aa11f9",
        "STEP 5/6: RUN [\"/bin/sh\", \"-c\", \"echo about to fail && echo err-line >&2 && exit 7\"]",
        "about to fail", "err-line",
        "Error: building at STEP \"RUN /bin/sh -c echo about to fail && echo err-line >&2 && exit 7\": while running runtime: exit status 7",
    };

    private static GeneratedDockerfile Make(params string[] lines) =>
        new(string.Join("\n", lines) + "\n",
            lines.Select((text, i) => new DockerfileInstruction(i + 1, InstructionKind.Other, text, SourceLocation.None, Array.Empty<Located<string>>())).ToList(),
            new Dictionary<string, string>());

    private static (BuildProgress Progress, List<string> Lines) Read(IEnumerable<string> output, bool succeeded)
    {
        var lines = new List<string>();
        var progress = new BuildProgress(Dockerfile, lines.Add, () => TimeSpan.Zero);
        foreach (string line in output)
        {
            progress.Read(line);
        }

        progress.Finish(succeeded);
        return (progress, lines);
    }

    [Theory]
    [InlineData("BuildKit")]
    [InlineData("Classic")]
    [InlineData("Podman")]
    public void Every_builder_gives_the_same_steps_their_ends_and_the_failing_steps_own_output(string builder)
    {
        string[] output = builder switch { "BuildKit" => BuildKit, "Classic" => Classic, _ => Podman };

        var (progress, lines) = Read(output, succeeded: false);

        string firstStepEnd = builder == "BuildKit" ? "Cog: [1/4] cached" : "Cog: [1/4] done in 0.0 s";
        string secondStepEnd = builder == "BuildKit" ? "Cog: [2/4] done in 0.0 s" : "Cog: [2/4] cached";
        Assert.Equal(new[]
        {
            "Cog: [1/4] FROM python:3.11-slim", firstStepEnd,
            "Cog: [2/4] RUN echo first-line && sleep 1", secondStepEnd,
            "Cog: [3/4] COPY src/ /src/", "Cog: [3/4] done in 0.0 s",
            "Cog: [4/4] RUN echo about to fail && echo err-line >&2 && exit 7", "Cog: [4/4] failed after 0.0 s",
        }, lines);
        Assert.Same(Dockerfile.Instructions[4], progress.Failed);
        Assert.Equal(new[] { "about to fail", "err-line" }, progress.OutputOf(Dockerfile.Instructions[4]));
    }

    [Fact]
    public void A_step_that_runs_on_gets_a_line_every_30_seconds_until_it_ends()
    {
        var now = TimeSpan.Zero;
        var lines = new List<string>();
        var progress = new BuildProgress(Dockerfile, lines.Add, () => now);
        progress.Read("#6 [2/4] RUN [\"/bin/sh\", \"-c\", \"echo first-line && sleep 1\"]");
        void At(int seconds)
        {
            now = TimeSpan.FromSeconds(seconds);
            progress.Tick();
        }

        At(29);
        At(30);
        At(45);
        At(61);
        At(95);
        progress.Read("#6 0.255 first-line"); // output does not count: at the default verbosity it is not in the log
        At(119);
        now = TimeSpan.FromSeconds(120);
        progress.Read("#6 DONE 120.0s");
        At(200);

        Assert.Equal(new[]
        {
            "Cog: [2/4] RUN echo first-line && sleep 1",
            "Cog: [2/4] still running (30.0 s)",
            "Cog: [2/4] still running (1 min 1 s)",
            "Cog: [2/4] still running (1 min 35 s)",
            "Cog: [2/4] done in 2 min 0 s",
        }, lines);
    }

    [Fact]
    public void A_successful_build_ends_every_step_and_leaves_nothing_failed()
    {
        string[] succeeded = Classic.Take(Array.IndexOf(Classic, "about to fail"))
            .Concat(new[] { " ---> 9b1c2d3e4f50", "Step 6/6 : LABEL a=b", " ---> 1234", "Successfully built 1234" }).ToArray();

        var (progress, lines) = Read(succeeded, succeeded: true);

        Assert.Equal(8, lines.Count);
        Assert.Equal("Cog: [4/4] done in 0.0 s", lines[^1]);
        Assert.Empty(progress.OutputOf(Dockerfile.Instructions[4]));
    }

    [Fact]
    public void Steps_are_described_in_one_short_line_without_mounts_and_json()
    {
        static string Describe(string text) =>
            BuildProgress.Describe(new DockerfileInstruction(1, InstructionKind.Other, text, SourceLocation.None, Array.Empty<Located<string>>()));

        Assert.Equal("RUN python -m pip install -r /tmp/cog/requirements.txt",
            Describe("RUN --mount=type=cache,target=/root/.cache/pip [\"python\", \"-m\", \"pip\", \"install\", \"-r\", \"/tmp/cog/requirements.txt\"]"));
        Assert.Equal("RUN make all ...", Describe("RUN --mount=type=secret,id=a,target=/a [\"/bin/sh\", \"-c\", \"make all\\nmake install\"]"));
        Assert.Equal("COPY src/ /src/", Describe("COPY src/ /src/"));
        string longOne = Describe("RUN apt-get install -qqy " + string.Join(" ", Enumerable.Range(0, 40).Select(i => "package" + i)));
        Assert.Equal(100, longOne.Length);
        Assert.EndsWith("...", longOne);
    }
}
