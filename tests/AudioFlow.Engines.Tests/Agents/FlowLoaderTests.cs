using AudioFlow.Engines.Agents.Flow;
using Xunit;
using static AudioFlow.Engines.Tests.Agents.FlowTestKit;

namespace AudioFlow.Engines.Tests.Agents;

public sealed class FlowLoaderTests
{
    [Fact]
    public void Demo_flow_loads_without_warnings()
    {
        var flow = FlowLoader.LoadEmbeddedDemo();

        Assert.Equal("front-desk", flow.Name);
        Assert.Equal("front-desk.yaml", flow.SourceName);
        Assert.Equal("greeting", flow.Start);
        Assert.Empty(flow.Warnings);
        Assert.Equal(3, flow.MaxNoInput);
        Assert.Equal(3, flow.MaxNoMatch);
        Assert.Equal(TimeSpan.FromSeconds(6), flow.NoInputTimeout);
        Assert.Contains(FlowLoader.DemoFlowName, FlowLoader.EmbeddedFlowNames);
        Assert.Equal(
            ["greeting", "menu_details", "sales", "support", "opening_hours", "anything_else", "goodbye"],
            flow.States.Select(s => s.Id));
        var support = flow.GetState("support");
        Assert.Equal(new FlowCapture("ticket", 6, 6, '#', support.Capture!.Then, "Sorry, a ticket number has six digits."), support.Capture);
    }

    [Fact]
    public void Demo_phrases_are_plain_words()
    {
        foreach (var phrase in FlowTestKit.Demo.States.SelectMany(s => s.Listening.ExpectedPhrases ?? []))
        {
            Assert.Null(PhraseText.CheckSpeakable(phrase));
            Assert.Equal(phrase, phrase.ToLowerInvariant());
        }
    }

    [Fact]
    public void Demo_phrases_are_in_the_pocketsphinx_dictionary_when_it_is_installed()
    {
        const string dictionary = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict";
        if (!File.Exists(dictionary))
        {
            return; // nothing to check against on this machine
        }

        var words = File.ReadLines(dictionary)
            .Select(l => l.Split(' ', 2)[0])
            .Select(w => w.Contains('(') ? w[..w.IndexOf('(')] : w)
            .ToHashSet(StringComparer.Ordinal);
        var missing = FlowTestKit.Demo.States
            .SelectMany(s => s.Listening.ExpectedPhrases ?? [])
            .SelectMany(p => p.Split(' '))
            .Distinct()
            .Where(w => !words.Contains(w))
            .ToArray();
        Assert.Empty(missing);
    }

    [Fact]
    public void Embedded_text_is_available_and_documented()
    {
        var text = FlowLoader.ReadEmbeddedText(FlowLoader.DemoFlowName);
        Assert.StartsWith("# front-desk.yaml", text);
        Assert.Throws<FileNotFoundException>(() => FlowLoader.ReadEmbeddedText("nope.yaml"));
    }

    [Fact]
    public void Json_is_accepted()
    {
        const string json = """
            {
              "name": "tiny",
              "start": "hello",
              "maxNoInput": 2,
              "states": {
                "hello": {
                  "prompt": "Hello. Say bye to hang up.",
                  "intents": [ { "name": "bye", "phrases": ["bye"], "dtmf": ["#"], "say": "Bye.", "hangup": true } ]
                }
              }
            }
            """;

        var flow = FlowLoader.LoadYaml(json, "tiny.json");

        Assert.Equal(2, flow.MaxNoInput);
        var intent = Assert.Single(flow.GetState("hello").Intents);
        Assert.Equal(['#'], intent.Dtmf);
        Assert.Equal("completed", intent.Action.Hangup);
    }

