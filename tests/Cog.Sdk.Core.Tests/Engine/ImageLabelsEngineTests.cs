using System.Globalization;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Engine;
using Cog.Sdk.Testing;

namespace Cog.Sdk.Core.Tests.Engine;

/// <summary>
/// The labelling step on the real engines, on an image without Cog's runtime (python:3.11-slim under a name of the
/// test's own): the image is still labelled, with what it can say, and the missing schema is a warning, not a failure.
/// (The labels of a real model, and the schema label against what its server serves, are end-to-end tests.)
/// </summary>
public sealed class ImageLabelsEngineTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cogsdk-labels-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string _image = "cogsdk-test-labels-" + Guid.NewGuid().ToString("N")[..8];

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [EngineTheory]
    [InlineData("docker")]
    [InlineData("podman")]
    public async Task An_image_that_cannot_tell_its_schema_is_labelled_with_the_rest_and_a_warning(string cli)
    {
        var engine = EngineLocator.Find(cli);
        var baseImage = (await Images.InspectAsync(engine, "python:3.11-slim", CancellationToken.None))!;
        Assert.True((await engine.RunAsync(new[] { "tag", "python:3.11-slim", _image }, CancellationToken.None)).Succeeded);
        var warnings = new List<Diagnostic>();
        DateTimeOffset before = DateTimeOffset.UtcNow.AddSeconds(-1);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            string labelled = await ImageLabels.AddAsync(engine, new LabelRequest(_folder, _image, baseImage.Id) { BaseImage = "python:3.11-slim" }, _ => { }, warnings.Add, timeout.Token);

            var image = (await Images.InspectAsync(engine, _image, CancellationToken.None))!;
            Assert.True(ImageDetails.SameId(labelled, image.Id));
            Assert.False(ImageDetails.SameId(baseImage.Id, image.Id));
            Assert.Equal("COG3202", Assert.Single(warnings).Code);
            Assert.Null(image.Labels.String(ImageLabels.OpenApiSchema));
            Assert.Null(image.Labels.String(ImageLabels.CogVersion)); // no cog package to ask
            Assert.NotNull(image.Labels.String(ImageLabels.PipFreeze));
            Assert.Equal(baseImage.Platform, image.Labels.String(ImageLabels.Platform));
            Assert.Equal("linux/amd64", image.Platform);
            var created = DateTimeOffset.Parse(image.Labels.String(ImageLabels.Created)!, CultureInfo.InvariantCulture);
            Assert.InRange(created, before, DateTimeOffset.UtcNow.AddSeconds(1));
            // A base image pulled from a registry has a digest to record; one made on this machine has none.
            Assert.Equal(baseImage.RepoDigests.Count > 0, image.Labels.String(ImageLabels.BaseDigest) != null);
        }
        finally
        {
            await engine.RunAsync(new[] { "image", "rm", "-f", _image }, CancellationToken.None);
        }
    }

    [EngineFact]
    public async Task An_image_whose_name_is_gone_when_labelling_starts_is_COG3203_and_no_image_gets_the_name()
    {
        var engine = EngineLocator.Find(TestEngine.Setting);
        var baseImage = (await Images.InspectAsync(engine, "python:3.11-slim", CancellationToken.None))!;
        // The build made the image and named it; the name was removed (another shell's `rmi`) before the labels were
        // added FROM it. A registry where nothing listens (port 1) keeps the engine from looking for the name elsewhere.
        string gone = "localhost:1/" + _image;
        var warnings = new List<Diagnostic>();

        var e = await Assert.ThrowsAsync<CogException>(() =>
            ImageLabels.AddAsync(engine, new LabelRequest(_folder, gone, baseImage.Id), _ => { }, warnings.Add, CancellationToken.None));

        Assert.Equal("COG3203", e.Diagnostic.Code);
        Assert.Contains(gone, e.Diagnostic.Message);
        Assert.Null(await Images.InspectAsync(engine, gone, CancellationToken.None));
        Assert.True(ImageDetails.SameId(baseImage.Id, (await Images.InspectAsync(engine, "python:3.11-slim", CancellationToken.None))!.Id));
    }

    [EngineFact]
    public async Task A_name_given_to_another_image_before_labelling_is_COG3205_and_that_image_is_not_left_under_the_name()
    {
        var engine = EngineLocator.Find(TestEngine.Setting);
        var built = (await Images.InspectAsync(engine, "debian:bookworm-slim", CancellationToken.None))!;
        var other = (await Images.InspectAsync(engine, "python:3.11-slim", CancellationToken.None))!;
        // The build made debian's layers under the name; before the labels were added, the name went to another image.
        Assert.True((await engine.RunAsync(new[] { "tag", "python:3.11-slim", _image }, CancellationToken.None)).Succeeded);
        try
        {
            var e = await Assert.ThrowsAsync<CogException>(() =>
                ImageLabels.AddAsync(engine, new LabelRequest(_folder, _image, built.Id), _ => { }, _ => { }, CancellationToken.None));

            Assert.Equal("COG3205", e.Diagnostic.Code);
            Assert.Null(await Images.InspectAsync(engine, _image, CancellationToken.None));
            Assert.True(ImageDetails.SameId(other.Id, (await Images.InspectAsync(engine, "python:3.11-slim", CancellationToken.None))!.Id));
            Assert.True(ImageDetails.SameId(built.Id, (await Images.InspectAsync(engine, "debian:bookworm-slim", CancellationToken.None))!.Id));
        }
        finally
        {
            await engine.RunAsync(new[] { "image", "rm", "-f", _image }, CancellationToken.None);
        }
    }
}
