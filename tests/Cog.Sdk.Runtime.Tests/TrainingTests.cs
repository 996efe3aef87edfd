using System.Net;
using System.Text;
using System.Text.Json;

namespace Cog.Sdk.Runtime.Tests;

/// <summary>Trainings (predictors/trainer: `train: "train.py:Trainer"` beside `run:`): served with
/// `--x-mode train` at /trainings as `cog train` runs them, in both of Cog's forms (a class with train(),
/// a plain function), with TrainingInput/TrainingOutput in the schema.</summary>
public sealed class TrainingTests(ServerPool servers) : IClassFixture<ServerPool>
{
    private static readonly RuntimeOptions Trainer = new("trainer", Reference: null) { Arguments = ["--x-mode", "train"] };

    private static string Decoded(string dataUrl) => Encoding.UTF8.GetString(Convert.FromBase64String(dataUrl.Split(',')[1]));

    [Theory]
    [InPython(Python.Host)]
    [InPython(Python.Container)]
    public async Task ATrainerClass_Trains_ReturningItsWeights(Python python)
    {
        var server = await servers.GetAsync(python, Trainer);

        var (status, training) = await server.SendAsync(HttpMethod.Post, "trainings", new { input = new { data = "poems", epochs = 2 } });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(training.GetProperty("status").GetString() == "succeeded", training.ToString());
        var output = training.GetProperty("output");
        Assert.Equal(2, output.GetProperty("epochs").GetInt32());
        Assert.Equal("base-model tuned on poems x2", Decoded(output.GetProperty("weights").GetString()!));
        Assert.Equal("epoch 0\nepoch 1\n", training.GetProperty("logs").GetString());
    }

    [Theory]
    [InPython(Python.Host)]
    [InPython(Python.Container)]
    public async Task ATrainFunction_Trains(Python python)
    {
        var server = await servers.GetAsync(python, new RuntimeOptions("trainer", Reference: null)
        {
            Arguments = ["--x-mode", "train"],
            Environment = new Dictionary<string, string> { ["COG_TRAINER"] = "train.py:train" },
        });

        var (_, training) = await server.SendAsync(HttpMethod.Post, "trainings", new { input = new { data = "songs" } });

        Assert.Equal("succeeded", training.GetProperty("status").GetString());
        Assert.Equal("weights for songs", Decoded(training.GetProperty("output").GetString()!));
    }

