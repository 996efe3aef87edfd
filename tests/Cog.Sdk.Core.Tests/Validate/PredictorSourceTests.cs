using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Tests.Parse;
using Cog.Sdk.Core.Validate;

namespace Cog.Sdk.Core.Tests.Validate;

/// <summary>The predictor's method as its source defines it, and COG2330 for a synchronous one under concurrency.</summary>
public class PredictorSourceTests
{
    private const string Predictors = """
        import asyncio
        from cog import BasePredictor, BaseRunner


        class Sync(BasePredictor):
            def setup(self):
                pass

            def predict(self, text: str) -> str:
                return text


        # A comment at the top level.
        class Async(BaseRunner):
            @property
            def name(self):
                return "async"

            # A comment inside the class.
            async def run(self, text: str) -> str:
                await asyncio.sleep(0)
                return text


        class Inherits(Sync):
            pass


        async def streamed(text: str) -> str:
            return text


        def plain(text: str) -> str:
            return text
        """;

    [Theory]
    [InlineData("Sync", "Sync.predict()", 9, false)]
    [InlineData("Async", "Async.run()", 20, true)]
    [InlineData("streamed", "streamed()", 29, true)]
    [InlineData("plain", "plain()", 33, false)]
    public void The_method_a_pointer_runs_is_found_with_its_line_and_whether_it_is_async(string name, string display, int line, bool isAsync)
    {
        using var project = new TempProject().WithFile("predict.py", Predictors);

        PredictorMethod method = PredictorSource.Find(Path.Combine(project.Directory, "predict.py"), name)!;

        Assert.Equal((display, line, isAsync), (method.Display, method.Line, method.IsAsync));
    }

    [Theory]
    [InlineData("Inherits")]
    [InlineData("Missing")]
    public void What_the_source_does_not_show_is_not_judged(string name)
    {
        using var project = new TempProject().WithFile("predict.py", Predictors);

        Assert.Null(PredictorSource.Find(Path.Combine(project.Directory, "predict.py"), name));
    }

    [Theory]
    [InlineData("Sync", 4, new[] { "COG2330@4,8" })]
    [InlineData("Async", 4, new string[0])]
    [InlineData("Sync", 1, new string[0])]
    [InlineData("Inherits", 4, new string[0])]
    public void Concurrency_above_one_with_a_synchronous_method_is_COG2330_at_max(string name, int max, string[] expected)
    {
        string yaml = $"build:\n  python_version: \"3.11\"\nconcurrency:\n  max: {max}\nrun: \"predict.py:{name}\"\n";
        using var project = new TempProject().WithConfig(yaml).WithFile("predict.py", Predictors);

        var result = project.Load();

        Assert.Equal(expected, result.Diagnostics);
        if (expected.Length > 0)
        {
            var bag = new DiagnosticBag();
            CogConfigLoader.Load(project.ConfigPath, bag);
            Assert.Contains("Sync.predict() in predict.py (line 9)", Assert.Single(bag).Message);
        }
    }
}
