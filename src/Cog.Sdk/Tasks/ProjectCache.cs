using Cog.Sdk.Core;
using Microsoft.Build.Framework;

namespace Cog.Sdk.Tasks
{
    /// <summary>
    /// Hands the model that CogValidate loaded to the tasks that run after it in the same build, so that
    /// cog.yaml is parsed, validated and resolved once per build and its diagnostics are reported once.
    /// </summary>
    internal static class ProjectCache
    {
        /// <summary>Keeps <paramref name="value"/> (the loaded project, the generated Dockerfile) for the rest of this build.</summary>
        public static void Remember<T>(IBuildEngine engine, string configFile, T value)
            where T : class
        {
            if (engine is IBuildEngine4 engine4)
            {
                engine4.RegisterTaskObject(Key<T>(engine, configFile), value, RegisteredTaskObjectLifetime.Build, allowEarlyCollection: false);
            }
        }

        public static T? Recall<T>(IBuildEngine engine, string configFile)
            where T : class =>
            engine is IBuildEngine4 engine4
                ? engine4.GetRegisteredTaskObject(Key<T>(engine, configFile), RegisteredTaskObjectLifetime.Build) as T
                : null;

        // One entry per project file and cog.yaml: two projects sharing a cog.yaml may set different properties.
        private static string Key<T>(IBuildEngine engine, string configFile) =>
            "Cog.Sdk|" + typeof(T).FullName + "|" + engine.ProjectFileOfTaskNode + "|" + configFile;
    }
}
