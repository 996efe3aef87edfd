using Cog.Sdk.Testing;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Engine;
using Cog.Sdk.Core.Predict;

namespace Cog.Sdk.Core.Tests.Predict;

/// <summary>Predictions, served models and commands against a real image on the real engine; every test leaves no container behind.</summary>
public sealed class PredictionRunnerTests : IClassFixture<TestModelImage>, IDisposable
{
    private readonly TestModelImage _model;
    private readonly string _project = Directory.CreateTempSubdirectory("cog-predict-project-").FullName;
    private readonly ConcurrentQueue<string> _log = new();
    private readonly ConcurrentQueue<Diagnostic> _reported = new();

    public PredictionRunnerTests(TestModelImage model) => _model = model;

    private string StateFile => Path.Combine(_project, "obj", "cog", "serve.json");

    public void Dispose()
    {
        Directory.Delete(_project, recursive: true);
        Assert.Equal("", _model.LeftoverContainers());
    }

    private PredictionRequest Request(string predictor, System.Text.Json.Nodes.JsonObject? input = null) =>
        new(_model.Engine, _model.Image, input ?? new System.Text.Json.Nodes.JsonObject())
        {
            Environment = new[] { "COG_PREDICTOR=models.py:" + predictor },
            SetupTimeout = TimeSpan.FromSeconds(60),
            PredictionTimeout = TimeSpan.FromSeconds(60),
        };

    private Task<PredictionResult> Run(PredictionRequest request, CancellationToken cancellationToken = default) =>
        PredictionRunner.RunAsync(request, _log.Enqueue, _reported.Enqueue, cancellationToken);

    private async Task<Diagnostic> Fails(PredictionRequest request)
    {
        var e = await Assert.ThrowsAsync<CogException>(() => Run(request));
        return e.Diagnostic;
    }

    [EngineFact]
    public async Task A_text_model_runs_end_to_end_with_inputs_checked_against_the_image_schema()
    {
        string cache = Path.Combine(_project, "obj", "schemas");
        InputSchema schema = await SchemaReader.ReadAsync(_model.Engine, _model.Image, cache, _reported.Enqueue, CancellationToken.None);
        Assert.Equal(new[] { "text", "times" }, schema.Parameters.Select(p => p.Name));
        Assert.Single(Directory.GetFiles(cache));
        Assert.Equal(schema.Json, (await SchemaReader.ReadAsync(_model.Engine, _model.Image, cache, _reported.Enqueue, CancellationToken.None)).Json);

        var diagnostics = new DiagnosticBag();
        var input = InputBinder.Bind(InputParser.ParseInputString("text=hot dog;times=2", diagnostics), schema, _project, diagnostics);
        Assert.Empty(diagnostics);
        InputBinder.Bind(InputParser.ParseInputString("text=x;times=9", diagnostics), schema, _project, diagnostics);
        Assert.Equal("COG4006", Assert.Single(diagnostics).Code);

        PredictionResult result = await Run(Request("Text", input));
        Assert.Equal("HOT DOG HOT DOG", JsonText.Show(result.Output));
        Assert.Contains("shouting hot dog", result.Logs);
        Assert.Contains(_log, line => line.Contains("loading the text model"));
        Assert.Empty(_reported);

        WrittenOutput written = OutputWriter.Write(result.Output, Path.Combine(_project, "cog-output"));
        Assert.Equal("HOT DOG HOT DOG", written.Text);
        Assert.Equal("HOT DOG HOT DOG", File.ReadAllText(written.Files.Single()));
    }

    [EngineFact]
    public async Task An_image_goes_in_and_comes_out_as_a_png_file()
    {
        byte[] png = TinyPng();
        File.WriteAllBytes(Path.Combine(_project, "in.png"), png);
        var diagnostics = new DiagnosticBag();
        var input = new System.Text.Json.Nodes.JsonObject { ["image"] = DataUrl.FromFile(Path.Combine(_project, "in.png")) };

        PredictionResult result = await Run(Request("Image", input));

        WrittenOutput written = OutputWriter.Write(result.Output, Path.Combine(_project, "cog-output"));
        Assert.Equal("output.png", Path.GetFileName(written.Files.Single()));
        Assert.Equal(png, File.ReadAllBytes(written.Files[0]));
    }

