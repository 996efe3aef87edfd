using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cog.Sdk.Core.Diagnostics;

namespace Cog.Sdk.Core.Resolve
{
    /// <summary>
    /// Turns the JSON of a table file into entries, reporting every malformed entry located in the file.
    /// The parsed nodes keep no positions, so an entry's line is found by searching the text for the value at fault;
    /// the format puts one entry on a line, which makes that exact in practice.
    /// </summary>
    internal sealed class CompatibilityTableReader
    {
        private static readonly string[] RootKeys = { "about", "replace", "defaultCuda", "python", "cudaImages", "torch", "tensorflow" };
        private static readonly string[] PythonKeys = { "version", "image", "endOfLife", "note" };
        private static readonly string[] ImageKeys = { "cuda", "cudnn", "ubuntu", "tag", "note" };
        private static readonly string[] TorchKeys = { "version", "torchvision", "torchaudio", "pythons", "builds", "note" };
        private static readonly string[] BuildKeys = { "cuda", "indexUrl", "findLinks", "note" };
        private static readonly string[] TensorFlowKeys = { "version", "cuda", "cudnn", "pythons", "note" };

        private readonly string _text;
        private readonly string _source;
        private readonly DiagnosticBag _diagnostics;
        private bool _failed;

        public CompatibilityTableReader(string text, string source, DiagnosticBag diagnostics)
        {
            _text = text;
            _source = source;
            _diagnostics = diagnostics;
        }

        public bool Read(out bool replace, out string? defaultCuda, out List<PythonRelease> python, out List<CudaImage> images, out List<TorchRelease> torch, out List<TensorFlowRelease> tensorFlow)
        {
            replace = false;
            defaultCuda = null;
            python = new List<PythonRelease>();
            images = new List<CudaImage>();
            torch = new List<TorchRelease>();
            tensorFlow = new List<TensorFlowRelease>();

            JsonNode? parsed;
            try
            {
                parsed = JsonText.Parse(_text.TrimStart('\uFEFF'));
            }
            catch (FormatException e)
            {
                var at = e.InnerException is JsonException { LineNumber: long line, BytePositionInLine: long column }
                    ? new SourceLocation(_source, (int)line + 1, (int)column + 1)
                    : new SourceLocation(_source);
                _diagnostics.Error(ConfigurationMessages.CompatibilityTableInvalidJson, at, _source, e.Message);
                return false;
            }

            if (!(parsed is JsonObject root))
            {
                Fail("the table", "it must be a JSON object with cudaImages, torch and tensorflow arrays", null);
                return false;
            }

            CheckKeys(root, RootKeys, "the table", null);
            if (root.TryGetPropertyValue("replace", out JsonNode? replaceValue))
            {
                if (replaceValue is JsonValue scalar && scalar.TryGetValue(out bool flag))
                {
                    replace = flag;
                }
                else
                {
                    Fail("replace", "it must be true or false", "replace");
                }
            }

            defaultCuda = OptionalString(root, "defaultCuda", "defaultCuda");
            if (defaultCuda != null)
            {
                RequireVersion(defaultCuda, "defaultCuda");
            }

            foreach (var (entry, where) in Entries(root, "python"))
            {
                PythonRelease? release = ReadPython(entry, where);
                if (release != null)
                {
                    python.Add(release);
                }
            }

            foreach (var (entry, where) in Entries(root, "cudaImages"))
            {
                images.AddRange(ReadImages(entry, where));
            }

            foreach (var (entry, where) in Entries(root, "torch"))
            {
                TorchRelease? release = ReadTorch(entry, where);
                if (release != null)
                {
                    torch.Add(release);
                }
            }

            foreach (var (entry, where) in Entries(root, "tensorflow"))
            {
                TensorFlowRelease? release = ReadTensorFlow(entry, where);
                if (release != null)
                {
                    tensorFlow.Add(release);
                }
            }

            ReportDuplicates(python.Select(r => r.Version.MajorMinor), "python");
            ReportDuplicates(images.Select(i => i.Tag), "cudaImages");
            ReportDuplicates(torch.Select(r => r.Version.Public), "torch");
            ReportDuplicates(tensorFlow.Select(r => r.Version.Public), "tensorflow");

            python = python.OrderBy(r => r.Version).ToList();
            images = images.OrderBy(i => i.Cuda).ThenBy(i => i.Ubuntu).ToList();
            torch = torch.OrderBy(r => r.Version).ToList();
            tensorFlow = tensorFlow.OrderBy(r => r.Version).ToList();
            return !_failed;
        }

