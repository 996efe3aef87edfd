using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

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

        /// <summary>
        /// The daemon's answer to GET <paramref name="path"/> (an API path such as <c>images/NAME/json</c>): the status and
        /// the body; null when the CLI must be asked instead (no local docker socket, or it did not answer).
        /// </summary>
        public static async Task<(HttpStatusCode Status, string Body)?> GetAsync(ContainerEngine engine, string path, CancellationToken cancellationToken)
        {
#if NET
            string? socket = SocketPath(engine);
            if (socket == null)
            {
                return null;
            }

            try
            {
                using HttpClient http = ClientFor(socket);
                using HttpResponseMessage response = await http.GetAsync(path, cancellationToken).ConfigureAwait(false);
                return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            }
            catch (Exception e) when (e is HttpRequestException || e is SocketException || e is IOException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                return null;
            }
#else
            // .NET Framework has no unix sockets; Windows' docker listens on a named pipe. The CLI answers there.
            await Task.CompletedTask.ConfigureAwait(false);
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

            if (!JsonText.TryParse(File.ReadAllText(file), out var json, out _))
            {
                return true;
            }

            string? current = (json as System.Text.Json.Nodes.JsonObject).String("currentContext");
            return current != null && current.Length > 0 && current != "default";
        }

        // The daemon's API is HTTP over the socket: HttpClient with a connection that goes to the socket, whatever the host.
        private static HttpClient ClientFor(string socketPath) =>
            new HttpClient(new SocketsHttpHandler
            {
                ConnectCallback = async (context, cancellationToken) =>
                {
                    var connection = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    try
                    {
                        await connection.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                        return new NetworkStream(connection, ownsSocket: true);
                    }
                    catch
                    {
                        connection.Dispose();
                        throw;
                    }
                },
            })
            {
                BaseAddress = new Uri("http://docker/"),
                Timeout = Timeout,
            };
#endif
    }
}
