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
