using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Tests.Generate;
using Cog.Sdk.Core.UpToDate;

namespace Cog.Sdk.Core.Tests.UpToDate;

/// <summary>A step's record is taken only while its key and every file it read are exactly as recorded.</summary>
public sealed class StepRecordTests : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    private string RecordPath => Path.Combine(_project.ObjCog, "step.json");

    private StepRecord Record(string key, params string[] files)
    {
        var warning = Diagnostic.Warning(ConfigurationMessages.NoPredictor, new SourceLocation(files[0], 3, 7), "predict: \"predict.py:Predictor\"");
        var record = StepRecord.Create(key, files, new Dictionary<string, string> { ["Image"] = "python:3.11-slim" }, new[] { warning });
        record.Write(RecordPath);
        return record;
    }

    [Fact]
    public void Gives_back_values_and_messages_while_nothing_changed()
    {
        string yaml = _project.Write("cog.yaml", "build: {}\n");
        string key = StepRecord.KeyOf("setting", null);
        StepRecord written = Record(key, yaml, Path.Combine(_project.Directory, "missing.txt"));

        StepRecord? read = StepRecord.ReadCurrent(RecordPath, key);

        Assert.NotNull(read);
        Assert.Equal("python:3.11-slim", read.Values["Image"]);
        Diagnostic message = Assert.Single(read.Messages);
        Assert.Equal(("COG2044", DiagnosticSeverity.Warning, yaml, 3, 7), (message.Code, message.Severity, message.Location.File, message.Location.Line, message.Location.Column));
        Assert.Equal(written.Messages[0].Message, message.Message);
        Assert.Equal(written.Fingerprint, read.Fingerprint);
    }

    [Fact]
    public void Is_stale_when_a_setting_changes()
    {
        string yaml = _project.Write("cog.yaml", "build: {}\n");
        Record(StepRecord.KeyOf("CogImageName=a"), yaml);

        Assert.Null(StepRecord.ReadCurrent(RecordPath, StepRecord.KeyOf("CogImageName=b")));
        Assert.NotNull(StepRecord.ReadCurrent(RecordPath, StepRecord.KeyOf("CogImageName=a")));
    }

    [Fact]
    public void Is_stale_when_a_file_is_edited_touched_created_or_deleted()
    {
        string yaml = _project.Write("cog.yaml", "build: {}\n");
        string requirements = _project.Write("requirements.txt", "torch==2.0.1\n");
        string predictor = Path.Combine(_project.Directory, "predict.py");
        string key = StepRecord.KeyOf();
        string Fingerprint() => Record(key, yaml, requirements, predictor).Fingerprint;

        string before = Fingerprint();
        File.WriteAllText(requirements, "torch==2.1.0\n"); // same length, new time
        Assert.Null(StepRecord.ReadCurrent(RecordPath, key));
        Assert.NotEqual(before, Fingerprint());

        File.SetLastWriteTimeUtc(yaml, File.GetLastWriteTimeUtc(yaml).AddSeconds(-10)); // content unchanged, time moved
        Assert.Null(StepRecord.ReadCurrent(RecordPath, key));

        Fingerprint();
        File.WriteAllText(predictor, "class Predictor: pass\n"); // a file looked for and missing now exists
        Assert.Null(StepRecord.ReadCurrent(RecordPath, key));

        Fingerprint();
        File.Delete(requirements);
        Assert.Null(StepRecord.ReadCurrent(RecordPath, key));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"key\": 1}")]
    [InlineData("{not json")]
    [InlineData("{\"key\":\"k\",\"files\":{},\"values\":{},\"messages\":[{\"code\":\"COG2040\"}]}")]
    public void A_damaged_record_means_doing_the_step_again(string text)
    {
        Directory.CreateDirectory(_project.ObjCog);
        File.WriteAllText(RecordPath, text);

        Assert.Null(StepRecord.ReadCurrent(RecordPath, "k"));
    }

    [Fact]
    public void A_deleted_record_is_no_record_and_deleting_twice_is_harmless()
    {
        string yaml = _project.Write("cog.yaml", "build: {}\n");
        Record(StepRecord.KeyOf(), yaml);

        StepRecord.Delete(RecordPath);
        StepRecord.Delete(RecordPath);

        Assert.Null(StepRecord.ReadCurrent(RecordPath, StepRecord.KeyOf()));
        Assert.False(File.Exists(RecordPath + ".tmp"));
    }
}
