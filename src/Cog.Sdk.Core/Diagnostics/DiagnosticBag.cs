using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace Cog.Sdk.Core.Diagnostics
{
    /// <summary>Collects every problem found, so that a user sees all of them at once.</summary>
    public sealed class DiagnosticBag : IReadOnlyList<Diagnostic>
    {
        private readonly List<Diagnostic> _items = new List<Diagnostic>();

        public int Count => _items.Count;
        public Diagnostic this[int index] => _items[index];
        public bool HasErrors => _items.Any(d => d.IsError);

        public void Add(Diagnostic diagnostic) => _items.Add(diagnostic);

        public void AddRange(IEnumerable<Diagnostic> diagnostics) => _items.AddRange(diagnostics);

        public void Error(string resource, SourceLocation location, params object?[] args) =>
            _items.Add(Diagnostic.Error(resource, location, args));

        public void Warning(string resource, SourceLocation location, params object?[] args) =>
            _items.Add(Diagnostic.Warning(resource, location, args));

        public IEnumerator<Diagnostic> GetEnumerator() => _items.GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>Thrown by core code for a failure that ends the current step; carries its coded diagnostic.</summary>
    public sealed class CogException : System.Exception
    {
        public CogException(Diagnostic diagnostic)
            : base(diagnostic.ToString())
        {
            Diagnostic = diagnostic;
        }

        public Diagnostic Diagnostic { get; }
    }
}
