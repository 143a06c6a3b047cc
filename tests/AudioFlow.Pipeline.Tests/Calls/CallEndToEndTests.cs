using AudioFlow.Audio.Channel;
using AudioFlow.Pipeline.Loopback;
using AudioFlow.Pipeline.Stages;
using AudioFlow.Pipeline.Tests.Support;

namespace AudioFlow.Pipeline.Tests.Calls;

/// <summary>
/// Whole calls through the real pipeline and engines over a loopback channel: a flite-voiced caller talks to the
/// demo flow. Most run 8x faster than real time (media clock); barge-in timing runs in real time.
/// </summary>
[Collection(LiveNodeCollection.Name)]
public sealed class CallEndToEndTests(LiveNode node)
{
    private const double Fast = 8;

    [Theory]
    [InlineData("pcmu")]
    [InlineData("pcma")]
    [InlineData("l16")]
    public async Task A_caller_asking_for_opening_hours_gets_the_opening_hours_answer(string codec)
    {
        var format = codec switch { "pcma" => MediaFormat.Pcma8k, "l16" => MediaFormat.L16At8k, _ => MediaFormat.Pcmu8k };
        var outcome = await node.Runner(TestConfig.Pipeline()).RunAsync(
            node.Say("opening hours please", format), format, new CallerScript(), Fast, CancellationToken.None);

        var turn = Assert.Single(outcome.Stats.Turns);
        Assert.Contains("opening hours", turn.Transcript);
        var answer = outcome.Stats.Replies.Single(r => r.TurnNumber == turn.Number);
        Assert.Contains("Monday", answer.Text);
        Assert.False(answer.Interrupted);
        Assert.Equal(0, outcome.CallerFramesLost);
        Assert.Equal(0, outcome.Caller.FramesDropped);
        Assert.NotNull(turn.ResponseLatencyMs);
        Assert.StartsWith("caller hung up", outcome.Stats.EndReason);

        // The caller heard the greeting and the answer: real audio, not silence.
        var heard = outcome.Caller.HeardTimeline(format.SampleRate);
        Assert.True(Rms(heard) > 300, $"heard audio RMS {Rms(heard):F0}");
    }

    [Fact]
    public async Task A_key_press_drives_the_flow()
    {
        var format = MediaFormat.Pcmu8k;
        var script = new CallerScript { Dtmf = [(TimeSpan.FromMilliseconds(200), '3')] };
        var outcome = await node.Runner(TestConfig.Pipeline()).RunAsync(new short[1600], format, script, Fast, CancellationToken.None);

        var answer = outcome.Stats.Replies.Single(r => r.Trigger == "dtmf 3");
        Assert.Contains("Monday", answer.Text);
        Assert.Empty(outcome.Stats.Turns);
    }

    [Fact]
    public async Task Repeated_silence_gets_reprompts_then_the_agent_says_goodbye_and_hangs_up()
    {
        var format = MediaFormat.Pcmu8k;
        var script = new CallerScript { SpeakAfterGreeting = false, SpeakAt = TimeSpan.FromMinutes(10), MaxDuration = TimeSpan.FromMinutes(3) };
        var outcome = await node.Runner(TestConfig.Pipeline()).RunAsync(node.Say("hello", format), format, script, Fast, CancellationToken.None);

        Assert.Equal(3, outcome.Stats.Replies.Count(r => r.Trigger == "silence"));
        Assert.Contains(outcome.Caller.Commands, c => c.Command is HangUp);
        Assert.StartsWith("agent hung up", outcome.Stats.EndReason);
        Assert.False(outcome.Caller.CallerHungUp);
    }

