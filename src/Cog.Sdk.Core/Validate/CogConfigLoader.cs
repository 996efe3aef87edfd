using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Parse;
using Cog.Sdk.Core.Resolve;

namespace Cog.Sdk.Core.Validate
{
    /// <summary>Reads and checks cog.yaml in one step: what the MSBuild tasks call.</summary>
    public static class CogConfigLoader
    {
        /// <param name="table">The compatibility table, for the Python versions that exist; the shipped one when null.</param>
        /// <returns>
        /// The configuration, even when the bag holds errors (check <see cref="DiagnosticBag.HasErrors"/>), or null
        /// when the file could not be read or parsed at all.
        /// </returns>
        public static CogConfig? Load(string configPath, DiagnosticBag diagnostics, CompatibilityTable? table = null)
        {
            CogConfig? config = CogYamlParser.Parse(configPath, diagnostics);
            if (config != null)
            {
                // The requirements are part of the configuration: read (and their syntax checked) once, here.
                config.Requirements = RequirementsReader.Read(config, diagnostics, config.RequirementFiles);
                CogConfigValidator.Validate(config, table ?? CompatibilityTable.Default, diagnostics);
            }

            return config;
        }
    }
}
