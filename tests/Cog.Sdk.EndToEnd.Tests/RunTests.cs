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

    [EngineFact]
    public void Piped_standard_input_reaches_the_command_and_its_exit_code_stays_the_result()
    {
        // As `printf ... | dotnet msbuild -t:CogRun -p:CogCommand=...` in a shell.
        BuildOutput Piped(string command) => _model.DotnetWithInput(TimeSpan.FromMinutes(5), null, "first line from the pipe\nsecond line\n",
            "msbuild", "-restore", "-t:CogRun", "-p:CogImageName=" + _image, "-p:CogCommand=" + command);

        var upper = Piped("\"tr a-z A-Z\"");
        var failed = Piped("\"sh -c 'wc -l; exit 5'\"");

        AssertSucceeded(upper);
        Assert.Contains("FIRST LINE FROM THE PIPE", upper.Output);
        Assert.Contains("SECOND LINE", upper.Output);
        AssertError(failed, "COG3105");
        Assert.Matches(@"(?m)^\s*2\s*$", failed.Output);
        Assert.Contains("exited with code 5 ", failed.Errors.First(e => e.Code == "COG3105").Message);
        AssertNoContainerLeft(_image);
    }
}
