using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Generate;
using Cog.Sdk.Core.Tests.Generate;
using Cog.Sdk.Core.Tests.Schema;

namespace Cog.Sdk.Core.Tests;

/// <summary>What a loaded project depends on: the files whose change must make a build load it again.</summary>
public sealed class CogProjectTests : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    [Fact]
    public void Input_files_are_every_file_the_load_read_or_looked_for()
    {
        string yaml = _project.Write("cog.yaml",
            "build:\n  python_version: '3.11'\n  python_requirements: requirements.txt\npredict: predict.py:Predictor\ntrain: training/train.py:Trainer\n");
        string requirements = _project.Write("requirements.txt", "-r more/extra.txt\n-c constraints.txt\n");
        string extra = _project.Write("more/extra.txt", "");
        string constraints = _project.Write("constraints.txt", "numpy<2\n");
        string predictor = _project.Write("predict.py", "class Predictor: pass\n");
        string trainer = _project.Write("training/train.py", "class Trainer: pass\n");
        var diagnostics = new DiagnosticBag();

        CogProject? project = CogProject.Load(new CogProjectOptions(yaml), diagnostics);

        Assert.False(diagnostics.HasErrors, string.Join("\n", diagnostics));
        Assert.NotNull(project);
        Assert.Equal(new[] { yaml, requirements, extra, constraints, predictor, trainer }.OrderBy(f => f), project.InputFiles.OrderBy(f => f));
    }

    [Theory]
    [InlineData("MyModel")]
    [InlineData("team/model:")]
    [InlineData("registry.example.com/team/model:tag with space")]
    public void A_CogImageName_the_engines_would_refuse_is_COG2300_before_any_build(string name)
    {
        string yaml = _project.Write("cog.yaml", "build:\n  python_version: '3.11'\npredict: predict.py:Predictor\n");
        _project.Write("predict.py", "class Predictor: pass\n");
        var diagnostics = new DiagnosticBag();

        Assert.Null(CogProject.Load(new CogProjectOptions(yaml) { ImageName = name }, diagnostics));
        Assert.Equal("COG2300", Assert.Single(diagnostics, d => d.IsError).Code);
        Assert.NotNull(CogProject.Load(new CogProjectOptions(yaml) { ImageName = "registry.example.com:5000/team/my-model:1.0" }, new DiagnosticBag()));
    }

    /// <summary>Every real cog.yaml that loads, and one that uses every key at once.</summary>
    public static TheoryData<string> LoadableModels()
    {
        var data = new TheoryData<string>();
        string corpus = Path.Combine(CogYamlSchemaTests.RepoRoot, "tests", "corpus");
        foreach (string file in Directory.GetFiles(corpus, "cog.yaml", SearchOption.AllDirectories).Order())
        {
            data.Add(Path.GetRelativePath(CogYamlSchemaTests.RepoRoot, file));
        }

        return data;
    }

    /// <summary>
    /// The build keeps the model in obj/cog/model.json and every later step reads it from there: whatever it holds must
    /// come back whole, or a Dockerfile would be made from less than cog.yaml says.
    /// </summary>
    [Theory]
    [MemberData(nameof(LoadableModels))]
    public void A_model_reads_back_from_its_file_as_it_was(string relativePath)
    {
        string source = Path.GetDirectoryName(Path.Combine(CogYamlSchemaTests.RepoRoot, relativePath))!;
        foreach (string file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            _project.Write(Path.GetRelativePath(source, file), File.ReadAllText(file));
        }

        var diagnostics = new DiagnosticBag();
        CogProject? loaded = CogProject.Load(new CogProjectOptions(Path.Combine(_project.Directory, "cog.yaml")), diagnostics);
        if (loaded == null)
        {
            return; // The corpus's files that cannot work; CorpusTests holds them to their codes.
        }

        AssertReadsBack(loaded);
    }

    [Fact]
    public void A_model_with_every_key_reads_back_from_its_file_as_it_was()
    {
        string yaml = _project.Write("cog.yaml", """
            build:
              gpu: true
              cuda: "12.1"
              python_version: "3.11"
              python_requirements: requirements.txt
              system_packages: ["ffmpeg", "libgl1"]
              run:
                - "echo one"
                - command: "cat /run/secrets/token > /dev/null"
                  mounts:
                    - type: secret
                      id: token
                      target: /run/secrets/token
              pre_install: ["echo pre"]
            image: "registry.example.com/team/model"
            predict: "predict.py:Predictor"
            train: "train.py:Trainer"
            concurrency:
              max: 4
            environment:
              - "HF_HOME=/src/.cache"
            """);
        _project.Write("requirements.txt", "torch==2.3.1\n--extra-index-url https://example.com/simple\nnumpy>=1.26; python_version >= '3.9'\n./dist/local_pkg-0.1.0.tar.gz\n-c constraints.txt\n");
        _project.Write("constraints.txt", "numpy<2\n");
        _project.Write("dist/local_pkg-0.1.0.tar.gz", "archive");
        _project.Write("predict.py", "class Predictor: pass\n");
        _project.Write("train.py", "class Trainer: pass\n");
        var diagnostics = new DiagnosticBag();

        CogProject? loaded = CogProject.Load(new CogProjectOptions(yaml), diagnostics);

        Assert.True(loaded != null, string.Join("\n", diagnostics));
        AssertReadsBack(loaded!);
    }

    private void AssertReadsBack(CogProject loaded)
    {
        string file = Path.Combine(_project.ObjCog, "model.json");
        loaded.Write(file);
        CogProject? read = CogProject.Read(file);

        Assert.NotNull(read);
        Assert.Equal(JsonText.Serialize(loaded), JsonText.Serialize(read));
        var options = new ImageOptions();
        GeneratedDockerfile? dockerfile = DockerfileGenerator.Generate(loaded.CreateDockerfileSpec(options), new DiagnosticBag());
        Assert.Equal(dockerfile?.Text, DockerfileGenerator.Generate(read!.CreateDockerfileSpec(options), new DiagnosticBag())?.Text);

        // The image build reads the Dockerfile with its origins and its classic builder's form from Dockerfile.json.
        if (dockerfile != null)
        {
            string dockerfileFile = GeneratedDockerfile.ModelPathIn(_project.ObjCog);
            File.WriteAllText(dockerfileFile, JsonText.Serialize(dockerfile));
            GeneratedDockerfile? readDockerfile = JsonText.ReadFile<GeneratedDockerfile>(dockerfileFile);
            Assert.NotNull(readDockerfile);
            Assert.Equal(JsonText.Serialize(dockerfile), JsonText.Serialize(readDockerfile));
            Assert.Equal(dockerfile.LocalPackages, readDockerfile!.LocalPackages);
            if (!dockerfile.Instructions.Any(i => i.SecretMounts.Count > 0))
            {
                Assert.Equal(dockerfile.ForClassicBuilder(), readDockerfile.ForClassicBuilder());
            }
        }
    }
}
