using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Sockets;
using System.Text;
using Cog.Sdk.Core.Json;

namespace Cog.Sdk.Core.Engine
{
    /// <summary>
    /// Asks a local docker daemon over its unix socket instead of starting the docker CLI: what a no-op build does to
    /// learn that its image still exists (starting the CLI costs about 20 ms, the request about 1 ms). Used only where
    /// the CLI would use that same socket: docker, DOCKER_HOST unset or <c>unix://</c>, no docker context chosen.
    /// Anything else (podman, tcp://, ssh://, contexts, Windows' named pipes, an error) leaves the question to the CLI.
    /// </summary>
    internal static class DaemonSocket
    {
        private const string DefaultSocket = "/var/run/docker.sock";
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

        /// <summary>The image's id; "" when the daemon has no such image; null when the CLI must be asked instead.</summary>
        public static string? InspectImageId(ContainerEngine engine, string image)
        {
#if NET
            string? socket = SocketPath(engine);
            if (socket == null)
            {
                return null;
            }

            try
            {
                string response = Get(socket, "/images/" + image + "/json");
                string status = response.StartsWith("HTTP/1.", StringComparison.Ordinal) && response.Length >= 12 ? response.Substring(9, 3) : "";
                int body = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (status == "404")
                {
                    return "";
                }

                return status == "200" && body > 0
                    && JsonText.TryParse(response.Substring(body + 4), out object? json, out _)
                    && json is Dictionary<string, object?> fields && fields.TryGetValue("Id", out object? id) && id is string imageId
                    ? imageId
                    : null;
            }
            catch (Exception e) when (e is SocketException || e is IOException || e is ObjectDisposedException)
            {
                return null;
            }
#else
            // .NET Framework has no unix sockets; Windows' docker listens on a named pipe. The CLI answers there.
            return null;
#endif
        }

#if NET
        private static string? SocketPath(ContainerEngine engine)
        {
            if (engine.Kind != ContainerEngineKind.Docker || OperatingSystem.IsWindows())
            {
                return null;
            }

            string context = engine.Variable("DOCKER_CONTEXT");
            if ((context.Length > 0 && context != "default") || ChosenContext(engine.Variable("DOCKER_CONFIG")))
            {
                return null;
            }

            string host = engine.Variable("DOCKER_HOST");
            string path = host.Length == 0 ? DefaultSocket : host.StartsWith("unix://", StringComparison.Ordinal) ? host.Substring("unix://".Length) : "";
            return path.Length > 0 && File.Exists(path) ? path : null;
        }

        // `docker context use` writes currentContext into the CLI's config.json; only "default" means the local socket.
        private static bool ChosenContext(string configDirectory)
        {
            string directory = configDirectory.Length > 0
                ? configDirectory
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker");
            string file = Path.Combine(directory, "config.json");
            if (!File.Exists(file))
            {
                return false;
            }

            return !JsonText.TryParse(File.ReadAllText(file), out object? json, out _)
                || (json is Dictionary<string, object?> fields && fields.TryGetValue("currentContext", out object? current)
                    && current is string name && name.Length > 0 && name != "default");
        }

        // HTTP/1.0: the daemon answers without chunking and closes the connection when done.
        private static string Get(string socketPath, string path)
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            {
                SendTimeout = (int)Timeout.TotalMilliseconds,
                ReceiveTimeout = (int)Timeout.TotalMilliseconds,
            };
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            socket.Send(Encoding.ASCII.GetBytes("GET " + path + " HTTP/1.0\r\nHost: docker\r\n\r\n"));
            using var response = new MemoryStream();
            var buffer = new byte[16384];
            int read;
            while ((read = socket.Receive(buffer)) > 0)
            {
                response.Write(buffer, 0, read);
            }

            return Encoding.UTF8.GetString(response.ToArray());
        }
#endif
    }
}
