using System;
using System.Globalization;

namespace Cog.Sdk.Core.Resolve
{
    /// <summary>
    /// A CUDA, cuDNN, Ubuntu or framework version compared the way Cog compares them (docs/compatibility.md):
    /// up to three numbers, a missing minor is 0, a missing patch is "absent", and text after '+' is a local label
    /// (<c>2.3.1+cu121</c>) that matching ignores. Absent patches are what let <c>11.8</c> match <c>11.8.0</c>
    /// and <c>torch==2.3</c> match the 2.3.1 row.
    /// </summary>
    public sealed class ReleaseVersion : IComparable<ReleaseVersion>
    {
        private ReleaseVersion(string text, int major, int minor, int? patch, string? local)
        {
            Text = text;
            Major = major;
            Minor = minor;
            Patch = patch;
            Local = local;
        }

        /// <summary>The version as written.</summary>
        public string Text { get; }
        public int Major { get; }
        public int Minor { get; }
        public int? Patch { get; }

        /// <summary>The local label after '+' (<c>cu118</c>, <c>cpu</c>), or null.</summary>
        public string? Local { get; }

        /// <summary>major.minor, as nvidia tags and pip indexes name CUDA releases.</summary>
        public string MajorMinor => Major.ToString(CultureInfo.InvariantCulture) + "." + Minor.ToString(CultureInfo.InvariantCulture);

        /// <summary>The version without its local label.</summary>
        public string Public
        {
            get
            {
                int plus = Text.IndexOf('+');
                return plus < 0 ? Text : Text.Substring(0, plus);
            }
        }

        public static ReleaseVersion? TryParse(string? text)
        {
            if (text is null)
            {
                return null;
            }

            string trimmed = text.Trim();
            int plus = trimmed.IndexOf('+');
            string numbers = plus < 0 ? trimmed : trimmed.Substring(0, plus);
            string? local = plus < 0 ? null : trimmed.Substring(plus + 1);
            string[] parts = numbers.Split('.');
            if (parts.Length == 0 || parts.Length > 3 || (local != null && local.Length == 0))
            {
                return null;
            }

            var values = new int[parts.Length];
            for (int i = 0; i < parts.Length; i++)
            {
                if (parts[i].Length == 0 || !int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]))
                {
                    return null;
                }
            }

            return new ReleaseVersion(
                trimmed,
                values[0],
                values.Length > 1 ? values[1] : 0,
                values.Length > 2 ? values[2] : (int?)null,
                local);
        }

        /// <summary>Same major and minor; patches compared only when both sides have one; local labels ignored.</summary>
        public bool Matches(ReleaseVersion other) =>
            EqualMinor(other) && (Patch is null || other.Patch is null || Patch == other.Patch);

        public bool EqualMinor(ReleaseVersion other) => Major == other.Major && Minor == other.Minor;

        /// <summary>Numeric order, an absent patch counting as 0; local labels do not take part.</summary>
        public int CompareTo(ReleaseVersion? other)
        {
            if (other is null)
            {
                return 1;
            }

            int c = Major.CompareTo(other.Major);
            if (c == 0)
            {
                c = Minor.CompareTo(other.Minor);
            }

            return c != 0 ? c : (Patch ?? 0).CompareTo(other.Patch ?? 0);
        }

        public override string ToString() => Text;
    }
}
