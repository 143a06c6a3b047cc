namespace AudioFlow.Telephony.Streams;

/// <summary>Limits of one media-stream WebSocket (from <c>audioflow.streams</c> in HOCON).</summary>
public sealed record StreamChannelOptions
{
    /// <summary>A text message longer than this is refused and ends the call (1009 "message too big").</summary>
    public int MaxMessageBytes { get; init; } = 64 * 1024;

    /// <summary>Agent audio chunks queued for the socket before the call's playout has to wait.</summary>
    public int SendQueueChunks { get; init; } = 50;

    /// <summary>A socket send that takes longer than this means the client stopped reading: the call ends.</summary>
    public TimeSpan SendTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait for <c>start</c> after the socket opened.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Malformed or unusable messages tolerated per call before it is ended as broken.</summary>
    public int MaxProtocolErrors { get; init; } = 20;

    /// <summary>Chunks a missing one is waited for (dialects without ordering guarantees).</summary>
    public int ReorderWindow { get; init; } = 3;

    /// <summary>Caller frames queued for the call graph (the replay buffer that absorbs a stage restart).</summary>
    public int InboundBufferFrames { get; init; } = 1500;
}
