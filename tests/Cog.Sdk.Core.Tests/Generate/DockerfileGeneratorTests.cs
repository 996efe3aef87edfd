using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Generate;
using Cog.Sdk.Core.Parse;
using static Cog.Sdk.Core.Tests.Generate.Specs;

namespace Cog.Sdk.Core.Tests.Generate;

public class DockerfileGeneratorTests
{
    private static string[] InstructionLines(GeneratedDockerfile d) => d.Text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();

    [Fact]
    public void Cpu_image_uses_the_python_base_and_no_python_install()
    {
        var spec = Cpu(Config("ffmpeg", "libsm6"));
        GeneratedDockerfile d = DockerfileGenerator.Generate(spec);

        string[] lines = InstructionLines(d);
        Assert.Equal("FROM python:3.11-slim", lines[0]);
        Assert.Contains("RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get update -qq && apt-get install -qqy ffmpeg libsm6 && rm -rf /var/lib/apt/lists/*", lines);
        Assert.DoesNotContain(lines, l => l.Contains("uv python install"));
        Assert.DoesNotContain(lines, l => l.Contains("requirements.txt")); // none to install
        Assert.Contains("ENV COG_PREDICTOR=\"predict.py:Predictor\"", lines);
        Assert.Contains("CMD [\"python\", \"-m\", \"cog.server.http\"]", lines);
        Assert.Empty(d.ContextFiles);
    }

    [Fact]
    public void A_system_packages_entry_of_several_words_gives_apt_get_each_word_as_cog_does()
    {
        string[] lines = InstructionLines(DockerfileGenerator.Generate(Cpu(Config("musescore", "fluidsynth --fix-missing", "ffmpeg"))));

        Assert.Contains("RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get update -qq && apt-get install -qqy musescore fluidsynth --fix-missing ffmpeg && rm -rf /var/lib/apt/lists/*", lines);
    }

    [Fact]
    public void The_trainer_and_the_concurrency_reach_the_runtime_as_environment_variables()
    {
        var config = Config();
        config.Train = At("train.py:Trainer", 5);
        config.ConcurrencyMax = new Located<int>(4, Line(7));

        string[] lines = InstructionLines(DockerfileGenerator.Generate(Cpu(config)));

        Assert.Contains("ENV COG_TRAINER=\"train.py:Trainer\"", lines);
        Assert.Contains("ENV COG_MAX_CONCURRENCY=4", lines);
        Assert.DoesNotContain(InstructionLines(DockerfileGenerator.Generate(Cpu())), l => l.Contains("COG_TRAINER") || l.Contains("COG_MAX_CONCURRENCY"));
    }

    [Fact]
    public void Gpu_image_installs_python_with_uv_and_caches_apt_and_pip_in_cache_mounts()
    {
        GeneratedDockerfile d = DockerfileGenerator.Generate(Gpu());

        string[] lines = InstructionLines(d);
        Assert.Equal("FROM nvidia/cuda:11.8.0-cudnn8-devel-ubuntu22.04", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("COPY --from=ghcr.io/astral-sh/uv:", StringComparison.Ordinal));
        Assert.Contains("RUN uv python install 3.11 && \"$(uv python find 3.11)\" -m venv /opt/venv", lines);
        Assert.Contains("ENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH", lines);
        Assert.Contains(lines, l => l.StartsWith("RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get update", StringComparison.Ordinal));
        Assert.Contains("RUN --mount=type=cache,target=/root/.cache/pip [\"python\", \"-m\", \"pip\", \"install\", \"-r\", \"/tmp/cog/requirements.txt\"]", lines);
        Assert.Contains("NVIDIA_DRIVER_CAPABILITIES=all", lines[1]);
        Assert.Equal("--extra-index-url https://download.pytorch.org/whl/cu118\ntorch==2.0.1\npandas==2.0.3\n", d.ContextFiles["cog/requirements.txt"]);
    }

