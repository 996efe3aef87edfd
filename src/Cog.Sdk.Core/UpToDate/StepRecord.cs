using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Cog.Sdk.Core.Diagnostics;

namespace Cog.Sdk.Core.UpToDate
{
    /// <summary>
    /// What a step of the pipeline concluded last time, kept in obj/cog beside the state (size and time of last write)
    /// of every file it read. While the step's settings (its key) and those files are as recorded, a build takes the
    /// recorded values and messages instead of doing the work again: a no-op build then never parses cog.yaml.
    /// Only successful steps are recorded, so errors are always found afresh.
    /// </summary>
    public sealed class StepRecord
    {
        // Any change to Cog.Sdk itself (a new compatibility table, a different generator) makes every record stale.
        private static readonly string SdkIdentity = typeof(StepRecord).Assembly.ManifestModule.ModuleVersionId.ToString("N");

        private StepRecord(string key, IReadOnlyDictionary<string, string> files, IReadOnlyDictionary<string, string> values, IReadOnlyList<Diagnostic> messages)
        {
            Key = key;
            Files = files;
            Values = values;
            Messages = messages;
        }

        /// <summary>A hash of the step's settings and of this SDK's build.</summary>
        public string Key { get; }

        /// <summary>Full path to its state when recorded: "length:ticks", or "none" for a file that did not exist.</summary>
        public IReadOnlyDictionary<string, string> Files { get; }

        /// <summary>What the step concluded, by name.</summary>
        public IReadOnlyDictionary<string, string> Values { get; }

        /// <summary>The warnings and messages the step reported, to report again when it is skipped.</summary>
        public IReadOnlyList<Diagnostic> Messages { get; }

        /// <summary>A hash of the key and the files' states: a later step that depends on this one puts it in its own key.</summary>
        public string Fingerprint => Stamps.Hash(new[] { Key }.Concat(Files.Select(f => f.Key + "=" + f.Value)));

        /// <summary>The key for settings <paramref name="parts"/> (null and empty are the same).</summary>
        public static string KeyOf(params string?[] parts) => Stamps.Hash(new[] { SdkIdentity }.Concat(parts.Select(p => p ?? "")));

        /// <summary>Records the files' states now.</summary>
        public static StepRecord Create(string key, IEnumerable<string> files, IReadOnlyDictionary<string, string> values, IEnumerable<Diagnostic> messages) =>
            new StepRecord(
                key,
                files.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).ToDictionary(f => f, StateOf, StringComparer.Ordinal),
                values,
                messages.Where(m => !m.IsError).ToList());

        /// <summary>The record in <paramref name="path"/> when it has <paramref name="key"/> and no recorded file changed since; otherwise null.</summary>
        public static StepRecord? ReadCurrent(string path, string key)
        {
            StepRecord? record = Read(path);
            return record != null && record.Key == key && record.Files.All(f => StateOf(f.Key) == f.Value) ? record : null;
        }

        /// <summary>Writes to a temporary file and renames it over the record, so a record is whole or absent.</summary>
        public void Write(string path)
        {
            var saved = new Saved
            {
                Key = Key,
                Files = Files.ToDictionary(f => f.Key, f => f.Value),
                Values = Values.ToDictionary(v => v.Key, v => v.Value),
                Messages = Messages.Select(m => new SavedMessage
                {
                    Code = m.Code,
                    Severity = m.Severity,
                    Message = m.Message,
                    File = m.Location.File,
                    Line = m.Location.Line,
                    Column = m.Location.Column,
                }).ToList(),
            };
            Stamps.WriteAtomically(path, JsonText.Serialize(saved));
        }

        /// <summary>Removes the record, so that the step runs next time (after it failed).</summary>
        public static void Delete(string path)
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                // A record that cannot be removed cannot be written over either; its key or files then differ anyway.
            }
        }

        private static StepRecord? Read(string path) =>
            JsonText.ReadFile<Saved>(path) is Saved saved && saved.Key != null && saved.Files != null && saved.Values != null && saved.Messages != null
                && saved.Messages.All(m => m.Code != null && m.Message != null)
                ? new StepRecord(
                    saved.Key,
                    saved.Files,
                    saved.Values,
                    saved.Messages.Select(m => Diagnostic.Recorded(m.Code!, m.Severity, m.Message!, new SourceLocation(m.File, m.Line, m.Column))).ToList())
                : null;

        private sealed class Saved
        {
            public string? Key { get; set; }
            public Dictionary<string, string>? Files { get; set; }
            public Dictionary<string, string>? Values { get; set; }
            public List<SavedMessage>? Messages { get; set; }
        }

        private sealed class SavedMessage
        {
            public string? Code { get; set; }
            public DiagnosticSeverity Severity { get; set; }
            public string? Message { get; set; }
            public string? File { get; set; }
            public int Line { get; set; }
            public int Column { get; set; }
        }

        private static string StateOf(string path)
        {
            var file = new FileInfo(path);
            return file.Exists
                ? file.Length.ToString(CultureInfo.InvariantCulture) + ":" + file.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture)
                : "none";
        }
    }
}
