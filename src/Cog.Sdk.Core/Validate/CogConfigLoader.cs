using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Parse;

namespace Cog.Sdk.Core.Validate
{
    /// <summary>Reads and checks cog.yaml in one step: what the MSBuild tasks call.</summary>
    public static class CogConfigLoader
    {
        /// <returns>
        /// The configuration, even when the bag holds errors (check <see cref="DiagnosticBag.HasErrors"/>), or null
        /// when the file could not be read or parsed at all.
        /// </returns>
        public static CogConfig? Load(string configPath, DiagnosticBag diagnostics)
        {
            CogConfig? config = CogYamlParser.Parse(configPath, diagnostics);
            if (config != null)
            {
                CogConfigValidator.Validate(config, diagnostics);
            }

            return config;
        }
    }
}
