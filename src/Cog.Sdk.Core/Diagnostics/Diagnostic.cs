using System;
using System.Globalization;
using System.Text.Json.Serialization;

namespace Cog.Sdk.Core.Diagnostics
{
    public enum DiagnosticSeverity
    {
        Error,
        Warning,
        Message,
    }

    /// <summary>
    /// One coded problem. Messages come from the resource files in this folder, whose values all start
    /// with their code ("COG2003: ..."), so the code and the text can never drift apart.
    /// </summary>
    public sealed class Diagnostic
    {
        /// <summary>A diagnostic as it was reported before (read back from obj/); new ones come from <see cref="Create"/>.</summary>
        [JsonConstructor]
        public Diagnostic(string code, DiagnosticSeverity severity, string message, SourceLocation location)
        {
            Code = code;
            Severity = severity;
            Message = message;
            Location = location;
        }

        public string Code { get; }
        public DiagnosticSeverity Severity { get; }
        public string Message { get; }
        public SourceLocation Location { get; }

        [JsonIgnore]
        public bool IsError => Severity == DiagnosticSeverity.Error;

        public static Diagnostic Error(string resource, SourceLocation location, params object?[] args) =>
            Create(DiagnosticSeverity.Error, resource, location, args);

        public static Diagnostic Warning(string resource, SourceLocation location, params object?[] args) =>
            Create(DiagnosticSeverity.Warning, resource, location, args);

        public static Diagnostic Create(DiagnosticSeverity severity, string resource, SourceLocation location, params object?[] args)
        {
            var (code, format) = SplitCode(resource);
            string message = args.Length == 0 ? format : string.Format(CultureInfo.InvariantCulture, format, args);
            return new Diagnostic(code, severity, message, location);
        }

        /// <summary>A diagnostic as an earlier build reported it (read back from a record in obj/), reported again as it was.</summary>
        /// <summary>Splits "COG2003: text" into ("COG2003", "text").</summary>
        public static (string Code, string Text) SplitCode(string resource)
        {
            int colon = resource.IndexOf(':');
            if (colon != 7 || !resource.StartsWith("COG", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Diagnostic resource does not start with a COGnnnn code: {resource}");
            }

            return (resource.Substring(0, colon), resource.Substring(colon + 1).TrimStart());
        }

        public override string ToString()
        {
            string where = Location.File is null ? "" : Location + ": ";
            string kind = Severity == DiagnosticSeverity.Error ? "error" : Severity == DiagnosticSeverity.Warning ? "warning" : "message";
            return $"{where}{kind} {Code}: {Message}";
        }
    }
}
