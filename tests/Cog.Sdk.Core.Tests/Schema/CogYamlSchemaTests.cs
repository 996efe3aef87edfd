using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Tests.Parse;
using Cog.Sdk.Core.Tests.Validate;
using Cog.Sdk.Core.Validate;
using Json.Schema;

namespace Cog.Sdk.Core.Tests.Schema;

/// <summary>
/// docs/cog.schema.json, the schema editors use to check cog.yaml while it is typed, agrees with Cog.Sdk's own reading:
/// it accepts every sample, every corpus file and every test fixture that Cog.Sdk accepts, and refuses every fixture
/// that Cog.Sdk refuses for its structure (an unknown key, a wrong type, the two forms mixed).
/// </summary>
public class CogYamlSchemaTests
{
    /// <summary>The parser's codes for structure: what a JSON Schema can say, and so must say.</summary>
    private static readonly HashSet<string> StructuralCodes = new()
    {
        "COG2013", // unknown key
        "COG2014", // wrong type
        "COG2015", // the forms mixed
        "COG2016", // predict and run
        "COG2018", // a list entry of the wrong type
        "COG2019", // a run entry without command
        "COG2020", // a mount without type, id or target
        "COG2021", // concurrency without max
        "COG2022", // an environment entry that is not NAME=value
    };