    [Fact]
    public void LoadFile_names_the_file_in_messages()
    {
        var path = Path.Combine(Path.GetTempPath(), $"flow-{Guid.NewGuid():N}", "front-desk.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            File.WriteAllText(path, "name: x\nstart: a\nstates:\n  a:\n    promt: Hi.\n");
            var ex = Assert.Throws<FlowValidationException>(() => FlowLoader.LoadFile(path));
            Assert.Equal("front-desk.yaml:5:5: state 'a': unknown key 'promt' (did you mean 'prompt'?)", Assert.Single(ex.Errors).ToString());
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void Goto_to_an_undefined_state()
    {
        const string yaml = """
            name: shop
            start: sales
            states:
              sales:
                prompt: What would you like?
                intents:
                  - name: buy
                    phrases: [buy]
                    goto: checkout
            """;

        var ex = LoadFails(yaml, "front-desk.yaml");

        Assert.Equal(
            "front-desk.yaml:9:15: state 'sales' intent 'buy': goto target 'checkout' is not a defined state",
            Assert.Single(ex.Errors).ToString());
        Assert.Contains("front-desk.yaml:9:15: state 'sales' intent 'buy': goto target 'checkout'", ex.Message);
    }

    [Fact]
    public void All_problems_are_reported_together_with_positions()
    {
        const string yaml = """
            name: broken
            states:
              main:
                promt: Hello.
                intents:
                  - name: hours
                    phrases: [open 24 hours, sales & support]
                    say: We never close.
                  - name: silent
                    say: Nobody can reach this.
                  - name: hours
                    phrases: [time]
                    goto: mian
              main:
                prompt: Again.
              other:
                prompt: Your account is {acount}.
                capture:
                  slot: account
                  length: 8
                  then: { say: "Got it.", goto: main, transfer: "sip:x@example.invalid" }
            """;

        var ex = LoadFails(yaml);
        var messages = ex.Errors.Select(e => e.ToString()).ToArray();

        Assert.Equal(
            [
                "broken.yaml:1:1: missing 'start': give the id of the state the call begins in",
                "broken.yaml:4:5: state 'main': unknown key 'promt' (did you mean 'prompt'?)",
                "broken.yaml:7:19: state 'main' intent 'hours': phrase 'open 24 hours' contains digits ('24'); spell numbers out as words, e.g. 'open twenty four hours'",
                "broken.yaml:7:34: state 'main' intent 'hours': phrase 'sales & support' contains '&'; write 'and'",
                "broken.yaml:9:9: state 'main' intent 'silent': intent has neither 'phrases' nor 'dtmf', so the caller can never trigger it",
                "broken.yaml:11:9: state 'main': duplicate intent name 'hours' (first defined at line 6)",
                "broken.yaml:13:15: state 'main' intent 'hours': goto target 'mian' is not a defined state (did you mean 'main'?)",
                "broken.yaml:14:3: duplicate state id 'main' (first defined at line 3)",
                "broken.yaml:17:13: state 'other' prompt: '{acount}' refers to slot 'acount', which no capture or 'set' fills (did you mean 'account'?)",
                "broken.yaml:21:43: state 'other' capture then: only one of goto, transfer, hangup and repeat may be given (found goto and transfer)",
            ],
            messages);
        Assert.StartsWith("Flow 'broken.yaml' is invalid (10 problems):", ex.Message);
    }

    [Fact]
    public void Unreachable_states_are_warnings_not_errors()
    {
        const string yaml = """
            start: a
            states:
              a:
                prompt: Say next.
                intents:
                  - { name: next, phrases: [next], goto: b }
              b:
                prompt: Bye.
                onEnter: { hangup: done }
              island:
                prompt: Nobody comes here.
                intents:
                  - { name: back, phrases: [back], goto: a }
            """;

        var flow = FlowLoader.LoadYaml(yaml, "warn.yaml");

        Assert.Equal("warn", flow.Name); // defaults to the file name
        var warning = Assert.Single(flow.Warnings);
        Assert.Equal("warn.yaml:10:3: state 'island': unreachable: no goto leads to this state from the start state", warning.ToString());
    }

    [Fact]
    public void Global_gotos_and_intent_groups_count_for_reachability()
    {
        const string yaml = """
            start: a
            globalIntents:
              - { name: help, phrases: [help], goto: helpdesk }
            intentGroups:
              nav:
                - { name: next, phrases: [next], dtmf: 1, goto: b }
              unused:
                - { name: x, phrases: [x ray], say: X. }
            states:
              a: { prompt: A., include: [nav] }
              b: { prompt: B., include: [nav] }
              helpdesk: { prompt: Help., include: [nav] }
            """;

        var flow = FlowLoader.LoadYaml(yaml, "groups.yaml");

        Assert.Equal("groups.yaml:7:3: intent group 'unused': not included by any state", Assert.Single(flow.Warnings).ToString());
        var a = flow.GetState("a");
        Assert.Equal(["next", "help"], a.EffectiveIntents.Select(i => i.Name));
        Assert.Equal(["next", "help"], a.Listening.ExpectedPhrases);
    }

    [Theory]
    [InlineData("start: a\nstates:\n  a:\n    prompt: Hi.\n    intents:\n      - name: x\n        phrases: [x]\n        dtmf: #\n        say: X.\n",
        "f.yaml:8:14: state 'a' intent 'x': 'dtmf' has no value (in YAML, '#' starts a comment and '*' an alias: quote them, e.g. dtmf: \"#\")")]
    [InlineData("start: a\nstates:\n  a:\n    prompt: Hi.\n    intents:\n      - name: x\n        phrases: [x]\n        dtmf: 12\n        say: X.\n",
        "f.yaml:8:15: state 'a' intent 'x': dtmf '12' must be a single key: 0-9, *, # or A-D (for several keys write a list, e.g. dtmf: [1, 2])")]
    [InlineData("start: b\nstates:\n  a:\n    prompt: Hi.\n",
        "f.yaml:1:8: start state 'b' is not a defined state")]
    [InlineData("start: a\nstates:\n  a:\n    prompt: Hi.\n    include: [menu]\n",
        "f.yaml:5:15: state 'a': include 'menu' is not a defined intent group")]
    [InlineData("start: a\nstates:\n  a:\n    prompt: Hi.\n    capture: { slot: pin, then: { say: Ok. } }\n",
        "f.yaml:5:14: state 'a' capture: say how many digits to capture: 'length', or 'min' and/or 'max'")]
    [InlineData("start: a\nstates:\n  a:\n    onEnter: { goto: b }\n  b:\n    onEnter: { goto: a }\n",
        "f.yaml:3:3: state 'a' onEnter: onEnter gotos loop forever: a -> b -> a")]
    [InlineData("start: a\nstates:\n  a:\n    prompt: Hi.\n    onEnter: { repeat: true }\n",
        "f.yaml:5:16: state 'a' onEnter: 'repeat' is only allowed in intents")]
    [InlineData("start: a\nmaxNoInput: lots\nstates:\n  a:\n    prompt: Hi.\n",
        "f.yaml:2:13: 'maxNoInput' must be a whole number from 1 to 100")]
    [InlineData("start: a\nstates:\n  a:\n    prompt: Hi {name:loud}.\n    intents:\n      - { name: x, phrases: [x], set: { name: Bob } }\n",
        "f.yaml:4:13: state 'a' prompt: '{name:loud}' has an unknown format 'loud' (known: digits)")]
    [InlineData("start: a\nstates:\n  a:\n    prompt: Hi.\n    intents:\n      - { name: x, phrases: [\"what's up?\"], say: Hi. }\n",
        "f.yaml:6:30: state 'a' intent 'x': phrase 'what's up?' contains '?', which cannot be spoken; use plain words without punctuation")]
    [InlineData("start: a\nstates:\n  a:\n    prompt: Hi.\n    intents:\n      - { name: x, phrases: [e-mail], say: Hi. }\n",
        "f.yaml:6:30: state 'a' intent 'x': phrase 'e-mail' contains '-'; use a space instead of the hyphen")]
    [InlineData("start: a\nstates:\n  a:\n    prompt: Hi.\n    intents:\n      - { name: x, phrases: [x] }\n",
        "f.yaml:6:9: state 'a' intent 'x': intent does nothing: give it 'say', 'set', 'goto', 'transfer', 'hangup' or 'repeat'")]
    [InlineData("- just\n- a list\n",
        "f.yaml:1:1: a flow must be a mapping with 'name', 'start' and 'states', not a list")]
    [InlineData("start: a\n",
        "f.yaml:1:1: missing 'states': a flow needs at least one state")]
    [InlineData("",
        "f.yaml: the flow file is empty")]
    public void Single_problem(string yaml, string expected)
    {
        var ex = LoadFails(yaml, "f.yaml");

        Assert.Equal(expected, Assert.Single(ex.Errors).ToString());
    }

    [Theory]
    [InlineData("start: a\nstates:\n  a:\n    prompt: \"unterminated\n", "f.yaml:4:13: invalid YAML: While scanning a quoted scalar, found unexpected end of stream.")]
    [InlineData("start: a\n  states: b\n", "f.yaml:2:9: invalid YAML: ")]
    [InlineData("start: a\nstates: [a, b\nname: x\n", "f.yaml:2:")]
    [InlineData("start: a\nstates:\n\t- x\n", "f.yaml:3:1: invalid YAML: While scanning a mapping, found invalid tab as indentation.")]
    [InlineData("start: a\n---\nstart: b\n", "f.yaml:2:1: a flow file must contain exactly one YAML document")]
    [InlineData("start: *nowhere\n", "f.yaml:1:8: alias '*nowhere' refers to an anchor '&nowhere' that is not defined before it")]
    public void Invalid_yaml_syntax_is_reported_with_a_position(string yaml, string expectedPrefix)
    {
        var ex = LoadFails(yaml, "f.yaml");

        Assert.StartsWith(expectedPrefix, Assert.Single(ex.Errors).ToString());
    }

    [Fact]
    public void Anchors_and_aliases_are_supported()
    {
        const string yaml = """
            start: a
            states:
              a:
                prompt: A.
                intents: &nav
                  - { name: next, phrases: [next], goto: b }
              b:
                prompt: B.
                intents: *nav
            """;

        var flow = FlowLoader.LoadYaml(yaml);

        Assert.Same(flow.GetState("a").Intents[0].Phrases[0], flow.GetState("b").Intents[0].Phrases[0]);
    }

    [Fact]
    public void Mangled_flows_only_ever_fail_with_FlowValidationException()
    {
        var text = FlowLoader.ReadEmbeddedText(FlowLoader.DemoFlowName);
        var random = new Random(1234);
        const string noise = ":-[]{}#*&!|>'\"\t\n ,?%@`";
        for (var i = 0; i < 400; i++)
        {
            var chars = text.ToCharArray();
            var edits = 1 + random.Next(4);
            for (var e = 0; e < edits; e++)
            {
                chars[random.Next(chars.Length)] = noise[random.Next(noise.Length)];
            }

            var mangled = new string(chars);
            if (random.Next(4) == 0)
            {
                mangled = mangled[..random.Next(mangled.Length)];
            }

            try
            {
                FlowLoader.LoadYaml(mangled, "mangled.yaml");
            }
            catch (FlowValidationException ex)
            {
                Assert.NotEmpty(ex.Errors);
                Assert.All(ex.Errors, p => Assert.Equal("mangled.yaml", p.Source));
            }
        }
    }
}
