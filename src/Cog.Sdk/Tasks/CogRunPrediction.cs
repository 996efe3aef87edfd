using System;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Predict;

namespace Cog.Sdk.Tasks
{
    /// <summary>
    /// CogPredict: one prediction, sent to the model CogServe keeps for this project (or to CogPredictUrl) when there is
    /// one, so that it costs no setup(); else run in a container of its own.
    /// </summary>
    public sealed class CogRunPrediction : CogRunModelTask
    {
        /// <summary>CogPredictUrl: a model server to send the prediction to instead of starting the image.</summary>
        public string? PredictUrl { get; set; }

        /// <summary>obj/cog/serve.json, where CogServe records the model it keeps.</summary>
        public string? ServeStateFile { get; set; }

        /// <summary>The image the build just made (CogImageId): a served model running another one is not used.</summary>
        public string? ImageId { get; set; }

        protected override ServerMode Mode => ServerMode.Predict;

        protected override Uri? FindServer(Action<Diagnostic> report)
        {
            if (!string.IsNullOrWhiteSpace(PredictUrl))
            {
                return Uri.TryCreate(PredictUrl!.Trim(), UriKind.Absolute, out Uri? url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
                    ? url
                    : throw new CogException(Diagnostic.Error(ConfigurationMessages.InvalidPropertyValue, SourceLocation.None, "CogPredictUrl", PredictUrl, "an http:// or https:// URL of a model server"));
            }

            return string.IsNullOrEmpty(ServeStateFile) ? null : Wait(ServedModel.FindAsync(ServeStateFile!, ImageId ?? "", report, CancellationToken));
        }
    }
}
