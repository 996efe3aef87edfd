using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Generate;
using Cog.Sdk.Core.Parse;

namespace Cog.Sdk.Core.Tests.Generate;

/// <summary>Dockerfile specs for tests, each value located at a distinct line of a pretend cog.yaml.</summary>
internal static class Specs
{
    public const string ConfigFile = "/model/cog.yaml";

    public static SourceLocation Line(int line) => new(ConfigFile, line, 3);

    public static Located<string> At(string value, int line) => new(value, Line(line));

    public static CogConfig Config(params string[] systemPackages)
    {
        var config = new CogConfig { FilePath = ConfigFile, ProjectDirectory = "/model", Predictor = At("predict.py:Predictor", 20) };
        for (int i = 0; i < systemPackages.Length; i++)
        {
            config.SystemPackages.Add(At(systemPackages[i], 5 + i));
        }

        return config;
    }

    public static DockerfileSpec Cpu(CogConfig? config = null) => new(config ?? Config(), "python:3.11-slim", "3.11");

    public static DockerfileSpec Gpu()
    {
        var config = Config("ffmpeg");
        config.Gpu = new Located<bool>(true, Line(2));
        config.PythonVersion = At("3.11", 3);
        return new DockerfileSpec(config, "nvidia/cuda:11.8.0-cudnn8-devel-ubuntu22.04", "3.11")
        {
            InstallPython = true,
            BaseImageLocation = Line(2),
            RequirementsLines = new[] { At("--extra-index-url https://download.pytorch.org/whl/cu118", 10), At("torch==2.0.1", 10), At("pandas==2.0.3", 11) },
        };
    }
}