        private PythonRelease? ReadPython(JsonObject entry, string where)
        {
            CheckKeys(entry, PythonKeys, where, null);
            string? versionText = RequiredString(entry, "version", where);
            string? image = RequiredString(entry, "image", where);
            string? endOfLife = OptionalString(entry, "endOfLife", where);
            ReleaseVersion? version = versionText is null ? null : RequireVersion(versionText, where + ".version");
            if (version != null && (version.Patch != null || versionText!.IndexOf('.') < 0))
            {
                Fail(where + ".version", $"'{versionText}' must be a major.minor version such as \"3.13\"", versionText);
                return null;
            }

            return version is null || image is null ? null : new PythonRelease(version, image, endOfLife);
        }

        /// <summary>The optional "pythons" list of a framework release: major.minor versions it has wheels for.</summary>
        private List<ReleaseVersion> ReadPythons(JsonObject entry, string where, string? near)
        {
            var pythons = new List<ReleaseVersion>();
            if (!entry.TryGetPropertyValue("pythons", out JsonNode? value))
            {
                return pythons;
            }

            var texts = (value as JsonArray)?.Select(item => item is JsonValue scalar && scalar.TryGetValue(out string? text) ? text : null).ToList();
            if (texts == null || texts.Any(text => text == null))
            {
                Fail(where + ".pythons", "it must be a list of Python versions such as [\"3.11\", \"3.12\"]", near);
                return pythons;
            }

            foreach (string text in texts!)
            {
                if (RequireVersion(text, where + ".pythons") is ReleaseVersion python)
                {
                    pythons.Add(python);
                }
            }

            return pythons;
        }

        private IEnumerable<CudaImage> ReadImages(JsonObject entry, string where)
        {
            CheckKeys(entry, ImageKeys, where, null);
            string? cudaText = RequiredString(entry, "cuda", where);
            string? cuDnnText = RequiredString(entry, "cudnn", where);
            string? tag = RequiredString(entry, "tag", where);
            ReleaseVersion? cuda = cudaText is null ? null : RequireVersion(cudaText, where + ".cuda");
            int cuDnn = 0;
            if (cuDnnText != null && !int.TryParse(cuDnnText, NumberStyles.None, CultureInfo.InvariantCulture, out cuDnn))
            {
                Fail(where + ".cudnn", $"'{cuDnnText}' is not a cuDNN major version such as \"9\"", cuDnnText);
            }

            if (tag != null && (tag.IndexOf("devel", StringComparison.Ordinal) < 0 || tag.IndexOf("{ubuntu}", StringComparison.Ordinal) < 0))
            {
                Fail(where + ".tag", $"'{tag}' must be a devel tag with an {{ubuntu}} placeholder, such as \"12.4.1-cudnn-devel-ubuntu{{ubuntu}}\"", tag);
                tag = null;
            }

            var ubuntus = new List<ReleaseVersion>();
            if (!(entry["ubuntu"] is JsonArray ubuntuList) || ubuntuList.Count == 0)
            {
                Fail(where + ".ubuntu", "it must be a non-empty list of Ubuntu releases such as [\"22.04\"]", cudaText);
            }
            else
            {
                foreach (JsonNode? item in ubuntuList)
                {
                    string? text = item is JsonValue scalar && scalar.TryGetValue(out string? s) ? s : null;
                    ReleaseVersion? ubuntu = text is null ? null : RequireVersion(text, where + ".ubuntu");
                    if (text is null)
                    {
                        Fail(where + ".ubuntu", "every Ubuntu release must be a string such as \"22.04\"", cudaText);
                    }

                    if (ubuntu != null)
                    {
                        ubuntus.Add(ubuntu);
                    }
                }
            }

            if (cuda is null || tag is null || cuDnnText is null)
            {
                yield break;
            }

            foreach (ReleaseVersion ubuntu in ubuntus)
            {
                yield return new CudaImage(cuda, cuDnn, ubuntu, tag.Replace("{ubuntu}", ubuntu.Text));
            }
        }

        private TorchRelease? ReadTorch(JsonObject entry, string where)
        {
            CheckKeys(entry, TorchKeys, where, null);
            string? versionText = RequiredString(entry, "version", where);
            string? torchvision = RequiredString(entry, "torchvision", where);
            string? torchaudio = OptionalString(entry, "torchaudio", where);
            ReleaseVersion? version = versionText is null ? null : RequireVersion(versionText, where + ".version");
            if (version is null || torchvision is null)
            {
                return null;
            }

            where = $"{where} (torch {version})";
            var release = new TorchRelease(version, torchvision, torchaudio, ReadPythons(entry, where, versionText));
            foreach (var (build, buildWhere) in Entries(entry, "builds", where))
            {
                CheckKeys(build, BuildKeys, buildWhere, versionText);
                string? cudaText = RequiredString(build, "cuda", buildWhere);
                string? indexUrl = OptionalString(build, "indexUrl", buildWhere);
                string? findLinks = OptionalString(build, "findLinks", buildWhere);
                if (indexUrl != null && findLinks != null)
                {
                    Fail(buildWhere, "a build has either indexUrl or findLinks, not both", indexUrl);
                }

                if (cudaText is null)
                {
                    continue;
                }

                ReleaseVersion? cuda = cudaText == "cpu" ? null : RequireVersion(cudaText, buildWhere + ".cuda");
                if (cudaText == "cpu" || cuda != null)
                {
                    release.Add(new TorchBuild(release, cuda, indexUrl, findLinks));
                }
            }

            return release;
        }

