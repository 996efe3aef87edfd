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

    /// <summary>
    /// A model folder beside a folder that is not the model's: links from the model into it must not carry it into the context.
    /// </summary>
    private static (TempProject Outside, TempProject Project) ModelBesideOutside()
    {
        var outside = new TempProject();
        outside.Write("secret.txt", "outside the model");
        outside.Write("folder/inner.txt", "outside too");
        var project = new TempProject();
        project.Write("cog.yaml", "build:\n  python_version: '3.11'\n");
        project.Write("predict.py", "class Predictor: pass\n");
        project.Write("data/table.csv", "a,b\n");
        return (outside, project);
    }

    private static void Link(TempProject project, string relative, string target)
    {
        string path = Path.Combine(project.Directory, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.CreateSymbolicLink(path, target);
    }

    [Fact]
    public void Links_out_of_the_model_folder_are_left_out_with_a_warning_at_the_link_naming_its_target()
    {
        var (outside, project) = ModelBesideOutside();
        using var _ = outside;
        using var __ = project;
        string relativeSecret = Path.GetRelativePath(Path.Combine(project.Directory, "sub", "deeper"), Path.Combine(outside.Directory, "secret.txt"));
        Link(project, "leak.txt", Path.Combine(outside.Directory, "secret.txt"));
        Link(project, "sub/deeper/relative-leak.txt", relativeSecret);
        Link(project, "outside-folder", Path.Combine(outside.Directory, "folder"));
        Link(project, "sub/relative-folder", Path.Combine("..", Path.GetRelativePath(project.Directory, outside.Directory)));
        // Inside at first sight: a link to a link that leads out.
        Link(project, "hop", "leak.txt");
        Link(project, "sub/ignored-leak.txt", Path.Combine(outside.Directory, "secret.txt"));
        project.Write(".dockerignore", "sub/ignored-leak.txt\n");

        var context = Collect(project);

        Assert.Equal(new[] { "src/.dockerignore", "src/cog.yaml", "src/data/table.csv", "src/predict.py" }, context.Files.Select(f => f.ContextPath));
        var warnings = context.Warnings.OrderBy(w => w.Location.File, StringComparer.Ordinal).ToList();
        Assert.All(warnings, w => Assert.Equal(Cog.Sdk.Core.Diagnostics.DiagnosticSeverity.Warning, w.Severity));
        Assert.Equal(new[] { "COG3009", "COG3009", "COG3009", "COG3009", "COG3009" }, warnings.Select(w => w.Code));
        Assert.Equal(
            new[] { "hop", "leak.txt", "outside-folder", "sub/deeper/relative-leak.txt", "sub/relative-folder" }.Select(p => Path.Combine(project.Directory, p)),
            warnings.Select(w => w.Location.File));
        Assert.Contains($"'leak.txt' points to '{Path.Combine(outside.Directory, "secret.txt")}'", warnings[1].Message);
        Assert.Contains($"'sub/deeper/relative-leak.txt' points to '{relativeSecret}'", warnings[3].Message);
    }

    [Fact]
    public void Links_inside_the_model_folder_are_followed_to_their_content_under_the_links_name()
    {
        var (outside, project) = ModelBesideOutside();
        using var _ = outside;
        using var __ = project;
        Link(project, "predict-link.py", "predict.py");
        Link(project, "sub/absolute-table.csv", Path.Combine(project.Directory, "data", "table.csv"));
        Link(project, "data-link", "data");
        Link(project, "sub/up", "../data");
        project.WriteBytes("checkpoints/model.bin", BuildContext.LargeFileThreshold);
        Link(project, "model-link.bin", "checkpoints/model.bin");
        string context = Path.Combine(project.ObjCog, "context");

        var collected = Collect(project);
        collected.Stage(context);

        Assert.Empty(collected.Warnings);
        Assert.Equal(
            new[]
            {
                "src/cog.yaml", "src/data-link/table.csv", "src/data/table.csv", "src/predict-link.py", "src/predict.py",
                "src/sub/absolute-table.csv", "src/sub/up/table.csv", "weights/checkpoints/model.bin", "weights/model-link.bin",
            },
            collected.Files.Select(f => f.ContextPath));
        Assert.Equal("class Predictor: pass\n", File.ReadAllText(Path.Combine(context, "src", "predict-link.py")));
        Assert.Equal("a,b\n", File.ReadAllText(Path.Combine(context, "src", "sub", "up", "table.csv")));
        // The staged files are the content, not links that the engine would copy as links.
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(context, "*", SearchOption.AllDirectories), e => new FileInfo(e).LinkTarget != null);
    }

    [Fact]
    public void Links_that_lead_nowhere_round_in_a_loop_or_to_what_the_context_leaves_out_are_left_out_with_a_warning()
    {
        var (outside, project) = ModelBesideOutside();
        using var _ = outside;
        using var __ = project;
        Link(project, "dangling.txt", "no-such-file.txt");
        Link(project, "sub/parent", "..");
        Link(project, "self", "self");
        Link(project, "ignored-link.txt", "notes.md");
        project.Write("notes.md", "left out by .dockerignore");
        project.Write(".dockerignore", "notes.md\n");
        project.Write(".git/config", "[core]\n");
        Link(project, "git-config", ".git/config");
        project.Write("obj/cog/secret", "build output");
        Link(project, "obj-link", "obj");

        var context = Collect(project);

        Assert.Equal(new[] { "src/.dockerignore", "src/cog.yaml", "src/data/table.csv", "src/predict.py" }, context.Files.Select(f => f.ContextPath));
        var warnings = context.Warnings.OrderBy(w => w.Location.File, StringComparer.Ordinal).ToList();
        Assert.Equal(new[] { "dangling.txt", "git-config", "ignored-link.txt", "obj-link", "self", "sub/parent" }.Select(p => Path.Combine(project.Directory, p)),
            warnings.Select(w => w.Location.File));
        Assert.All(warnings, w => Assert.Equal("COG3010", w.Code));
        Assert.Contains("does not exist", warnings[0].Message);
        Assert.Contains("holds the link itself", warnings[5].Message);
        Assert.Contains("left out of the build context", warnings[2].Message);
    }
}
