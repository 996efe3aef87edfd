using System;
using System.Collections.Generic;
using System.Linq;

namespace Cog.Sdk.Core.Parse
{
    /// <summary>"Did you mean" for misspelt keys, by edit distance, so a typo gets an answer instead of a key list.</summary>
    internal static class KeySuggestions
    {
        /// <summary>"did you mean 'python_version'?" when one known key is close; else the list of known keys.</summary>
        public static string Hint(string unknown, IEnumerable<string> known)
        {
            var candidates = known.OrderBy(k => k, StringComparer.Ordinal).ToList();
            string? closest = Closest(unknown, candidates);
            return closest != null
                ? $"did you mean '{closest}'?"
                : "the known keys are " + string.Join(", ", candidates.Select(k => "'" + k + "'")) + ".";
        }

        public static string? Closest(string unknown, IEnumerable<string> known)
        {
            // A third of the key's length, at least 1 and at most 3: "gpus" finds "gpu", "foo" finds nothing.
            int allowed = Math.Max(1, Math.Min(3, unknown.Length / 3));
            return known
                .Select(k => (Key: k, Distance: Distance(unknown.ToLowerInvariant(), k)))
                .Where(c => c.Distance <= allowed)
                .OrderBy(c => c.Distance)
                .Select(c => c.Key)
                .FirstOrDefault();
        }

        /// <summary>Levenshtein distance, two rows at a time.</summary>
        internal static int Distance(string a, string b)
        {
            var previous = new int[b.Length + 1];
            var current = new int[b.Length + 1];
            for (int j = 0; j <= b.Length; j++)
            {
                previous[j] = j;
            }

            for (int i = 1; i <= a.Length; i++)
            {
                current[0] = i;
                for (int j = 1; j <= b.Length; j++)
                {
                    int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                    current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
                }

                var swap = previous;
                previous = current;
                current = swap;
            }

            return previous[b.Length];
        }
    }
}
