using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Cog.Sdk.Core.Generate;

namespace Cog.Sdk.Core.Engine
{
    /// <summary>The engine an earlier build found, kept in obj/cog/engine.json with the settings it was found under.</summary>
    internal static class RememberedEngine
    {
        public static ContainerEngine? Read(string file, string key) =>
            JsonText.ReadFile<Saved>(file) is Saved saved && saved.Key == key && saved.Path != null && saved.Environment != null
                ? new ContainerEngine(saved.Kind, saved.Path, saved.BuildKit, saved.Environment)
                : null;

        public static void Write(string file, string key, ContainerEngine engine)
        {
            var saved = new Saved
            {
                Key = key,
                Kind = engine.Kind,
                Path = engine.ExecutablePath,
                BuildKit = engine.HasBuildKit,
                Environment = engine.Environment.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value),
            };
            try
            {
                BuildContext.WriteIfChanged(file, JsonText.Serialize(saved));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                // Not remembering only costs the next build a probe.
            }
        }

        private sealed class Saved
        {
            public string? Key { get; set; }
            public ContainerEngineKind Kind { get; set; }
            public string? Path { get; set; }
            public bool BuildKit { get; set; }
            public Dictionary<string, string>? Environment { get; set; }
        }
    }
}
