using Cog.Sdk.Core.Generate;

namespace Cog.Sdk.Core.Tests.Generate;

public class BuildContextTests
{
    private static readonly Dictionary<string, string> NoGenerated = new();

    private static BuildContext Collect(TempProject project, IReadOnlyDictionary<string, string>? generated = null) =>
        BuildContext.Collect(project.Directory, null, generated ?? NoGenerated, new[] { project.ObjCog });

    private static TempProject Model()
    {
        var project = new TempProject();
        project.Write("cog.yaml", "build:\n  python_version: '3.11'\npredict: predict.py:Predictor\n");
        project.Write("predict.py", "class Predictor: pass\n");
        project.Write("lib/util.py", "x = 1\n");
        return project;
    }

    [Fact]
    public void Only_model_files_reach_the_context()
    {
        using var project = Model();
        foreach (string junk in new[] { "bin/Debug/a.dll", "obj/cog/x", ".git/HEAD", ".vs/x", ".idea/x", ".vscode/settings.json", "lib/__pycache__/util.pyc", "notes.md", "data/tmp/x" })
        {
            project.Write(junk, "junk");
        }

        project.Write("sub/bin/keep.txt", "bin is excluded at the root only");
        project.Write("data/keep.txt", "re-included");
        project.Write(".dockerignore", "# mine\n*.md\ndata\n!data/keep.txt\n");

        var paths = Collect(project).Files.Select(f => f.ContextPath).ToList();

        Assert.Equal(new[] { "src/.dockerignore", "src/cog.yaml", "src/data/keep.txt", "src/lib/util.py", "src/predict.py", "src/sub/bin/keep.txt" }, paths);
    }

    [Fact]
    public void Large_files_go_to_the_weights_folder()
    {
        using var project = Model();
        project.WriteBytes("checkpoints/model.bin", BuildContext.LargeFileThreshold);
        project.WriteBytes("small.bin", BuildContext.LargeFileThreshold - 1);

        var paths = Collect(project).Files.Select(f => f.ContextPath).ToList();

        Assert.Contains("weights/checkpoints/model.bin", paths);
        Assert.Contains("src/small.bin", paths);
    }

    [Fact]
    public void The_context_is_the_model_without_build_outputs_caches_and_what_dockerignore_excludes()
    {
        using var project = Model();
        project.Write("obj/cog/model.json", "build outputs are not the model");
        project.Write("lib/__pycache__/x.pyc", "cache");
        project.Write("lib/util.py", "kept");
        project.Write("lib/ignored.py", "ignored");
        project.Write(".dockerignore", "lib/ignored.py\n");

        var paths = Collect(project).Files.Select(f => f.ContextPath).ToList();

        Assert.Contains("src/lib/util.py", paths);
        Assert.Contains("src/predict.py", paths);
        Assert.DoesNotContain(paths, p => p.Contains("obj/") || p.Contains("__pycache__") || p.Contains("ignored.py"));
        Assert.Equal(paths.OrderBy(p => p, StringComparer.Ordinal), paths);
    }

    [Fact]
    public void Staging_links_the_files_and_keeps_the_staging_in_sync()
    {
        using var project = Model();
        string context = Path.Combine(project.ObjCog, "context");
        string runtime = project.FakeRuntime();
        project.Write(".dockerignore", "runtime-src\n");
        string ignoreBefore = File.ReadAllText(Path.Combine(project.Directory, ".dockerignore"));
        var generated = new Dictionary<string, string> { ["cog/requirements.txt"] = "numpy\n" };

        BuildContext.Collect(project.Directory, runtime, generated, new[] { project.ObjCog }).Stage(context);

        Assert.Equal("class Predictor: pass\n", File.ReadAllText(Path.Combine(context, "src", "predict.py")));
        Assert.Equal("numpy\n", File.ReadAllText(Path.Combine(context, "cog", "requirements.txt")));
        Assert.True(File.Exists(Path.Combine(context, "cog", "runtime", "cog", "server", "http.py")));
        Assert.True(Directory.Exists(Path.Combine(context, "weights")));

        // A hard link: an in-place edit of the project file shows in the staged file at once.
        using (var stream = new FileStream(Path.Combine(project.Directory, "predict.py"), FileMode.Open, FileAccess.Write))
        {
            stream.WriteByte((byte)'C');
        }

        Assert.StartsWith("Class", File.ReadAllText(Path.Combine(context, "src", "predict.py")));

        File.Delete(Path.Combine(project.Directory, "lib", "util.py"));
        project.Write("added.py", "y = 2\n");
        BuildContext.Collect(project.Directory, runtime, generated, new[] { project.ObjCog }).Stage(context);

        Assert.False(Directory.Exists(Path.Combine(context, "src", "lib")));
        Assert.True(File.Exists(Path.Combine(context, "src", "added.py")));
        Assert.Equal(ignoreBefore, File.ReadAllText(Path.Combine(project.Directory, ".dockerignore")));
        var projectFiles = Directory.GetFiles(project.Directory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(project.Directory, f)).Where(f => !f.StartsWith("obj", StringComparison.Ordinal) && !f.StartsWith("runtime-src", StringComparison.Ordinal));
        Assert.Equal(new[] { ".dockerignore", "added.py", "cog.yaml", "predict.py" }, projectFiles.OrderBy(f => f, StringComparer.Ordinal));
    }
}
