using AudioFlow.Audio.Channel;
using AudioFlow.Pipeline.Loopback;
using AudioFlow.Pipeline.Tests.Support;

namespace AudioFlow.Pipeline.Tests.Calls;

/// <summary>Calls whose stages are made to fail on purpose (HOCON fault injection), with the real engines.</summary>
[Collection(LiveNodeCollection.Name)]
public sealed class CallResilienceTests(LiveNode node)
{
    private const double Fast = 8;

    [Theory]
    [InlineData("decode", 50)]
    [InlineData("resample-in", 50)]
    [InlineData("vad", 50)]
    [InlineData("turn", 50)]
    [InlineData("stt", 2)]
    [InlineData("agent", 2)]
    [InlineData("tts", 2)]
    [InlineData("resample-out", 2)]
    [InlineData("encode", 2)]
    public async Task A_stage_failing_every_nth_element_is_restarted_and_the_call_goes_on_without_losing_a_caller_frame(string stage, int everyNth)
    {
        var options = TestConfig.Pipeline($"audioflow.chaos {{ enabled = on, faults = [ {{ stage = {stage}, every-nth = {everyNth} }} ] }}");
        var format = MediaFormat.Pcmu8k;
        var outcome = await node.Runner(options).RunAsync(node.Say("opening hours please", format), format, new CallerScript(), Fast,
            CancellationToken.None);

        Assert.NotEmpty(outcome.Stats.Restarts);
        Assert.All(outcome.Stats.Restarts, r => Assert.Equal(stage, r.Stage));
        Assert.Equal(0, outcome.CallerFramesLost);
        Assert.Equal(outcome.Caller.FramesSent, outcome.Stats.FramesReceived);
        var answer = outcome.Stats.Replies.Single(r => r.TurnNumber == 1);
        Assert.Contains("Monday", answer.Text);
        Assert.StartsWith("caller hung up", outcome.Stats.EndReason);
    }

    [Fact]
    public async Task A_stage_that_keeps_failing_ends_the_call_politely_and_the_node_takes_the_next_call()
    {
        var broken = TestConfig.Pipeline("audioflow.chaos { enabled = on, faults = [ { stage = tts, probability = 1.0 } ] }",
            "audioflow.pipeline.supervision.max-consecutive-failures = 3");
        var format = MediaFormat.Pcmu8k;
        var speech = node.Say("opening hours please", format);
        var outcome = await node.Runner(broken).RunAsync(speech, format, new CallerScript(), Fast, CancellationToken.None);

        Assert.Equal(3, outcome.Stats.Restarts.Count);
        Assert.Contains("stage tts failed repeatedly", outcome.Stats.EndReason);
        var hangUp = Assert.Single(outcome.Caller.Commands, c => c.Command is HangUp);
        Assert.Equal("technical failure", ((HangUp)hangUp.Command).Reason);
        var apology = outcome.Caller.Heard.Count(f => f.At <= hangUp.At) * 20;
        Assert.True(apology > 1500, $"only {apology} ms of apology audio");

        var healthy = await node.Runner(TestConfig.Pipeline()).RunAsync(speech, format, new CallerScript(), Fast, CancellationToken.None);
        Assert.Contains("Monday", healthy.Stats.Replies.Single(r => r.TurnNumber == 1).Text);
    }
}
