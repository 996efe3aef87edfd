using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;
using Cog.Sdk.Core;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Generate;

namespace Cog.Sdk.Bench;

/// <summary>
/// bench/pipeline.sh: what a build does with cog.yaml in process when it changed (parse, validate, resolve, the model
/// written to obj/cog/model.json and read back, the Dockerfile generated), timed by BenchmarkDotNet with its allocations.
///   dotnet run -c Release --project bench/pipeline -- RESULTS.tsv [BenchmarkDotNet arguments]
/// writes one line per case to RESULTS.tsv: name, median in nanoseconds, bytes allocated per operation.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: Pipeline RESULTS.tsv [BenchmarkDotNet arguments]");
            return 2;
        }

        // In process: no separate benchmark project to generate and build, which takes longer than the measurements. A
        // fixed number of short iterations keeps the whole run at a couple of minutes.
        IConfig config = DefaultConfig.Instance
            .AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithWarmupCount(3)
                .WithIterationCount(15)
                .WithIterationTime(TimeInterval.FromMilliseconds(250)))
            .WithOptions(ConfigOptions.JoinSummary);
        string[] arguments = args.Skip(1).ToArray();
        if (!arguments.Contains("--filter"))
        {
            arguments = arguments.Concat(new[] { "--filter", "*" }).ToArray();
        }

        Summary[] summaries = BenchmarkSwitcher.FromTypes(new[] { typeof(PipelineBenchmarks), typeof(SizeBenchmarks) })
            .Run(arguments, config).ToArray();
        var lines = summaries.SelectMany(summary => summary.Reports)
            .Where(report => report.ResultStatistics != null)
            .Select(report => string.Join("\t",
                Name(report),
                report.ResultStatistics!.Median.ToString("R", CultureInfo.InvariantCulture),
                (report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0).ToString(CultureInfo.InvariantCulture)))
            .ToList();
        File.WriteAllLines(args[0], lines);
        return lines.Count == summaries.Sum(summary => summary.BenchmarksCases.Length) ? 0 : 1;
    }

    // "Realistic-False" (the method, then each parameter's value), or "Pipeline-python_packages-2000".
    private static string Name(BenchmarkReport report) =>
        string.Join("-", new[] { report.BenchmarkCase.Descriptor.WorkloadMethod.Name }
            .Concat(report.BenchmarkCase.Parameters.Items.Select(p => Convert.ToString(p.Value, CultureInfo.InvariantCulture)!)));
}

/// <summary>
/// The pipeline on three models: the smallest cog.yaml (the baseline), a real one, and a large one; alone (parse,
/// validate, resolve, generate) and with the files a build's tasks hand on (model.json written and read back, Dockerfile.json).
/// </summary>
[MemoryDiagnoser]
public class PipelineBenchmarks
{
    private readonly Models _models = new Models();
    private string _minimal = "", _realistic = "", _large = "";

    [Params(false, true)]
    public bool Files { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _minimal = _models.Write("minimal", "build:\n  python_version: \"3.11\"\npredict: \"predict.py:Predictor\"\n");
        // A real model's cog.yaml from the corpus: GPU, CUDA 11.8, torch, 12 python packages, 5 system packages, 2 run commands, train.
        _realistic = _models.Copy(Path.Combine(Models.RepositoryRoot(), "tests", "corpus", "replicate__cog-sdxl"));
        _large = _models.Write("large", Models.Yaml(pythonPackages: 500, systemPackages: 200, runCommands: 100));
    }

    [GlobalCleanup]
    public void Cleanup() => _models.Dispose();

    [Benchmark(Baseline = true)]
    public object Minimal() => Models.Build(_minimal, Files);

    [Benchmark]
    public object Realistic() => Models.Build(_realistic, Files);

    /// <summary>500 python packages, 200 system packages, 100 run commands.</summary>
    [Benchmark]
    public object Large() => Models.Build(_large, Files);
}

/// <summary>
/// The pipeline on N packages, written as python_packages and as a requirements file: the time per package of each size
/// against the smallest tells whether the pipeline is linear (about 1).
/// </summary>
[MemoryDiagnoser]
public class SizeBenchmarks
{
    private readonly Models _models = new Models();
    private string _config = "";

    [Params("python_packages", "python_requirements")]
    public string Form { get; set; } = "";

    [Params(200, 2_000, 20_000)]
    public int Packages { get; set; }

