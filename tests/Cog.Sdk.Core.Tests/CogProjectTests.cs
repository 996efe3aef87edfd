using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Tests.Generate;

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
}
