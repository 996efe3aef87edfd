using Cog.Sdk.Testing;

namespace Cog.Sdk.EndToEnd.Tests;

/// <summary>
/// Models that fail, hang or die, a Ctrl+C in the middle, and a GPU model on a machine without GPUs: each ends
/// with its own code and no container left behind.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public sealed class PredictFailureTests : ContainerTestBase
{
    private const string SlowSetupModel = """
        import time
        from cog import BasePredictor, Input

        class Predictor(BasePredictor):
            def setup(self):
                print("SLOW-SETUP-" + "STARTED")
                for _ in range(600):
                    time.sleep(1)

            def predict(self, text: str = Input()) -> str:
                return text
        """;

    private const string FailingPredictModel = """
        import time
        from cog import BasePredictor, Input

        class Predictor(BasePredictor):
            def predict(self, mode: str = Input(choices=["raise", "sleep"])) -> str:
                if mode == "raise":
                    raise ValueError("the pixel at 3,4 is " + "unreadable")
                for _ in range(600):
                    time.sleep(1)
                return "too late"
        """;

    public PredictFailureTests(PackedSdk sdk)
        : base(sdk, "failures")
    {
    }

    [EngineFact]
    public void A_setup_that_raises_is_COG4013_with_its_traceback()
    {
        var (model, image) = NewModel("SetupRaises", PredictTests.CurrentStyleYaml, """
            from cog import BasePredictor, Input

            def load_weights():
                raise RuntimeError("weights.bin is " + "corrupt")

            class Predictor(BasePredictor):
                def setup(self):
                    load_weights()

                def predict(self, text: str = Input()) -> str:
                    return text
            """);

        var result = Msbuild(model, image, "CogPredict", "-p:CogInput=text=x");

        AssertError(result, "COG4013");
        Assert.Contains("Traceback", result.Output);
        Assert.Contains("in load_weights", result.Output);
        Assert.Contains("RuntimeError: weights.bin is corrupt", result.Output);
        AssertNoContainerLeft(image);
    }

    [EngineFact]
    public void A_predict_that_raises_is_COG4018_with_its_error()
    {
        var (model, image) = NewModel("PredictRaises", PredictTests.CurrentStyleYaml, FailingPredictModel);

        var result = Msbuild(model, image, "CogPredict", "-p:CogInput=mode=raise");

        AssertError(result, "COG4018");
        // The error as Cog names it: the exception's type, then its message.
        Assert.Contains("ValueError: the pixel at 3,4 is unreadable", result.Errors.First(e => e.Code == "COG4018").Message);
        AssertNoContainerLeft(image);
    }

    [EngineFact]
    public void A_predictor_the_runtime_refuses_is_COG4030_with_its_reason_and_no_model_container()
    {
        var (model, image) = NewModel("Refused", PredictTests.CurrentStyleYaml, """
            from typing import Set
            from cog import BasePredictor

            class Predictor(BasePredictor):
                def predict(self, tags: Set[str]) -> str:
                    return ",".join(tags)
            """);
        DateTime started = DateTime.UtcNow;

        var result = Msbuild(model, image, "CogPredict", "-p:CogInput=tags=a");

        AssertError(result, "COG4030");
        Assert.Contains("tags", result.Errors.First(e => e.Code == "COG4030").Message);
        Assert.DoesNotContain(ContainersCreatedSince(image, started), n => n.StartsWith("cog-predict-", StringComparison.Ordinal));
        AssertNoContainerLeft(image);
    }

    [EngineFact]
    public void A_prediction_longer_than_CogPredictTimeout_is_COG4019()
    {
        var (model, image) = NewModel("PredictHangs", PredictTests.CurrentStyleYaml, FailingPredictModel);
        AssertSucceeded(Msbuild(model, image, "CogBuild"));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var result = Msbuild(model, image, "CogPredict", "-p:CogInput=mode=sleep", "-p:CogPredictTimeout=3");

        AssertError(result, "COG4019");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}, the model sleeps 600 s");
        AssertNoContainerLeft(image);
    }

    [EngineFact]
    public void A_setup_longer_than_CogSetupTimeout_is_COG4015()
    {
        var (model, image) = NewModel("SetupHangs", PredictTests.CurrentStyleYaml, SlowSetupModel);
        AssertSucceeded(Msbuild(model, image, "CogBuild"));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var result = Msbuild(model, image, "CogPredict", "-p:CogInput=text=x", "-p:CogSetupTimeout=3");

        AssertError(result, "COG4015");
        Assert.Contains("SLOW-SETUP-STARTED", result.Output);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}, setup() sleeps 600 s");
        AssertNoContainerLeft(image);
    }

    [EngineFact]
    public void A_container_that_exits_during_setup_is_COG4014_with_its_last_lines()
    {
        var (model, image) = NewModel("SetupExits", PredictTests.CurrentStyleYaml, """
            import os
            from cog import BasePredictor, Input

            class Predictor(BasePredictor):
                def setup(self):
                    print("out of memory, " + "giving up", flush=True)
                    os._exit(3)

                def predict(self, text: str = Input()) -> str:
                    return text
            """);

        var result = Msbuild(model, image, "CogPredict", "-p:CogInput=text=x");

        AssertError(result, "COG4014");
        Assert.Contains("out of memory, giving up", result.Errors.First(e => e.Code == "COG4014").Message + result.Output);
        AssertNoContainerLeft(image);
    }

    /// <summary>
    /// Ctrl+C in a terminal (SIGINT), a CI job canceled or a service stopped (SIGTERM: the dotnet CLI then ends the
    /// process itself), or a closed terminal (SIGHUP): the build stops as failed and no container is left running.
    /// </summary>
    [EngineTheory]
    [InlineData("INT")]
    [InlineData("TERM")]
    [InlineData("HUP")]
    public void A_signal_during_setup_stops_the_build_and_removes_the_container(string signal)
    {
        var (model, image) = NewModel("Interrupted" + signal, PredictTests.CurrentStyleYaml, SlowSetupModel);
        AssertSucceeded(Msbuild(model, image, "CogBuild"));

        using var build = new BackgroundMsbuild(Sdk, model, "-restore", "-t:CogPredict", "-p:CogImageName=" + image, "-p:CogInput=text=x");
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!ContainersOf(image).Any(n => n.StartsWith("cog-predict-", StringComparison.Ordinal)))
        {
            Assert.False(build.HasExited, "CogPredict ended before its container started:\n" + build.Output);
            Assert.True(DateTime.UtcNow < deadline, "no cog-predict container appeared:\n" + build.Output);
            Thread.Sleep(200);
        }

        build.Signal(signal);
        var result = build.WaitForExit(TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode != 0, "an interrupted build reported success:\n" + result);
        Assert.True(result.Output.Contains("Cog: canceled."), "the build did not say it was canceled:\n" + result);
        Assert.DoesNotContain("MSB4018", result.Output);
        Assert.DoesNotContain("COG3999", result.Output);
        AssertNoContainerLeft(image);
    }

    [EngineFact]
    public void A_gpu_model_falls_back_to_the_cpu_with_COG3103_where_the_engine_has_no_gpu_driver()
    {
        var (model, image) = GpuModel();

        var result = Msbuild(model, image, "CogPredict", "-p:CogBaseImage=python:3.11-slim", "-p:CogInput=text=on the cpu");

        AssertSucceeded(result);
        Assert.Contains(result.Warnings, w => w.Code == "COG3103");
        Assert.Contains("ran: on the cpu", result.Output);
        AssertNoContainerLeft(image);
    }

    [EngineFact]
    public void CogGpus_all_without_a_gpu_driver_is_COG3104_and_a_bad_value_COG2300()
    {
        var (model, image) = GpuModel();

        var all = Msbuild(model, image, "CogPredict", "-p:CogBaseImage=python:3.11-slim", "-p:CogInput=text=x", "-p:CogGpus=all");
        var bogus = Msbuild(model, image, "CogPredict", "-p:CogBaseImage=python:3.11-slim", "-p:CogInput=text=x", "-p:CogGpus=bogus");

        AssertError(all, "COG3104");
        AssertError(bogus, "COG2300");
        Assert.Contains("CogGpus", bogus.Errors.First(e => e.Code == "COG2300").Message);
        AssertNoContainerLeft(image);
    }

    private (ModelProject Project, string Image) GpuModel() =>
        NewModel("GpuModel", """
            build:
              gpu: true
              python_version: "3.11"
            predict: "predict.py:Predictor"
            """, """
            from cog import BasePredictor, Input

            class Predictor(BasePredictor):
                def predict(self, text: str = Input()) -> str:
                    return "ran: " + text
            """);
}
