using System;
using System.Linq;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Validate;

namespace Cog.Sdk.Core.Engine
{
    /// <summary>
    /// Turns a refused push into one coded error that says why: the engine is not logged in, the account may not push
    /// there, the repository does not exist, the registry is down or speaks plain HTTP. The registries' own error codes
    /// (UNAUTHORIZED, DENIED, NAME_UNKNOWN) reach the output the same way through docker and podman.
    /// </summary>
    internal static class PushFailure
    {
        private static readonly string[] HttpOnlySigns = { "server gave HTTP response to HTTPS client" };

        private static readonly string[] UnreachableSigns =
        {
            "connection refused", "no such host", "i/o timeout", "TLS handshake timeout", "network is unreachable", "no route to host",
            "connection reset by peer", "server misbehaving", "request canceled while waiting for connection",
            "503 Service Unavailable", "502 Bad Gateway", "504 Gateway Timeout",
        };

        private static readonly string[] UnknownRepositorySigns = { "name unknown", "NAME_UNKNOWN", "repository name not known", "repository does not exist" };

        // docker ends a refused upload with "denied" alone, or "denied: requested access to the resource is denied".
        private static readonly string[] DeniedSigns = { "requested access to the resource is denied", "insufficient_scope", "403 Forbidden" };

        private static readonly string[] NotLoggedInSigns = { "no basic auth credentials", "authentication required", "unauthorized", "401 Unauthorized" };

        private static readonly string[] MissingImageSigns = { "does not exist locally", "tag does not exist", "image not known", "No such image" };

        public static Diagnostic Analyze(ContainerEngine engine, ImageReference target, string output, int exitCode)
        {
            if (EngineLocator.DaemonProblem(engine, output) is Diagnostic daemon)
            {
                return daemon;
            }

            string registry = target.Registry ?? "docker.io";
            string reason = EngineLocator.LastLines(output, 1);
            string cli = Predict.ContainerCli.EngineName(engine);
            if (Has(output, MissingImageSigns))
            {
                return Diagnostic.Error(ProcessMessages.ImageNotFound, SourceLocation.None, target.ToString());
            }

            if (Has(output, HttpOnlySigns))
            {
                return Diagnostic.Error(EngineMessages.RegistryHttpOnly, SourceLocation.None, registry, target, reason);
            }

            if (Has(output, UnreachableSigns))
            {
                return Diagnostic.Error(EngineMessages.RegistryUnreachable, SourceLocation.None, registry, target, reason);
            }

            if (Has(output, UnknownRepositorySigns))
            {
                return Diagnostic.Error(EngineMessages.PushRepositoryUnknown, SourceLocation.None, registry, target, target.Name, reason);
            }

            if (Has(output, DeniedSigns) || output.Split('\n').Any(line => line.Trim().StartsWith("denied", StringComparison.OrdinalIgnoreCase)))
            {
                return Diagnostic.Error(EngineMessages.PushDenied, SourceLocation.None, registry, target, target.Name, reason, cli);
            }

            if (Has(output, NotLoggedInSigns))
            {
                return Diagnostic.Error(EngineMessages.PushNotLoggedIn, SourceLocation.None, registry, target, reason, cli);
            }

            return Diagnostic.Error(ProcessMessages.PushFailed, SourceLocation.None, target, exitCode, EngineLocator.LastLines(output, 5));
        }

        private static bool Has(string output, string[] signs) => signs.Any(s => output.IndexOf(s, StringComparison.OrdinalIgnoreCase) >= 0);
    }
}
