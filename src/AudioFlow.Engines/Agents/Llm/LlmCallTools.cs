using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace AudioFlow.Engines.Agents.Llm;

/// <summary>
/// The call-control tools offered to the model, as declarations only (JSON schemas): the session executes them
/// itself, in order with the speech, rather than through automatic function invocation.
/// </summary>
public static class LlmCallTools
{
    public const string TransferCall = "transfer_call";
    public const string EndCall = "end_call";
    public const string EndConversation = "end_conversation";
    public const string SendDtmf = "send_dtmf";

    /// <summary>Hands the call back to the dialogue flow; offered only in a conversation a flow delegated (<see cref="ForConversation"/>).</summary>
    public const string ReturnToMenu = "return_to_menu";

    /// <summary>The declarations for <paramref name="options"/> (none when tools are off).</summary>
    public static IReadOnlyList<AITool> For(LlmAgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.UseTools || options.MaxToolSteps == 0)
        {
            return [];
        }

        var target = new JsonObject { ["type"] = "string" };
        if (options.TransferTargets is { Count: > 0 } targets)
        {
            target["enum"] = new JsonArray(targets.Keys.Order(StringComparer.Ordinal).Select(k => (JsonNode)JsonValue.Create(k)!).ToArray());
            target["description"] = "Where to transfer the caller: one of the listed destinations.";
        }
        else
        {
            target["description"] = "Where to transfer the caller: a department name, extension or phone number.";
        }

        var tools = new List<AITool>
        {
            Declare(
                TransferCall,
                "Transfer the caller to a person or department. Say a short sentence first (for example that you are " +
                "connecting them); nothing said after the transfer is heard.",
                ("target", target, true)),
            Declare(
                EndCall,
                "Hang up the call now, for example when the caller asks you to or the call is abusive or silent. " +
                "Say goodbye first: nothing said after it is heard.",
                ("reason", new JsonObject { ["type"] = "string", ["description"] = "Why the call is ended (for the call log)." }, false)),
            Declare(
                EndConversation,
                "The conversation is complete: say goodbye and hang up.",
                ("goodbye", new JsonObject { ["type"] = "string", ["description"] = "Farewell sentence to say before hanging up (optional)." }, false)),
        };

        if (options.OfferSendDtmf)
        {
            tools.Add(Declare(
                SendDtmf,
                "Send touch-tone digits on the call (for navigating another phone menu).",
                ("digits", new JsonObject { ["type"] = "string", ["description"] = "Digits 0-9, * and #." }, true)));
        }

        return tools;
    }

    /// <summary>
    /// The declarations for a conversation a dialogue flow handed over (none when tools are off): those of
    /// <see cref="For"/> with <c>end_conversation</c> replaced by <c>return_to_menu(summary?)</c>, because the call
    /// goes on in the flow afterwards. (A model that calls <c>end_conversation</c> anyway also returns to the flow.)
    /// </summary>
    public static IReadOnlyList<AITool> ForConversation(LlmAgentOptions options)
    {
        var tools = For(options).Where(t => t.Name != EndConversation).ToList();
        if (tools.Count == 0)
        {
            return [];
        }

        tools.Insert(
            Math.Min(2, tools.Count),
            Declare(
                ReturnToMenu,
                "Hand the call back to the phone menu, which then carries on: when the caller's request here is dealt " +
                "with, when they want something you can't help with here, or when they ask for the menu. You may say a " +
                "short sentence first, but not goodbye: the call goes on.",
                ("summary", new JsonObject { ["type"] = "string", ["description"] = "One sentence on what the caller wanted and the outcome (optional)." }, false)));
        return tools;
    }

    private static AIFunctionDeclaration Declare(string name, string description, params (string Name, JsonObject Schema, bool Required)[] parameters)
    {
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var (parameter, schema, isRequired) in parameters)
        {
            properties[parameter] = schema;
            if (isRequired)
            {
                required.Add(parameter);
            }
        }

        var root = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = properties,
            ["required"] = required,
        };
        using JsonDocument document = JsonDocument.Parse(root.ToJsonString());
        return AIFunctionFactory.CreateDeclaration(name, description, document.RootElement.Clone());
    }
}
