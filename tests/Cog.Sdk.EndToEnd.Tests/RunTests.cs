using Cog.Sdk.Testing;

namespace Cog.Sdk.EndToEnd.Tests;

/// <summary>`dotnet msbuild -t:CogRun` runs a command in the model's image with the project folder at /src.</summary>
[Collection(PackedSdkCollection.Name)]
public sealed class CogRunTests : ContainerTestBase
{
    private readonly ModelProject _model;
    private readonly string _image;

    public CogRunTests(PackedSdk sdk)
        : base(sdk, "run")
    {
        (_model, _image) = NewModel("Runner", PredictTests.CurrentStyleYaml, PredictTests.TextModel);
    }

    [EngineFact]
    public void The_command_runs_in_src_where_the_project_is_mounted()
    {
        // As bash passes '-p:CogCommand="python -c \"import os; ...\""': MSBuild keeps the ';' and the inner quotes.
        var result = Msbuild(_model, _image, "CogRun",
            "-p:CogCommand=\"python -c \\\"import os; print('cwd=' + os.getcwd()); open('/src/made-by-run.txt', 'w').write('hi')\\\"\"");

        AssertSucceeded(result);
        Assert.Contains("cwd=/src", result.Output);
        Assert.Equal("hi", File.ReadAllText(_model.PathOf("made-by-run.txt")));
        AssertNoContainerLeft(_image);
    }

    [EngineFact]
    public void A_command_that_exits_non_zero_is_COG3105_with_the_exit_code()
    {
        var result = Msbuild(_model, _image, "CogRun", "-p:CogCommand=\"python -c \\\"import sys; sys.exit(3)\\\"\"");

        AssertError(result, "COG3105");
        Assert.Contains("exited with code 3 ", result.Errors.First(e => e.Code == "COG3105").Message);
        AssertNoContainerLeft(_image);
    }

    [EngineFact]
    public void CogRunEnvironment_sets_variables_inside_the_container()
    {
        var result = Msbuild(_model, _image, "CogRun",
            "-p:CogRunEnvironment=\"GREETING=hello there;OTHER=2\"",
            "-p:CogCommand=sh -c 'echo value=$GREETING/$OTHER'");

        AssertSucceeded(result);
        Assert.Contains("value=hello there/2", result.Output);
        AssertNoContainerLeft(_image);
    }
}
