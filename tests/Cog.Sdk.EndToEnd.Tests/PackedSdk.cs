using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace Cog.Sdk.EndToEnd.Tests;

/// <summary>
/// Cog.Sdk packed once per test run into a folder feed, under a version no earlier run used, so that
/// NuGet's caches can never hand a test a stale copy.
/// </summary>
public sealed class PackedSdk : IDisposable
{
    public PackedSdk()
    {
        Root = Path.Combine(Path.GetTempPath(), "cog-sdk-e2e-" + DateTime.UtcNow.ToString("yyyyMMddHHmmss") + "-" + Guid.NewGuid().ToString("N").Substring(0, 6));
        Feed = Path.Combine(Root, "feed");
        Packages = Path.Combine(Root, "packages");
        Directory.CreateDirectory(Feed);
        Version = "0.1.0-e2e." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff");

        string project = Path.Combine(RepoRoot, "src", "Cog.Sdk", "Cog.Sdk.csproj");
        var pack = DotNet.Run(RepoRoot, TimeSpan.FromMinutes(5), "pack", project, "--no-build", "-c", Configuration, "-o", Feed, "-p:Version=" + Version, "-nologo");
        if (pack.ExitCode != 0)
        {
            throw new InvalidOperationException("dotnet pack of Cog.Sdk failed:\n" + pack.Output);
        }

        _templates = new Lazy<string>(InstallTemplates);
    }

    private readonly Lazy<string> _templates;

    public static string RepoRoot => Metadata("RepoRoot");

    public static string Configuration => Metadata("Configuration");

    /// <summary>A temp folder for this run: the feed, the packages folder, the model projects.</summary>
    public string Root { get; }

    public string Feed { get; }

    /// <summary>NUGET_PACKAGES for every build of this run.</summary>
    public string Packages { get; }

    public string Version { get; }

    /// <summary>A new model folder holding a NuGet.config that sees only the feed.</summary>
    public ModelProject NewProject(string name, string? projectXml = null)
    {
        string dir = Path.Combine(NewFolder(name), name);
        Directory.CreateDirectory(dir);
        WriteNuGetConfig(dir);
        var project = new ModelProject(this, dir, name);
        project.Write(name + ".csproj", projectXml ?? $"<Project Sdk=\"Cog.Sdk/{Version}\" />\n");
        return project;
    }

