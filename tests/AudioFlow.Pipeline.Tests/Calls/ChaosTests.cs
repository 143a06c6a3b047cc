using AudioFlow.Audio.Channel;
using AudioFlow.Pipeline.Loopback;
using AudioFlow.Pipeline.Supervision;
using AudioFlow.Pipeline.Tests.Support;

namespace AudioFlow.Pipeline.Tests.Calls;

/// <summary>Chaos beyond exceptions: stalls caught by the watchdog, added latency, and a misbehaving transport.</summary>
[Collection(LiveNodeCollection.Name)]
public sealed class ChaosTests(LiveNode node)
{
    private const double Fast = 8;

    [Fact]
    public async Task A_stalled_stage_is_restarted_by_the_watchdog_and_the_call_loses_nothing()
    {
        var options = TestConfig.Pipeline(
            "audioflow.chaos { enabled = on, faults = [ { stage = vad, every-nth = 300, kind = stall } ] }",
            "audioflow.pipeline.supervision.stall-timeout = 300ms");
        var outcome = await Run(options);

        Assert.NotEmpty(outcome.Stats.Restarts);
        Assert.All(outcome.Stats.Restarts, r => Assert.Equal(nameof(StageStalledException), r.ErrorType));
        Assert.Equal(0, outcome.CallerFramesLost);
        Assert.Contains("Monday", outcome.Stats.Replies.Single(r => r.TurnNumber == 1).Text);
    }

    [Fact]
    public async Task Injected_latency_slows_a_stage_down_without_restarting_it()
    {
        var options = TestConfig.Pipeline("audioflow.chaos { enabled = on, faults = [ { stage = stt, every-nth = 1, kind = latency, latency = 700ms } ] }");
        var outcome = await Run(options);

        Assert.Empty(outcome.Stats.Restarts);
        var turn = Assert.Single(outcome.Stats.Turns);
        Assert.True(turn.ResponseLatencyMs >= 700, $"reply after {turn.ResponseLatencyMs} ms: the 700 ms delay before recognition is missing");
        Assert.Contains("Monday", outcome.Stats.Replies.Single(r => r.TurnNumber == 1).Text);
    }

    [Fact]
    public async Task A_transport_that_drops_duplicates_and_reorders_packets_is_reported_and_the_call_goes_on()
    {
        var options = TestConfig.Pipeline(
            "audioflow.chaos { enabled = on, faults = [ { stage = transport, every-nth = 97, kind = drop }, { stage = transport, every-nth = 89, kind = duplicate }, { stage = transport, every-nth = 83, kind = reorder } ] }");
        var outcome = await Run(options);

        var sent = outcome.Caller.FramesSent;
        var dropped = sent / 97;
        Assert.InRange(outcome.Stats.FramesAnalyzed, sent - dropped - 2, sent + (sent / 89) + 2);
        Assert.Contains("Monday", outcome.Stats.Replies.Single(r => r.TurnNumber == 1).Text);
    }

    [Fact]
    public async Task A_connection_cut_on_purpose_ends_the_call_with_that_reason()
    {
        var options = TestConfig.Pipeline("audioflow.chaos { enabled = on, faults = [ { stage = transport, every-nth = 100, kind = close } ] }");
        var outcome = await Run(options);
        Assert.Equal("transport closed abruptly (chaos)", outcome.Stats.EndReason);
    }

    private async Task<LoopbackCallOutcome> Run(AudioFlow.Pipeline.Configuration.PipelineOptions options)
    {
        var format = MediaFormat.Pcmu8k;
        return await node.Runner(options).RunAsync(node.Say("opening hours please", format), format, new CallerScript(), Fast, CancellationToken.None);
    }
}
