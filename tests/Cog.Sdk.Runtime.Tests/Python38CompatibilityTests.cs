using System.Diagnostics;

namespace Cog.Sdk.Runtime.Tests;

/// <summary>
/// The runtime runs on every Python Cog.Sdk accepts (3.8 and later), but this machine only has a newer
/// python3: python38_check.py parses with the 3.8 grammar and looks for 3.9+ names.
/// </summary>
public sealed class Python38CompatibilityTests
{
    private static (int ExitCode, string Output) Check(string folder)
    {
        var startInfo = new ProcessStartInfo("python3")
        {
            ArgumentList = { Path.Combine(PythonRuntime.TestProjectFolder, "python38_check.py"), folder },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        var (exitCode, standardOutput, standardError) = PythonRuntime.Run(startInfo);
        return (exitCode, standardOutput + standardError);
    }

    [Fact]
    public void Runtime_UsesNothingNewerThanPython38()
    {
        var (exitCode, output) = Check(Path.Combine(PythonRuntime.RepoRoot, "src", "cog-runtime"));

        Assert.True(exitCode == 0, output);
        Assert.Matches(@"checked (\d{2,}|[5-9]) files, 0 findings", output);
    }

    [Fact]
    public void Check_ReportsNewerSyntaxAndNames()
    {
        var folder = Directory.CreateTempSubdirectory("cog-py38-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "newer_syntax.py"), "match 1:\n    case 1:\n        pass\n");
            File.WriteAllText(Path.Combine(folder, "newer_names.py"), string.Join('\n',
                "import zoneinfo",
                "import functools",
                "name = 'ab'.removeprefix('a')",
                "@functools.cache",
                "def f(x: int | None) -> list[int]:",
                "    return {} | {}",
                ""));

            var (exitCode, output) = Check(folder);

            Assert.Equal(1, exitCode);
            foreach (var expected in new[] { "newer_syntax.py:3: syntax newer than 3.8: Pattern matching", "module zoneinfo", ".removeprefix",
                         "functools.cache", "X | Y in an annotation", "list[...]", "dict | dict" })
            {
                Assert.Contains(expected, output);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
