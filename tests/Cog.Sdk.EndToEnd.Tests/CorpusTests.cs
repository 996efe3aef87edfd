using System.Text.RegularExpressions;

namespace Cog.Sdk.EndToEnd.Tests;

/// <summary>
/// Every real cog.yaml of tests/corpus, built through the packed SDK with CogBuildImage=false, against the outcome its
/// README row states: a Dockerfile with exactly the warnings named, or exactly the errors named at their lines.
/// All entries build in one `dotnet build` of a solution, so the whole corpus takes seconds, not minutes.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public sealed class CorpusTests
{
    private static readonly string CorpusFolder = Path.Combine(PackedSdk.RepoRoot, "tests", "corpus");

    // "| `entry` | ... | Codes |": the codes are the last cell.
    private static readonly Regex Row = new(@"^\| `(?<entry>[^`]+)` \|.*\| (?<codes>[^|]*) \|$", RegexOptions.Multiline);

    private readonly PackedSdk _sdk;

    public CorpusTests(PackedSdk sdk) => _sdk = sdk;

    /// <summary>An entry's expected outcome: the error set (CODE file(line,col)) when it fails, else the warning codes.</summary>
    private sealed record Expectation(bool Builds, IReadOnlySet<string> Codes);

    [Fact]
    public void Every_real_cog_yaml_builds_its_Dockerfile_or_fails_only_on_the_lines_that_cannot_work()
    {
        Dictionary<string, Expectation> expected = Expectations();
        var folders = Directory.GetDirectories(CorpusFolder).Select(f => Path.GetFileName(f)!).OrderBy(n => n, StringComparer.Ordinal).ToList();
        Assert.True(folders.Count >= 60, $"the corpus holds {folders.Count} entries");
        Assert.Equal(folders, expected.Keys.OrderBy(n => n, StringComparer.Ordinal).ToList());

        ModelProject corpus = _sdk.NewProject("Corpus");
        File.Delete(corpus.ProjectFile);
        foreach (string entry in folders)
        {
            CopyFolder(Path.Combine(CorpusFolder, entry), corpus.PathOf(entry));
            corpus.Write(Path.Combine(entry, entry + ".csproj"), $"<Project Sdk=\"Cog.Sdk/{_sdk.Version}\" />\n");
        }

        corpus.Write("Corpus.slnx", "<Solution>\n" + string.Concat(folders.Select(e => $"  <Project Path=\"{e}/{e}.csproj\" />\n")) + "</Solution>\n");

        BuildOutput build = corpus.DotnetWithTimeout(TimeSpan.FromMinutes(5), "build", "Corpus.slnx", "-p:CogBuildImage=false");

        Assert.DoesNotContain("MSB4018", build.Output);
        Assert.DoesNotContain("   at Cog.Sdk", build.Output);
        var problems = new List<string>();
        foreach (var (entry, expectation) in expected)
        {
            string folder = corpus.PathOf(entry) + Path.DirectorySeparatorChar;
            var diagnostics = build.Diagnostics.Where(d => d.File.StartsWith(folder, StringComparison.Ordinal)).ToList();
            var errors = diagnostics.Where(d => d.Severity == "error")
                .Select(d => $"{d.Code} {d.File.Substring(folder.Length).Replace('\\', '/')}({d.Line},{d.Column})").ToHashSet();
            var warnings = diagnostics.Where(d => d.Severity == "warning").Select(d => d.Code).ToHashSet();
            bool dockerfile = File.Exists(Path.Combine(folder, "obj", "cog", "Dockerfile"));
            if (expectation.Builds && (errors.Count > 0 || !dockerfile || !warnings.SetEquals(expectation.Codes)))
            {
                problems.Add($"{entry}: expected a Dockerfile with warnings [{string.Join(", ", expectation.Codes.Order())}], got " +
                    (dockerfile ? "one" : "none") + $" with warnings [{string.Join(", ", warnings.Order())}] and errors [{string.Join("; ", errors.Order())}]");
            }
            else if (!expectation.Builds && (dockerfile || !errors.SetEquals(expectation.Codes)))
            {
                problems.Add($"{entry}: expected the errors [{string.Join("; ", expectation.Codes.Order())}], got [{string.Join("; ", errors.Order())}]" +
                    (dockerfile ? " and a Dockerfile" : ""));
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\n\n" + build.Output[^Math.Min(build.Output.Length, 4000)..]);
    }

    /// <summary>The README's codes column: "builds", "builds; warns COG2038, COG2059", or "fails: COG2033 cog.yaml(3,19); ...".</summary>
    private static Dictionary<string, Expectation> Expectations()
    {
        var expectations = new Dictionary<string, Expectation>(StringComparer.Ordinal);
        foreach (Match row in Row.Matches(File.ReadAllText(Path.Combine(CorpusFolder, "README.md"))))
        {
            string codes = row.Groups["codes"].Value.Trim();
            if (codes.StartsWith("fails: ", StringComparison.Ordinal))
            {
                var errors = codes.Substring("fails: ".Length).Split("; ").Select(e => e.Trim()).ToHashSet();
                expectations.Add(row.Groups["entry"].Value, new Expectation(false, errors));
            }
            else
            {
                Assert.StartsWith("builds", codes);
                var warnings = codes.StartsWith("builds; warns ", StringComparison.Ordinal)
                    ? codes.Substring("builds; warns ".Length).Split(", ").Select(w => w.Trim()).ToHashSet()
                    : new HashSet<string>();
                expectations.Add(row.Groups["entry"].Value, new Expectation(true, warnings));
            }
        }

        return expectations;
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
