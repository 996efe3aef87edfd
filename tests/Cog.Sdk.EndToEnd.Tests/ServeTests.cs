using System.Net;
using System.Net.Sockets;
using Cog.Sdk.Testing;

namespace Cog.Sdk.EndToEnd.Tests;

/// <summary>
/// `dotnet msbuild -t:CogServe` keeps one container of the model; CogPredict on the same project sends its inputs there
/// (no setup() again), Ctrl+C or `-t:CogStop` from another shell ends it, and nothing is left behind.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public sealed class ServeTests : ContainerTestBase
{
    /// <summary>setup() names the load it did; run() says which load, and which container (its host name), answered.</summary>
    private const string Model = """
        import socket, time, uuid
        from cog import BaseRunner, Input

        class Runner(BaseRunner):
            def setup(self):
                time.sleep(2)
                self.load = uuid.uuid4().hex[:12]
                print("LOADED-" + self.load, flush=True)

            def run(self, text: str = Input(description="What to echo")) -> str:
                return "%s by load %s in %s" % (text, self.load, socket.gethostname())
        """;

    private const string Yaml = """
        build:
          python_version: "3.11"
        run: "predict.py:Runner"
        """;

    public ServeTests(PackedSdk sdk)
        : base(sdk, "serve")
    {
    }

    [EngineFact]
    public void Two_predictions_are_answered_by_the_one_served_container_and_Ctrl_C_leaves_nothing()
    {
        var (model, image) = NewModel("Served", Yaml, Model);
        AssertSucceeded(Msbuild(model, image, "CogBuild"));
        DateTime started = DateTime.UtcNow;

        using var serve = new BackgroundMsbuild(Sdk, model, "-restore", "-t:CogServe", "-p:CogImageName=" + image);
        string url = WaitUntilServed(serve);
        var first = Msbuild(model, image, "CogPredict", "-p:CogInput=text=one");
        var second = Msbuild(model, image, "CogPredict", "-p:CogInput=text=two");

        AssertSucceeded(first);
        AssertSucceeded(second);
        Assert.Contains("on the model served at " + url, first.Output);
        string firstAnswer = Answer(first, "one");
        Assert.Equal(firstAnswer.Replace("one by", "two by"), Answer(second, "two"));
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(serve.Output, "LOADED-"));
        Assert.DoesNotContain("LOADED-", first.Output + second.Output);
        Assert.Equal(new[] { "cog-serve-" }, ContainersCreatedSince(image, started).Select(n => n.Substring(0, "cog-serve-".Length)));

        serve.Interrupt();
        var stopped = serve.WaitForExit(TimeSpan.FromSeconds(60));

        Assert.DoesNotContain("MSB4018", stopped.Output);
        AssertNoContainerLeft(image);
        Assert.False(File.Exists(model.PathOf("obj/cog/serve.json")), "the served model's record outlived it");
        var afterwards = Msbuild(model, image, "CogPredict", "-p:CogInput=text=three");
        AssertSucceeded(afterwards);
        Assert.Contains("LOADED-", afterwards.Output);
        AssertNoContainerLeft(image);
    }

    [EngineFact]
    public void CogStop_from_another_shell_ends_CogServe_which_keeps_its_port_and_serves_the_current_image_only()
    {
        var (model, image) = NewModel("Stopped", Yaml, Model);
        int port = FreePort();
        using var serve = new BackgroundMsbuild(Sdk, model, "-restore", "-t:CogServe", "-p:CogImageName=" + image, "-p:CogServePort=" + port);
        string url = WaitUntilServed(serve);
        Assert.Equal($"http://127.0.0.1:{port}/", url);

        // A second CogServe of the same project is refused; a project elsewhere reaches the model through CogPredictUrl, building nothing.
        var again = Msbuild(model, image, "CogServe");
        var elsewhere = Sdk.NewProject("Elsewhere").Write("cog.yaml", Yaml).Write("predict.py", Model);
        var remote = Msbuild(elsewhere, ImageName("never-built"), "CogPredict", "-p:CogInput=text=remote", "-p:CogPredictUrl=" + url);
        // The model changed since CogServe started: the prediction runs the new code in a container of its own.
        model.Write("predict.py", Model.Replace("\"%s by load", "\"v2 %s by load"));
        var changed = Msbuild(model, image, "CogPredict", "-p:CogInput=text=new");

        AssertError(again, "COG3251");
        AssertSucceeded(remote);
        Assert.Contains("remote by load", remote.Output);
        Assert.NotEqual(0, TestEngine.Run("image", "inspect", ImageName("never-built")).ExitCode);
        Assert.Equal(0, changed.ExitCode);
        Assert.Contains(changed.Warnings, w => w.Code == "COG3250");
        Assert.Contains("v2 new by load", changed.Output);

        var stop = Msbuild(model, image, "CogStop");
        var served = serve.WaitForExit(TimeSpan.FromSeconds(60));
        var stopAgain = Msbuild(model, image, "CogStop");

        AssertSucceeded(stop);
        Assert.Contains("stopped the model served at " + url, stop.Output);
        Assert.True(served.ExitCode == 0, "CogServe did not end cleanly after CogStop:\n" + served);
        AssertSucceeded(stopAgain);
        Assert.Contains("no model is served", stopAgain.Output);
        AssertNoContainerLeft(image);
    }

    [EngineFact]
    public void A_SIGTERM_stops_the_served_model_as_CogStop_does()
    {
        var (model, image) = NewModel("Terminated", Yaml, Model);
        using var serve = new BackgroundMsbuild(Sdk, model, "-restore", "-t:CogServe", "-p:CogImageName=" + image);
        WaitUntilServed(serve);

        serve.Terminate();
        var stopped = serve.WaitForExit(TimeSpan.FromSeconds(60));

        Assert.True(stopped.ExitCode == 0, "CogServe did not end cleanly on SIGTERM:\n" + stopped);
        Assert.True(stopped.Output.Contains("the served model was stopped"), "CogServe did not say the model was stopped:\n" + stopped);
        AssertNoContainerLeft(image);
        Assert.False(File.Exists(model.PathOf("obj/cog/serve.json")), "the served model's record outlived it");
    }

    /// <summary>The URL CogServe printed once the model was ready.</summary>
    private static string WaitUntilServed(BackgroundMsbuild serve)
    {
        var deadline = DateTime.UtcNow.AddMinutes(4);
        var served = new System.Text.RegularExpressions.Regex(@"Cog: serving \S+ at (?<url>http://127\.0\.0\.1:\d+/)");
        while (true)
        {
            var match = served.Match(serve.Output);
            if (match.Success)
            {
                return match.Groups["url"].Value;
            }

            Assert.False(serve.HasExited, "CogServe ended before it served:\n" + serve.Output);
            Assert.True(DateTime.UtcNow < deadline, "CogServe did not serve within 4 minutes:\n" + serve.Output);
            Thread.Sleep(200);
        }
    }

    /// <summary>The answer written to output.txt, which must begin with <paramref name="text"/>.</summary>
    private static string Answer(BuildOutput result, string text)
    {
        var match = System.Text.RegularExpressions.Regex.Match(result.Output, text + @" by load \w+ in \w+");
        Assert.True(match.Success, $"no answer for '{text}':\n{result}");
        return match.Value;
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