    /// <summary>
    /// Cog installs wget, curl, xz-utils, git and ca-certificates on every image it puts Python on; the CUDA images have
    /// none of them, and real files rely on them (`run: curl -o /usr/local/bin/pget ...`, `git clone`, git+https
    /// requirements). A python image is taken as it is.
    /// </summary>
    [Fact]
    public void An_image_that_gets_python_gets_the_tools_cog_installs_before_the_user_steps_that_use_them()
    {
        var spec = Gpu();
        spec.Config.Run.Add(new RunCommand(At("curl -o /usr/local/bin/pget -L https://example.org/pget", 9), new List<SecretMount>()));
        const string Tools = "apt-get install -qqy --no-install-recommends wget curl xz-utils git ca-certificates";

        GeneratedDockerfile d = DockerfileGenerator.Generate(spec);
        string[] lines = InstructionLines(d);

        int tools = Array.FindIndex(lines, l => l.Contains(Tools, StringComparison.Ordinal));
        Assert.True(tools > 0, string.Join("\n", lines));
        Assert.True(tools < Array.FindIndex(lines, l => l.Contains("uv python install", StringComparison.Ordinal)));
        Assert.True(tools < Array.FindIndex(lines, l => l.Contains("requirements.txt", StringComparison.Ordinal)));
        Assert.True(tools < Array.FindIndex(lines, l => l.Contains("curl -o /usr/local/bin/pget", StringComparison.Ordinal)));
        Assert.Contains("RUN " + "apt-get update -qq && " + Tools + " && rm -rf /var/lib/apt/lists/*", d.ForClassicBuilder().Split('\n'));
        Assert.DoesNotContain(InstructionLines(DockerfileGenerator.Generate(Cpu(spec.Config))), l => l.Contains(Tools, StringComparison.Ordinal));
    }

    [Fact]
    public void Layers_go_from_least_to_most_often_changed_with_weights_before_code()
    {
        var spec = Gpu();
        spec.Config.Run.Add(new RunCommand(At("echo hi", 15), Array.Empty<SecretMount>()));
        spec.Config.Environment.Add(new EnvironmentVariable("HF_HOME", "/cache", Line(30)));
        var kinds = DockerfileGenerator.Generate(spec).Instructions.Select(i => i.Kind).Distinct().ToList();

        Assert.Equal(new[]
        {
            InstructionKind.BaseImage, InstructionKind.Other, InstructionKind.Environment, InstructionKind.SystemPackages,
            InstructionKind.PythonInstall, InstructionKind.PythonRequirements, InstructionKind.Runtime, InstructionKind.RunCommand,
            InstructionKind.ModelFiles,
        }, kinds);
        string[] lines = InstructionLines(DockerfileGenerator.Generate(spec));
        Assert.True(Array.IndexOf(lines, "COPY weights/ /src/") == Array.IndexOf(lines, "COPY src/ /src/") - 1);
        Assert.StartsWith("LABEL ", lines[^1]);
    }

    [Fact]
    public void Origins_map_dockerfile_lines_to_cog_yaml_lines()
    {
        var spec = Cpu(Config("ffmpeg"));
        spec.Config.Run.Add(new RunCommand(At("echo one", 15), Array.Empty<SecretMount>()));
        spec.Config.PreInstall.Add(At("echo two", 17));
        GeneratedDockerfile d = DockerfileGenerator.Generate(spec);
        string[] allLines = d.Text.Split('\n');

        int LineOf(string start) => Array.FindIndex(allLines, l => l.StartsWith(start, StringComparison.Ordinal)) + 1;
        Assert.Equal(5, d.Origins[LineOf("RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get")].Line);
        Assert.Equal(15, d.Origins[LineOf("RUN [\"/bin/sh\", \"-c\", \"echo one\"]")].Line);
        Assert.Equal(17, d.Origins[LineOf("RUN [\"/bin/sh\", \"-c\", \"echo two\"]")].Line);
        Assert.Equal(20, d.Origins[LineOf("ENV COG_PREDICTOR")].Line);
        Assert.False(d.Origins.ContainsKey(LineOf("CMD")));
        Assert.All(d.Instructions, i => Assert.Equal(i.Text, allLines[i.Line - 1]));
    }