    [GlobalSetup]
    public void Setup() => _config = Form == "python_packages"
        ? _models.Write($"{Form}-{Packages}", Models.Yaml(pythonPackages: Packages))
        : _models.Write($"{Form}-{Packages}", Models.Yaml(requirements: Packages));

    [GlobalCleanup]
    public void Cleanup() => _models.Dispose();

    [Benchmark]
    public object Pipeline() => Models.Build(_config, files: false);
}

/// <summary>Model folders in a temporary directory, and the pipeline a build runs on one.</summary>
public sealed class Models : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cog-bench-pipeline-" + Guid.NewGuid().ToString("N"));

    /// <summary>A model folder with this cog.yaml and the files it names; the cog.yaml's path.</summary>
    public string Write(string name, (string Yaml, string? Requirements) model)
    {
        string directory = Path.Combine(_root, name);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "predict.py"), "class Predictor:\n    pass\n");
        if (model.Requirements != null)
        {
            File.WriteAllText(Path.Combine(directory, "requirements.txt"), model.Requirements);
        }

        string config = Path.Combine(directory, "cog.yaml");
        File.WriteAllText(config, model.Yaml);
        return config;
    }

    public string Write(string name, string yaml) => Write(name, (yaml, null));

    /// <summary>A copy of a model folder (its files, not its subfolders); the cog.yaml's path.</summary>
    public string Copy(string source)
    {
        string directory = Path.Combine(_root, Path.GetFileName(source));
        Directory.CreateDirectory(directory);
        foreach (string file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
        }

        return Path.Combine(directory, "cog.yaml");
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>
    /// A GPU model with these counts of python packages (in cog.yaml), requirement lines (in requirements.txt), system
    /// packages and run commands. Realistic lines: pinned names, some extras and markers, one torch pin that the
    /// resolver rewrites.
    /// </summary>
    public static (string Yaml, string? Requirements) Yaml(int pythonPackages = 0, int requirements = 0, int systemPackages = 0, int runCommands = 0)
    {
        static IEnumerable<string> Packages(int count) => Enumerable.Range(0, count).Select(i =>
            i == 0 ? "torch==2.3.1"
            : i % 10 == 0 ? $"package-{i}[extra]>=1.{i % 7},<2 ; python_version >= \"3.8\""
            : $"package-{i}=={i % 13}.{i % 7}.{i % 3}");
        string yaml = "build:\n  gpu: true\n  python_version: \"3.11\"\n";
        if (pythonPackages > 0)
        {
            yaml += "  python_packages:\n" + string.Concat(Packages(pythonPackages).Select(line => $"    - '{line}'\n"));
        }

        if (requirements > 0)
        {
            yaml += "  python_requirements: requirements.txt\n";
        }

        if (systemPackages > 0)
        {
            yaml += "  system_packages:\n" + string.Concat(Enumerable.Range(0, systemPackages).Select(i => $"    - lib-package-{i}\n"));
        }

        if (runCommands > 0)
        {
            yaml += "  run:\n" + string.Concat(Enumerable.Range(0, runCommands).Select(i => $"    - echo step {i} && mkdir -p /opt/step-{i}\n"));
        }

        yaml += "predict: \"predict.py:Predictor\"\n";
        return (yaml, requirements > 0 ? string.Concat(Packages(requirements).Select(line => line + "\n")) : null);
    }

    /// <summary>
    /// What a build does in process when cog.yaml changed: load (parse, validate, resolve) and generate the Dockerfile; with
    /// <paramref name="files"/>, also what its tasks hand on: model.json written and read back (CogResolveModel,
    /// CogWriteDockerfile) and Dockerfile.json made.
    /// </summary>
    public static object Build(string config, bool files)
    {
        var diagnostics = new DiagnosticBag();
        CogProject project = CogProject.Load(new CogProjectOptions(config), diagnostics)
            ?? throw new InvalidOperationException(string.Join("\n", diagnostics.Take(5)));
        if (files)
        {
            string modelFile = Path.Combine(Path.GetDirectoryName(config)!, "obj", "model.json");
            project.Write(modelFile);
            project = CogProject.Read(modelFile) ?? throw new InvalidOperationException("model.json was not read back");
        }

        GeneratedDockerfile dockerfile = DockerfileGenerator.Generate(project.CreateDockerfileSpec(new ImageOptions()));
        return files ? JsonText.Serialize(dockerfile) : dockerfile;
    }

    /// <summary>The repository this bench is in (the folder of Cog.Sdk.sln), for the corpus.</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory != null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Cog.Sdk.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Cog.Sdk.sln not found above " + AppContext.BaseDirectory);
    }
}
