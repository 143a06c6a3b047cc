using AudioFlow.Audio.Channel;

namespace AudioFlow.Telephony.Streams;

/// <summary>
/// What goes into a Plivo/Vobiz <c>&lt;Stream&gt;</c> answer (see <see cref="StreamAnswers.PlivoStreamXml"/>).
/// Defaults: bidirectional, keep the call alive, µ-law 8 kHz; every other attribute only when set.
/// </summary>
/// <param name="Url">The WebSocket URL (ws:// or wss://), written as the element text.</param>
public sealed record StreamAnswerOptions(string Url)
{
    /// <summary>The stream's <c>contentType</c>; µ-law 8 kHz by default (the providers' default is L16 8 kHz, and is what Vobiz advises against).</summary>
    public MediaFormat ContentType { get; init; } = MediaFormat.Pcmu8k;

    /// <summary><c>bidirectional</c>: the provider accepts <c>playAudio</c>. Required by <see cref="KeepCallAlive"/>.</summary>
    public bool Bidirectional { get; init; } = true;

    /// <summary><c>keepCallAlive</c>: without it the call runs off the end of the XML and hangs up.</summary>
    public bool KeepCallAlive { get; init; } = true;

    /// <summary><c>audioTrack</c>: "inbound", "outbound" or "both"; must be inbound (or unset) when bidirectional.</summary>
    public string? AudioTrack { get; init; }

    /// <summary><c>streamTimeout</c> in seconds (provider default 86400).</summary>
    public int? StreamTimeoutSeconds { get; init; }

    /// <summary><c>statusCallbackUrl</c>.</summary>
    public string? StatusCallbackUrl { get; init; }

    /// <summary><c>statusCallbackMethod</c>, written only with <see cref="StatusCallbackUrl"/>.</summary>
    public string StatusCallbackMethod { get; init; } = "POST";

    /// <summary><c>extraHeaders</c> as "k=v,k2=v2": keys and values [A-Za-z0-9], at most 512 bytes in all.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? ExtraHeaders { get; init; }

    /// <summary><c>maxRetries</c> 0..10 (each reconnect brings a fresh <c>start</c> with a new stream id).</summary>
    public int? MaxRetries { get; init; }
}
