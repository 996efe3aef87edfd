using System.Diagnostics;
using System.Text;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Parse;

namespace Cog.Sdk.Core.Tests.Parse;

/// <summary>No input file, however broken, makes the parser throw: each gives exactly its coded, located diagnostics.</summary>
public class BrokenInputTests
{
    private static byte[] Utf8(string text) => new UTF8Encoding(false).GetBytes(text);

    public static TheoryData<string, byte[], bool, string[]> BrokenFiles => new()
    {
        // name, content, whether a configuration comes back, the diagnostics
        { "empty file: all defaults, nothing to say", Array.Empty<byte>(), true, Array.Empty<string>() },
        { "only a comment", Utf8("# nothing yet\n"), true, Array.Empty<string>() },
        { "UTF-8 BOM and CRLF", Utf8("\uFEFFbuild:\r\n  python_version: \"3.11\"\r\n  gpu: maybe\r\n"), true, new[] { "COG2014@3,8" } },
        { "NUL byte", Utf8("build:\n  gpu: true\0\n"), false, new[] { "COG2006@2,12" } },
        { "UTF-16", Encoding.Unicode.GetBytes("build:\n"), false, new[] { "COG2006@1,2" } },
        { "not UTF-8", new byte[] { 0x62, 0x3A, 0x20, 0xFF, 0xFE, 0x0A }, false, new[] { "COG2005@0,0" } },
        { "tab indentation", Utf8("build:\n\tgpu: true\n  \tpython_version: \"3.11\"\n"), false, new[] { "COG2007@2,1", "COG2007@3,3" } },
        { "duplicate key", Utf8("build:\n  gpu: true\n  gpu: false\n"), true, new[] { "COG2009@3,3" } },
        { "duplicate top-level key", Utf8("image: a\nimage: b\n"), true, new[] { "COG2009@2,1" } },
        { "anchor", Utf8("build: &b\n  gpu: true\n"), false, new[] { "COG2010@1,8" } },
        { "alias bomb", Utf8("a: &a [\"lol\",\"lol\",\"lol\"]\nb: &b [*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b]\nd: [*c,*c,*c,*c]\n"), false, new[] { "COG2010@1,4" } },
        { "unclosed bracket", Utf8("build:\n  system_packages: [ffmpeg\n"), false, new[] { "COG2008@3,1" } },
        { "unclosed quote", Utf8("image: \"abc\n"), false, new[] { "COG2008@1,8" } },
        { "bad indentation", Utf8("build:\n  gpu: true\n python_version: \"3.11\"\n"), false, new[] { "COG2008@3,2" } },
        { "two documents", Utf8("image: a\n---\nimage: b\n"), false, new[] { "COG2012@2,1" } },
        { "deep nesting", Utf8("image: " + new string('[', 5000) + new string(']', 5000) + "\n"), false, new[] { "COG2011@1,71" } },
        { "a scalar document", Utf8("just text\n"), true, new[] { "COG2014@1,1" } },
    };

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public void Broken_input_gives_coded_located_diagnostics_and_never_throws(string name, byte[] content, bool parses, string[] expected)
    {
        using var project = new TempProject().WithBytes("cog.yaml", content);

        var (config, diagnostics) = project.Load(validate: false);

        Assert.True(parses == (config != null), name);
        Assert.Equal(expected, diagnostics);
    }

