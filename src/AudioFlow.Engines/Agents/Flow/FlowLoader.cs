namespace AudioFlow.Engines.Agents.Flow;

/// <summary>
/// Loads dialogue flows from YAML (or JSON) text. Every problem is collected and reported together in one
/// <see cref="FlowValidationException"/>, each with the source name and line:column; non-fatal findings end up
/// in <see cref="FlowDefinition.Warnings"/>.
/// </summary>
public static class FlowLoader
{
    /// <summary>File name of the demo flow embedded in this assembly.</summary>
    public const string DemoFlowName = "front-desk.yaml";

    /// <summary>Embedded example flow with a state handed to the LLM ("ask me anything"); needs an LLM.</summary>
    public const string AssistantFlowName = "front-desk-assistant.yaml";

    /// <summary>
    /// Prefix that names an embedded flow where a file is expected (<see cref="LoadFileOrEmbedded"/>), e.g.
    /// <c>embedded:front-desk-assistant.yaml</c>.
    /// </summary>
    public const string EmbeddedPrefix = "embedded:";

    private const string ResourceFolder = ".Agents.Flow.Flows.";

    /// <summary>Loads a flow file; messages name the file by its file name.</summary>
    /// <exception cref="FlowValidationException">The flow is invalid.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static FlowDefinition LoadFile(string path)
    {
        var text = File.ReadAllText(path);
        return LoadYaml(text, Path.GetFileName(path));
    }

    /// <summary>
    /// Loads a flow file, or the embedded flow <c>name</c> when <paramref name="pathOrEmbedded"/> is
    /// <c>embedded:name</c> — also after it was resolved against a folder (<c>/home/me/embedded:name</c>), so a
    /// configured path may name one.
    /// </summary>
    /// <exception cref="FlowValidationException">The flow is invalid.</exception>
    /// <exception cref="IOException">The file cannot be read, or there is no such embedded flow (<see cref="FileNotFoundException"/>).</exception>
    public static FlowDefinition LoadFileOrEmbedded(string pathOrEmbedded)
    {
        ArgumentNullException.ThrowIfNull(pathOrEmbedded);
        var at = pathOrEmbedded.LastIndexOf(EmbeddedPrefix, StringComparison.Ordinal);
        if (at >= 0 && (at == 0 || pathOrEmbedded[at - 1] is '/' or '\\'))
        {
            return LoadEmbedded(pathOrEmbedded[(at + EmbeddedPrefix.Length)..].Trim());
        }

        return LoadFile(pathOrEmbedded);
    }

    /// <summary>Loads a flow from YAML or JSON text.</summary>
    /// <param name="text">The flow document.</param>
    /// <param name="sourceName">Name used in messages, typically the file name.</param>
    /// <exception cref="FlowValidationException">The flow is invalid.</exception>
    public static FlowDefinition LoadYaml(string text, string sourceName = "flow.yaml")
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(sourceName);
        return new FlowReader(sourceName).Read(text);
    }

    /// <summary>The flow files embedded in this assembly (file names, e.g. "front-desk.yaml").</summary>
    public static IReadOnlyList<string> EmbeddedFlowNames =>
        typeof(FlowLoader).Assembly.GetManifestResourceNames()
            .Where(n => n.Contains(ResourceFolder, StringComparison.Ordinal))
            .Select(n => n[(n.IndexOf(ResourceFolder, StringComparison.Ordinal) + ResourceFolder.Length)..])
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>Loads the embedded demo flow (<see cref="DemoFlowName"/>).</summary>
    public static FlowDefinition LoadEmbeddedDemo() => LoadEmbedded(DemoFlowName);

    /// <summary>Loads a flow embedded in this assembly by file name (see <see cref="EmbeddedFlowNames"/>).</summary>
    public static FlowDefinition LoadEmbedded(string fileName) => LoadYaml(ReadEmbeddedText(fileName), fileName);

    /// <summary>The text of an embedded flow file, e.g. to copy it as a starting point.</summary>
    public static string ReadEmbeddedText(string fileName)
    {
        var assembly = typeof(FlowLoader).Assembly;
        var resource = assembly.GetManifestResourceNames()
            .FirstOrDefault(n => n.EndsWith(ResourceFolder + fileName, StringComparison.Ordinal))
            ?? throw new FileNotFoundException(
                $"No embedded flow '{fileName}' in {assembly.GetName().Name}; embedded flows: {string.Join(", ", EmbeddedFlowNames)}.",
                fileName);
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new FileNotFoundException($"Embedded flow '{fileName}' could not be opened.", fileName);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
