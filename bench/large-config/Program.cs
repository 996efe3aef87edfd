using System.Diagnostics;
using Cog.Sdk.Core;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Generate;

// Times what a build does with cog.yaml in process (parse, validate, resolve, generate the Dockerfile) for a
// configuration of N packages, written as python_packages and as a requirements file, and prints the time per
// package of each size as a ratio against the baseline size run beside it: a linear pipeline gives about 1.
int baseline = args.Length > 0 ? int.Parse(args[0]) : 200;
int[] sizes = args.Length > 1 ? args.Skip(1).Select(int.Parse).ToArray() : new[] { 2_000, 20_000 };
string root = Path.Combine(Path.GetTempPath(), "cog-bench-large-" + Guid.NewGuid().ToString("N"));

try
{
    Console.WriteLine("form                 packages  fastest ms   ms per 1000   ratio to " + baseline);
    foreach (string form in new[] { "python_packages", "python_requirements" })
    {
        double baseMs = Fastest(Write(form, baseline));
        Report(form, baseline, baseMs, baseMs, baseline);
        foreach (int size in sizes)
        {
            Report(form, size, Fastest(Write(form, size)), baseMs, baseline);
        }
    }
}
finally
{
    Directory.Delete(root, recursive: true);
}

void Report(string form, int size, double ms, double baseMs, int baseSize) =>
    Console.WriteLine($"{form,-20} {size,8} {ms,11:F1} {ms * 1000 / size,13:F2} {ms / size / (baseMs / baseSize),10:F2}");

string Write(string form, int size)
{
    string dir = Path.Combine(root, form + "-" + size);
    Directory.CreateDirectory(dir);
    File.WriteAllText(Path.Combine(dir, "predict.py"), "class Predictor:\n    pass\n");
    // Realistic lines: pinned names, some extras and markers, one torch pin that the resolver rewrites.
    var lines = Enumerable.Range(0, size).Select(i =>
        i == 0 ? "torch==2.3.1"
        : i % 10 == 0 ? $"package-{i}[extra]>=1.{i % 7},<2 ; python_version >= \"3.8\""
        : $"package-{i}=={i % 13}.{i % 7}.{i % 3}").ToList();
    string yaml = "build:\n  gpu: true\n  python_version: \"3.11\"\n";
    if (form == "python_packages")
    {
        yaml += "  python_packages:\n" + string.Concat(lines.Select(l => "    - '" + l + "'\n"));
    }
    else
    {
        yaml += "  python_requirements: requirements.txt\n";
        File.WriteAllText(Path.Combine(dir, "requirements.txt"), string.Concat(lines.Select(l => l + "\n")));
    }

    File.WriteAllText(Path.Combine(dir, "cog.yaml"), yaml + "predict: \"predict.py:Predictor\"\n");
    return Path.Combine(dir, "cog.yaml");
}

// The fastest of several runs: on a shared machine the other processes only ever add time.
double Fastest(string config)
{
    Run(config); // JIT and file cache warm-up
    var times = new List<double>();
    for (int i = 0; i < 7; i++)
    {
        GC.Collect(); // the previous run's garbage is not this run's cost
        var watch = Stopwatch.StartNew();
        Run(config);
        times.Add(watch.Elapsed.TotalMilliseconds);
    }

    return times.Min();
}

static void Run(string config)
{
    var diagnostics = new DiagnosticBag();
    CogProject project = CogProject.Load(new CogProjectOptions(config), diagnostics)
        ?? throw new InvalidOperationException(string.Join("\n", diagnostics.Take(5)));
    GeneratedDockerfile dockerfile = DockerfileGenerator.Generate(project.CreateDockerfileSpec(new ImageOptions { UseBuildKit = true }));
    if (dockerfile.ContextFiles.Count == 0)
    {
        throw new InvalidOperationException("no requirements were generated");
    }
}
