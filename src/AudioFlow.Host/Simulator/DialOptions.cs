using AudioFlow.Audio.Channel;

namespace AudioFlow.Host.Simulator;

/// <summary>How one simulated provider call behaves (<c>audioflow dial</c>).</summary>
public sealed record DialOptions(string Provider, Uri AnswerUrl, short[] Speech)
{
    /// <summary>Start speaking this long after the greeting finished playing; null to use <see cref="SpeakAt"/>.</summary>
    public TimeSpan? PauseAfterGreeting { get; init; } = TimeSpan.FromMilliseconds(400);

    /// <summary>Start speaking at this time into the stream (barging into the greeting) when <see cref="PauseAfterGreeting"/> is null.</summary>
    public TimeSpan SpeakAt { get; init; }

    /// <summary>Keys pressed after the speech (relative to its end).</summary>
    public IReadOnlyList<(TimeSpan After, char Digit)> Dtmf { get; init; } = [];

    /// <summary>After its last action and the agent's answer, hang up when the agent has been silent this long.</summary>
    public TimeSpan HangUpAfterAgentSilence { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Send provider signatures computed with this token (servers in signature mode).</summary>
    public string? AuthToken { get; init; }

    /// <summary>Don't acknowledge marks (a provider that never acks: the server must time them out).</summary>
    public bool NeverAckMarks { get; init; }

    /// <summary>Fetch the server's own account of the call afterwards (frames lost) from /api/calls/recent.</summary>
    public bool FetchServerReport { get; init; } = true;

    /// <summary>The stream's media format (Twilio/Telnyx: µ-law 8 kHz; Vobiz/Plivo: as the answer's contentType says).</summary>
    public MediaFormat Format { get; init; } = MediaFormat.Pcmu8k;
}