    [EngineFact]
    public async Task A_failing_setup_is_COG4013_with_its_traceback()
    {
        Diagnostic error = await Fails(Request("FailingSetup"));
        Assert.Equal("COG4013", error.Code);
        Assert.Contains("Traceback", error.Message);
        Assert.Contains("RuntimeError: weights not found: /weights/model.bin", error.Message);
    }

    [EngineFact]
    public async Task A_failing_predict_is_COG4018_with_its_error()
    {
        Diagnostic error = await Fails(Request("FailingPredict", new System.Text.Json.Nodes.JsonObject { ["text"] = "quietly" }));
        Assert.Equal("COG4018", error.Code);
        Assert.Contains("cannot shout quietly", error.Message);
    }

    [EngineFact]
    public async Task Inputs_the_server_rejects_are_COG4017_per_field()
    {
        Diagnostic error = await Fails(Request("Text", new System.Text.Json.Nodes.JsonObject { ["times"] = "many" }));
        Assert.Equal("COG4017", error.Code);
        Assert.Contains("- text:", error.Message);
        Assert.Contains("- times:", error.Message);
    }

    [EngineFact]
    public async Task A_container_that_exits_during_setup_is_COG4014_with_its_last_lines()
    {
        Diagnostic error = await Fails(Request("ExitingSetup"));
        Assert.Equal("COG4014", error.Code);
        Assert.Contains("about to crash", error.Message);
    }

    [EngineFact]
    public async Task A_model_whose_healthcheck_fails_is_COG4036_with_the_reason()
    {
        Diagnostic error = await Fails(Request("Unhealthy"));
        Assert.Equal("COG4036", error.Code);
        Assert.Contains("healthcheck returned False", error.Message);
    }

    [EngineFact]
    public async Task A_server_that_goes_silent_while_its_container_runs_on_is_COG4023()
    {
        // The connection closes under the prediction; the container has not stopped, so it is not COG4014.
        Diagnostic error = await Fails(Request("GoingSilent"));
        Assert.Equal("COG4023", error.Code);
        Assert.DoesNotContain("An error occurred while sending the request", error.Message); // says what went wrong instead
    }

    [EngineFact]
    public async Task A_slow_setup_times_out_with_COG4015()
    {
        var request = Request("SlowSetup");
        request.SetupTimeout = TimeSpan.FromSeconds(3);
        Assert.Equal("COG4015", (await Fails(request)).Code);
    }

    [EngineFact]
    public async Task A_slow_prediction_times_out_with_COG4019()
    {
        var request = Request("SlowPredict");
        request.PredictionTimeout = TimeSpan.FromSeconds(2);
        Diagnostic error = await Fails(request);
        Assert.Equal("COG4019", error.Code);
        Assert.Contains("within 2 s", error.Message);
    }