    [Fact]
    public async Task Trainings_AreIdempotentByPut_Cancelable_Validated_AndNeverStreamed()
    {
        var server = await servers.GetAsync(Python.Host, Trainer);
        var id = "training-" + Guid.NewGuid().ToString("N");

        var (putStatus, put) = await server.SendAsync(HttpMethod.Put, "trainings/" + id, new { input = new { data = "a" } });
        var (mismatchStatus, mismatch) = await server.SendAsync(HttpMethod.Put, "trainings/other", new { id = "not-other", input = new { data = "a" } });
        var (cancelStatus, _) = await server.SendAsync(HttpMethod.Post, "trainings/no-such-training/cancel");
        var (invalidStatus, invalid) = await server.SendAsync(HttpMethod.Post, "trainings", new { input = new { data = "a", epochs = 0 } });
        var refused = new List<ServerEvent>();
        await foreach (var item in server.EventsAsync(HttpMethod.Post, "trainings", new { input = new { data = "a" } }))
        {
            refused.Add(item);
        }

        Assert.Equal(HttpStatusCode.OK, putStatus);
        Assert.Equal(id, put.GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, mismatchStatus);
        Assert.Equal("training ID must match the ID supplied in the URL", mismatch.GetProperty("detail")[0].GetProperty("msg").GetString());
        Assert.Equal(HttpStatusCode.NotFound, cancelStatus);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalidStatus);
        Assert.Equal("epochs", invalid.GetProperty("detail")[0].GetProperty("loc")[2].GetString());
        Assert.Equal("status:406", Assert.Single(refused).Name);
    }

    [Fact]
    public async Task ATrainServer_RunsNoPredictions_AndAPredictServerNoTrainings()
    {
        var trainer = await servers.GetAsync(Python.Host, Trainer);
        var predictor = await servers.GetAsync(Python.Host, new RuntimeOptions("trainer", Reference: null));

        var (predictStatus, _) = await trainer.PredictAsync(new { prompt = "p" });
        var (trainStatus, refusal) = await predictor.SendAsync(HttpMethod.Post, "trainings", new { input = new { data = "a" } });
        var (_, prediction) = await predictor.PredictAsync(new { prompt = "p" });

        Assert.Equal(HttpStatusCode.NotFound, predictStatus);
        Assert.Equal(HttpStatusCode.NotFound, trainStatus);
        Assert.Contains("--x-mode train", refusal.GetProperty("detail").GetString());
        Assert.Equal("p with weights None (NoneType)", prediction.GetProperty("output").GetString());
    }

    [Theory]
    [InlineData("https://example.com/weights.tar", "https://example.com/weights.tar (str)")]
    [InlineData("/src/weights.bin", "/src/weights.bin (Path)")]
    public async Task TheWeightsOfATraining_ReachSetupThroughCogWeights(string weights, string received)
    {
        var server = await servers.GetAsync(Python.Host, new RuntimeOptions("trainer", Reference: null)
        {
            Environment = new Dictionary<string, string> { ["COG_WEIGHTS"] = weights },
        });

        var (_, prediction) = await server.PredictAsync(new { prompt = "p" });

        Assert.Equal("p with weights " + received, prediction.GetProperty("output").GetString());
    }

    [Theory]
    [InPython(Python.Host)]
    [InPython(Python.Container)]
    public async Task TheSchema_HasTrainingComponentsAndPaths_InBothModes(Python python)
    {
        foreach (var options in new[] { Trainer, new RuntimeOptions("trainer", Reference: null) })
        {
            var server = await servers.GetAsync(python, options);
            var schema = await server.GetJsonAsync("openapi.json");
            var index = await server.GetJsonAsync("");

            AssertTrainingSchema(schema);
            Assert.Equal("/trainings", index.GetProperty("trainings_url").GetString());
            Assert.Equal("/predictions", index.GetProperty("predictions_url").GetString());
        }
    }

    [Theory]
    [InPython(Python.Host)]
    [InPython(Python.Container)]
    public void TheSchemaCommand_DescribesTheTrainerToo(Python python)
    {
        var (exitCode, standardOutput, standardError) = PythonRuntime.Run(python, new RuntimeOptions("trainer", Reference: null), ["-m", "cog.command.openapi_schema"]);

        Assert.True(exitCode == 0, standardError);
        using var document = JsonDocument.Parse(standardOutput);
        AssertTrainingSchema(document.RootElement);
    }

    private static void AssertTrainingSchema(JsonElement schema)
    {
        var schemas = schema.GetProperty("components").GetProperty("schemas");
        var input = schemas.GetProperty("TrainingInput");
        Assert.Equal(["data"], input.GetProperty("required").EnumerateArray().Select(name => name.GetString()));
        Assert.Equal("Training text", input.GetProperty("properties").GetProperty("data").GetProperty("description").GetString());
        Assert.Equal(1, input.GetProperty("properties").GetProperty("epochs").GetProperty("minimum").GetInt32());
        var output = schemas.GetProperty("TrainingOutput");
        Assert.Equal("TrainingOutput", output.GetProperty("title").GetString());
        Assert.Equal("uri", output.GetProperty("properties").GetProperty("weights").GetProperty("format").GetString());
        Assert.True(schemas.TryGetProperty("TrainingRequest", out _));
        Assert.True(schemas.TryGetProperty("TrainingResponse", out _));
        // Both have a `steps` input with choices: the predictor's enum component wins, as in Cog.
        Assert.Equal([1, 2], schemas.GetProperty("steps").GetProperty("enum").EnumerateArray().Select(choice => choice.GetInt32()));
        Assert.Equal("prompt", schemas.GetProperty("Input").GetProperty("required")[0].GetString());
        var paths = schema.GetProperty("paths");
        Assert.Equal("train_trainings_post", paths.GetProperty("/trainings").GetProperty("post").GetProperty("operationId").GetString());
        Assert.True(paths.TryGetProperty("/trainings/{training_id}", out _));
        Assert.True(paths.TryGetProperty("/trainings/{training_id}/cancel", out _));
        Assert.True(paths.TryGetProperty("/predictions", out _));
    }
}
