using System.Text.Json.Serialization;

namespace Cog.Sdk.Core.Diagnostics
{
    /// <summary>Where a value or a problem came from: a file and a 1-based line and column (0 when unknown).</summary>
    public readonly struct SourceLocation
    {
        [JsonConstructor]
        public SourceLocation(string? file, int line = 0, int column = 0)
        {
            File = file;
            Line = line;
            Column = column;
        }

        public string? File { get; }
        public int Line { get; }
        public int Column { get; }

        public static SourceLocation None => default;

        public override string ToString() =>
            File is null ? "" : Line > 0 ? $"{File}({Line},{Column})" : File;
    }

    /// <summary>A value together with the place in cog.yaml (or a requirements file) it was read from.</summary>
    public sealed class Located<T>
    {
        public Located(T value, SourceLocation location)
        {
            Value = value;
            Location = location;
        }

        public T Value { get; }
        public SourceLocation Location { get; }

        public override string? ToString() => Value?.ToString();
    }
}