    [Fact]
    public void A_file_over_one_mebibyte_is_refused_quickly()
    {
        var text = new StringBuilder();
        while (text.Length <= CogYamlParser.MaxFileBytes)
        {
            text.Append("# padding padding padding padding\n");
        }

        using var project = new TempProject().WithConfig(text.ToString());
        var timer = Stopwatch.StartNew();

        var (config, diagnostics) = project.Load();

        Assert.Null(config);
        Assert.Equal(new[] { "COG2004@0,0" }, diagnostics);
        Assert.True(timer.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Megabyte_sized_valid_input_just_under_the_cap_parses_in_bounded_time()
    {
        var text = new StringBuilder("build:\n  system_packages:\n");
        while (text.Length < CogYamlParser.MaxFileBytes - 100)
        {
            text.Append("    - libgl1\n");
        }

        using var project = new TempProject().WithConfig(text.ToString());
        var timer = Stopwatch.StartNew();

        var (config, _) = project.Load(validate: false);

        Assert.True(config!.SystemPackages.Count > 70000);
        Assert.True(timer.Elapsed < TimeSpan.FromSeconds(20), timer.Elapsed.ToString());
    }

    [Fact]
    public void A_folder_instead_of_a_file_is_refused()
    {
        using var project = new TempProject();
        Directory.CreateDirectory(project.ConfigPath);

        var (config, diagnostics) = project.Load();

        Assert.Null(config);
        Assert.Equal(new[] { "COG2002@0,0" }, diagnostics);
    }

    [Fact]
    public void A_missing_file_is_COG2000()
    {
        using var project = new TempProject();

        var (config, diagnostics) = project.Load();

        Assert.Null(config);
        Assert.Equal(new[] { "COG2000@0,0" }, diagnostics);
    }

    [Fact]
    public void An_unusable_path_is_refused_without_throwing()
    {
        var bag = new DiagnosticBag();

        CogConfig? config = CogYamlParser.Parse("bad\0path/cog.yaml", bag);

        Assert.Null(config);
        Assert.Equal("COG2001", Assert.Single(bag).Code);
    }
}

/// <summary>Mutated and random inputs: whatever the bytes, loading reports and returns, never throws.</summary>
public class FuzzedInputTests
{
    private const string Seed =
        "build:\n  gpu: true\n  cuda: \"12.1\"\n  python_version: \"3.11\"\n  python_packages:\n    - torch==2.3.1\n" +
        "  run:\n    - command: echo hi\n      mounts: [{type: secret, id: a, target: /a}]\n" +
        "image: \"r8.im/a/b\"\npredict: \"predict.py:Predictor\"\nconcurrency: {max: 2}\nenvironment: [\"A=1\"]\n";

    [Fact]
    public void Mutated_files_never_make_loading_throw()
    {
        var random = new Random(20240601);
        byte[] seed = System.Text.Encoding.UTF8.GetBytes(Seed);
        const string alphabet = ":-[]{}&*!|>\"' \t\n\r#\\,?%@`0.=\u0000";
        using var project = new TempProject();
        for (int round = 0; round < 300; round++)
        {
            byte[] bytes = (byte[])seed.Clone();
            int edits = random.Next(1, 6);
            for (int e = 0; e < edits; e++)
            {
                bytes[random.Next(bytes.Length)] = round % 3 == 0 ? (byte)random.Next(256) : (byte)alphabet[random.Next(alphabet.Length)];
            }

            project.WithBytes("cog.yaml", bytes);
            var bag = new DiagnosticBag();
            var exception = Record.Exception(() => Cog.Sdk.Core.Validate.CogConfigLoader.Load(project.ConfigPath, bag));
            Assert.True(exception == null, $"round {round}: {exception}\n{System.Text.Encoding.UTF8.GetString(bytes)}");
        }
    }

    [Fact]
    public void A_hundred_thousand_unknown_keys_are_reported_in_bounded_time()
    {
        var text = new StringBuilder();
        for (int i = 0; text.Length < CogYamlParser.MaxFileBytes - 100; i++)
        {
            text.Append("k").Append(i).Append(": x\n");
        }

        using var project = new TempProject().WithConfig(text.ToString());
        var timer = Stopwatch.StartNew();

        var (config, diagnostics) = project.Load();

        Assert.NotNull(config);
        Assert.True(diagnostics.Count > 50000);
        Assert.True(timer.Elapsed < TimeSpan.FromSeconds(30), timer.Elapsed.ToString());
    }
}