    /// <summary>An empty folder of its own under this run's root, for one model.</summary>
    public string NewFolder(string name)
    {
        string dir = Path.Combine(Root, "models", name + "-" + Guid.NewGuid().ToString("N").Substring(0, 6));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>A NuGet.config in <paramref name="directory"/> that sees only this run's feed.</summary>
    public void WriteNuGetConfig(string directory) =>
        File.WriteAllText(Path.Combine(directory, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="cog-e2e" value="{Feed}" />
              </packageSources>
            </configuration>
            """);

    /// <summary>Cog.Templates, packed into the feed under this run's version (on first use), as a path to its .nupkg.</summary>
    public string TemplatePackage
    {
        get
        {
            _ = _templates.Value;
            return TemplatePackagePath;
        }
    }

    private string TemplatePackagePath => Path.Combine(Feed, $"Cog.Templates.{Version}.nupkg");

    /// <summary>
    /// `dotnet new ARGS` in <paramref name="workingDirectory"/>, with Cog.Templates packed and installed (once per run)
    /// into a DOTNET_CLI_HOME of this run's own, so that neither the machine's templates nor another run's are seen.
    /// </summary>
    public (int ExitCode, string Output) DotnetNew(string workingDirectory, params string[] args)
    {
        string cliHome = _templates.Value;
        return DotNet.Run(workingDirectory, TimeSpan.FromMinutes(2), new[] { "new" }.Concat(args).ToArray(),
            new Dictionary<string, string?> { ["DOTNET_CLI_HOME"] = cliHome, ["DOTNET_NOLOGO"] = "1" });
    }

    private string InstallTemplates()
    {
        string project = Path.Combine(RepoRoot, "src", "Cog.Templates", "Cog.Templates.csproj");
        var pack = DotNet.Run(RepoRoot, TimeSpan.FromMinutes(5), "pack", project, "--no-build", "-c", Configuration, "-o", Feed, "-p:Version=" + Version, "-nologo");
        if (pack.ExitCode != 0)
        {
            throw new InvalidOperationException("dotnet pack of Cog.Templates failed:\n" + pack.Output);
        }

        string cliHome = Path.Combine(Root, "dotnet-cli-home");
        Directory.CreateDirectory(cliHome);
        var install = DotNet.Run(Root, TimeSpan.FromMinutes(2), new[] { "new", "install", TemplatePackagePath },
            new Dictionary<string, string?> { ["DOTNET_CLI_HOME"] = cliHome, ["DOTNET_NOLOGO"] = "1" });
        if (install.ExitCode != 0)
        {
            throw new InvalidOperationException("dotnet new install of Cog.Templates failed:\n" + install.Output);
        }

        return cliHome;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A container may still hold a file for a moment; the OS cleans temp folders.
        }
        catch (UnauthorizedAccessException)
        {
            // Files written as root by a container into a mounted folder.
        }
    }

    private static string Metadata(string key) =>
        typeof(PackedSdk).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}

[CollectionDefinition(Name)]
public sealed class PackedSdkCollection : ICollectionFixture<PackedSdk>
{
    public const string Name = "Packed Cog.Sdk";
}

/// <summary>A model project folder: cog.yaml, predict.py and a one-line project file.</summary>
public sealed class ModelProject
{
    private readonly PackedSdk _sdk;

    public ModelProject(PackedSdk sdk, string directory, string name)
    {
        _sdk = sdk;
        Directory = directory;
        Name = name;
    }

    public string Directory { get; }
    public string Name { get; }
    public string ProjectFile => Path.Combine(Directory, Name + ".csproj");

    public string PathOf(string relative) => Path.Combine(Directory, relative);

    public ModelProject Write(string relative, string content)
    {
        string path = PathOf(relative);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return this;
    }

    /// <summary>Runs `dotnet build` (or any verb) on the project with the run's private packages folder.</summary>
    public BuildOutput Dotnet(params string[] args) => DotnetWithTimeout(TimeSpan.FromMinutes(10), args);

    public BuildOutput DotnetWithTimeout(TimeSpan timeout, params string[] args) => DotnetWithEnvironment(timeout, null, args);

    /// <summary>As <see cref="DotnetWithTimeout"/>, with environment variables for the dotnet process (e.g. DOCKER_HOST).</summary>
    public BuildOutput DotnetWithEnvironment(TimeSpan timeout, IDictionary<string, string?>? environment, params string[] args) =>
        DotnetWithInput(timeout, environment, null, args);

    /// <summary>As <see cref="DotnetWithEnvironment"/>, with <paramref name="standardInput"/> piped in, as `echo ... | dotnet msbuild` does.</summary>
    public BuildOutput DotnetWithInput(TimeSpan timeout, IDictionary<string, string?>? environment, string? standardInput, params string[] args)
    {
        // The verb, then the defaults, then the test's own arguments, which win (e.g. -tl:on over -tl:off).
        var all = new List<string>(args.Take(1)) { "-nologo", "-nr:false", "-tl:off" };
        all.AddRange(args.Skip(1));
        bool namesProject = args.Any(a => a.EndsWith(".slnx", StringComparison.Ordinal) || a.EndsWith(".sln", StringComparison.Ordinal) || a.EndsWith("proj", StringComparison.Ordinal));
        if (args.Length > 0 && (args[0] == "build" || args[0] == "msbuild" || args[0] == "clean") && !namesProject)
        {
            all.Add(ProjectFile);
        }

        var variables = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>())
        {
            ["NUGET_PACKAGES"] = _sdk.Packages,
            ["NUGET_HTTP_CACHE_PATH"] = Path.Combine(_sdk.Root, "http-cache"),
        };
        var result = DotNet.Run(Directory, timeout, all.ToArray(), variables, standardInput);
        return new BuildOutput(result.ExitCode, result.Output);
    }

    public BuildOutput Build(params string[] properties) =>
        Dotnet(new[] { "build" }.Concat(properties).ToArray());
}

/// <summary>What `dotnet build` printed, with its diagnostics parsed the way an IDE or CI log reader does.</summary>
public sealed record BuildOutput(int ExitCode, string Output)
{
    // "file(line,col): error CODE: message [project]", with the "1>" node prefix that -v:n adds, one line at a time.
    private static readonly Regex DiagnosticLine = new(
        @"^[ \t]*(?:\d+>)?(?<file>[^\s(][^(\r\n]*?)\((?<line>\d+),(?<col>\d+)\): (?<severity>error|warning) (?<code>[A-Z]+\d+): (?<message>[^\r\n]*?)(?: \[[^\]\r\n]*\])?\r?$",
        RegexOptions.Multiline);

    private static readonly Regex UnlocatedLine = new(
        @"^[ \t]*(?:\d+>)?(?<file>[^\s:][^:\r\n]*?) : (?<severity>error|warning) (?<code>[A-Z]+\d+): (?<message>[^\r\n]*?)(?: \[[^\]\r\n]*\])?\r?$",
        RegexOptions.Multiline);

    /// <summary>Every distinct diagnostic (the console logger prints each twice: inline and in the summary).</summary>
    public IReadOnlyList<BuildDiagnostic> Diagnostics =>
        DiagnosticLine.Matches(Output).Select(m => new BuildDiagnostic(
                m.Groups["file"].Value.Trim(), int.Parse(m.Groups["line"].Value), int.Parse(m.Groups["col"].Value),
                m.Groups["severity"].Value, m.Groups["code"].Value, m.Groups["message"].Value.Trim()))
            .Concat(UnlocatedLine.Matches(Output).Select(m => new BuildDiagnostic(
                m.Groups["file"].Value.Trim(), 0, 0, m.Groups["severity"].Value, m.Groups["code"].Value, m.Groups["message"].Value.Trim())))
            .Distinct()
            .ToList();

    public IReadOnlyList<BuildDiagnostic> Errors => Diagnostics.Where(d => d.Severity == "error").ToList();

    public IReadOnlyList<BuildDiagnostic> Warnings => Diagnostics.Where(d => d.Severity == "warning").ToList();

    public override string ToString() => $"exit code {ExitCode}\n{Output}";
}

public sealed record BuildDiagnostic(string File, int Line, int Column, string Severity, string Code, string Message);

/// <summary>Runs the dotnet CLI as a user would, without the MSBuild variables a test host leaks into its children.</summary>
public static class DotNet
{
    internal static readonly string[] LeakedVariables =
    {
        "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildExtensionsPath", "MSBuildLoadMicrosoftTargetsReadOnly",
        "DOTNET_HOST_PATH", "VSTEST_HOST_DEBUG", "MSBUILDNOINPROCNODE", "MSBuildCacheEnabled",
    };

    public static (int ExitCode, string Output) Run(string workingDirectory, TimeSpan timeout, params string[] args) =>
        Run(workingDirectory, timeout, args, null);

    /// <param name="standardInput">Piped into the process's standard input, then closed; null to leave it as this process's.</param>
    public static (int ExitCode, string Output) Run(string workingDirectory, TimeSpan timeout, string[] args, IDictionary<string, string?>? environment,
        string? standardInput = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput != null,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (string name in LeakedVariables)
        {
            psi.Environment.Remove(name);
        }

        foreach (var pair in environment ?? new Dictionary<string, string?>())
        {
            psi.Environment[pair.Key] = pair.Value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => { if (e.Data != null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) { lock (output) { output.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (standardInput != null)
        {
            process.StandardInput.Write(standardInput);
            process.StandardInput.Close();
        }

        if (!process.WaitForExit((int)timeout.TotalMilliseconds))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            lock (output)
            {
                return (-1, output + $"\n[test] dotnet {string.Join(" ", args)} timed out after {timeout}");
            }
        }

        process.WaitForExit();
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }
}
