using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Resources;
using System.Text.RegularExpressions;
using Cog.Sdk.Core.Diagnostics;

namespace Cog.Sdk.Core.Tests.Diagnostics;

/// <summary>Every diagnostic has one unique code, in the range of its cause, documented in docs/errors.md.</summary>
public class DiagnosticCodeTests
{
    private static readonly (string Resource, char Range)[] Files =
    {
        ("EngineMessages", '1'),
        ("ConfigurationMessages", '2'),
        ("ProcessMessages", '3'),
        ("PredictionMessages", '4'),
    };

    public static IEnumerable<(string File, string Name, string Value)> AllMessages()
    {
        Assembly core = typeof(Diagnostic).Assembly;
        foreach (var (resource, _) in Files)
        {
            var manager = new ResourceManager($"Cog.Sdk.Core.Diagnostics.{resource}", core);
            ResourceSet set = manager.GetResourceSet(CultureInfo.InvariantCulture, true, true)!;
            foreach (DictionaryEntry entry in set)
            {
                yield return (resource, (string)entry.Key, (string)entry.Value!);
            }
        }
    }

    [Fact]
    public void Every_message_starts_with_a_code_in_the_range_of_its_file()
    {
        foreach (var (file, name, value) in AllMessages())
        {
            Match m = Regex.Match(value, @"^COG(\d)\d{3}: \S");
            Assert.True(m.Success, $"{file}.{name} does not start with 'COGnnnn: ': {value}");
            char range = Files.Single(f => f.Resource == file).Range;
            Assert.True(m.Groups[1].Value[0] == range, $"{file}.{name} has a code outside COG{range}xxx: {value}");
        }
    }

    [Fact]
    public void Codes_are_unique()
    {
        var duplicates = AllMessages()
            .GroupBy(m => Diagnostic.SplitCode(m.Value).Code)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Name))}")
            .ToList();
        Assert.Empty(duplicates);
    }

    [Fact]
    public void Every_code_is_documented_in_docs_errors_md()
    {
        string docs = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "errors.md"));
        var missing = AllMessages()
            .Select(m => Diagnostic.SplitCode(m.Value).Code)
            .Where(code => !Regex.IsMatch(docs, $@"^\|\s*{code}\s*\|", RegexOptions.Multiline))
            .ToList();
        Assert.Empty(missing);
    }

    /// <summary>
    /// The codes no test provokes, each with the reason it cannot be provoked here without faking the engine. Keep this
    /// list as short as honesty allows: a code that a test can make happen belongs in a test.
    /// </summary>
    private static readonly Dictionary<string, string> NotProducedByAnyTest = new()
    {
        ["COG3109"] = "docker and podman always tell the host port of a running container started with --publish; one that stops at once is COG4014",
        ["COG3204"] = "docker and podman always tell the digest of an image a registry accepted; no real registry makes them keep it back",
    };

    /// <summary>
    /// Every code is asserted by some test: named in a string literal of tests/**/*.cs (Assert.Equal("COG4005", ...),
    /// "COG2054@14,3"), or in the codes column of tests/corpus/README.md, which CorpusTests checks. The rest are listed,
    /// with their reason, in <see cref="NotProducedByAnyTest"/>.
    /// </summary>
    [Fact]
    public void Every_code_is_produced_by_some_test()
    {
        string tests = Path.Combine(RepoRoot(), "tests");
        string testCode = string.Concat(Directory.EnumerateFiles(tests, "*.cs", SearchOption.AllDirectories)
            .Where(file => Path.GetFileName(file) != nameof(DiagnosticCodeTests) + ".cs" && !IsBuildOutput(file))
            .Select(File.ReadAllText));
        string corpus = string.Join(" ", Regex.Matches(File.ReadAllText(Path.Combine(tests, "corpus", "README.md")), @"\| (?<codes>(?:builds|fails:)[^|]*) \|$", RegexOptions.Multiline)
            .Select(row => row.Groups["codes"].Value));
        var codes = AllMessages().Select(m => Diagnostic.SplitCode(m.Value).Code).ToList();

        var untested = codes.Where(code => !testCode.Contains('"' + code) && !Regex.IsMatch(corpus, $@"\b{code}\b") && !NotProducedByAnyTest.ContainsKey(code)).ToList();
        var listedButTested = NotProducedByAnyTest.Keys.Where(code => testCode.Contains('"' + code) || !codes.Contains(code)).ToList();

        Assert.True(untested.Count == 0, "No test asserts " + string.Join(", ", untested) +
            ": write a test that provokes each, or list it in NotProducedByAnyTest with the reason no test can.");
        Assert.True(listedButTested.Count == 0, string.Join(", ", listedButTested) +
            " in NotProducedByAnyTest: a test asserts it now, or it is no code any more; take it off the list.");
    }

    private static bool IsBuildOutput(string file) =>
        file.Split(Path.DirectorySeparatorChar).Any(part => part == "bin" || part == "obj");

    internal static string RepoRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir != null && !File.Exists(Path.Combine(dir, "Cog.Sdk.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("Cog.Sdk.sln not found above " + AppContext.BaseDirectory);
    }
}