        private TensorFlowRelease? ReadTensorFlow(JsonObject entry, string where)
        {
            CheckKeys(entry, TensorFlowKeys, where, null);
            string? versionText = RequiredString(entry, "version", where);
            string? cudaText = RequiredString(entry, "cuda", where);
            string? cuDnnText = RequiredString(entry, "cudnn", where);
            ReleaseVersion? version = versionText is null ? null : RequireVersion(versionText, where + ".version");
            ReleaseVersion? cuda = cudaText is null ? null : RequireVersion(cudaText, where + ".cuda");
            ReleaseVersion? cuDnn = cuDnnText is null ? null : RequireVersion(cuDnnText, where + ".cudnn");
            List<ReleaseVersion> pythons = ReadPythons(entry, where, versionText);
            return version is null || cuda is null || cuDnn is null ? null : new TensorFlowRelease(version, cuda, cuDnn, pythons);
        }

        private IEnumerable<(JsonObject Entry, string Where)> Entries(JsonObject parent, string key, string? parentWhere = null)
        {
            string where = parentWhere is null ? key : parentWhere + "." + key;
            if (!parent.TryGetPropertyValue(key, out JsonNode? value))
            {
                yield break;
            }

            if (!(value is JsonArray list))
            {
                Fail(where, "it must be a JSON array", key);
                yield break;
            }

            for (int i = 0; i < list.Count; i++)
            {
                if (list[i] is JsonObject entry)
                {
                    yield return (entry, $"{where}[{i}]");
                }
                else
                {
                    Fail($"{where}[{i}]", "every entry must be a JSON object", key);
                }
            }
        }

        private void CheckKeys(JsonObject entry, string[] allowed, string where, string? near)
        {
            foreach (string key in entry.Select(pair => pair.Key).Where(k => Array.IndexOf(allowed, k) < 0))
            {
                Fail(where, $"unknown field '{key}' (known: {string.Join(", ", allowed)})", near ?? key);
            }
        }

        private string? RequiredString(JsonObject entry, string key, string where)
        {
            string? value = OptionalString(entry, key, where);
            if (value is null && !entry.ContainsKey(key))
            {
                Fail(where, $"the field '{key}' is missing", FirstStringIn(entry));
            }

            return value;
        }

        private string? OptionalString(JsonObject entry, string key, string where)
        {
            if (!entry.TryGetPropertyValue(key, out JsonNode? value) || value is null)
            {
                return null;
            }

            if (value is JsonValue scalar && scalar.TryGetValue(out string? s) && s.Trim().Length > 0)
            {
                return s.Trim();
            }

            Fail($"{where}.{key}", "it must be a non-empty string", key);
            return null;
        }

        private ReleaseVersion? RequireVersion(string text, string where)
        {
            ReleaseVersion? version = ReleaseVersion.TryParse(text);
            if (version is null)
            {
                Fail(where, $"'{text}' is not a version such as 12.4 or 2.3.1", text);
            }

            return version;
        }

        private void ReportDuplicates(IEnumerable<string> keys, string section)
        {
            foreach (string duplicate in keys.GroupBy(k => k, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key))
            {
                Fail(section, $"'{duplicate}' is listed more than once", duplicate);
            }
        }

        private void Fail(string where, string problem, string? near)
        {
            _failed = true;
            _diagnostics.Error(ConfigurationMessages.CompatibilityTableInvalidEntry, LocationOf(near), where, problem);
        }

        private static string? FirstStringIn(JsonObject entry) =>
            entry.Select(pair => pair.Value is JsonValue scalar && scalar.TryGetValue(out string? text) ? text : null).FirstOrDefault(text => text != null);

        /// <summary>The first line holding <paramref name="near"/> as a quoted JSON string, else the file.</summary>
        private SourceLocation LocationOf(string? near)
        {
            int index = near is null ? -1 : _text.IndexOf("\"" + near + "\"", StringComparison.Ordinal);
            return index < 0 ? new SourceLocation(_source) : LocationAt(index);
        }

        private SourceLocation LocationAt(int index)
        {
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < index && i < _text.Length; i++)
            {
                if (_text[i] == '\n')
                {
                    line++;
                    lineStart = i + 1;
                }
            }

            return new SourceLocation(_source, line, index - lineStart + 1);
        }
    }
}