    [Fact]
    public void Hostile_values_cannot_change_the_dockerfile_structure()
    {
        var config = Config("ffmpeg'; rm -rf / #");
        config.Environment.Add(new EnvironmentVariable("EVIL", "a\" B=\"c $HOME \\ end\\", Line(30)));
        config.Run.Add(new RunCommand(At("echo \"quoted\" $HOME \\\nexit 3\nRUN echo injected", 15), Array.Empty<SecretMount>()));
        config.Predictor = At("predict.py:P\" X=\"y", 20);
        GeneratedDockerfile d = DockerfileGenerator.Generate(Cpu(config));
        string[] lines = InstructionLines(d);

        Assert.Equal(d.Instructions.Count, lines.Length); // one line per instruction: nothing injected
        Assert.Contains("RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get update -qq && apt-get install -qqy 'ffmpeg'\\'';' rm -rf / '#' && rm -rf /var/lib/apt/lists/*", lines);
        Assert.Contains("ENV EVIL=\"a\\\" B=\\\"c \\$HOME \\\\ end\\\\\"", lines);
        Assert.Contains("RUN [\"/bin/sh\", \"-c\", \"echo \\\"quoted\\\" $HOME \\\\\\nexit 3\\nRUN echo injected\"]", lines);
        Assert.Contains("ENV COG_PREDICTOR=\"predict.py:P\\\" X=\\\"y\"", lines);
    }

    [Fact]
    public void Line_breaks_where_the_dockerfile_cannot_carry_them_are_refused_with_their_location()
    {
        var config = Config("ffmpeg\nRUN evil");
        config.Environment.Add(new EnvironmentVariable("A", "x\ny", Line(30)));
        config.Environment.Add(new EnvironmentVariable("1BAD", "x", Line(31)));
        var diagnostics = new DiagnosticBag();

        Assert.Null(DockerfileGenerator.Generate(Cpu(config), diagnostics));
        Assert.All(diagnostics, d => Assert.Equal("COG3007", d.Code));
        Assert.Equal(new[] { 5, 30, 31 }, diagnostics.Select(d => d.Location.Line).OrderBy(l => l));
        Assert.Throws<CogException>(() => DockerfileGenerator.Generate(Cpu(config)));
    }

    [Fact]
    public void Secret_mounts_are_written_as_BuildKit_mounts_and_refused_for_the_classic_builder_at_the_mount()
    {
        var config = Config();
        var mount = new SecretMount("hf_token", "/run/secrets/hf", Line(16));
        config.Run.Add(new RunCommand(At("cat /run/secrets/hf", 15), new[] { mount }));

        GeneratedDockerfile d = DockerfileGenerator.Generate(Cpu(config));

        Assert.Contains("RUN --mount=type=secret,id=hf_token,target=/run/secrets/hf [\"/bin/sh\", \"-c\", \"cat /run/secrets/hf\"]", d.Text);
        var error = Assert.Throws<CogException>(() => d.ForClassicBuilder()).Diagnostic;
        Assert.Equal("COG3005", error.Code);
        Assert.Equal(16, error.Location.Line);
        Assert.Contains("'hf_token'", error.Message);
    }

