using System.IO.Compression;

namespace Cog.Sdk.EndToEnd.Tests;

/// <summary>What the packed packages carry for editors and for `dotnet new`.</summary>
[Collection(PackedSdkCollection.Name)]
public sealed class PackageTests
{
    private readonly PackedSdk _sdk;

    public PackageTests(PackedSdk sdk) => _sdk = sdk;

    [Fact]
    public void Both_packages_carry_the_cog_yaml_schema_of_the_docs()
    {
        byte[] schema = File.ReadAllBytes(Path.Combine(PackedSdk.RepoRoot, "docs", "cog.schema.json"));

        Assert.Equal(schema, Entry(Path.Combine(_sdk.Feed, $"Cog.Sdk.{_sdk.Version}.nupkg"), "schemas/cog.schema.json"));
        Assert.Equal(schema, Entry(_sdk.TemplatePackage, "content/cog-model/cog.schema.json"));
    }

    private static byte[] Entry(string package, string path)
    {
        using var zip = ZipFile.OpenRead(package);
        var entry = zip.GetEntry(path);
        Assert.True(entry != null, $"{Path.GetFileName(package)} has no {path}");
        using var stream = entry!.Open();
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return bytes.ToArray();
    }
}