    [EngineFact]
    public async Task Cancellation_during_setup_removes_the_container()
    {
        using var cancel = new CancellationTokenSource();
        var request = Request("SlowSetup");
        Task<PredictionResult> running = PredictionRunner.RunAsync(request, line =>
        {
            _log.Enqueue(line);
            if (line.Contains("loading slowly"))
            {
                cancel.Cancel();
            }
        }, _reported.Enqueue, cancel.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.Contains(_log, line => line.Contains("loading slowly"));
        Assert.Equal("", TestEngineNames("cog-predict"));
    }

    [EngineFact]
    public async Task A_gpu_model_falls_back_to_the_cpu_with_COG3103_where_the_engine_has_no_gpu_driver()
    {
        var request = Request("Text", new System.Text.Json.Nodes.JsonObject { ["text"] = "cpu" });
        request.ConfigUsesGpu = true;
        PredictionResult result = await Run(request);
        Assert.Equal("CPU", JsonText.Show(result.Output));
        Diagnostic warning = Assert.Single(_reported);
        Assert.Equal("COG3103", warning.Code);
        Assert.Contains("could not select device driver", warning.Message);
    }

    [EngineFact]
    public async Task Gpus_all_on_a_machine_without_a_gpu_driver_is_COG3104()
    {
        var request = Request("Text", new System.Text.Json.Nodes.JsonObject { ["text"] = "gpu" });
        request.Gpus = GpuMode.All;
        Assert.Equal("COG3104", (await Fails(request)).Code);
    }

    [EngineFact]
    public async Task A_missing_image_is_COG3101_saying_to_build_first()
    {
        var request = new PredictionRequest(_model.Engine, _model.Image + "-never-built", new System.Text.Json.Nodes.JsonObject());
        Diagnostic error = await Fails(request);
        Assert.Equal("COG3101", error.Code);
        Assert.Contains("Build it first", error.Message);
        var schemaError = await Assert.ThrowsAsync<CogException>(() => SchemaReader.ReadAsync(_model.Engine, request.Image, null, _reported.Enqueue, CancellationToken.None));
        Assert.Equal("COG3101", schemaError.Diagnostic.Code);
    }

    [EngineFact]
    public async Task An_image_without_the_runtime_is_COG4012_and_no_schema_is_cached()
    {
        // python:3.11-slim under a name of this test's own (its containers are named after it): no `cog` module to ask.
        string image = _model.Image + "-no-runtime";
        Assert.Equal(0, TestEngine.Run("tag", "python:3.11-slim", image).ExitCode);
        string cache = Path.Combine(_project, "obj", "schemas");
        try
        {
            var e = await Assert.ThrowsAsync<CogException>(() => SchemaReader.ReadAsync(_model.Engine, image, cache, _reported.Enqueue, CancellationToken.None));

            Assert.Equal("COG4012", e.Diagnostic.Code);
            Assert.Contains("exit code 1", e.Diagnostic.Message);
            Assert.False(Directory.Exists(cache) && Directory.EnumerateFileSystemEntries(cache).Any(), "a schema that could not be read was cached");
            Assert.Empty(_reported);
        }
        finally
        {
            TestEngine.Run("rmi", image);
        }
    }

    [EngineFact]
    public async Task A_daemon_that_does_not_answer_is_COG1002_not_a_missing_image()
    {
        // A prediction runs on an engine found without asking its daemon (the build has just asked it about the image).
        var engine = Cog.Sdk.Core.Engine.EngineLocator.Unprobed("docker", new Dictionary<string, string> { ["DOCKER_HOST"] = "unix:///nonexistent.sock" });
        Diagnostic error = await Fails(new PredictionRequest(engine, _model.Image, new System.Text.Json.Nodes.JsonObject()));
        Assert.Equal("COG1002", error.Code);
        Assert.Contains("nonexistent.sock", error.Message);
    }

    [EngineFact]
    public async Task A_command_runs_in_src_with_the_project_mounted_and_returns_its_exit_code()
    {
        File.WriteAllText(Path.Combine(_project, "marker.txt"), "mounted project\n");
        var request = new RunRequest(_model.Engine, _model.Image, "sh -c 'pwd; cat marker.txt; echo \"$GREETING\"; exit 3'", _project)
        {
            Environment = new[] { "GREETING=hello from env" },
            Ports = new[] { "18888:8888" },
        };
        int exitCode = await CommandRunner.RunAsync(request, _log.Enqueue, _reported.Enqueue, CancellationToken.None);
        Assert.Equal(3, exitCode);
        Assert.Contains("/src", _log);
        Assert.Contains("mounted project", _log);
        Assert.Contains("hello from env", _log);
        Assert.Equal("COG3105", CommandRunner.ExitedNonZero(request, exitCode).Code);

        var succeeding = new RunRequest(_model.Engine, _model.Image, "python -c 'import cog; print(\"ok\")'", _project) { ConfigUsesGpu = true };
        Assert.Equal(0, await CommandRunner.RunAsync(succeeding, _log.Enqueue, _reported.Enqueue, CancellationToken.None));
        Assert.Contains("ok", _log);
        Assert.Equal("COG3103", Assert.Single(_reported).Code);
    }

    [EngineFact]
    public async Task A_command_whose_port_is_taken_is_COG3102_and_never_runs()
    {
        using TcpListener taken = TakePort(out int port);
        var request = new RunRequest(_model.Engine, _model.Image, "echo ran", _project) { Ports = new[] { port + ":8888" } };

        var e = await Assert.ThrowsAsync<CogException>(() => CommandRunner.RunAsync(request, _log.Enqueue, _reported.Enqueue, CancellationToken.None));

        Assert.Equal("COG3102", e.Diagnostic.Code);
        Assert.DoesNotContain("ran", _log);
        Assert.Empty(_reported);
    }

    [EngineFact]
    public async Task A_canceled_command_leaves_no_container()
    {
        using var cancel = new CancellationTokenSource();
        var request = new RunRequest(_model.Engine, _model.Image, "sh -c 'echo started; sleep 120'", _project);
        Task<int> running = CommandRunner.RunAsync(request, line =>
        {
            if (line == "started")
            {
                cancel.Cancel();
            }
        }, _reported.Enqueue, cancel.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.Equal("", TestEngineNames("cog-run"));
    }

    // ---- CogServe, CogStop: however serving ends, no container and no record (obj/cog/serve.json) is left behind ----

    private ServeRequest Serve(string predictor, int? port = null) =>
        new(new ModelContainerSpec(_model.Engine, _model.Image)
        {
            Purpose = "serve",
            HostPort = port,
            Environment = new[] { "COG_PREDICTOR=models.py:" + predictor },
        }, StateFile)
        {
            SetupTimeout = TimeSpan.FromSeconds(60),
        };

    [EngineFact]
    public async Task A_served_model_that_stops_by_itself_after_setup_is_COG4035_with_its_last_lines()
    {
        Uri? servedAt = null;

        var e = await Assert.ThrowsAsync<CogException>(() =>
            ServedModel.ServeAsync(Serve("ExitingAfterSetup"), _log.Enqueue, url => servedAt = url, _reported.Enqueue, CancellationToken.None));

        Assert.Equal("COG4035", e.Diagnostic.Code);
        Assert.Contains("leaving on my own", e.Diagnostic.Message);
        Assert.NotNull(servedAt); // it was ready, and served, before it stopped
        Assert.False(File.Exists(StateFile), "the stopped model's record outlived it");
        Assert.Empty(_reported);
    }

    [EngineFact]
    public async Task A_serve_port_that_is_taken_is_COG3102_and_nothing_is_served_or_recorded()
    {
        using TcpListener taken = TakePort(out int port);

        var e = await Assert.ThrowsAsync<CogException>(() =>
            ServedModel.ServeAsync(Serve("Text", port), _log.Enqueue, _ => Assert.Fail("served"), _reported.Enqueue, CancellationToken.None));

        Assert.Equal("COG3102", e.Diagnostic.Code);
        Assert.False(File.Exists(StateFile));
        Assert.Empty(_reported);
    }

    [EngineFact]
    public async Task CogStop_when_the_engine_no_longer_answers_forgets_the_model_and_warns_COG3110_with_the_command_to_run()
    {
        // What CogServe recorded; then the daemon went away (here: a DOCKER_HOST where none listens).
        const string container = "cog-serve-gone-0badc0de";
        Directory.CreateDirectory(Path.GetDirectoryName(StateFile)!);
        File.WriteAllText(StateFile, JsonText.Serialize(new ServedModel(container, "http://127.0.0.1:1/", "sha256:0")));
        var engine = new ContainerEngine(ContainerEngineKind.Docker, TestEngine.Docker, hasBuildKit: false,
            new Dictionary<string, string> { ["DOCKER_HOST"] = "unix:///nonexistent/docker.sock" });

        ServedModel? stopped = await ServedModel.StopAsync(engine, StateFile, _reported.Enqueue);

        Assert.Equal(container, stopped!.Container);
        Diagnostic warning = Assert.Single(_reported);
        Assert.Equal("COG3110", warning.Code);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Contains($"'docker rm -f {container}'", warning.Message);
        Assert.False(File.Exists(StateFile));
    }

    /// <summary>A port on 127.0.0.1 that the test holds while the engine is asked to publish on it.</summary>
    private static TcpListener TakePort(out int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        port = ((IPEndPoint)listener.LocalEndpoint).Port;
        return listener;
    }

    private string TestEngineNames(string prefix) =>
        string.Join(",", _model.LeftoverContainers().Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(n => n.StartsWith(prefix)));

    /// <summary>A valid 1x1 red PNG.</summary>
    private static byte[] TinyPng() => Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==");
}
