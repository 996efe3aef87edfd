using System;
using System.Collections.Generic;
using System.Linq;

namespace Cog.Sdk.Core.Diagnostics
{
    /// <summary>"Did you mean" by edit distance, for misspelt cog.yaml keys and prediction inputs alike.</summary>
    internal static class Suggestions
    {
        /// <summary>The closest candidate within a third of the name's length (at least 1, at most 3 edits), or null.</summary>
        public static string? Closest(string name, IEnumerable<string> candidates)
        {
            // "gpus" finds "gpu", "promtp" finds "prompt", "foo" finds nothing.
            int allowed = Math.Max(1, Math.Min(3, name.Length / 3));
            string lower = name.ToLowerInvariant();
            return candidates
                .Select(candidate => (Candidate: candidate, Distance: Distance(lower, candidate.ToLowerInvariant())))
                .Where(c => c.Distance <= allowed)
                .OrderBy(c => c.Distance)
                .Select(c => c.Candidate)
                .FirstOrDefault();
        }

        /// <summary>
        /// Edit distance where swapping two neighbours counts as one edit (optimal string alignment),
        /// since "stesp" for "steps" is the commonest typo of all.
        /// </summary>
        internal static int Distance(string a, string b)
        {
            var d = new int[a.Length + 1, b.Length + 1];
            for (int i = 0; i <= a.Length; i++)
            {
                d[i, 0] = i;
            }

            for (int j = 0; j <= b.Length; j++)
            {
                d[0, j] = j;
            }

            for (int i = 1; i <= a.Length; i++)
            {
                for (int j = 1; j <= b.Length; j++)
                {
                    int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                    d[i, j] = Math.Min(d[i - 1, j - 1] + cost, Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1));
                    if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    {
                        d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                    }
                }
            }

            return d[a.Length, b.Length];
        }
    }
}
