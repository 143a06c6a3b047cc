using System.Globalization;

namespace AudioFlow.Engines.Agents.Flow;

/// <summary>Reads and validates one flow document (see FLOW-FORMAT.md). One instance per load.</summary>
internal sealed class FlowReader(string source)
{
    private const int DefaultMaxNoInput = 3;
    private const int DefaultMaxNoMatch = 3;
    private const double DefaultNoInputTimeoutSeconds = 6;
    private const string GlobalOwner = "(global)";
    private const string DtmfKeys = "0123456789*#ABCD";

    private static readonly string[] TopKeys =
        ["name", "description", "start", "noInputTimeoutSeconds", "maxNoInput", "maxNoMatch", "prompts",
         "onMaxNoMatch", "onMaxNoInput", "globalIntents", "intentGroups", "states"];

    private static readonly string[] PromptKeys = ["noMatch", "noInput", "invalidCapture"];

    private static readonly string[] StateKeys =
        ["prompt", "reprompt", "onEnter", "intents", "include", "capture", "conversation", "noInputTimeoutSeconds"];

    private static readonly string[] ActionKeys = ["say", "set", "goto", "transfer", "hangup", "repeat"];

    private static readonly string[] IntentKeys = ["name", "phrases", "dtmf", .. ActionKeys];

    private static readonly string[] CaptureKeys = ["slot", "kind", "length", "min", "max", "terminator", "then", "invalid"];

    private static readonly string[] ConversationKeys = ["llm", "instructions", "then", "summarySlot"];

    private static readonly FlowAction DefaultOnMaxNoMatch = new(
        ["Sorry, I'm having trouble understanding you. Please call again later. Goodbye."], [], null, null, "no match", false);

    private static readonly FlowAction DefaultOnMaxNoInput = new(
        ["I can't hear you, so I'll end the call now. Please call again. Goodbye."], [], null, null, "no input", false);

    private readonly List<FlowProblem> errors = [];
    private readonly List<FlowProblem> warnings = [];
    private readonly List<(string Target, YNode At, string Context, string Owner)> gotoRefs = [];
    private readonly List<(string Text, YNode At, string Context)> templates = [];
    private readonly HashSet<string> declaredSlots = new(StringComparer.Ordinal);

    public FlowDefinition Read(string text)
    {
        var root = YamlTree.Parse(text, source, errors);
        if (root is null)
        {
            throw Fail();
        }

        if (root is not YMapping map)
        {
            Error(root, null, $"a flow must be a mapping with 'name', 'start' and 'states', not {root.Kind}");
            throw Fail();
        }

        var f = Fields(map, null, TopKeys);
        var name = OptText(f, null, "name") ?? Path.GetFileNameWithoutExtension(source);
        _ = OptText(f, null, "description");
        var start = OptText(f, null, "start");
        if (!f.ContainsKey("start"))
        {
            Error(map, null, "missing 'start': give the id of the state the call begins in");
        }

        var timeout = OptNumber(f, null, "noInputTimeoutSeconds", 0.5, 600) ?? DefaultNoInputTimeoutSeconds;
        var maxNoInput = OptInt(f, null, "maxNoInput", 1, 100) ?? DefaultMaxNoInput;
        var maxNoMatch = OptInt(f, null, "maxNoMatch", 1, 100) ?? DefaultMaxNoMatch;
        var prompts = ReadPrompts(f);
        var onMaxNoMatch = f.TryGetValue("onMaxNoMatch", out var onNm)
            ? ReadActionBlock(onNm.Value, "onMaxNoMatch", GlobalOwner) ?? FlowAction.None
            : DefaultOnMaxNoMatch;
        var onMaxNoInput = f.TryGetValue("onMaxNoInput", out var onNi)
            ? ReadActionBlock(onNi.Value, "onMaxNoInput", GlobalOwner) ?? FlowAction.None
            : DefaultOnMaxNoInput;
        var globalIntents = f.TryGetValue("globalIntents", out var gi)
            ? ReadIntentList(gi.Value, "global", "globalIntents", GlobalOwner)
            : [];
        var groups = f.TryGetValue("intentGroups", out var ig) ? ReadGroups(ig.Value) : [];
        var rawStates = new List<RawState>();
        if (f.TryGetValue("states", out var st))
        {
            rawStates = ReadStates(st.Value);
        }
        else
        {
            Error(map, null, "missing 'states': a flow needs at least one state");
        }

        var stateIds = rawStates.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        if (start is not null && rawStates.Count > 0 && !stateIds.Contains(start))
        {
            Error(f["start"].Value, null, $"start state '{start}' is not a defined state{Suggestion(start, stateIds)}");
        }

        foreach (var (target, at, context, _) in gotoRefs)
        {
            if (!stateIds.Contains(target))
            {
                Error(at, context, $"goto target '{target}' is not a defined state{Suggestion(target, stateIds)}");
            }
        }

        foreach (var state in rawStates)
        {
            foreach (var (group, at) in state.Include)
            {
                if (!groups.ContainsKey(group))
                {
                    Error(at, $"state '{state.Id}'", $"include '{group}' is not a defined intent group{Suggestion(group, groups.Keys)}");
                }
            }
        }

        CheckTemplates();
        CheckOnEnterLoops(rawStates, stateIds);
        if (errors.Count > 0)
        {
            throw Fail();
        }

        Warn(rawStates, groups, start!);
        var groupIntents = groups.ToDictionary(g => g.Key, g => g.Value.Intents, StringComparer.Ordinal);
        var states = rawStates.Select(s => BuildState(s, groupIntents, globalIntents)).ToArray();
        return new FlowDefinition(
            name,
            source,
            start!,
            TimeSpan.FromSeconds(timeout),
            maxNoInput,
            maxNoMatch,
            prompts,
            onMaxNoMatch,
            onMaxNoInput,
            globalIntents,
            groupIntents.AsReadOnly(),
            states,
            warnings.ToArray());
    }

