using System.IO;
using System.Text;
using System.Text.RegularExpressions;

namespace Cog.Sdk.Core.Validate
{
    /// <summary>Docker image names: Cog's default name for a project, and the reference grammar of distribution/reference.</summary>
    public static class ImageNames
    {
        private const string Prefix = "cog-";
        private const int MaxDefaultLength = 30;
        private const int MaxNameLength = 255;

        private const string PathComponent = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
        private const string DomainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
        private const string Domain = "(?:" + DomainComponent + @"(?:\." + DomainComponent + @")*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?";

        private static readonly Regex ReferencePattern = new Regex(
            "^(?<name>(?:" + Domain + "/)?" + PathComponent + "(?:/" + PathComponent + ")*)" +
            "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?" +
            @"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?\z",
            RegexOptions.CultureInvariant);

        /// <summary>
        /// Cog's rule: "cog-" and the folder name lower-cased, spaces turned into '-', everything outside [a-z0-9-]
        /// removed, at most 30 characters in all. Unlike Cog, trailing '-' are trimmed so the name is always a valid reference.
        /// </summary>
        public static string DefaultFor(string projectDirectory)
        {
            string folder = Path.GetFileName(projectDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
            var name = new StringBuilder();
            foreach (char c in folder.ToLowerInvariant().Replace(' ', '-'))
            {
                if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')
                {
                    name.Append(c);
                }
            }

            string result = Prefix + name.ToString();
            if (result.Length > MaxDefaultLength)
            {
                result = result.Substring(0, MaxDefaultLength);
            }

            return result.TrimEnd('-');
        }

        /// <summary>True for a Docker image reference: [host[:port]/]path[:tag][@digest], lower-case path components.</summary>
        public static bool IsValidReference(string reference)
        {
            Match m = ReferencePattern.Match(reference);
            return m.Success && m.Groups["name"].Length <= MaxNameLength;
        }
    }
}
