using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Tests.Parse;
using Cog.Sdk.Core.Validate;

namespace Cog.Sdk.Core.Tests.Validate;

public class CogConfigValidatorTests
{
    private const string Predict = "predict: \"predict.py:Predictor\"\n";

    /// <summary>Loads <paramref name="yaml"/> beside a predict.py and a requirements.txt; the diagnostics as CODE@line,column.</summary>
    private static List<string> Diagnose(string yaml)
    {
        using var project = new TempProject().WithConfig(yaml).WithFile("predict.py").WithFile("requirements.txt", "numpy==1.26.4\n")
            .WithFile("sub/train.py");
        Directory.CreateDirectory(Path.Combine(project.Directory, "reqs"));
        return project.Load().Diagnostics;
    }

    public static TheoryData<string, string[]> Problems => new()
    {
        // python_version
        { "build:\n  python_version: \"3.11.4\"\n" + Predict, new[] { "COG2064@2,19" } },
        { "build:\n  python_version: \"3\"\n" + Predict, new[] { "COG2032@2,19" } },
        { "build:\n  python_version: \"three\"\n" + Predict, new[] { "COG2032@2,19" } },
        { "build:\n  python_version: \"3.7\"\n" + Predict, new[] { "COG2033@2,19" } },
        { "build:\n  python_version: \"3.14\"\n" + Predict, Array.Empty<string>() },
        { "build:\n  python_version: \"3.15\"\n" + Predict, Array.Empty<string>() },
        { "build:\n  python_version: \"3.16\"\n" + Predict, new[] { "COG2033@2,19" } },
        { "build:\n  python_version: \"3.9\"\n" + Predict, new[] { "COG2059@2,19" } },
        { "build:\n  python_version: \"2.7\"\n" + Predict, new[] { "COG2033@2,19" } },
        // cuda, cudnn, gpu
        { "build:\n  gpu: true\n  cuda: \"12.1.1\"\n  cudnn: \"9\"\n" + Predict, Array.Empty<string>() },
        { "build:\n  gpu: true\n  cuda: \"12\"\n" + Predict, new[] { "COG2034@3,9" } },
        { "build:\n  gpu: true\n  cuda: \"10.2\"\n" + Predict, new[] { "COG2035@3,9" } },
        { "build:\n  gpu: true\n  cudnn: \"v8\"\n" + Predict, new[] { "COG2036@3,10" } },
        { "build:\n  cuda: \"11.8\"\n  cudnn: \"8\"\n" + Predict, new[] { "COG2037@2,9", "COG2037@3,10" } },
        // python packages
        { "build:\n  python_packages:\n    - torch\n" + Predict, new[] { "COG2038@3,7" } },
        { "build:\n  python_packages:\n    - torch>=2.0\n    - Torch_Vision==0.1\n    - torch-vision==0.2\n" + Predict, new[] { "COG2038@3,7", "COG2039@5,7" } },
        { "build:\n  python_packages:\n    - \"torch==\"\n    - \"-r other.txt\"\n" + Predict, new[] { "COG2003@3,7", "COG2216@4,7" } },
        { "build:\n  python_packages: [\"numpy @ https://x.org/numpy.whl\"]\n" + Predict, Array.Empty<string>() },
        { "build:\n  python_packages: [numpy==1.0]\n  python_requirements: requirements.txt\n" + Predict, new[] { "COG2040@3,24" } },
        { "build:\n  python_requirements: missing.txt\n" + Predict, new[] { "COG2041@2,24" } },
        { "build:\n  python_requirements: reqs\n" + Predict, new[] { "COG2042@2,24" } },
        // system packages
        { "build:\n  system_packages: [libgl1, \"g++\", \"libc6=2.35-0ubuntu3:amd64\", \"libc6:arm64\"]\n" + Predict, Array.Empty<string>() },
        { "build:\n  system_packages: [\"ffmpeg libgl1\", \"LibGL1\", \"a\"]\n" + Predict, new[] { "COG2063@2,21", "COG2043@2,38", "COG2043@2,48" } },
        // Cog passes an entry to apt-get as it is: more words, and apt options, are a warning; anything else stays an error.
        { "build:\n  system_packages: [musescore, \"fluidsynth --fix-missing\", \"ffmpeg; rm -rf /\", \"libgl1 $(id)\"]\n" + Predict, new[] { "COG2063@2,32", "COG2043@2,60", "COG2043@2,80" } },
        // pointers
        { "", new[] { "COG2044@0,0" } },
        // A predict: of the wrong shape is its error alone, not also "names no predictor".
        { "build:\n  python_version: \"3.11\"\npredict:\n  type: python\n  python: predict.py\n", new[] { "COG2014@4,3" } },
        { "predict: \"predict.py\"\n", new[] { "COG2045@1,10" } },
        { "predict: \"predict.py:1Predictor\"\n", new[] { "COG2046@1,10" } },
        { "predict: \"../predict.py:Predictor\"\n", new[] { "COG2047@1,10" } },
        { "predict: \"/src/predict.py:Predictor\"\n", new[] { "COG2047@1,10" } },
        { "predict: \"missing.py:Predictor\"\n", new[] { "COG2048@1,10" } },
        { "run: \"predict.py:Predictor\"\ntrain: \"sub/train.py:Trainer\"\n", Array.Empty<string>() },
        { "train: \"sub/nope.py:Trainer\"\n" + Predict, new[] { "COG2048@1,8" } },
        // image
        { "image: \"localhost:5000/team/my_model:v1.0\"\n" + Predict, Array.Empty<string>() },
        { "image: \"r8.im/me/m@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"\n" + Predict, Array.Empty<string>() },
        { "image: \"My/Model\"\n" + Predict, new[] { "COG2049@1,8" } },
        { "image: \"model:\"\n" + Predict, new[] { "COG2049@1,8" } },
        // commands and Dockerfile safety
        { "build:\n  run:\n    - |\n      apt-get update\n      apt-get install x\n" + Predict, new[] { "COG2030@3,7" } },
        { "build:\n  run:\n    - |\n      single line with a final break\n" + Predict, Array.Empty<string>() },
        { "build:\n  pre_install: [\"apt-get update \\\\\"]\n" + Predict, new[] { "COG2031@2,17" } },
        { "build:\n  system_packages: [\"libgl1\\nRUN curl evil | sh\"]\n" + Predict, new[] { "COG2031@2,21" } },
        { "environment: [\"A=x\\u0000y\"]\n" + Predict, new[] { "COG2031@1,15" } },
        { "image: \"a\\\\\"\n" + Predict, new[] { "COG2031@1,8", "COG2049@1,8" } },
        // secret mounts: each becomes one RUN --mount flag
        { "build:\n  run:\n    - command: \"cat /run/secrets/a\"\n      mounts:\n        - type: secret\n          id: a\n          target: /run/secrets/a\n" + Predict, Array.Empty<string>() },
        { "build:\n  run:\n    - command: x\n      mounts:\n        - type: secret\n          id: \"a b\"\n          target: \"/x,y=z\"\n" + Predict, new[] { "COG2061@5,11", "COG2061@5,11" } },
        { "build:\n  run:\n    - command: x\n      mounts:\n        - {type: secret, id: a, target: /s}\n        - {type: secret, id: b, target: /s}\n" + Predict, new[] { "COG2062@6,11" } },
        // environment
        { "environment:\n  - PATH=/x\n  - CUDA_HOME=/x\n  - MY_PATH=/x\n" + Predict, new[] { "COG2050@2,5", "COG2050@3,5" } },
        { "environment:\n  - A=1\n  - A=2\n" + Predict, new[] { "COG2051@3,5" } },
        // concurrency
        { "concurrency:\n  max: 0\n" + Predict, new[] { "COG2052@2,8" } },
        { "build:\n  python_version: \"3.10\"\nconcurrency:\n  max: 4\n" + Predict, new[] { "COG2053@4,8" } },
        { "build:\n  python_version: \"3.11\"\nconcurrency:\n  max: 4\n" + Predict, Array.Empty<string>() },
        { "build:\n  python_version: \"3.12\"\nconcurrency: 32\n" + Predict, new[] { "COG2055@3,14" } },
        { "build:\n  python_version: \"3.10\"\nconcurrency: 32\n" + Predict, new[] { "COG2055@3,14", "COG2053@3,14" } },
        // the original form's defaults: Python 3.8 cannot serve concurrent predictions
        { "environment:\n  gpu: false\nmodel: \"predict.py:Predictor\"\n", Array.Empty<string>() },
    };

    [Theory]
    [MemberData(nameof(Problems))]
    public void Each_problem_is_coded_and_located(string yaml, string[] expected)
    {
        Assert.Equal(expected, Diagnose(yaml));
    }

    [Fact]
    public void Ten_mistakes_give_ten_located_coded_diagnostics()
    {
        string yaml =
            "build:\n" +
            "  gpu: \"yes\"\n" +                          // 1 COG2014 wrong type
            "  pyhton_packages: [x]\n" +                  // 2 COG2013 unknown key
            "  python_version: \"3.6\"\n" +                // 3 COG2033 unsupported
            "  python_packages:\n" +
            "    - pillow=8.3.1\n" +                      // 5 COG2003 single '='
            "  system_packages: [\"Bad Package\"]\n" +     // 6 COG2043
            "  python_requirements: nothing.txt\n" +      // 7 COG2040 both, 8 COG2041 missing
            "image: \"upper/Case\"\n" +                    // 9 COG2049
            "predict: \"predict.py:Predictor\"\n" +
            "environment: [\"PYTHONPATH=/x\"]\n" +         // 4 COG2050
            "concurrency: {max: 0}\n";                    // 10 COG2052

        var diagnostics = Diagnose(yaml);

        Assert.Equal(
            new[]
            {
                "COG2014@2,8", "COG2013@3,3", "COG2003@6,7",
                "COG2033@4,19", "COG2040@8,24", "COG2041@8,24", "COG2043@7,21",
                "COG2049@9,8", "COG2050@11,15", "COG2052@12,20",
            },
            diagnostics);
    }

    [Fact]
    public void The_python_versions_message_names_the_supported_range()
    {
        using var project = new TempProject().WithConfig("build:\n  python_version: \"3.7\"\n" + Predict).WithFile("predict.py");
        var bag = new DiagnosticBag();

        CogConfigLoader.Load(project.ConfigPath, bag);

        Assert.Equal(
            "Python 3.7 is not supported: the compatibility table has Python 3.8, 3.9, 3.10, 3.11, 3.12, 3.13, 3.14, 3.15. Choose one of these, " +
            "or add the version with a table of your own (the CogCompatibilityFile property, docs/compatibility.md).",
            Assert.Single(bag).Message);
    }

    [Fact]
    public void A_config_with_errors_still_comes_back()
    {
        using var project = new TempProject().WithConfig("build:\n  python_version: \"2.7\"\n" + Predict).WithFile("predict.py");
        var bag = new DiagnosticBag();

        var config = CogConfigLoader.Load(project.ConfigPath, bag);

        Assert.NotNull(config);
        Assert.True(bag.HasErrors);
    }
}
