using System;
using System.Linq;
using Cog.Sdk.Core;
using Cog.Sdk.Core.Diagnostics;
using Cog.Sdk.Core.Generate;

namespace Cog.Sdk.Tasks
{
    /// <summary>
    /// The model CogValidate vouched for, handed to the later tasks of the same build. When its record in obj/cog showed
    /// that nothing had changed, the model is not loaded at all unless a later step needs it (an image that must be built,
    /// a prediction): a no-op build never parses cog.yaml.
    /// </summary>
    internal sealed class ValidatedModel
    {
        private CogProject? _project;

        public ValidatedModel(CogProjectOptions options, string fingerprint, CogProject? project)
        {
            Options = options;
            Fingerprint = fingerprint;
            _project = project;
        }

        public CogProjectOptions Options { get; }

        /// <summary>The validation record's fingerprint: what the Dockerfile's record is keyed on.</summary>
        public string Fingerprint { get; }

        /// <summary>The project, loaded now if CogValidate took its conclusions from the record.</summary>
        public CogProject Project() => _project ??= Again(diagnostics => CogProject.Load(Options, diagnostics));

        /// <summary>
        /// Does a step again that succeeded from the same files moments ago, when CogValidate or CogGenerateDockerfile
        /// took its result from a record; an error now means a file changed during the build.
        /// </summary>
        internal static T Again<T>(Func<DiagnosticBag, T?> step)
            where T : class
        {
            var diagnostics = new DiagnosticBag();
            return step(diagnostics) ?? throw new CogException(diagnostics.First(d => d.IsError));
        }
    }

    /// <summary>How CogGenerateDockerfile made the Dockerfile, so that a later task can have it again without a second record.</summary>
    internal sealed class DockerfilePlan
    {
        private GeneratedDockerfile? _dockerfile;

        public DockerfilePlan(ValidatedModel model, ImageOptions options, GeneratedDockerfile? dockerfile)
        {
            Model = model;
            Options = options;
            _dockerfile = dockerfile;
        }

        public ValidatedModel Model { get; }

        public ImageOptions Options { get; }

        /// <summary>The generated Dockerfile with where each line came from, generated now if CogGenerateDockerfile took it from its record.</summary>
        public GeneratedDockerfile Dockerfile() =>
            _dockerfile ??= ValidatedModel.Again(diagnostics => DockerfileGenerator.Generate(Model.Project().CreateDockerfileSpec(Options), diagnostics));
    }
}
