namespace AudioFlow.Telephony.Rtp.Session;

/// <summary>A snapshot of one <see cref="RtpSession"/>'s counters (reports, the SIP calls endpoint, the load test).</summary>
public sealed record RtpSessionStatistics
{
    /// <summary>RTP packets received (audio and telephone events, any source).</summary>
    public long PacketsReceived { get; init; }

    /// <summary>RTP packets sent (audio and telephone events).</summary>
    public long PacketsSent { get; init; }

    /// <summary>Frames delivered to the call (one per 20 ms since the session started).</summary>
    public long FramesDelivered { get; init; }

    /// <summary>Frames of caller audio delivered.</summary>
    public long FramesAudio { get; init; }

    /// <summary>Frames the jitter buffer reported lost (delivered as codec silence).</summary>
    public long FramesLost { get; init; }

    /// <summary>Frames with nothing to play (before playout started, underruns, sender silence): codec silence.</summary>
    public long FramesEmpty { get; init; }

    /// <summary>Times the jitter buffer ran dry while playing.</summary>
    public long Underruns { get; init; }

    /// <summary>Packets dropped because they arrived after their playout time.</summary>
    public long LatePackets { get; init; }

    /// <summary>RFC 3550 cumulative loss of the current source (expected − received).</summary>
    public long PacketsLost { get; init; }

    public long Duplicates { get; init; }

    /// <summary>Jitter estimate of the current source, ms.</summary>
    public double JitterMs { get; init; }

    /// <summary>The jitter buffer's current target delay, ms.</summary>
    public double JitterBufferDelayMs { get; init; }

    /// <summary>Ticks that delivered a frame more than 60 ms after it was due (the frames then came in a catch-up burst).</summary>
    public long LateTicks { get; init; }

    /// <summary>The longest a frame waited past its due time before it was delivered to the call, ms.</summary>
    public double MaxDeliveryDelayMs { get; init; }

    /// <summary>Frames skipped because a tick came so late that catching up would have flooded the call.</summary>
    public long SkippedFrames { get; init; }

    /// <summary>Agent frames sent as RTP.</summary>
    public long FramesSent { get; init; }

    /// <summary>Agent frames dropped: by a clear (barge-in), while not sending (hold), over the queue bound.</summary>
    public long FramesDroppedOutbound { get; init; }

    /// <summary>Agent frames sent later than their pacing slot (should stay 0).</summary>
    public long LateSends { get; init; }

    /// <summary>Digits received (RFC 4733 and in-band).</summary>
    public long DigitsReceived { get; init; }

    /// <summary>Digits sent as RFC 4733 events.</summary>
    public long DigitsSent { get; init; }

    public long RtcpSent { get; init; }

    public long RtcpReceived { get; init; }

    /// <summary>Datagrams that were neither valid RTP nor RTCP.</summary>
    public long Malformed { get; init; }

    /// <summary>Times the send address was (re)latched onto the peer's real source (symmetric RTP).</summary>
    public long Latches { get; init; }

    /// <summary>Where RTP goes now (the latched source, else the SDP address).</summary>
    public string? RemoteRtp { get; init; }
}
