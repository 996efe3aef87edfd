using Cog.Sdk.Testing;

namespace Cog.Sdk.EndToEnd.Tests;

/// <summary>
/// Every sample under samples/, copied as it is into a folder of its own with its project file naming the packed
/// Cog.Sdk, built and predicted (or trained) as its README says. The GPU sample and the original reference's example are built to
/// their Dockerfile only: their base images and packages cannot be pulled here.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public sealed class SampleTests : ContainerTestBase
{
    /// <summary>The samples and how each is checked; a sample missing here fails <see cref="Every_sample_has_a_README_and_a_test"/>.</summary>
    private static readonly string[] Predicted = { "hello-world", "hotdog-detector", "image-filter", "trainer" };
    private static readonly string[] DockerfileOnly = { "gpu-torch", "jazz-solo" };

    public SampleTests(PackedSdk sdk)
        : base(sdk, "sample")
    {
    }

    private static string SamplesRoot => Path.Combine(PackedSdk.RepoRoot, "samples");

    [Fact]
    public void Every_sample_has_a_README_and_a_test()
    {
        var samples = Directory.GetDirectories(SamplesRoot).Select(Path.GetFileName).Order().ToList();

        Assert.Equal(Predicted.Concat(DockerfileOnly).Order(), samples);
        foreach (string sample in samples!)
        {
            string readme = File.ReadAllText(Path.Combine(SamplesRoot, sample!, "README.md"));
            Assert.Contains("```bash", readme);
            Assert.Contains("samples/" + sample, readme);
        }
    }

    [EngineFact]
    public void Hello_world_greets_and_the_cow_from_apt_says_it()
    {
        var (model, image) = Sample("hello-world");

        var result = Msbuild(model, image, "CogPredict", "-p:CogInput=\"text=world;shout=true\"");

        AssertSucceeded(result);
        Assert.Contains("< hello world >", result.Output); // cowsay, from system_packages, printed by predict()
        Assert.Equal("HELLO WORLD", File.ReadAllText(SingleOutput(model, "output.txt")).Trim());
        AssertNoContainerLeft(image);
    }

    [EngineFact]
    public void Hotdog_detector_in_the_original_form_frames_a_red_picture()
    {
        var (model, image) = Sample("hotdog-detector");
        File.WriteAllBytes(model.PathOf("hotdog.png"), Png.SolidRgb(10, 6, 240, 20, 20));

        var result = Msbuild(model, image, "CogPredict", "-p:CogInput=\"image=@hotdog.png;threshold=0.4\"");

        AssertSucceeded(result);
        byte[] png = File.ReadAllBytes(SingleOutput(model, "output.png"));
        Assert.Equal((10, 6), Png.Size(png));
        Assert.Equal(((byte)255, (byte)215, (byte)0), Png.Pixel(png, 0, 0));
        Assert.Equal(((byte)240, (byte)20, (byte)20), Png.Pixel(png, 5, 3));
        AssertNoContainerLeft(image);
    }

    [EngineFact]
    public void Image_filter_runs_ImageMagick_from_apt_on_the_picture()
    {
        var (model, image) = Sample("image-filter");
        File.WriteAllBytes(model.PathOf("photo.png"), Png.SolidRgb(8, 4, 250, 10, 10));

        var negated = Msbuild(model, image, "CogPredict", "-p:CogInput=\"image=@photo.png;effect=negate\"", "-p:CogOutput=negated.png");
        var gray = Msbuild(model, image, "CogPredict", "-p:CogInput=\"image=@photo.png;effect=grayscale\"", "-p:CogOutput=gray.png");

        AssertSucceeded(negated);
        AssertSucceeded(gray);
        byte[] negatedPng = File.ReadAllBytes(model.PathOf("negated.png"));
        Assert.Equal((8, 4), Png.Size(negatedPng));
        Assert.Equal(((byte)5, (byte)245, (byte)245), Png.Pixel(negatedPng, 3, 2));
        var (r, g, b) = Png.Pixel(File.ReadAllBytes(model.PathOf("gray.png")), 3, 2);
        Assert.True(r == g && g == b && r is > 10 and < 250, $"not a gray of the red: ({r}, {g}, {b})");
        AssertNoContainerLeft(image);
    }

    [EngineFact]
    public void Trainer_learns_from_a_text_and_predicts_with_the_weights_it_wrote()
    {
        var (model, image) = Sample("trainer");

        var mistake = Msbuild(model, image, "CogTrain", "-p:CogInput=\"text=@corpus.txt;min_count=0\"");
        var trained = Msbuild(model, image, "CogTrain", "-p:CogInput=text=@corpus.txt", "-p:CogOutput=weights/");
        var predicted = Msbuild(model, image, "CogPredict", "-p:CogInput=\"prompt=the;words=3\"");

        AssertError(mistake, "COG4005");
        AssertSucceeded(trained);
        Assert.Contains("learned 15 words", trained.Output);
        Assert.Contains("\"sat\"", File.ReadAllText(model.PathOf("weights/weights.json")));
        AssertSucceeded(predicted);
        Assert.Contains("loaded 15 words", predicted.Output);
        Assert.Equal("the cat sat on", File.ReadAllText(SingleOutput(model, "output.txt")));
        AssertNoContainerLeft(image);
    }

    [Fact]
    public void Gpu_torch_resolves_CUDA_for_its_torch_and_writes_the_Dockerfile()
    {
        var (model, _) = Sample("gpu-torch");

        string dockerfile = BuildDockerfileOnly(model);

        Assert.Contains("FROM nvidia/cuda:11.8.0-cudnn8-devel-ubuntu22.04", dockerfile);
        string requirements = File.ReadAllText(Directory.GetFiles(model.PathOf("obj/cog"), "requirements*.txt", SearchOption.AllDirectories).Single());
        Assert.Contains("https://download.pytorch.org/whl/cu118", requirements);
        Assert.Contains("torch==2.0.1", requirements);
    }

    [Fact]
    public void Jazz_solo_the_original_reference_example_writes_its_Dockerfile()
    {
        var (model, _) = Sample("jazz-solo");

        // The 2021 example asks for Python 3.8, which has reached its end of life: a warning, as the README says.
        string dockerfile = BuildDockerfileOnly(model, "COG2059");

        Assert.Contains("python:3.8", dockerfile);
        Assert.Contains("ffmpeg", dockerfile);
        Assert.Contains("libavcodec-dev", dockerfile);
    }

    /// <summary>A copy of samples/NAME in a folder of its own, its project file naming the packed SDK; the image name for it.</summary>
    private (ModelProject Model, string Image) Sample(string name)
    {
        string source = Path.Combine(SamplesRoot, name);
        string projectName = Path.GetFileNameWithoutExtension(Directory.GetFiles(source, "*.csproj").Single());
        var model = Sdk.NewProject(projectName);
        foreach (string file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(source, file);
            string top = relative.Split(Path.DirectorySeparatorChar)[0];
            if (!relative.EndsWith(".csproj", StringComparison.Ordinal) && top != "bin" && top != "obj")
            {
                Directory.CreateDirectory(Path.GetDirectoryName(model.PathOf(relative))!);
                File.Copy(file, model.PathOf(relative));
            }
        }

        return (model, ImageName(name));
    }

    /// <summary>`dotnet build -p:CogBuildImage=false`, which must succeed with no diagnostic but the expected warnings; the Dockerfile it wrote.</summary>
    private static string BuildDockerfileOnly(ModelProject model, params string[] expectedWarnings)
    {
        var build = model.Build("-p:CogBuildImage=false");

        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Equal(expectedWarnings, build.Diagnostics.Select(d => d.Severity == "warning" ? d.Code : d.Severity + " " + d.Code));
        return File.ReadAllText(model.PathOf("obj/cog/Dockerfile"));
    }

    private static string SingleOutput(ModelProject model, string fileName) =>
        Assert.Single(Directory.GetFiles(model.PathOf("bin"), fileName, SearchOption.AllDirectories));
}
