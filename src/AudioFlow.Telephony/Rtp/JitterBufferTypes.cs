namespace AudioFlow.Telephony.Rtp;

/// <summary>What a <see cref="JitterBuffer.Pull"/> produced.</summary>
public enum JitterBufferFrameKind
{
    /// <summary>No audio to play: not started yet (filling to the target delay), an underrun (nothing arrived), a frame
    /// inserted to grow the delay, or a silence gap of the sender (DTX). Play silence (or keep concealing after a loss).</summary>
    Empty,

    /// <summary>One frame of payload bytes, as the codec encoded them.</summary>
    Audio,

    /// <summary>The frame's packet(s) are missing while later ones are here: decode nothing, run packet-loss concealment
    /// (<see cref="PacketLossConcealment"/>).</summary>
    Lost,
}

/// <summary>One frame out of the jitter buffer (20 ms by default).</summary>
/// <param name="Kind">Audio, lost or empty.</param>
/// <param name="Payload">For <see cref="JitterBufferFrameKind.Audio"/>: exactly one frame of encoded bytes (a slice of
/// a packet or a re-chunked copy; do not write to it). Empty otherwise.</param>
/// <param name="Timestamp">RTP timestamp of the frame's first sample (for Lost: of the missing frame; 0 before start).</param>
/// <param name="Sequence">Sequence number of the (first) packet the frame came from; for Lost, the first missing one.</param>
/// <param name="PayloadType">Payload type of the frame's packet (the buffer's format for Lost/Empty).</param>
public readonly record struct JitterBufferFrame(
    JitterBufferFrameKind Kind,
    ReadOnlyMemory<byte> Payload,
    uint Timestamp,
    ushort Sequence,
    byte PayloadType);

/// <summary>Tells whether one frame of encoded payload is silence.</summary>
public delegate bool SilenceDetector(ReadOnlySpan<byte> payload);

/// <summary>Settings of a <see cref="JitterBuffer"/>. The defaults suit a G.711 trunk call.</summary>
public sealed record JitterBufferOptions
{
    /// <summary>The audio format: payload type played, clock, bytes per timestamp unit.</summary>
    public RtpPayloadFormat Format { get; init; } = RtpPayloadFormat.Pcmu;

    /// <summary>Duration of each frame <see cref="JitterBuffer.Pull"/> returns (its caller's timer period).</summary>
    public TimeSpan FrameDuration { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Target delay at start and its floor.</summary>
    public TimeSpan MinDelay { get; init; } = TimeSpan.FromMilliseconds(40);

    /// <summary>Ceiling of the target delay.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The RFC 3550 jitter estimate is multiplied by this to give one candidate for the target.</summary>
    public double JitterMultiplier { get; init; } = 3;

    /// <summary>How long the peak delay spread and the measured delay are remembered (in whole seconds).</summary>
    public TimeSpan PeakWindow { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>How fast the target comes down once the network calms down.</summary>
    public TimeSpan TargetDecayPerSecond { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Packets after a stream (re)starts during which a missing packet is waited for up to <see cref="MaxDelay"/>
    /// (the spread is not measured yet).</summary>
    public int WarmupPackets { get; init; } = 50;

    /// <summary>When the delay exceeds the target by more than this, frames are dropped even if they are not silent.</summary>
    public TimeSpan HardShrinkExcess { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Mean absolute sample value (16-bit scale) at or below which a G.711/L16 frame counts as silence.</summary>
    public int SilenceThreshold { get; init; } = 200;

    /// <summary>Overrides the silence test used to pick frames to drop or insert; by default G.711 and L16 frames are
    /// decoded for their level, other formats are never considered silent.</summary>
    public SilenceDetector? SilenceDetector { get; init; }

    /// <summary>Bound on packets held (memory guard if the caller stops pulling).</summary>
    public int MaxBufferedPackets { get; init; } = 1000;
}

/// <summary>A snapshot of a <see cref="JitterBuffer"/>'s counters.</summary>
/// <param name="PacketsReceived">Every packet given to <see cref="JitterBuffer.Push"/>.</param>
/// <param name="Duplicates">Packets dropped because their sequence number was already received.</param>
/// <param name="Late">Packets dropped because their audio was already played (or skipped), or from the previous SSRC.</param>
/// <param name="Reordered">Packets that arrived after a higher sequence number (played or not).</param>
/// <param name="SsrcChanges">Times the stream changed SSRC (each a fresh start).</param>
/// <param name="Resyncs">Times the same SSRC restarted its sequence numbers or timestamps (a fresh start too).</param>
/// <param name="NonAudio">Packets of other payload types (telephone events, comfort noise) or of other SSRCs before/between
/// audio: used for sequence accounting only.</param>
/// <param name="PacketsLost">RFC 3550 cumulative loss of the current source: expected − received (sequence numbers).</param>
/// <param name="FramesAudio">Audio frames output.</param>
/// <param name="FramesLost">Lost frames output.</param>
/// <param name="FramesEmpty">Empty frames output (not started, underrun, inserted, sender silence).</param>
/// <param name="FramesInserted">Empty frames output while playing to grow the delay (underruns, waiting for a late packet,
/// proactive growth in silence).</param>
/// <param name="FramesDropped">Audio frames discarded to shrink the delay (silent ones, or any beyond the hard excess).</param>
/// <param name="FramesSkipped">Missing frames skipped without output to shrink the delay after a loss.</param>
/// <param name="Underruns">Times the buffer ran dry while playing.</param>
/// <param name="TargetDelay">Current target delay.</param>
/// <param name="CurrentDelay">Current buffering delay: how long the earliest-arriving recent packets wait before playout.</param>
/// <param name="Jitter">RFC 3550 interarrival jitter estimate.</param>
/// <param name="PeakSpread">Largest minus smallest packet transit time within the peak window.</param>
public sealed record JitterBufferStatistics(
    long PacketsReceived,
    long Duplicates,
    long Late,
    long Reordered,
    long SsrcChanges,
    long Resyncs,
    long NonAudio,
    long PacketsLost,
    long FramesAudio,
    long FramesLost,
    long FramesEmpty,
    long FramesInserted,
    long FramesDropped,
    long FramesSkipped,
    long Underruns,
    TimeSpan TargetDelay,
    TimeSpan CurrentDelay,
    TimeSpan Jitter,
    TimeSpan PeakSpread);
