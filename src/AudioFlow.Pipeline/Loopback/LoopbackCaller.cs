using AudioFlow.Audio;
using AudioFlow.Audio.Channel;
using AudioFlow.Audio.Codecs;

namespace AudioFlow.Pipeline.Loopback;

/// <summary>When the simulated caller starts talking, and when it gives up.</summary>
public sealed record CallerScript
{
    /// <summary>Start speaking once the agent's first reply (the greeting) has played. Otherwise at <see cref="SpeakAt"/>.</summary>
    public bool SpeakAfterGreeting { get; init; } = true;

    /// <summary>Media time at which the caller starts speaking when <see cref="SpeakAfterGreeting"/> is off (barge-in tests).</summary>
    public TimeSpan SpeakAt { get; init; } = TimeSpan.Zero;

    /// <summary>Pause between the greeting's end and the caller's speech.</summary>
    public TimeSpan PauseAfterGreeting { get; init; } = TimeSpan.FromMilliseconds(400);

    /// <summary>
    /// After its audio and keys are over, the caller waits for the agent's answer (a reply that finished playing after
    /// the caller's last action), then hangs up once the agent has been silent this long.
    /// </summary>
    public TimeSpan HangUpAfterAgentSilence { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The caller hangs up at this media time whatever happens.</summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Keys the caller presses, at media times relative to the start of its speech.</summary>
    public IReadOnlyList<(TimeSpan At, char Digit)> Dtmf { get; init; } = [];
}

/// <summary>What the simulated caller did and heard. <see cref="FramesSent"/> counts frames the channel accepted.</summary>
public sealed record CallerResult(
    long FramesSent,
    long FramesDropped,
    TimeSpan SpeechStartedAt,
    TimeSpan Duration,
    bool CallerHungUp,
    IReadOnlyList<HeardFrame> Heard,
    IReadOnlyList<(TimeSpan At, OutboundCommand Command)> Commands)
{
    /// <summary>What the caller heard, laid on its own timeline (silence where the agent said nothing), at the wire rate.</summary>
    public short[] HeardTimeline(int sampleRate)
    {
        var frameSamples = FrameDuration.Samples(sampleRate);
        var frameTime = TimeSpan.FromMilliseconds(FrameDuration.Milliseconds);
        var placed = new List<(long Slot, short[] Pcm)>();
        long cursor = 0;
        foreach (var frame in Heard)
        {
            var slot = Math.Max((long)(frame.At / frameTime), cursor);
            placed.Add((slot, frame.Pcm));
            cursor = slot + 1;
        }

        var timeline = new short[(int)Math.Max(cursor, (long)(Duration / frameTime)) * frameSamples];
        foreach (var (slot, pcm) in placed)
        {
            pcm.AsSpan(0, Math.Min(pcm.Length, frameSamples)).CopyTo(timeline.AsSpan((int)slot * frameSamples));
        }

        return timeline;
    }
}

/// <summary>
/// A simulated caller on a <see cref="LoopbackChannel"/>: sends 20 ms frames paced by the channel's clock (silence,
/// then its speech when the script says, then silence), presses keys, and hangs up when the agent has gone quiet, the
/// call has ended from the other side, or the script's time is up. Used by <c>audioflow call</c>, the latency
/// benchmark and the end-to-end tests.
/// </summary>
public sealed class LoopbackCaller(LoopbackChannel channel, short[] speech, CallerScript script)
{
    private static readonly TimeSpan FrameTime = TimeSpan.FromMilliseconds(FrameDuration.Milliseconds);

    /// <summary>Runs the call from the caller's side until it ends.</summary>
    public async Task<CallerResult> RunAsync(CancellationToken cancellationToken)
    {
        var clock = channel.Clock;
        var codec = PayloadCodec.For(channel.InboundFormat);
        var frameSamples = FrameDuration.Samples(channel.InboundFormat.SampleRate);
        var silence = new byte[codec.BytesFor(frameSamples)];
        codec.Encode(new short[frameSamples], silence);
        var pendingDtmf = new Queue<(TimeSpan At, char Digit)>(script.Dtmf.OrderBy(d => d.At));

        long slots = 0;
        long delivered = 0;
        var speechOffset = 0;
        TimeSpan? speechStart = null;
        TimeSpan? greetingPlayedAt = null;
        TimeSpan? lastActionAt = null;
        var marksBeforeLastAction = 0;
        var callerHungUp = false;
        while (!channel.Ended.IsCompleted && !cancellationToken.IsCancellationRequested)
        {
            var now = clock.Now;
            if (now >= script.MaxDuration || CallerIsDone(now, lastActionAt, marksBeforeLastAction))
            {
                channel.CallerHangsUp(now >= script.MaxDuration ? "caller hung up (time limit)" : "caller hung up");
                callerHungUp = true;
                break;
            }

            if (greetingPlayedAt is null && channel.MarksAcked > 0)
            {
                greetingPlayedAt = now;
            }

            while (slots * FrameTime <= now)
            {
                var frameTime = slots * FrameTime;
                if (speechStart is null && ShouldStartSpeaking(frameTime, greetingPlayedAt))
                {
                    speechStart = frameTime;
                }

                byte[] payload;
                if (speechStart is not null && speechOffset < speech.Length)
                {
                    var length = Math.Min(frameSamples, speech.Length - speechOffset);
                    var pcm = new short[frameSamples];
                    speech.AsSpan(speechOffset, length).CopyTo(pcm);
                    speechOffset += length;
                    payload = new byte[silence.Length];
                    codec.Encode(pcm, payload);
                    if (speechOffset >= speech.Length && pendingDtmf.Count == 0)
                    {
                        lastActionAt = frameTime;
                        marksBeforeLastAction = channel.MarksAcked;
                    }
                }
                else
                {
                    payload = silence;
                }

                if (channel.TryDeliver(new InboundMedia(payload)))
                {
                    delivered++;
                }

                slots++;
                while (speechStart is not null && pendingDtmf.TryPeek(out var key) && speechStart + key.At <= frameTime)
                {
                    pendingDtmf.Dequeue();
                    channel.TryDeliver(new InboundDtmf(key.Digit, "loopback"));
                    if (pendingDtmf.Count == 0 && speechOffset >= speech.Length)
                    {
                        lastActionAt = frameTime;
                        marksBeforeLastAction = channel.MarksAcked;
                    }
                }
            }

            await Task.Delay(clock.ToWall(FrameTime), CancellationToken.None).ConfigureAwait(false);
        }

        return new CallerResult(delivered, channel.FramesDropped, speechStart ?? TimeSpan.Zero, clock.Now, callerHungUp,
            channel.Heard, channel.Commands);
    }

    private bool ShouldStartSpeaking(TimeSpan frameTime, TimeSpan? greetingPlayedAt) => script.SpeakAfterGreeting
        ? greetingPlayedAt is { } played && frameTime >= played + script.PauseAfterGreeting
        : frameTime >= script.SpeakAt;

    private bool CallerIsDone(TimeSpan now, TimeSpan? lastActionAt, int marksBeforeLastAction)
    {
        if (lastActionAt is null || channel.MarksAcked <= marksBeforeLastAction)
        {
            return false;
        }

        var lastAgentAudio = channel.LastHeardAt ?? TimeSpan.Zero;
        var quietSince = lastActionAt > lastAgentAudio ? lastActionAt.Value : lastAgentAudio;
        return now - quietSince >= script.HangUpAfterAgentSilence;
    }
}