    private static FlowState BuildState(
        RawState raw,
        Dictionary<string, IReadOnlyList<FlowIntent>> groups,
        IReadOnlyList<FlowIntent> globals)
    {
        var effective = new List<FlowIntent>(raw.Intents);
        var names = raw.Intents.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (group, _) in raw.Include)
        {
            effective.AddRange(groups[group].Where(i => names.Add(i.Name)));
        }

        var localCount = effective.Count;
        effective.AddRange(globals.Where(i => names.Add(i.Name)));
        return new FlowState(
            raw.Id,
            raw.Prompt,
            raw.Reprompt,
            raw.OnEnter,
            raw.Intents,
            raw.Include.Select(i => i.Group).ToArray(),
            raw.Capture,
            raw.Conversation,
            raw.NoInputTimeout,
            effective.ToArray(),
            localCount);
    }

    /// <summary>All errors, in file order (problems without a position first), like a compiler lists them.</summary>
    private FlowValidationException Fail() =>
        new(source, errors.OrderBy(e => e.Line ?? 0).ThenBy(e => e.Column ?? 0).ToArray(), warnings.ToArray());

    // ---------------------------------------------------------------- sections

    private FlowPrompts ReadPrompts(Dictionary<string, (YScalar Key, YNode Value)> top)
    {
        if (!top.TryGetValue("prompts", out var node))
        {
            return FlowPrompts.Default;
        }

        if (node.Value is not YMapping map)
        {
            Error(node.Value, null, $"'prompts' must be a mapping with {string.Join(", ", PromptKeys)}, not {node.Value.Kind}");
            return FlowPrompts.Default;
        }

        var f = Fields(map, "prompts", PromptKeys);
        return new FlowPrompts(
            OptSpoken(f, "prompts", "noMatch") ?? FlowPrompts.Default.NoMatch,
            OptSpoken(f, "prompts", "noInput") ?? FlowPrompts.Default.NoInput,
            OptSpoken(f, "prompts", "invalidCapture") ?? FlowPrompts.Default.InvalidCapture);
    }

    private Dictionary<string, (YNode At, IReadOnlyList<FlowIntent> Intents)> ReadGroups(YNode node)
    {
        var groups = new Dictionary<string, (YNode, IReadOnlyList<FlowIntent>)>(StringComparer.Ordinal);
        if (node is not YMapping map)
        {
            Error(node, null, $"'intentGroups' must be a mapping of group name to a list of intents, not {node.Kind}");
            return groups;
        }

        foreach (var (key, value) in map.Entries)
        {
            if (groups.TryGetValue(key.Value, out var first))
            {
                Error(key, null, $"duplicate intent group '{key.Value}' (first defined at line {first.Item1.Line})");
                continue;
            }

            if (string.IsNullOrWhiteSpace(key.Value))
            {
                Error(key, null, "an intent group needs a name");
                continue;
            }

            groups[key.Value] = (key, ReadIntentList(value, $"intent group '{key.Value}'", $"intentGroups.{key.Value}", "group:" + key.Value));
        }

        return groups;
    }

    private List<RawState> ReadStates(YNode node)
    {
        var states = new List<RawState>();
        if (node is not YMapping map)
        {
            Error(node, null, $"'states' must be a mapping of state id to state, not {node.Kind}");
            return states;
        }

        if (map.Entries.Count == 0)
        {
            Error(node, null, "'states' is empty: a flow needs at least one state");
        }

        var seen = new Dictionary<string, YScalar>(StringComparer.Ordinal);
        foreach (var (key, value) in map.Entries)
        {
            var id = key.Value;
            if (seen.TryGetValue(id, out var first))
            {
                Error(key, null, $"duplicate state id '{id}' (first defined at line {first.Line})");
                continue;
            }

            seen[id] = key;
            if (!IsIdentifier(id))
            {
                Error(key, null, $"state id '{id}' must be letters, digits, '_' or '-'");
                continue;
            }

            states.Add(ReadState(id, key, value));
        }

        return states;
    }

    private RawState ReadState(string id, YScalar key, YNode node)
    {
        var ctx = $"state '{id}'";
        var owner = "state:" + id;
        var raw = new RawState(id, key);
        if (node is not YMapping map)
        {
            Error(node, ctx, $"a state must be a mapping (prompt, intents, …), not {node.Kind}");
            return raw;
        }

        var f = Fields(map, ctx, StateKeys);
        raw.Prompt = OptSpoken(f, ctx, "prompt");
        raw.Reprompt = OptSpoken(f, ctx, "reprompt");
        if (f.TryGetValue("onEnter", out var onEnter))
        {
            raw.OnEnter = ReadActionBlock(onEnter.Value, ctx + " onEnter", owner);
        }

        if (f.TryGetValue("intents", out var intents))
        {
            raw.Intents = ReadIntentList(intents.Value, ctx, $"states.{id}.intents", owner);
        }

        if (f.TryGetValue("include", out var include))
        {
            foreach (var (group, at) in TextList(include.Value, ctx, "include"))
            {
                if (raw.Include.Any(i => i.Group == group))
                {
                    Error(at, ctx, $"intent group '{group}' is included twice");
                    continue;
                }

                raw.Include.Add((group, at));
            }
        }

        if (f.TryGetValue("capture", out var capture))
        {
            raw.Capture = ReadCapture(capture.Value, ctx + " capture", owner);
        }

        if (f.TryGetValue("conversation", out var conversation))
        {
            raw.Conversation = ReadConversation(conversation.Key, conversation.Value, ctx + " conversation", owner);
            if (f.TryGetValue("capture", out var both))
            {
                Error(both.Key, ctx, "a state cannot both capture digits and hand the call to a conversation: use two states");
            }
        }

        var timeout = OptNumber(f, ctx, "noInputTimeoutSeconds", 0.5, 600);
        raw.NoInputTimeout = timeout is null ? null : TimeSpan.FromSeconds(timeout.Value);
        if (raw.Conversation is not null && timeout is not null)
        {
            Warning(f["noInputTimeoutSeconds"].Key, ctx, "'noInputTimeoutSeconds' has no effect in a conversation state: the LLM's no-input timeout applies there");
        }

        return raw;
    }

    private IReadOnlyList<FlowIntent> ReadIntentList(YNode node, string ownerContext, string path, string owner)
    {
        var intents = new List<FlowIntent>();
        if (node is YScalar { IsNull: true })
        {
            return intents;
        }

        if (node is not YSequence seq)
        {
            Error(node, ownerContext, $"'{path}' must be a list of intents ('- name: …'), not {node.Kind}");
            return intents;
        }

        var names = new Dictionary<string, YNode>(StringComparer.Ordinal);
        var phrases = new Dictionary<string, string>(StringComparer.Ordinal);
        var dtmf = new Dictionary<char, string>();
        foreach (var item in seq.Items)
        {
            var intent = ReadIntent(item, ownerContext, owner);
            if (intent is null)
            {
                continue;
            }

            var ctx = $"{ownerContext} intent '{intent.Name}'";
            if (names.TryGetValue(intent.Name, out var first))
            {
                Error(item, ownerContext, $"duplicate intent name '{intent.Name}' (first defined at line {first.Line})");
                continue;
            }

            names[intent.Name] = item;
            foreach (var phrase in intent.Phrases)
            {
                var normal = PhraseText.Normalize(phrase);
                if (phrases.TryGetValue(normal, out var other))
                {
                    Error(item, ctx, $"phrase '{phrase}' is also a phrase of intent '{other}'; a phrase must lead to one intent");
                }
                else
                {
                    phrases[normal] = intent.Name;
                }
            }

            foreach (var key in intent.Dtmf)
            {
                if (dtmf.TryGetValue(key, out var other))
                {
                    Error(item, ctx, $"dtmf '{key}' is also the key of intent '{other}'");
                }
                else
                {
                    dtmf[key] = intent.Name;
                }
            }

            intents.Add(intent);
        }

        return intents;
    }

    private FlowIntent? ReadIntent(YNode node, string ownerContext, string owner)
    {
        if (node is not YMapping map)
        {
            Error(node, ownerContext, $"an intent must be a mapping with 'name', 'phrases' and/or 'dtmf' and an action, not {node.Kind}");
            return null;
        }

        var name = map.Entries.FirstOrDefault(e => e.Key.Value == "name").Value is YScalar { IsNull: false } n ? n.Value.Trim() : null;
        var ctx = name is null ? $"{ownerContext} intent at line {map.Line}" : $"{ownerContext} intent '{name}'";
        var f = Fields(map, ctx, IntentKeys);
        if (name is null || name.Length == 0)
        {
            Error(map, ownerContext, "an intent needs a 'name'");
        }

        var phrases = new List<string>();
        if (f.TryGetValue("phrases", out var ph))
        {
            foreach (var (phrase, at) in TextList(ph.Value, ctx, "phrases"))
            {
                var problem = PhraseText.CheckSpeakable(phrase);
                if (problem is not null)
                {
                    Error(at, ctx, $"phrase '{phrase}' {problem}");
                    continue;
                }

                if (phrases.Any(p => PhraseText.Normalize(p) == PhraseText.Normalize(phrase)))
                {
                    Error(at, ctx, $"phrase '{phrase}' is listed twice");
                    continue;
                }

                phrases.Add(phrase.Trim());
            }
        }

        var keys = new List<char>();
        if (f.TryGetValue("dtmf", out var dt))
        {
            if (dt.Value is YScalar { IsNull: true })
            {
                Error(dt.Value, ctx, "'dtmf' has no value (in YAML, '#' starts a comment and '*' an alias: quote them, e.g. dtmf: \"#\")");
            }
            else
            {
                foreach (var (key, at) in TextList(dt.Value, ctx, "dtmf"))
                {
                    var k = key.Trim().ToUpperInvariant();
                    if (k.Length != 1 || !DtmfKeys.Contains(k[0]))
                    {
                        Error(at, ctx, $"dtmf '{key}' must be a single key: 0-9, *, # or A-D (for several keys write a list, e.g. dtmf: [1, 2])");
                        continue;
                    }

                    if (keys.Contains(k[0]))
                    {
                        Error(at, ctx, $"dtmf '{key}' is listed twice");
                        continue;
                    }

                    keys.Add(k[0]);
                }
            }
        }

        if (!f.ContainsKey("phrases") && !f.ContainsKey("dtmf"))
        {
            Error(map, ctx, "intent has neither 'phrases' nor 'dtmf', so the caller can never trigger it");
        }

        var action = ReadAction(f, ctx, owner, allowRepeat: true);
        if (action is not null && action.Say.Count == 0 && action.Set.Count == 0 && !action.MovesOn && !action.Repeat)
        {
            Error(map, ctx, "intent does nothing: give it 'say', 'set', 'goto', 'transfer', 'hangup' or 'repeat'");
        }

        return name is null || name.Length == 0 || action is null ? null : new FlowIntent(name, phrases.ToArray(), keys.ToArray(), action);
    }

    private FlowAction? ReadActionBlock(YNode node, string ctx, string owner)
    {
        if (node is not YMapping map)
        {
            Error(node, ctx, $"an action must be a mapping with say, set, goto, transfer or hangup, not {node.Kind}");
            return null;
        }

        var f = Fields(map, ctx, ActionKeys);
        return ReadAction(f, ctx, owner, allowRepeat: false);
    }

    private FlowAction? ReadAction(Dictionary<string, (YScalar Key, YNode Value)> f, string ctx, string owner, bool allowRepeat)
    {
        var ok = true;
        var say = new List<string>();
        if (f.TryGetValue("say", out var sayNode))
        {
            foreach (var (text, at) in TextList(sayNode.Value, ctx, "say"))
            {
                templates.Add((text, at, ctx));
                say.Add(text.Trim());
            }
        }

        var set = new List<KeyValuePair<string, string>>();
        if (f.TryGetValue("set", out var setNode))
        {
            if (setNode.Value is YMapping setMap)
            {
                foreach (var (slot, value) in setMap.Entries)
                {
                    if (!SlotTemplate.IsSlotName(slot.Value))
                    {
                        Error(slot, ctx, $"slot name '{slot.Value}' must start with a letter and contain only letters, digits and '_'");
                        ok = false;
                        continue;
                    }

                    if (value is not YScalar { IsNull: false } scalar)
                    {
                        Error(value, ctx, $"'set' value of slot '{slot.Value}' must be text, not {value.Kind}");
                        ok = false;
                        continue;
                    }

                    declaredSlots.Add(slot.Value);
                    set.Add(new KeyValuePair<string, string>(slot.Value, scalar.Value));
                }
            }
            else
            {
                Error(setNode.Value, ctx, $"'set' must be a mapping of slot name to value, not {setNode.Value.Kind}");
                ok = false;
            }
        }

        string? goTo = null;
        if (f.TryGetValue("goto", out var gotoNode))
        {
            goTo = Text(gotoNode.Value, ctx, "goto");
            if (goTo is not null)
            {
                goTo = goTo.Trim();
                gotoRefs.Add((goTo, gotoNode.Value, ctx, owner));
            }
            else
            {
                ok = false;
            }
        }

        string? transfer = null;
        if (f.TryGetValue("transfer", out var transferNode))
        {
            transfer = Text(transferNode.Value, ctx, "transfer")?.Trim();
            if (transfer is null)
            {
                ok = false;
            }
            else if (transfer.Any(char.IsWhiteSpace))
            {
                Error(transferNode.Value, ctx, $"transfer target '{transfer}' must not contain spaces (e.g. sip:sales@example.com or tel:+15550100)");
                ok = false;
            }
        }

        string? hangup = null;
        if (f.TryGetValue("hangup", out var hangupNode))
        {
            if (hangupNode.Value is YScalar { IsNull: false, Plain: true } b && bool.TryParse(b.Value, out var flag))
            {
                hangup = flag ? "completed" : null;
            }
            else
            {
                hangup = Text(hangupNode.Value, ctx, "hangup")?.Trim();
                ok &= hangup is not null;
            }
        }

        var repeat = false;
        if (f.TryGetValue("repeat", out var repeatNode))
        {
            if (!allowRepeat)
            {
                Error(repeatNode.Key, ctx, "'repeat' is only allowed in intents");
                ok = false;
            }
            else
            {
                repeat = Bool(repeatNode.Value, ctx, "repeat") ?? false;
            }
        }

        var endings = new List<(string Key, YScalar At)>();
        if (goTo is not null)
        {
            endings.Add(("goto", gotoNode.Key));
        }

        if (transfer is not null)
        {
            endings.Add(("transfer", transferNode.Key));
        }

        if (hangup is not null)
        {
            endings.Add(("hangup", hangupNode.Key));
        }

        if (repeat)
        {
            endings.Add(("repeat", repeatNode.Key));
        }

        if (endings.Count > 1)
        {
            Error(endings[1].At, ctx, $"only one of goto, transfer, hangup and repeat may be given (found {string.Join(" and ", endings.Select(e => e.Key))})");
            ok = false;
        }

        return ok ? new FlowAction(say.ToArray(), set.ToArray(), goTo, transfer, hangup, repeat) : null;
    }

    private FlowCapture? ReadCapture(YNode node, string ctx, string owner)
    {
        if (node is not YMapping map)
        {
            Error(node, ctx, $"'capture' must be a mapping (slot, length, then, …), not {node.Kind}");
            return null;
        }

        var f = Fields(map, ctx, CaptureKeys);
        var slot = OptText(f, ctx, "slot");
        if (!f.ContainsKey("slot"))
        {
            Error(map, ctx, "missing 'slot': the name of the slot the digits go into");
        }
        else if (slot is not null && !SlotTemplate.IsSlotName(slot))
        {
            Error(f["slot"].Value, ctx, $"slot name '{slot}' must start with a letter and contain only letters, digits and '_'");
            slot = null;
        }

        if (slot is not null)
        {
            declaredSlots.Add(slot);
        }

        var kind = OptText(f, ctx, "kind");
        if (kind is not null && kind != "digits")
        {
            Error(f["kind"].Value, ctx, $"capture kind '{kind}' is not supported (only 'digits')");
        }

        var length = OptInt(f, ctx, "length", 1, 32);
        var min = OptInt(f, ctx, "min", 1, 32);
        var max = OptInt(f, ctx, "max", 1, 32);
        int minDigits = 1, maxDigits = 1;
        if (f.ContainsKey("length") && (f.ContainsKey("min") || f.ContainsKey("max")))
        {
            Error(f["length"].Key, ctx, "give either 'length' or 'min'/'max', not both");
        }
        else if (length is not null)
        {
            minDigits = maxDigits = length.Value;
        }
        else if (min is not null || max is not null)
        {
            minDigits = min ?? 1;
            maxDigits = max ?? 32;
            if (minDigits > maxDigits)
            {
                Error(f["min"].Value, ctx, $"'min' ({minDigits}) is greater than 'max' ({maxDigits})");
            }
        }
        else if (!f.ContainsKey("length") && !f.ContainsKey("min") && !f.ContainsKey("max"))
        {
            Error(map, ctx, "say how many digits to capture: 'length', or 'min' and/or 'max'");
        }

        char? terminator = null;
        if (f.TryGetValue("terminator", out var term))
        {
            if (term.Value is YScalar { IsNull: true })
            {
                Error(term.Value, ctx, "'terminator' has no value (in YAML '#' starts a comment: write terminator: \"#\")");
            }
            else
            {
                var t = Text(term.Value, ctx, "terminator")?.Trim();
                if (t is not null && (t.Length != 1 || t[0] is not ('#' or '*')))
                {
                    Error(term.Value, ctx, $"terminator '{t}' must be \"#\" or \"*\"");
                }
                else if (t is not null)
                {
                    terminator = t[0];
                }
            }
        }

        FlowAction? then = null;
        if (f.TryGetValue("then", out var thenNode))
        {
            then = ReadActionBlock(thenNode.Value, ctx + " then", owner);
        }
        else
        {
            Error(map, ctx, "missing 'then': what to do once the digits are complete");
        }

        var invalid = OptSpoken(f, ctx, "invalid");
        return slot is null || then is null ? null : new FlowCapture(slot, minDigits, maxDigits, terminator, then, invalid);
    }

    private FlowConversation? ReadConversation(YScalar key, YNode node, string ctx, string owner)
    {
        if (node is not YMapping map)
        {
            Error(node, ctx, $"'conversation' must be a mapping (llm: true, instructions, then), not {node.Kind}");
            return null;
        }

        var ok = true;
        var f = Fields(map, ctx, ConversationKeys);
        if (!f.TryGetValue("llm", out var llm))
        {
            Error(map, ctx, "missing 'llm: true': a conversation is held by the LLM (audioflow.engines.llm)");
            ok = false;
        }
        else if (Bool(llm.Value, ctx, "llm") is not { } flag)
        {
            ok = false;
        }
        else if (!flag)
        {
            Error(llm.Value, ctx, "'llm' must be true (the LLM is the only conversation agent); remove 'conversation' for a state without one");
            ok = false;
        }

        string? instructions = null;
        if (f.TryGetValue("instructions", out var given))
        {
            instructions = Text(given.Value, ctx, "instructions")?.Trim();
            if (instructions is null)
            {
                ok = false;
            }
            else
            {
                templates.Add((instructions, given.Value, ctx + " instructions"));
            }
        }

        string? summarySlot = null;
        if (f.TryGetValue("summarySlot", out var slotNode))
        {
            summarySlot = Text(slotNode.Value, ctx, "summarySlot")?.Trim();
            if (summarySlot is not null && !SlotTemplate.IsSlotName(summarySlot))
            {
                Error(slotNode.Value, ctx, $"slot name '{summarySlot}' must start with a letter and contain only letters, digits and '_'");
                summarySlot = null;
            }

            if (summarySlot is null)
            {
                ok = false;
            }
            else
            {
                declaredSlots.Add(summarySlot);
            }
        }

        FlowAction? then = null;
        if (f.TryGetValue("then", out var thenNode))
        {
            then = ReadActionBlock(thenNode.Value, ctx + " then", owner);
            if (then is not null && !then.MovesOn)
            {
                Error(thenNode.Key, ctx + " then",
                    "'then' must move the call on when the LLM hands it back: give it 'goto' (e.g. back to a menu), 'transfer' or 'hangup'");
                then = null;
            }
        }
        else
        {
            Error(map, ctx, "missing 'then': what to do when the LLM hands the call back (e.g. then: { goto: menu })");
        }

        return ok && then is not null ? new FlowConversation(instructions, then, summarySlot, key.Line, key.Column) : null;
    }

    // ---------------------------------------------------------------- cross checks

    private void CheckTemplates()
    {
        foreach (var (text, at, ctx) in templates)
        {
            var (refs, error) = SlotTemplate.Parse(text);
            if (error is not null)
            {
                Error(at, ctx, error);
                continue;
            }

            foreach (var (slot, format) in refs)
            {
                if (!declaredSlots.Contains(slot))
                {
                    var known = declaredSlots.Count == 0 ? " (no slot is captured or set anywhere)" : Suggestion(slot, declaredSlots);
                    Error(at, ctx, $"'{{{slot}}}' refers to slot '{slot}', which no capture or 'set' fills{known}");
                }

                if (format is not null && !SlotTemplate.Formats.Contains(format))
                {
                    Error(at, ctx, $"'{{{slot}:{format}}}' has an unknown format '{format}' (known: {string.Join(", ", SlotTemplate.Formats)})");
                }
            }
        }
    }

    private void CheckOnEnterLoops(List<RawState> states, HashSet<string> ids)
    {
        var next = states.Where(s => s.OnEnter?.Goto is { } g && ids.Contains(g))
            .ToDictionary(s => s.Id, s => s.OnEnter!.Goto!, StringComparer.Ordinal);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var state in states)
        {
            var path = new List<string> { state.Id };
            var current = state.Id;
            while (next.TryGetValue(current, out var target))
            {
                if (target == state.Id)
                {
                    if (path.All(reported.Add))
                    {
                        Error(state.Key, $"state '{state.Id}' onEnter",
                            $"onEnter gotos loop forever: {string.Join(" -> ", path)} -> {state.Id}");
                    }

                    break;
                }

                if (path.Contains(target))
                {
                    break; // a loop that does not pass through this state; reported from a state on it
                }

                path.Add(target);
                current = target;
            }
        }
    }

    private void Warn(List<RawState> states, Dictionary<string, (YNode At, IReadOnlyList<FlowIntent> Intents)> groups, string start)
    {
        // Reachability: a state's own, included and capture gotos; global gotos apply from anywhere.
        var targets = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (target, _, _, owner) in gotoRefs)
        {
            if (!targets.TryGetValue(owner, out var list))
            {
                targets[owner] = list = [];
            }

            list.Add(target);
        }

        var reachable = new HashSet<string>(StringComparer.Ordinal) { start };
        var queue = new Queue<string>(reachable);
        foreach (var t in targets.GetValueOrDefault(GlobalOwner) ?? [])
        {
            if (reachable.Add(t))
            {
                queue.Enqueue(t);
            }
        }

        var byId = states.ToDictionary(s => s.Id, StringComparer.Ordinal);
        while (queue.Count > 0)
        {
            var state = byId[queue.Dequeue()];
            var owners = state.Include.Select(i => "group:" + i.Group).Prepend("state:" + state.Id);
            foreach (var t in owners.SelectMany(o => targets.GetValueOrDefault(o) ?? []))
            {
                if (reachable.Add(t))
                {
                    queue.Enqueue(t);
                }
            }
        }

        foreach (var state in states.Where(s => !reachable.Contains(s.Id)))
        {
            Warning(state.Key, $"state '{state.Id}'", "unreachable: no goto leads to this state from the start state");
        }

        var used = states.SelectMany(s => s.Include.Select(i => i.Group)).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, (at, _)) in groups.Where(g => !used.Contains(g.Key)))
        {
            Warning(at, $"intent group '{name}'", "not included by any state");
        }

        foreach (var state in states)
        {
            var movesOn = state.OnEnter?.MovesOn == true;
            if (!movesOn && state.Prompt is null && state.OnEnter is not { Say.Count: > 0 })
            {
                Warning(state.Key, $"state '{state.Id}'", "has no prompt: the caller hears nothing when it is entered");
            }

            if (!movesOn && state.Intents.Count == 0 && state.Include.Count == 0 && state.Capture is null && state.Conversation is null)
            {
                Warning(state.Key, $"state '{state.Id}'", "has no intents, include or capture: only global intents lead out of it");
            }

            if (state.Capture is not null)
            {
                foreach (var intent in state.Intents.Where(i => i.Dtmf.Any(d => char.IsAsciiDigit(d) || d == state.Capture.Terminator)))
                {
                    Warning(state.Key, $"state '{state.Id}' intent '{intent.Name}'",
                        "its keypad digit is taken by the capture in this state, so only its phrases work");
                }
            }
        }
    }

    // ---------------------------------------------------------------- primitives

    private Dictionary<string, (YScalar Key, YNode Value)> Fields(YMapping map, string? ctx, IReadOnlyList<string> allowed)
    {
        var result = new Dictionary<string, (YScalar, YNode)>(StringComparer.Ordinal);
        foreach (var (key, value) in map.Entries)
        {
            if (!allowed.Contains(key.Value))
            {
                var hint = Suggest(key.Value, allowed);
                Error(key, ctx, hint is null
                    ? $"unknown key '{key.Value}' (expected one of: {string.Join(", ", allowed)})"
                    : $"unknown key '{key.Value}' (did you mean '{hint}'?)");
                continue;
            }

            if (result.TryGetValue(key.Value, out var first))
            {
                Error(key, ctx, $"duplicate key '{key.Value}' (first given at line {first.Item1.Line})");
                continue;
            }

            result[key.Value] = (key, value);
        }

        return result;
    }

    private string? Text(YNode node, string? ctx, string key)
    {
        switch (node)
        {
            case YScalar { IsNull: true }:
                Error(node, ctx, $"'{key}' has no value");
                return null;
            case YScalar s when string.IsNullOrWhiteSpace(s.Value):
                Error(node, ctx, $"'{key}' must not be empty");
                return null;
            case YScalar s:
                return s.Value;
            default:
                Error(node, ctx, $"'{key}' must be text, not {node.Kind}");
                return null;
        }
    }

    private string? OptText(Dictionary<string, (YScalar Key, YNode Value)> f, string? ctx, string key) =>
        f.TryGetValue(key, out var entry) ? Text(entry.Value, ctx, key)?.Trim() : null;

    /// <summary>Optional spoken text (prompt-like): slot references are checked at the end.</summary>
    private string? OptSpoken(Dictionary<string, (YScalar Key, YNode Value)> f, string ctx, string key)
    {
        var text = OptText(f, ctx, key);
        if (text is not null)
        {
            templates.Add((text, f[key].Value, $"{ctx} {key}"));
        }

        return text;
    }

    private List<(string Text, YNode At)> TextList(YNode node, string ctx, string key)
    {
        var list = new List<(string, YNode)>();
        if (node is YSequence seq)
        {
            if (seq.Items.Count == 0)
            {
                Error(node, ctx, $"'{key}' is an empty list");
            }

            foreach (var item in seq.Items)
            {
                var text = Text(item, ctx, key);
                if (text is not null)
                {
                    list.Add((text, item));
                }
            }
        }
        else
        {
            var text = Text(node, ctx, key);
            if (text is not null)
            {
                list.Add((text, node));
            }
        }

        return list;
    }

    private bool? Bool(YNode node, string ctx, string key)
    {
        if (node is YScalar { IsNull: false } s && bool.TryParse(s.Value.Trim(), out var value))
        {
            return value;
        }

        Error(node, ctx, $"'{key}' must be true or false");
        return null;
    }

    private int? OptInt(Dictionary<string, (YScalar Key, YNode Value)> f, string? ctx, string key, int min, int max)
    {
        if (!f.TryGetValue(key, out var entry))
        {
            return null;
        }

        if (entry.Value is YScalar { IsNull: false } s
            && int.TryParse(s.Value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            && value >= min && value <= max)
        {
            return value;
        }

        Error(entry.Value, ctx, $"'{key}' must be a whole number from {min} to {max}");
        return null;
    }

    private double? OptNumber(Dictionary<string, (YScalar Key, YNode Value)> f, string? ctx, string key, double min, double max)
    {
        if (!f.TryGetValue(key, out var entry))
        {
            return null;
        }

        if (entry.Value is YScalar { IsNull: false } s
            && double.TryParse(s.Value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            && value >= min && value <= max)
        {
            return value;
        }

        Error(entry.Value, ctx, $"'{key}' must be a number of seconds from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
        return null;
    }

    private void Error(YNode at, string? ctx, string message) =>
        errors.Add(new FlowProblem(source, at.Line, at.Column, ctx is null ? message : $"{ctx}: {message}"));

    private void Warning(YNode at, string ctx, string message) =>
        warnings.Add(new FlowProblem(source, at.Line, at.Column, $"{ctx}: {message}"));

    private static bool IsIdentifier(string id) =>
        id.Length > 0 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    private static string Suggestion(string name, IEnumerable<string> known)
    {
        var hint = Suggest(name, known.ToArray());
        return hint is null ? string.Empty : $" (did you mean '{hint}'?)";
    }

    /// <summary>The closest known name by edit distance, if it is close enough to be a plausible typo.</summary>
    internal static string? Suggest(string name, IReadOnlyList<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase) ? 0 : Distance(name.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }

        return best is not null && bestDistance < best.Length && bestDistance <= Math.Max(1, Math.Min(3, best.Length / 3)) ? best : null;
    }

    /// <summary>Edit distance counting insertions, deletions, substitutions and swaps of neighbours ("mian" → "main" is 1).</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    private sealed class RawState(string id, YScalar key)
    {
        public string Id { get; } = id;

        public YScalar Key { get; } = key;

        public string? Prompt { get; set; }

        public string? Reprompt { get; set; }

        public FlowAction? OnEnter { get; set; }

        public IReadOnlyList<FlowIntent> Intents { get; set; } = [];

        public List<(string Group, YNode At)> Include { get; } = [];

        public FlowCapture? Capture { get; set; }

        public FlowConversation? Conversation { get; set; }

        public TimeSpan? NoInputTimeout { get; set; }
    }
}