    [Fact]
    public void The_classic_builders_dockerfile_is_the_same_lines_without_cache_mounts_and_pip_keeps_no_cache()
    {
        var spec = Gpu();
        spec.Config.Run.Add(new RunCommand(At("echo hi", 15), Array.Empty<SecretMount>()));
        GeneratedDockerfile d = DockerfileGenerator.Generate(spec);

        string classic = d.ForClassicBuilder();

        string[] lines = d.Text.Split('\n');
        string[] classicLines = classic.Split('\n');
        Assert.Equal(lines.Length, classicLines.Length); // a step's line is the same in both, for the failure analysis
        Assert.DoesNotContain("--mount", classic);
        Assert.Contains("RUN apt-get update -qq && apt-get install -qqy ffmpeg && rm -rf /var/lib/apt/lists/*", classicLines);
        Assert.Contains("RUN [\"python\", \"-m\", \"pip\", \"install\", \"--no-cache-dir\", \"-r\", \"/tmp/cog/requirements.txt\"]", classicLines);
        Assert.DoesNotContain("--no-cache-dir", d.Text);
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].Contains("--mount", StringComparison.Ordinal))
            {
                Assert.Equal(lines[i], classicLines[i]);
            }
        }
    }

    [Fact]
    public void Steps_are_the_instructions_that_make_files_as_BuildKit_counts_them()
    {
        GeneratedDockerfile d = DockerfileGenerator.Generate(Gpu());

        Assert.Equal(d.Instructions.Where(i => i.Text.Split(' ')[0] is "FROM" or "RUN" or "COPY" or "WORKDIR"), d.Steps);
        Assert.DoesNotContain(d.Steps, s => s.Text.StartsWith("ENV", StringComparison.Ordinal) || s.Text.StartsWith("LABEL", StringComparison.Ordinal));
        Assert.Equal("WORKDIR /src", d.Steps[^1].Text);
    }

    [Fact]
    public void Package_indexes_and_the_pypi_runtime_go_into_pip_arguments()
    {
        var spec = Cpu();
        spec.RequirementsLines = new[] { At("numpy==1.26.4", 8) };
        spec.Options = new ImageOptions
        {
            PipIndexUrl = "http://localhost:8080/simple",
            PipExtraIndexUrl = "https://example.com/extra",
            Runtime = RuntimeSource.PyPI,
            RuntimeVersion = "0.9.26",
        };
        string text = DockerfileGenerator.Generate(spec).Text;

        Assert.Contains("RUN --mount=type=cache,target=/root/.cache/pip [\"python\", \"-m\", \"pip\", \"install\", \"--index-url\", \"http://localhost:8080/simple\", \"--trusted-host\", \"localhost\", \"--extra-index-url\", \"https://example.com/extra\", \"-r\", \"/tmp/cog/requirements.txt\"]", text);
        Assert.Contains("\"cog==0.9.26\"]", text);
        Assert.DoesNotContain("cog/runtime", text);
    }

    [Fact]
    public void Labels_record_the_resolved_configuration_the_sdk_and_the_source()
    {
        var spec = Gpu();
        spec.Options = new ImageOptions { SourceUrl = "https://github.com/me/model", SourceRevision = " abc123 " };
        var labels = DockerfileGenerator.LabelsFor(spec);

        Assert.Equal("https://github.com/me/model", labels["org.opencontainers.image.source"]);
        Assert.Equal("abc123", labels["org.opencontainers.image.revision"]);
        Assert.Equal(DockerfileGenerator.SdkVersion, labels["run.cog.sdk.version"]);
        var config = JsonText.ParseObject(labels["run.cog.config"])!;
        var build = (System.Text.Json.Nodes.JsonObject)config["build"]!;
        Assert.True(build["gpu"]!.GetValue<bool>());
        Assert.Equal("3.11", build.String("python_version"));
        Assert.Equal("predict.py:Predictor", config.String("predict"));
    }

    [Fact]
    public void Same_spec_gives_the_same_bytes()
    {
        var first = DockerfileGenerator.Generate(Gpu());
        var second = DockerfileGenerator.Generate(Gpu());
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(first.ContextFiles, second.ContextFiles);

        var reordered = Gpu();
        reordered.Config.Environment.Add(new EnvironmentVariable("B", "2", Line(31)));
        reordered.Config.Environment.Add(new EnvironmentVariable("A", "1", Line(30)));
        Assert.Contains("ENV A=\"1\" B=\"2\"", DockerfileGenerator.Generate(reordered).Text);
    }
}
