using Cog.Sdk.Testing;

namespace Cog.Sdk.EndToEnd.Tests;

/// <summary>What reaches the image from the model's folder, through real `dotnet build`: nothing from outside it.</summary>
[Collection(PackedSdkCollection.Name)]
public sealed class ImageBuildContextTests : ModelImageTest
{
    public ImageBuildContextTests(PackedSdk sdk)
        : base(sdk)
    {
    }

    private static void Link(ModelProject model, string relative, string target)
    {
        string path = model.PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.CreateSymbolicLink(path, target);
    }

    [EngineFact]
    public void Symbolic_links_carry_nothing_from_outside_the_model_folder_into_the_image()
    {
        // A secret beside the model, as ~/.docker/config.json is beside a checkout on a CI machine.
        string secret = "cog-e2e-outside-" + Guid.NewGuid().ToString("N");
        string folderSecret = "cog-e2e-outside-folder-" + Guid.NewGuid().ToString("N");
        string outside = Path.Combine(Sdk.Root, "outside-" + Id);
        Directory.CreateDirectory(Path.Combine(outside, "folder"));
        File.WriteAllText(Path.Combine(outside, "config.json"), secret);
        File.WriteAllText(Path.Combine(outside, "folder", "inner.txt"), folderSecret);
        string inside = "cog-e2e-inside-" + Id;
        var model = NewModel("Links", """
              python_version: "3.11"
            """).Write("data/table.csv", inside).Write(".dockerignore", "ignored-leak.txt\n");
        string RelativeFrom(string folder, string target) => Path.GetRelativePath(model.PathOf(folder), target);

        var leaks = new Dictionary<string, string>
        {
            ["leak.txt"] = Path.Combine(outside, "config.json"),
            ["sub/deeper/relative-leak.txt"] = RelativeFrom("sub/deeper", Path.Combine(outside, "config.json")),
            ["outside-folder"] = Path.Combine(outside, "folder"),
            ["sub/relative-folder"] = RelativeFrom("sub", Path.Combine(outside, "folder")),
        };
        foreach (var (link, target) in leaks)
        {
            Link(model, link, target);
        }

        Link(model, "ignored-leak.txt", Path.Combine(outside, "config.json"));
        Link(model, "table-link.csv", "data/table.csv");
        Link(model, "sub/absolute-table.csv", model.PathOf("data/table.csv"));
        Link(model, "data-link", "data");

        var build = BuildImage(model);

        AssertSucceeded(build);
        // One warning at each link that leads out, naming where it leads; none for the link .dockerignore names.
        var warnings = build.Warnings.Where(w => w.Code == "COG3009").OrderBy(w => w.File, StringComparer.Ordinal).ToList();
        Assert.Equal(leaks.Keys.Select(model.PathOf).Order(StringComparer.Ordinal), warnings.Select(w => w.File));
        foreach (var warning in warnings)
        {
            string link = Path.GetRelativePath(model.Directory, warning.File).Replace('\\', '/');
            Assert.Contains($"'{link}' points to '{leaks[link]}'", warning.Message);
        }

        Assert.DoesNotContain(build.Warnings, w => w.File.EndsWith("ignored-leak.txt", StringComparison.Ordinal));

        // Links inside the folder are followed: the image holds their content under their names.
        foreach (string path in new[] { "/src/table-link.csv", "/src/sub/absolute-table.csv", "/src/data-link/table.csv" })
        {
            Assert.Equal(inside, Cli.RunIn(Image, "cat", path).Out);
        }

        var files = Cli.RunIn(Image, "find", "/src", "-name", "*leak*", "-o", "-name", "*folder*");
        Assert.True(files.ExitCode == 0 && files.Out.Trim().Length == 0, "links that lead out are in the image: " + files.Out + files.Err);

        // Nowhere in the image, byte for byte; the same search finds what is inside the folder.
        Assert.True(Cli.ImageHolds(Image, inside), "the search finds nothing, not even the model's own file");
        Assert.False(Cli.ImageHolds(Image, secret), "the file outside the folder is in the image");
        Assert.False(Cli.ImageHolds(Image, folderSecret), "the folder outside the folder is in the image");
        Assert.DoesNotContain(Directory.EnumerateFiles(model.PathOf("obj/cog/context"), "*", SearchOption.AllDirectories),
            f => File.ReadAllText(f).Contains(secret, StringComparison.Ordinal) || File.ReadAllText(f).Contains(folderSecret, StringComparison.Ordinal));
    }
}
