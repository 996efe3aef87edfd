using Cog.Sdk.Testing;

namespace Cog.Sdk.EndToEnd.Tests;

/// <summary>
/// `dotnet new cog-model` from the packed Cog.Templates, installed into a DOTNET_CLI_HOME of the test run's own: every
/// combination of its options gives a project that the packed Cog.Sdk builds, and the CPU one predicts for real.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public sealed class TemplateTests : ContainerTestBase
{
    public TemplateTests(PackedSdk sdk)
        : base(sdk, "template")
    {
    }

    /// <summary>--gpu, --python, --torch: each given or left at its default.</summary>
    public static TheoryData<bool, string?, string?> Options()
    {
        var data = new TheoryData<bool, string?, string?>();
        foreach (bool gpu in new[] { false, true })
        {
            foreach (string? python in new[] { null, "3.11" })
            {
                foreach (string? torch in new[] { null, "2.5.1" })
                {
                    data.Add(gpu, python, torch);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Options))]
    public void Every_option_combination_gives_a_project_the_packed_sdk_builds(bool gpu, string? python, string? torch)
    {
        var options = new List<string>();
        if (gpu)
        {
            options.Add("--gpu");
        }

        if (python != null)
        {
            options.AddRange(new[] { "--python", python });
        }

        if (torch != null)
        {
            options.AddRange(new[] { "--torch", torch });
        }

        var model = NewFromTemplate("MyModel", options.ToArray());

        Assert.Equal($"<Project Sdk=\"Cog.Sdk/{Sdk.Version}\" />", File.ReadAllText(model.ProjectFile).Trim());
        Assert.Equal(File.ReadAllText(Path.Combine(PackedSdk.RepoRoot, "docs", "cog.schema.json")), File.ReadAllText(model.PathOf("cog.schema.json")));
        Assert.StartsWith("# yaml-language-server: $schema=cog.schema.json", File.ReadAllText(model.PathOf("cog.yaml")));
        Assert.True(File.Exists(model.PathOf(".gitignore")) && File.Exists(model.PathOf("global.json")) && File.Exists(model.PathOf("README.md")));
        Assert.Equal(torch != null, File.Exists(model.PathOf("requirements.txt")));
        AssertPythonCompiles(model.PathOf("predict.py")); // the torch variant cannot be imported here: torch is not installed

        // No image: a GPU base or torch from PyPI cannot be pulled here; the Dockerfile and what was resolved can be checked.
        var build = model.Build("-p:CogBuildImage=false");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Empty(build.Errors);
        Assert.Empty(build.Warnings);
        BuildAssert.NoCrash(build);
        Assert.True(File.Exists(model.PathOf("obj/cog/Dockerfile")), "no Dockerfile");

        var resolved = model.Dotnet("msbuild", "-t:CogValidate", "-getProperty:CogPythonVersion", "-getProperty:CogGpu",
            "-getProperty:CogPredictor", "-getProperty:CogTorchVersion", "-getProperty:CogBaseImage");
        Assert.True(resolved.ExitCode == 0, resolved.ToString());
        Assert.Contains($"\"CogPythonVersion\": \"{python ?? "3.12"}\"", resolved.Output);
        Assert.Contains($"\"CogGpu\": \"{(gpu ? "true" : "false")}\"", resolved.Output);
        Assert.Contains("\"CogPredictor\": \"predict.py:Runner\"", resolved.Output);
        Assert.Contains($"\"CogTorchVersion\": \"{torch ?? ""}\"", resolved.Output);
        Assert.Contains(gpu ? "\"CogBaseImage\": \"nvidia/cuda:" : $"\"CogBaseImage\": \"python:{python ?? "3.12"}-slim\"", resolved.Output);
    }

    [EngineFact]
    public void The_CPU_project_builds_its_image_and_predicts()
    {
        var model = NewFromTemplate("Greeter", "--python", "3.11");
        string image = ImageName("greeter");

        var result = Msbuild(model, image, "CogPredict", "-p:CogInput=\"text=world;repeat=2\"");

        AssertSucceeded(result);
        string written = Assert.Single(Directory.GetFiles(model.PathOf("bin"), "output.txt", SearchOption.AllDirectories));
        Assert.Equal("hello world hello world", File.ReadAllText(written).Trim());
        Assert.NotNull(EngineCli.Docker.ImageId(image));
        AssertNoContainerLeft(image);
    }

    private static void AssertPythonCompiles(string file)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("python3") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in new[] { "-c", "import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])", file })
        {
            psi.ArgumentList.Add(a);
        }

        using var python = System.Diagnostics.Process.Start(psi)!;
        string error = python.StandardError.ReadToEnd();
        Assert.True(python.WaitForExit(30_000), "python3 did not finish");
        Assert.True(python.ExitCode == 0, $"{file} is not valid Python:\n{error}\n{File.ReadAllText(file)}");
    }

    /// <summary>`dotnet new cog-model -n NAME OPTIONS` run in an empty folder, as a user types it: the project lands in NAME/.</summary>
    private ModelProject NewFromTemplate(string name, params string[] options)
    {
        string parent = Sdk.NewFolder(name);
        var created = Sdk.DotnetNew(parent, new[] { "cog-model", "-n", name }.Concat(options).ToArray());
        Assert.True(created.ExitCode == 0, created.Output);

        string directory = Path.Combine(parent, name);
        Assert.True(File.Exists(Path.Combine(directory, name + ".csproj")), $"no {name}/{name}.csproj:\n{created.Output}");
        Sdk.WriteNuGetConfig(directory);
        return new ModelProject(Sdk, directory, name);
    }
}