    [Fact]
    public async Task A_caller_who_barges_into_the_greeting_is_cut_through_within_200_ms_and_answered()
    {
        var format = MediaFormat.Pcmu8k;
        var speech = node.Say("opening hours please", format);
        var script = new CallerScript { SpeakAfterGreeting = false, SpeakAt = TimeSpan.FromMilliseconds(2500) };
        var outcome = await node.Runner(TestConfig.Pipeline()).RunAsync(speech, format, script, 1.0, CancellationToken.None);

        var onset = outcome.Caller.SpeechStartedAt + SpeechOnset(speech, format.SampleRate);
        var clear = outcome.Caller.Commands.First(c => c.Command is ClearPlayout).At;
        Assert.InRange((clear - onset).TotalMilliseconds, 0, 200);

        var greeting = outcome.Stats.Replies.Single(r => r.Trigger == "answered");
        Assert.True(greeting.Interrupted);
        Assert.NotNull(greeting.HeardText);
        Assert.StartsWith(greeting.HeardText!, greeting.Text);
        Assert.True(greeting.HeardText!.Length < greeting.Text.Length / 2);

        // No greeting audio after the clear: the next agent audio is the answer, which needs a whole turn first.
        var nextAudio = outcome.Caller.Heard.First(f => f.At > clear).At;
        Assert.True(nextAudio - clear > TimeSpan.FromMilliseconds(500), $"agent audio {(nextAudio - clear).TotalMilliseconds} ms after the clear");
        var answer = outcome.Stats.Replies.Single(r => r.TurnNumber == 1);
        Assert.Contains("Monday", answer.Text);
        Assert.Equal(0, outcome.CallerFramesLost);
    }

    [Fact]
    public async Task A_cough_into_the_greeting_stops_it_and_the_agent_then_resumes_from_the_cut_sentence()
    {
        var format = MediaFormat.Pcmu8k;
        var word = node.Say("hey", format);
        var onset = (int)(SpeechOnset(word, format.SampleRate).TotalSeconds * format.SampleRate);
        var cough = word[onset..Math.Min(word.Length, onset + (format.SampleRate * 170 / 1000))]; // speech, but too short for a turn
        var script = new CallerScript { SpeakAfterGreeting = false, SpeakAt = TimeSpan.FromMilliseconds(2500) };

        var outcome = await node.Runner(TestConfig.Pipeline()).RunAsync(cough, format, script, Fast, CancellationToken.None);

        Assert.Contains(outcome.Caller.Commands, c => c.Command is ClearPlayout);
        Assert.Empty(outcome.Stats.Turns);
        var greeting = outcome.Stats.Replies.Single(r => r.Trigger == "answered");
        Assert.True(greeting.Interrupted);
        var resumed = outcome.Stats.Replies.Single(r => r.Trigger == "resume");
        Assert.Equal(ReplyRemainder.After(greeting.Text, greeting.HeardText), resumed.Text);
        Assert.EndsWith(resumed.Text, greeting.Text); // the rest of the greeting, from a sentence start
        Assert.False(resumed.Interrupted);
        var clear = outcome.Caller.Commands.First(c => c.Command is ClearPlayout).At;
        Assert.Contains(outcome.Caller.Heard, f => f.At > clear + TimeSpan.FromMilliseconds(400)); // the agent spoke again

        // Switched off, the agent stays silent after the same cough.
        var off = await node.Runner(TestConfig.Pipeline("audioflow.pipeline.turn.resume-after-false-start = off"))
            .RunAsync(cough, format, script, Fast, CancellationToken.None);
        Assert.Contains(off.Caller.Commands, c => c.Command is ClearPlayout);
        Assert.DoesNotContain(off.Stats.Replies, r => r.Trigger == "resume");
    }

    [Fact]
    public async Task A_caller_who_talks_from_the_first_moment_before_any_agent_audio_is_answered_normally()
    {
        var format = MediaFormat.Pcmu8k;
        var script = new CallerScript { SpeakAfterGreeting = false, SpeakAt = TimeSpan.Zero };
        var outcome = await node.Runner(TestConfig.Pipeline()).RunAsync(node.Say("opening hours please", format), format, script, Fast, CancellationToken.None);

        Assert.StartsWith("caller hung up", outcome.Stats.EndReason);
        Assert.Empty(outcome.Stats.Restarts);
        Assert.Contains(outcome.Stats.Replies, r => r.TurnNumber == 1 && r.Text.Contains("Monday"));
    }

    /// <summary>Media time of the first 10 ms block of <paramref name="pcm"/> loud enough to be speech.</summary>
    private static TimeSpan SpeechOnset(short[] pcm, int sampleRate)
    {
        var block = sampleRate / 100;
        for (var i = 0; i + block <= pcm.Length; i += block)
        {
            if (Rms(pcm.AsSpan(i, block)) > 500)
            {
                return TimeSpan.FromSeconds((double)i / sampleRate);
            }
        }

        throw new InvalidOperationException("no speech in the caller audio");
    }

    private static double Rms(ReadOnlySpan<short> pcm)
    {
        double sum = 0;
        foreach (var s in pcm)
        {
            sum += (double)s * s;
        }

        return pcm.Length == 0 ? 0 : Math.Sqrt(sum / pcm.Length);
    }
}
