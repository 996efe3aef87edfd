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
        public static void Remember(IBuildEngine engine, string configFile, CogProject project)
        {
            if (engine is IBuildEngine4 engine4)
            {
                engine4.RegisterTaskObject(Key(engine, configFile), project, RegisteredTaskObjectLifetime.Build, allowEarlyCollection: false);
            }
        }

        public static CogProject? Recall(IBuildEngine engine, string configFile) =>
            engine is IBuildEngine4 engine4
                ? engine4.GetRegisteredTaskObject(Key(engine, configFile), RegisteredTaskObjectLifetime.Build) as CogProject
                : null;

        // One entry per project file and cog.yaml: two projects sharing a cog.yaml may set different properties.
        private static string Key(IBuildEngine engine, string configFile) =>
            "Cog.Sdk.Project|" + engine.ProjectFileOfTaskNode + "|" + configFile;
    }
}
