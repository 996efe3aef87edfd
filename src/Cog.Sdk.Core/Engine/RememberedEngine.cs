using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Cog.Sdk.Core.Generate;
using Cog.Sdk.Core.Json;

namespace Cog.Sdk.Core.Engine
{
    /// <summary>The engine an earlier build found, kept in obj/cog/engine.json with the settings it was found under.</summary>
    internal static class RememberedEngine
    {
        public static ContainerEngine? Read(string file, string key)
        {
            try
            {
                if (!File.Exists(file) || JsonText.Parse(File.ReadAllText(file)) is not Dictionary<string, object?> saved
                    || saved.TryGetValue("key", out object? savedKey) != true || (string?)savedKey != key
                    || !Enum.TryParse(saved["kind"] as string, out ContainerEngineKind kind)
                    || saved["path"] is not string path || saved["buildKit"] is not bool buildKit
                    || saved["environment"] is not Dictionary<string, object?> environment)
                {
                    return null;
                }

                return new ContainerEngine(kind, path, buildKit, environment.ToDictionary(p => p.Key, p => p.Value as string ?? ""));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is FormatException || e is KeyNotFoundException)
            {
                // Anything unexpected in the file only means probing again.
                return null;
            }
        }

        public static void Write(string file, string key, ContainerEngine engine)
        {
            var saved = new Dictionary<string, object?>
            {
                ["key"] = key,
                ["kind"] = engine.Kind.ToString(),
                ["path"] = engine.ExecutablePath,
                ["buildKit"] = engine.HasBuildKit,
                ["environment"] = engine.Environment.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => (object?)p.Value),
            };
            try
            {
                BuildContext.WriteIfChanged(file, JsonText.Write(saved, indented: true) + "\n");
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                // Not remembering only costs the next build a probe.
            }
        }
    }
}