    /// <summary>Codes about files a fixture names but does not carry (requirements, predictors): not the schema's business.</summary>
    private static readonly HashSet<string> FileCodes = new() { "COG2041", "COG2042", "COG2047", "COG2048" };

    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(File.ReadAllText(SchemaPath)));

    public static string RepoRoot =>
        typeof(CogYamlSchemaTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;

    public static string SchemaPath => Path.Combine(RepoRoot, "docs", "cog.schema.json");

    public static TheoryData<string> Samples()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.GetFiles(Path.Combine(RepoRoot, "samples"), "cog.yaml", SearchOption.AllDirectories).Order())
        {
            data.Add(Path.GetRelativePath(RepoRoot, file));
        }

        return data;
    }

    /// <summary>Every fixture of the parser's and the validator's tests, as (name, cog.yaml text).</summary>
    public static TheoryData<string, string> Fixtures()
    {
        var data = new TheoryData<string, string>();
        int i = 0;
        foreach (object[] row in CogYamlParserTests.DocumentProblems)
        {
            data.Add($"parser #{i++}", (string)row[0]);
        }

        i = 0;
        foreach (object[] row in CogConfigValidatorTests.Problems)
        {
            data.Add($"validator #{i++}", (string)row[0]);
        }

        foreach (object[] row in BrokenInputTests.BrokenFiles)
        {
            data.Add("broken input: " + (string)row[0], System.Text.Encoding.UTF8.GetString((byte[])row[1]).TrimStart('\uFEFF'));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_sample_is_accepted(string relativePath)
    {
        string path = Path.Combine(RepoRoot, relativePath);
        Assert.Empty(Errors(Load(path)));

        AssertAccepted(File.ReadAllText(path), relativePath);
    }

    [Fact]
    public void Every_corpus_file_that_Cog_Sdk_accepts_is_accepted()
    {
        string corpus = Path.Combine(RepoRoot, "tests", "corpus");
        var files = Directory.Exists(corpus) ? Directory.GetFiles(corpus, "cog.yaml", SearchOption.AllDirectories) : Array.Empty<string>();

        var refused = new List<string>();
        foreach (string file in files.Order())
        {
            if (Errors(Load(file)).Count == 0 && Problems(File.ReadAllText(file)) is { Count: > 0 } problems)
            {
                refused.Add(Path.GetRelativePath(corpus, file) + ": " + string.Join("; ", problems));
            }
        }

        Assert.True(refused.Count == 0, $"{refused.Count} of {files.Length} corpus files refused:\n" + string.Join("\n", refused));
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void A_fixture_gets_the_parsers_verdict(string name, string yaml)
    {
        using var project = new TempProject().WithConfig(yaml).WithFile("predict.py").WithFile("requirements.txt", "numpy==1.26.4\n")
            .WithFile("sub/train.py");
        var errors = Errors(Load(project.ConfigPath));
        if (!TryConvert(yaml, out JsonNode? document))
        {
            Assert.NotEmpty(errors); // Text a YAML reader cannot take is refused by Cog.Sdk too; nothing for a schema to say.
            return;
        }

        if (errors.Any(StructuralCodes.Contains))
        {
            Assert.True(Problems(document).Count > 0, $"{name}: Cog.Sdk refuses it ({string.Join(", ", errors)}), the schema accepts it:\n{yaml}");
        }
        else if (errors.All(FileCodes.Contains))
        {
            AssertAccepted(yaml, name);
        }
    }

    [Theory]
    [InlineData("environment:\n  architectures: [cpu, gpu]\n  build_requires_gpu: false\n  post_install: [echo done]\n  workdir: src\nmodel: \"src/predict.py:Model\"\nexamples:\n  - input: {text: hi}\n    output: out.txt\n")]
    [InlineData("build:\n  python_version: \"3.11\"\n  fast: true\n  cog_runtime: false\n  python_overrides: overrides.txt\n  python_extra_index_urls: [https://example.com/simple]\ntests:\n  - {}\nrun: \"predict.py:Predictor\"\n")]
    [InlineData("build:\n  python_version: \"3.13\"\n  sdk_version: \"0.17.0\"\nmodel: r8.im/me/model\nrun: \"predict.py:Runner\"\nweights:\n  - name: base\n    target: /weights\n    source: {uri: \"hf://org/model\"}\n")]
    [InlineData("name: my-model\nenvironment:\n  python_version: \"3.8\"\nmodel: \"model.py:Model\"\n")]
    public void Keys_of_every_era_are_accepted(string yaml)
    {
        AssertAccepted(yaml, "historical keys");
    }

    [Theory]
    [InlineData("build:\n  gpu: true\nexamples: []\n")]
    [InlineData("environment:\n  gpu: true\nrun: \"predict.py:Predictor\"\n")]
    [InlineData("environment:\n  fast: true\n")]
    [InlineData("build:\n  architectures: [gpu]\n")]
    [InlineData("model: \"predict\"\n")]
    [InlineData("build:\n  python_version: \"three\"\n")]
    [InlineData("build:\n  system_packages: [\"ffmpeg libgl1\"]\n")]
    public void Mistakes_an_editor_should_flag_are_refused(string yaml)
    {
        Assert.NotEmpty(Problems(Convert(yaml)));
    }

    [Fact]
    public void Every_key_has_a_description_and_every_retired_key_says_what_to_write_instead()
    {
        var root = JsonNode.Parse(File.ReadAllText(SchemaPath))!.AsObject();
        var keys = Keys("", root).ToList();
        var missing = new List<string>();
        foreach (var (path, key) in keys)
        {
            if (Description(root, key) == null)
            {
                missing.Add(path + ": no description");
            }

            // Retired keys build (with a warning), so they carry no deprecationMessage, which yaml-language-server shows
            // as an error; their description says what to do instead.
            string? description = key["description"]?.GetValue<string>();
            if (key["deprecated"]?.GetValue<bool>() == true &&
                !(description != null && new[] { "instead", "remove", "write" }.Any(w => description.Contains(w, StringComparison.OrdinalIgnoreCase))))
            {
                missing.Add(path + ": deprecated without saying what to write instead");
            }
        }

        Assert.True(keys.Count > 40, $"the walk found only {keys.Count} keys");
        Assert.True(missing.Count == 0, string.Join("\n", missing));
    }

    /// <summary>Every key's schema: the members of each "properties" anywhere in the schema but in the tests of conditions.</summary>
    private static IEnumerable<(string Path, JsonObject Key)> Keys(string path, JsonNode node)
    {
        var children = node is JsonObject obj ? obj.Select(p => (p.Key, p.Value))
            : node is JsonArray array ? array.Select((v, i) => (i.ToString(), v))
            : Enumerable.Empty<(string, JsonNode?)>();
        foreach (var (name, child) in children)
        {
            if (name == "properties" && child is JsonObject properties)
            {
                // A key refused by "false" (a key of the other form) needs no description: its own schema has one.
                foreach (var (key, schema) in properties.Where(p => p.Value is JsonObject))
                {
                    yield return (path + "/" + key, schema!.AsObject());
                }
            }

            if (child != null && name != "if")
            {
                foreach (var found in Keys(path + "/" + name, child))
                {
                    yield return found;
                }
            }
        }
    }

    /// <summary>A key's description, its own or that of the one definition it refers to ($ref, or allOf with one $ref).</summary>
    private static string? Description(JsonObject root, JsonObject key)
    {
        JsonNode? reference = key["$ref"] != null ? key : key["allOf"] is JsonArray { Count: 1 } one ? one[0] : null;
        string? target = reference?["$ref"]?.GetValue<string>();
        return key["description"]?.GetValue<string>()
            ?? (target != null ? root["definitions"]?[target.Substring("#/definitions/".Length)]?["description"]?.GetValue<string>() : null);
    }

    private static DiagnosticBag Load(string configPath)
    {
        var bag = new DiagnosticBag();
        CogConfigLoader.Load(configPath, bag);
        return bag;
    }

    private static List<string> Errors(DiagnosticBag bag) => bag.Where(d => d.IsError).Select(d => d.Code).ToList();

    private static void AssertAccepted(string yaml, string name)
    {
        var problems = Problems(yaml);
        Assert.True(problems.Count == 0, $"{name}: the schema refuses what Cog.Sdk accepts:\n{string.Join("\n", problems)}\n{yaml}");
    }

    private static List<string> Problems(string yaml) => Problems(Convert(yaml));

    /// <summary>The schema's errors for a document, "instance location: message" each; empty when it is valid.</summary>
    private static List<string> Problems(JsonNode? document)
    {
        using var json = JsonDocument.Parse(document?.ToJsonString() ?? "null");
        var results = Schema.Value.Evaluate(json.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return new List<string>();
        }

        var problems = (results.Details ?? new List<EvaluationResults>())
            .Where(d => d.Errors != null)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))
            .ToList();
        return problems.Count > 0 ? problems : new List<string> { "invalid" };
    }

    private static JsonNode? Convert(string yaml) =>
        TryConvert(yaml, out JsonNode? document) ? document : throw new InvalidOperationException("not YAML a reader can take:\n" + yaml);

    private static bool TryConvert(string yaml, out JsonNode? document) => YamlAsJson.TryConvert(yaml, out document);
}
