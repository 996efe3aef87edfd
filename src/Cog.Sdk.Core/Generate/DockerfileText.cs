using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace Cog.Sdk.Core.Generate
{
    /// <summary>
    /// Quoting that keeps values from cog.yaml from changing the Dockerfile's structure.
    /// Callers refuse line breaks first where a form cannot carry them (ENV, LABEL, shell form).
    /// </summary>
    internal static class DockerfileText
    {
        /// <summary>A double-quoted ENV/LABEL value: the Dockerfile word parser unescapes \" \\ and \$, and expands nothing else.</summary>
        public static string QuoteValue(string value)
        {
            var sb = new StringBuilder("\"");
            foreach (char c in value)
            {
                if (c == '"' || c == '\\' || c == '$')
                {
                    sb.Append('\\');
                }

                sb.Append(c);
            }

            return sb.Append('"').ToString();
        }

        /// <summary>A POSIX shell word: single quotes, with embedded single quotes closed, escaped and reopened.</summary>
        public static string ShellQuote(string word)
        {
            if (word.Length > 0 && word.All(c => char.IsLetterOrDigit(c) || "-_.=:+/@%,".IndexOf(c) >= 0))
            {
                return word;
            }

            return "'" + word.Replace("'", "'\\''") + "'";
        }

        /// <summary>Exec (JSON array) form, e.g. for RUN and CMD: JSON escapes carry quotes, '$' and even line breaks intact.</summary>
        public static string ExecForm(IEnumerable<string> arguments) =>
            "[" + string.Join(", ", arguments.Select(JsonText.Quote)) + "]";

        public static bool HasLineBreak(string value) => value.IndexOf('\n') >= 0 || value.IndexOf('\r') >= 0;
    }
}
