using System;
using System.IO;
using System.Text.RegularExpressions;

namespace Cog.Sdk.Core.Validate
{
    /// <summary>The method a predictor pointer names, as its source defines it.</summary>
    public sealed class PredictorMethod
    {
        internal PredictorMethod(string name, string display, int line, bool isAsync)
        {
            Name = name;
            Display = display;
            Line = line;
            IsAsync = isAsync;
        }

        /// <summary>run, predict, or the function's own name.</summary>
        public string Name { get; }

        /// <summary>"Predictor.predict()" or "run()", for messages.</summary>
        public string Display { get; }

        /// <summary>The line of its def, from 1.</summary>
        public int Line { get; }

        public bool IsAsync { get; }
    }

    /// <summary>
    /// A static reading of a predictor's source, for what must be known before an image exists: which method runs, and
    /// whether it is async. It reads definitions at the top level of the file only (a class, or a function) and their
    /// methods, as the runtime finds them; whatever it cannot see (a method inherited from another module) it does not judge.
    /// </summary>
    public static class PredictorSource
    {
        private static readonly Regex MethodDefinition = new Regex(@"^\s+(?<async>async\s+)?def\s+(?<name>run|predict)\s*\(", RegexOptions.CultureInvariant);

        /// <summary>The method that `file.py:Name` runs: a class's run() or predict(), or the function Name itself; null when the source does not say.</summary>
        public static PredictorMethod? Find(string file, string name)
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(file);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return null;
            }

            var function = new Regex(@"^(?<async>async\s+)?def\s+" + Regex.Escape(name) + @"\s*\(", RegexOptions.CultureInvariant);
            var type = new Regex(@"^class\s+" + Regex.Escape(name) + @"\b", RegexOptions.CultureInvariant);
            for (int index = 0; index < lines.Length; index++)
            {
                Match match = function.Match(lines[index]);
                if (match.Success)
                {
                    return new PredictorMethod(name, name + "()", index + 1, match.Groups["async"].Success);
                }

                if (type.IsMatch(lines[index]))
                {
                    return FindMethod(lines, index, name);
                }
            }

            return null;
        }

        private static PredictorMethod? FindMethod(string[] lines, int classLine, string className)
        {
            for (int index = classLine + 1; index < lines.Length; index++)
            {
                string line = lines[index];
                if (line.Length > 0 && !char.IsWhiteSpace(line[0]) && !line.StartsWith("#", StringComparison.Ordinal))
                {
                    // The class's body has ended.
                    return null;
                }

                Match match = MethodDefinition.Match(line);
                if (match.Success)
                {
                    string method = match.Groups["name"].Value;
                    return new PredictorMethod(method, $"{className}.{method}()", index + 1, match.Groups["async"].Success);
                }
            }

            return null;
        }
    }
}
