namespace Cog.Sdk.EndToEnd.Tests;

/// <summary>
/// MSBuild skips validation and generation while their inputs are unchanged (the targets' Inputs and Outputs); these
/// check that every change that matters is still seen, and that nothing the user was told goes missing.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public class UpToDateTests
{
    private const string Predictor = "from cog import BasePredictor\n\nclass Predictor(BasePredictor):\n    def predict(self, text: str) -> str:\n        return text\n";

    private readonly PackedSdk _sdk;

    public UpToDateTests(PackedSdk sdk) => _sdk = sdk;

    [Fact]
    public void A_no_op_build_skips_validation_and_generation_and_repeats_the_warnings()
    {
        var model = _sdk.NewProject("RecordedWarning").Write("predict.py", Predictor)
            .Write("cog.yaml", "build:\n  python_version: \"3.11\"\n");
        string resolved = model.PathOf("obj/cog/model.json");
        string generated = model.PathOf("obj/cog/dockerfile.files");

        var first = model.Build("-p:CogBuildImage=false", "-v:d");
        var times = (File.GetLastWriteTimeUtc(resolved), File.GetLastWriteTimeUtc(generated));
        var second = model.Build("-p:CogBuildImage=false", "-v:d");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(times, (File.GetLastWriteTimeUtc(resolved), File.GetLastWriteTimeUtc(generated)));
        Assert.Contains("Skipping target \"_CogResolveModel\"", second.Output);
        Assert.Contains("Skipping target \"_CogWriteDockerfile\"", second.Output);
        Assert.Equal("COG2044", Assert.Single(first.Warnings).Code);
        Assert.Equal("COG2044", Assert.Single(second.Warnings).Code);
        Assert.Equal(model.PathOf("cog.yaml"), second.Warnings[0].File);
        Assert.Contains("Cog: CPU -> python:3.11-slim", second.Output);
    }

    [Fact]
    public void An_edit_to_an_included_requirements_file_is_seen_by_the_next_build()
    {
        var model = _sdk.NewProject("IncludedRequirements").Write("predict.py", Predictor)
            .Write("cog.yaml", "build:\n  gpu: true\n  python_version: \"3.11\"\n  python_requirements: requirements.txt\npredict: \"predict.py:Predictor\"\n")
            .Write("requirements.txt", "-r frameworks/torch.txt\n")
            .Write("frameworks/torch.txt", "torch==2.0.1\n");
        string Cuda()
        {
            var validate = model.Dotnet("msbuild", "-restore", "-t:CogValidate", "-getProperty:CogCudaVersion");
            Assert.True(validate.ExitCode == 0, validate.ToString());
            return validate.Output.Trim().Split('\n').Last().Trim();
        }

        Assert.Equal("11.8", Cuda());
        Assert.Equal("11.8", Cuda());
        model.Write("frameworks/torch.txt", "torch==2.3.1\n");
        Assert.Equal("12.1", Cuda());
    }

    [Fact]
    public void A_predictor_deleted_after_a_build_fails_the_next_build_at_its_line()
    {
        var model = _sdk.NewProject("DeletedPredictor").Write("predict.py", Predictor)
            .Write("cog.yaml", "build:\n  python_version: \"3.11\"\npredict: \"predict.py:Predictor\"\n");
        var first = model.Build("-p:CogBuildImage=false");
        Assert.True(first.ExitCode == 0, first.ToString());

        File.Delete(model.PathOf("predict.py"));
        var second = model.Build("-p:CogBuildImage=false");

        Assert.Equal(1, second.ExitCode);
        var error = Assert.Single(second.Errors);
        Assert.Equal(("COG2048", 3, 10), (error.Code, error.Line, error.Column));
        Assert.False(File.Exists(model.PathOf("obj/cog/model.json")), "a failed validation leaves no model");
    }

    [Fact]
    public void A_changed_setting_or_a_deleted_or_edited_generated_file_makes_the_next_build_write_it_again()
    {
        var model = _sdk.NewProject("RegeneratedDockerfile").Write("predict.py", Predictor)
            .Write("cog.yaml", "build:\n  python_version: \"3.11\"\n  python_packages: [\"numpy==1.26.4\"]\npredict: \"predict.py:Predictor\"\n");
        string dockerfile = model.PathOf("obj/cog/Dockerfile");
        string requirements = model.PathOf("obj/cog/context/cog/requirements.txt");
        string Built(params string[] properties)
        {
            var build = model.Build(new[] { "-p:CogBuildImage=false" }.Concat(properties).ToArray());
            Assert.True(build.ExitCode == 0, build.ToString());
            return File.ReadAllText(dockerfile) + File.ReadAllText(requirements);
        }

        string plain = Built();
        Assert.DoesNotContain("127.0.0.1", plain);
        Assert.Contains("\"--index-url\", \"http://127.0.0.1:9/simple\"", Built("-p:CogPipIndexUrl=http://127.0.0.1:9/simple"));
        Assert.Equal(plain, Built());

        File.Delete(dockerfile);
        Assert.Equal(plain, Built());

        File.AppendAllText(dockerfile, "# edited by hand\n");
        Assert.Equal(plain, Built());

        File.Delete(requirements);
        Assert.Equal(plain, Built());
    }

    [Fact]
    public void A_changed_image_name_is_published_by_the_next_build()
    {
        var model = _sdk.NewProject("RenamedImage").Write("predict.py", Predictor)
            .Write("cog.yaml", "build:\n  python_version: \"3.11\"\npredict: \"predict.py:Predictor\"\n");
        string Name(params string[] properties)
        {
            var validate = model.Dotnet(new[] { "msbuild", "-restore", "-t:CogValidate", "-getProperty:CogImageName" }.Concat(properties).ToArray());
            Assert.True(validate.ExitCode == 0, validate.ToString());
            return validate.Output.Trim().Split('\n').Last().Trim();
        }

        Assert.Equal("cog-renamedimage", Name());
        Assert.Equal("registry.example.com/team/model:1", Name("-p:CogImageName=registry.example.com/team/model:1"));
        model.Write("cog.yaml", "build:\n  python_version: \"3.11\"\npredict: \"predict.py:Predictor\"\nimage: \"from-cog-yaml\"\n");
        Assert.Equal("from-cog-yaml", Name());
    }
}
