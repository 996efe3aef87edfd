using Cog.Sdk.Core.Engine;
using Cog.Sdk.Core.Tests.Diagnostics;
using Cog.Sdk.Testing;

namespace Cog.Sdk.Core.Tests.Predict;

/// <summary>
/// One small image FROM python:3.11-slim with the runtime and several test predictors, picked per container with
/// COG_PREDICTOR, so that the whole class builds once. Removed when the tests end.
/// </summary>
public sealed class TestModelImage : IDisposable
{
    public const string Predictors = """
        import os, sys, threading, time
        from cog import BasePredictor, Input, Path

        class Text(BasePredictor):
            def setup(self):
                print("loading the text model")

            def predict(self, text: str = Input(description="What to shout"), times: int = Input(default=1, ge=1, le=5)) -> str:
                print("shouting " + text)
                return " ".join([text.upper()] * times)

        class Image(BasePredictor):
            def predict(self, image: Path) -> Path:
                out = Path("/tmp/same.png")
                out.write_bytes(image.read_bytes())
                return out

        class FailingSetup(BasePredictor):
            def setup(self):
                raise RuntimeError("weights not found: /weights/model.bin")

            def predict(self) -> str:
                return "never"

        class FailingPredict(BasePredictor):
            def predict(self, text: str) -> str:
                raise ValueError("cannot shout " + text)

        class ExitingSetup(BasePredictor):
            def setup(self):
                print("about to crash", flush=True)
                os._exit(3)

            def predict(self) -> str:
                return "never"

        class SlowSetup(BasePredictor):
            def setup(self):
                print("loading slowly", flush=True)
                time.sleep(120)

            def predict(self) -> str:
                return "late"

        class SlowPredict(BasePredictor):
            def predict(self) -> str:
                time.sleep(120)
                return "late"

        class ExitingAfterSetup(BasePredictor):
            def setup(self):
                def leave():
                    print("leaving on my own", flush=True)
                    os._exit(0)
                threading.Timer(3.0, leave).start()

            def predict(self) -> str:
                return "gone soon"

        class GoingSilent(BasePredictor):
            def predict(self) -> str:
                # The process becomes `sleep`: its sockets close (Python's are close-on-exec), the container runs on.
                os.execvp("sleep", ["sleep", "600"])

        class Unhealthy(BasePredictor):
            def healthcheck(self) -> bool:
                return False

            def predict(self) -> str:
                return "never"
        """;

    public TestModelImage()
    {
        // The runtime the SDK ships, from this repository.
        string runtime = Path.Combine(DiagnosticCodeTests.RepoRoot(), "src", "cog-runtime", "cog");
        if (!TestEngine.Available)
        {
            return;
        }

        string context = Directory.CreateTempSubdirectory("cog-predict-image-").FullName;
        try
        {
            CopyDirectory(runtime, Path.Combine(context, "cog"));
            File.WriteAllText(Path.Combine(context, "models.py"), Predictors);
            File.WriteAllText(Path.Combine(context, "cog.yaml"), "build:\n  python_version: \"3.11\"\npredict: \"models.py:Text\"\n");
            File.WriteAllText(Path.Combine(context, "Dockerfile"), """
                FROM python:3.11-slim
                COPY cog /opt/cog-runtime/cog
                ENV PYTHONPATH=/opt/cog-runtime
                WORKDIR /src
                COPY cog.yaml models.py /src/
                EXPOSE 5000
                CMD ["python", "-m", "cog.server.http"]
                """);
            var (exitCode, _, error) = TestEngine.Run("build", "-q", "-t", Image, context);
            Assert.True(exitCode == 0, error);
        }
        finally
        {
            Directory.Delete(context, recursive: true);
        }
    }

    /// <summary>Unique per test run, so that containers named after it are this run's.</summary>
    public string Image { get; } = "cog-sdk-test-predict-" + Guid.NewGuid().ToString("N").Substring(0, 8);

    public ContainerEngine Engine => new(ContainerEngineKind.Docker, TestEngine.Docker, hasBuildKit: false);

    /// <summary>The names of containers made from this image that still exist.</summary>
    public string LeftoverContainers() =>
        TestEngine.Run("ps", "-a", "--filter", "name=" + Image, "--format", "{{.Names}}").Out.Trim();

    public void Dispose()
    {
        if (TestEngine.Available)
        {
            foreach (string name in LeftoverContainers().Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                TestEngine.Run("rm", "-f", name);
            }

            TestEngine.Run("rmi", "-f", Image);
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (string directory in Directory.GetDirectories(from).Where(d => Path.GetFileName(d) != "__pycache__"))
        {
            CopyDirectory(directory, Path.Combine(to, Path.GetFileName(directory)));
        }
    }
}
