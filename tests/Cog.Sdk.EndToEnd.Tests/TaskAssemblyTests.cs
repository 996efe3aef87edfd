using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Cog.Sdk.EndToEnd.Tests;

/// <summary>
/// Visual Studio's MSBuild (.NET Framework) loads tasks/net472 with no AssemblyLoadContext: every assembly the task
/// needs must be in that folder, in .NET Framework, or among the assemblies MSBuild itself ships with a binding
/// redirect, at a version no newer than the oldest MSBuild it supports ships. Nothing MSBuild ships may be shipped
/// again beside the task, or two copies would meet at run time.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public class TaskAssemblyTests
{
    /// <summary>
    /// The assemblies MSBuild.exe.config redirects in MSBuild 17.6 (Visual Studio 2022 17.6, the first to redirect
    /// System.Text.Json), with the version every older reference is redirected to. Later MSBuilds redirect to newer ones.
    /// </summary>
    private static readonly Dictionary<string, Version> ShippedByMSBuild = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Microsoft.Build"] = new(99, 9, 9, 9),
        ["Microsoft.Build.Framework"] = new(99, 9, 9, 9),
        ["Microsoft.Build.Utilities.Core"] = new(99, 9, 9, 9),
        ["Microsoft.Build.Tasks.Core"] = new(99, 9, 9, 9),
        ["Microsoft.Bcl.AsyncInterfaces"] = new(7, 0, 0, 0),
        ["Microsoft.NET.StringTools"] = new(1, 0, 0, 0),
        ["System.Buffers"] = new(4, 0, 3, 0),
        ["System.Collections.Immutable"] = new(7, 0, 0, 0),
        ["System.Memory"] = new(4, 0, 1, 2),
        ["System.Numerics.Vectors"] = new(4, 1, 4, 0),
        ["System.Reflection.Metadata"] = new(7, 0, 0, 0),
        ["System.Runtime.CompilerServices.Unsafe"] = new(6, 0, 0, 0),
        ["System.Text.Encodings.Web"] = new(7, 0, 0, 0),
        ["System.Text.Json"] = new(7, 0, 0, 0),
        ["System.Threading.Tasks.Dataflow"] = new(7, 0, 0, 0),
        ["System.Threading.Tasks.Extensions"] = new(4, 2, 0, 1),
    };

    private readonly PackedSdk _sdk;

    public TaskAssemblyTests(PackedSdk sdk) => _sdk = sdk;

    [Fact]
    public void The_net472_tasks_need_only_their_folder_the_framework_and_what_MSBuild_ships()
    {
        string folder = Directory.CreateTempSubdirectory("cog-net472-").FullName;
        try
        {
            string package = Directory.GetFiles(_sdk.Feed, "Cog.Sdk.*.nupkg").Single();
            using (ZipArchive zip = ZipFile.OpenRead(package))
            {
                foreach (ZipArchiveEntry entry in zip.Entries.Where(e => e.FullName.StartsWith("tasks/net472/", StringComparison.Ordinal) && e.Name.EndsWith(".dll", StringComparison.Ordinal)))
                {
                    entry.ExtractToFile(Path.Combine(folder, entry.Name));
                }
            }

            var shipped = Directory.GetFiles(folder, "*.dll").ToDictionary(f => Path.GetFileNameWithoutExtension(f), f => Identity(f)!, StringComparer.OrdinalIgnoreCase);
            Assert.Contains("Cog.Sdk.Tasks", shipped.Keys);
            Assert.Contains("YamlDotNet", shipped.Keys);
            // NuGet's own assemblies are loaded by Visual Studio's MSBuild before any task (its SDK resolver): a second copy would meet them.
            Assert.DoesNotContain(shipped.Keys, name => name.StartsWith("NuGet.", StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(shipped.Keys, ShippedByMSBuild.ContainsKey);

            var framework = FrameworkAssemblies();
            var problems = new List<string>();
            foreach (var (name, file) in shipped.Select(p => (p.Key, Path.Combine(folder, p.Key + ".dll"))))
            {
                foreach (var (reference, version) in References(file))
                {
                    bool satisfied =
                        (shipped.TryGetValue(reference, out Version? inFolder) && inFolder >= version)
                        || (ShippedByMSBuild.TryGetValue(reference, out Version? redirected) && version <= redirected)
                        || (framework.TryGetValue(reference, out Version? inFramework) && version <= inFramework);
                    if (!satisfied)
                    {
                        problems.Add($"{name} needs {reference} {version}");
                    }
                }
            }

            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The assembly version; null for a file that is no assembly (the framework folder holds native ones).</summary>
    private static Version? Identity(string file)
    {
        using var pe = new PEReader(File.OpenRead(file));
        if (!pe.HasMetadata)
        {
            return null;
        }

        MetadataReader metadata = pe.GetMetadataReader();
        return metadata.IsAssembly ? metadata.GetAssemblyDefinition().Version : null;
    }

    private static IEnumerable<(string Name, Version Version)> References(string file)
    {
        using var pe = new PEReader(File.OpenRead(file));
        MetadataReader metadata = pe.GetMetadataReader();
        return metadata.AssemblyReferences
            .Select(handle => metadata.GetAssemblyReference(handle))
            .Select(reference => (metadata.GetString(reference.Name), reference.Version))
            .ToList();
    }

    /// <summary>.NET Framework 4.7.2's assemblies and facades, from the reference assemblies the build restored.</summary>
    private static Dictionary<string, Version> FrameworkAssemblies()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string root = Directory.GetDirectories(Path.Combine(packages, "microsoft.netframework.referenceassemblies.net472")).Single();
        string net472 = Path.Combine(root, "build", ".NETFramework", "v4.7.2");
        return Directory.GetFiles(net472, "*.dll").Concat(Directory.GetFiles(Path.Combine(net472, "Facades"), "*.dll"))
            .Select(f => (Name: Path.GetFileNameWithoutExtension(f), Version: Identity(f)))
            .Where(a => a.Version != null)
            .ToDictionary(a => a.Name, a => a.Version!, StringComparer.OrdinalIgnoreCase);
    }
}
