using System;
using System.Collections.Generic;
using System.Text;

namespace Cog.Sdk.Core.Predict
{
    /// <summary>
    /// Splits a command line into arguments the way a POSIX shell does, without running one: words at unquoted
    /// whitespace; '...' literal; "..." with \" \\ \$ \` escapes; a backslash outside quotes escapes the next character.
    /// No variables, globs, pipes or redirections: write `sh -c '...'` for those.
    /// </summary>
    public static class ShellWords
    {
        /// <exception cref="FormatException">An unterminated quote or a trailing backslash.</exception>
        public static IReadOnlyList<string> Split(string commandLine)
        {
            var words = new List<string>();
            var word = new StringBuilder();
            bool inWord = false;
            for (int i = 0; i < commandLine.Length; i++)
            {
                char c = commandLine[i];
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
                {
                    if (inWord)
                    {
                        words.Add(word.ToString());
                        word.Clear();
                        inWord = false;
                    }

                    continue;
                }

                inWord = true;
                if (c == '\'')
                {
                    int end = commandLine.IndexOf('\'', i + 1);
                    if (end < 0)
                    {
                        throw new FormatException("a single quote (') is not closed");
                    }

                    word.Append(commandLine, i + 1, end - i - 1);
                    i = end;
                }
                else if (c == '"')
                {
                    i = ReadDoubleQuoted(commandLine, i + 1, word);
                }
                else if (c == '\\')
                {
                    if (++i >= commandLine.Length)
                    {
                        throw new FormatException("it ends with a backslash");
                    }

                    word.Append(commandLine[i]);
                }
                else
                {
                    word.Append(c);
                }
            }

            if (inWord)
            {
                words.Add(word.ToString());
            }

            return words;
        }

        /// <returns>The index of the closing quote.</returns>
        private static int ReadDoubleQuoted(string text, int start, StringBuilder word)
        {
            for (int i = start; i < text.Length; i++)
            {
                char c = text[i];
                if (c == '"')
                {
                    return i;
                }

                if (c == '\\' && i + 1 < text.Length && "\"\\$`".IndexOf(text[i + 1]) >= 0)
                {
                    c = text[++i];
                }

                word.Append(c);
            }

            throw new FormatException("a double quote (\") is not closed");
        }
    }
}
