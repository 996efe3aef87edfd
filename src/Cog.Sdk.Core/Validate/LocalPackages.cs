using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Parse;

namespace Cog.Sdk.Core.Validate
{
    /// <summary>
    /// Packages installed from the project itself: wheels and source archives named by a requirements line
    /// (<c>./dist/pkg-1.0.tar.gz</c>, <c>name @ file:./pkg.whl</c>). As in Cog, each must be a regular file inside the
    /// project folder; it is staged into the build and the line rewritten to where it is in the image. A folder
    /// cannot be installed that way: the project's files are not in the image yet when requirements are installed.
    /// </summary>
    public static class LocalPackages
    {
        private static readonly Regex RelativeFileUrl = new Regex(@"file://(?!/)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);
        private static readonly Regex RemoteLocation = new Regex(@"^[A-Za-z][A-Za-z0-9+.-]*://", RegexOptions.CultureInvariant);

        /// <summary>The archive a line installs, as a project-relative path with '/' separators; null when it names none.</summary>
        public static string? ProjectRelativePath(CogConfig config, RequirementLine line)
        {
            string? full = FullPath(line);
            if (full is null)
            {
                return null;
            }

            string project = Path.GetFullPath(config.ProjectDirectory);
            return full.Substring(project.TrimEnd(Path.DirectorySeparatorChar).Length + 1).Replace(Path.DirectorySeparatorChar, '/');
        }

        /// <summary>The full path of the archive a line names; null when it names none.</summary>
        public static string? FullPath(RequirementLine line)
        {
            if (line.LocalArchive is null)
            {
                return null;
            }

            try
            {
                return Path.GetFullPath(Path.Combine(line.BaseDirectory, line.LocalArchive));
            }
            catch (Exception e) when (e is ArgumentException || e is NotSupportedException || e is PathTooLongException)
            {
                return null;
            }
        }

        internal static void Validate(CogConfig config, DiagnosticBag diagnostics)
        {
            string project = Path.GetFullPath(config.ProjectDirectory.Length == 0 ? "." : config.ProjectDirectory);
            foreach (RequirementLine line in config.Requirements ?? Array.Empty<RequirementLine>())
            {
                if (line.LocalArchive is null && line.Kind != RequirementLineKind.Path && line.Options.Count == 0)
                {
                    continue; // A plain requirement: nothing of the project is installed.
                }

                string what = line.Location.File == config.FilePath ? "'python_packages' entry \"" + line.Text + "\"" : "'" + Path.GetFileName(line.Location.File) + "' line \"" + line.Text + "\"";
                if (line.LocalArchive != null)
                {
                    ValidateArchive(line, what, project, diagnostics);
                }
                else if (line.Kind == RequirementLineKind.Path)
                {
                    diagnostics.Error(ConfigurationMessages.LocalFolderNotInstallable, line.Location, what, line.Target);
                }

                foreach (PipOption option in line.Options.Where(o => (o.Name == "--find-links" || o.Name == "--editable") && o.Value != null))
                {
                    // A remote page or VCS URL is fetched by pip; a folder of the project is not in the image at that point.
                    bool remote = RemoteLocation.IsMatch(option.Value!) || option.Value!.StartsWith("git+", StringComparison.OrdinalIgnoreCase);
                    if (!remote && option.Value != ".")
                    {
                        diagnostics.Error(ConfigurationMessages.LocalFolderNotInstallable, line.Location, what, option.Value);
                    }
                }

                if (line.LocalArchive != null && RelativeFileUrl.IsMatch(line.RequirementText))
                {
                    string path = "./" + line.LocalArchive.TrimStart('.', '/');
                    string written = line.Requirement != null ? line.Requirement.Name + " @ " + path : path;
                    diagnostics.Warning(ConfigurationMessages.RelativeFileUrl, line.Location, line.RequirementText, line.LocalArchive, written);
                }
            }
        }

        private static void ValidateArchive(RequirementLine line, string what, string project, DiagnosticBag diagnostics)
        {
            string? full = FullPath(line);
            string? problem =
                full is null ? "is not a usable path"
                : !ProjectFiles.IsInside(project, full) ? "is outside the project folder"
                : Directory.Exists(full) ? "is a folder, not a wheel or source archive"
                : !File.Exists(full) ? "does not exist"
                : LinksOutside(project, full) ? "is a link to a file outside the project folder"
                : null;
            if (problem != null)
            {
                diagnostics.Error(ConfigurationMessages.LocalPackageMissing, line.Location, what, line.LocalArchive, problem, project);
            }
        }

        /// <summary>A symbolic link is staged as the file it points at, which must itself be in the project.</summary>
        private static bool LinksOutside(string project, string full)
        {
            if (!new FileInfo(full).Attributes.HasFlag(FileAttributes.ReparsePoint))
            {
                return false;
            }

#if NET
            FileSystemInfo? target = new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true);
            return target is null || !ProjectFiles.IsInside(project, target.FullName);
#else
            return true; // .NET Framework cannot read the link's target: a link is not followed out of caution.
#endif
        }
    }
}
