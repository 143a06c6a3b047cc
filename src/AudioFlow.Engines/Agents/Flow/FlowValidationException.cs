using System.Text;

namespace AudioFlow.Engines.Agents.Flow;

/// <summary>One problem found in a flow file. <see cref="Line"/>/<see cref="Column"/> are 1-based, null when unknown.</summary>
public sealed record FlowProblem(string Source, int? Line, int? Column, string Message)
{
    /// <summary>"front-desk.yaml:12:5: state 'sales' intent 'buy': goto target 'checkout' is not a defined state".</summary>
    public override string ToString() =>
        Line is { } line
            ? Column is { } column ? $"{Source}:{line}:{column}: {Message}" : $"{Source}:{line}: {Message}"
            : $"{Source}: {Message}";
}

/// <summary>A flow file could not be loaded. <see cref="Errors"/> lists every problem found, not just the first.</summary>
public sealed class FlowValidationException : Exception
{
    public FlowValidationException(string sourceName, IReadOnlyList<FlowProblem> errors, IReadOnlyList<FlowProblem> warnings)
        : base(BuildMessage(sourceName, errors))
    {
        SourceName = sourceName;
        Errors = errors;
        Warnings = warnings;
    }

    public string SourceName { get; }

    public IReadOnlyList<FlowProblem> Errors { get; }

    /// <summary>Warnings found along the way (for context; they alone never fail a load).</summary>
    public IReadOnlyList<FlowProblem> Warnings { get; }

    private static string BuildMessage(string sourceName, IReadOnlyList<FlowProblem> errors)
    {
        var text = new StringBuilder();
        text.Append("Flow '").Append(sourceName).Append("' is invalid (")
            .Append(errors.Count).Append(errors.Count == 1 ? " problem):" : " problems):");
        foreach (var error in errors)
        {
            text.AppendLine().Append("  ").Append(error);
        }

        return text.ToString();
    }
}
