using AudioFlow.Engines.Agents;
using AudioFlow.Engines.Agents.Flow;
using AudioFlow.Engines.Stt;
using Xunit;

namespace AudioFlow.Engines.Tests.Agents;

internal static class FlowTestKit
{
    private static readonly Lazy<FlowDefinition> DemoFlow = new(FlowLoader.LoadEmbeddedDemo);

    public static FlowDefinition Demo => DemoFlow.Value;

    public static FlowAgentSession DemoSession(FlowAgentOptions? options = null) =>
        new FlowAgentFactory(Demo, options).CreateSession("test-call");

    public static CallerSaid Said(string text, float confidence = 0.9f) => new(new Transcript(text, confidence, false));

    public static async Task<List<AgentOutput>> Ask(this FlowAgentSession session, AgentInput input)
    {
        var outputs = new List<AgentOutput>();
        await foreach (var output in session.RespondAsync(input, CancellationToken.None))
        {
            outputs.Add(output);
        }

        return outputs;
    }

    public static Task<List<AgentOutput>> Say(this FlowAgentSession session, string text, float confidence = 0.9f) =>
        session.Ask(Said(text, confidence));

    public static Task<List<AgentOutput>> Press(this FlowAgentSession session, char key) => session.Ask(new DtmfPressed(key));

    public static async Task<List<AgentOutput>> PressAll(this FlowAgentSession session, string keys)
    {
        var all = new List<AgentOutput>();
        foreach (var key in keys)
        {
            all.AddRange(await session.Press(key));
        }

        return all;
    }

    public static string Text(this IEnumerable<AgentOutput> outputs) =>
        string.Join(" ", outputs.OfType<Say>().Select(s => s.Text));

    public static FlowValidationException LoadFails(string yaml, string source = "broken.yaml") =>
        Assert.Throws<FlowValidationException>(() => FlowLoader.LoadYaml(yaml, source));
}
