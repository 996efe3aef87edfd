using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Build.Evaluation;
using Microsoft.Build.Execution;
using Microsoft.Build.Framework;
using Microsoft.Build.Locator;

namespace Cog.Sdk.Targets.Tests;

internal static class MSBuildRegistration
{
    // Before any MSBuild type loads: point this process at the SDK's MSBuild.
    [ModuleInitializer]
    internal static void Register()
    {
        if (!MSBuildLocator.IsRegistered)
        {
            MSBuildLocator.RegisterDefaults();
        }
    }
}

/// <summary>
/// A project in a temp folder that imports the repository's Sdk/Sdk.props and Sdk/Sdk.targets by path,
/// with the freshly built task assembly. Evaluated and built in this process.
/// (Types with MSBuild in their signatures stay internal: xunit must not load them before the locator runs.)
/// </summary>
internal sealed class TestProject : IDisposable
{
    public TestProject(string? body = null)
    {
        Directory = Path.Combine(Path.GetTempPath(), "cog-targets-" + Guid.NewGuid().ToString("N").Substring(0, 8), "hotdog-detector");
        System.IO.Directory.CreateDirectory(Directory);
        string sdk = Path.Combine(RepoRoot, "Sdk");
        File.WriteAllText(ProjectFile, $"""
            <Project>
              <Import Project="{sdk}/Sdk.props" />
              {body}
              <Import Project="{sdk}/Sdk.targets" />
            </Project>
            """);
    }

    public static string RepoRoot => Metadata("RepoRoot");

    public string Directory { get; }

    public string ProjectFile => Path.Combine(Directory, "HotdogDetector.csproj");

    public TestProject Write(string relative, string content)
    {
        string path = Path.Combine(Directory, relative);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return this;
    }

    public Dictionary<string, string?> GlobalProperties(IDictionary<string, string>? extra = null)
    {
        var props = new Dictionary<string, string?>
        {
            ["CogTasksAssembly"] = Metadata("TasksAssembly"),
            ["CogRuntimeDirectory"] = Path.Combine(RepoRoot, "src", "cog-runtime", "cog") + Path.DirectorySeparatorChar,
        };
        foreach (var pair in extra ?? new Dictionary<string, string>())
        {
            props[pair.Key] = pair.Value;
        }

        return props;
    }

    public Project Evaluate(IDictionary<string, string>? properties = null)
    {
        var collection = new ProjectCollection(GlobalProperties(properties));
        return collection.LoadProject(ProjectFile);
    }

    /// <summary>Restores, then runs the targets; returns the result and everything logged.</summary>
    public BuildRun Build(string[] targets, IDictionary<string, string>? properties = null, bool restore = true)
    {
        var logger = new CollectingLogger();
        var globals = GlobalProperties(properties);
        using var manager = new BuildManager();
        var parameters = new BuildParameters { Loggers = new ILogger[] { logger }, DisableInProcNode = false, EnableNodeReuse = false };
        if (restore)
        {
            var restoreGlobals = new Dictionary<string, string?>(globals)
            {
                ["MSBuildRestoreSessionId"] = Guid.NewGuid().ToString("D"),
                ["_IsRestoring"] = "true",
            };
            var restoreRequest = new BuildRequestData(ProjectFile, restoreGlobals, null, new[] { "Restore" }, null,
                BuildRequestDataFlags.ClearCachesAfterBuild | BuildRequestDataFlags.SkipNonexistentTargets | BuildRequestDataFlags.IgnoreMissingEmptyAndInvalidImports);
            BuildResult restored = manager.Build(parameters, restoreRequest);
            if (restored.OverallResult != BuildResultCode.Success)
            {
                return new BuildRun(restored, logger, null);
            }
        }

        var request = new BuildRequestData(ProjectFile, globals, null, targets, null, BuildRequestDataFlags.ProvideProjectStateAfterBuild);
        BuildResult result = manager.Build(parameters, request);
        return new BuildRun(result, logger, result.ProjectStateAfterBuild);
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Path.GetDirectoryName(Directory)!, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string Metadata(string key) =>
        typeof(TestProject).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}

internal sealed record BuildRun(BuildResult Result, CollectingLogger Log, ProjectInstance? State)
{
    public bool Succeeded => Result.OverallResult == BuildResultCode.Success;

    public string Property(string name) => State?.GetPropertyValue(name) ?? "";

    public override string ToString() => Log.Text;
}

internal sealed class CollectingLogger : ILogger
{
    private readonly List<string> _lines = new();

    public List<BuildErrorEventArgs> Errors { get; } = new();
    public List<BuildWarningEventArgs> Warnings { get; } = new();
    public List<string> Messages { get; } = new();

    /// <summary>The tasks that ran, by name, in order.</summary>
    public List<string> TasksRun { get; } = new();

    public LoggerVerbosity Verbosity { get; set; } = LoggerVerbosity.Normal;
    public string? Parameters { get; set; }

    public string Text
    {
        get
        {
            lock (_lines)
            {
                return string.Join("\n", _lines);
            }
        }
    }

    public void Initialize(IEventSource eventSource)
    {
        eventSource.ErrorRaised += (_, e) => { lock (_lines) { Errors.Add(e); _lines.Add($"{e.File}({e.LineNumber},{e.ColumnNumber}): error {e.Code}: {e.Message}"); } };
        eventSource.WarningRaised += (_, e) => { lock (_lines) { Warnings.Add(e); _lines.Add($"{e.File}({e.LineNumber},{e.ColumnNumber}): warning {e.Code}: {e.Message}"); } };
        eventSource.MessageRaised += (_, e) => { lock (_lines) { Messages.Add(e.Message ?? ""); _lines.Add(e.Message ?? ""); } };
        eventSource.TaskStarted += (_, e) => { lock (_lines) { TasksRun.Add(e.TaskName); } };
    }

    public void Shutdown()
    {
    }
}
