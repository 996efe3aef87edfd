using System;
using System.Collections.Generic;
using System.Linq;
using Cog.Sdk.Core.Diagnostics;

namespace Cog.Sdk.Core.Parse
{
    /// <summary>"Did you mean" for misspelt keys, by edit distance, so a typo gets an answer instead of a key list.</summary>
    internal static class KeySuggestions
    {
        /// <summary>"did you mean 'python_version'?" when one known key is close; else the list of known keys.</summary>
        public static string Hint(string unknown, IEnumerable<string> known)
        {
            var candidates = known.OrderBy(k => k, StringComparer.Ordinal).ToList();
            string? closest = Suggestions.Closest(unknown, candidates);
            return closest != null
                ? $"did you mean '{closest}'?"
                : "the known keys are " + string.Join(", ", candidates.Select(k => "'" + k + "'")) + ".";
        }
    }
}
