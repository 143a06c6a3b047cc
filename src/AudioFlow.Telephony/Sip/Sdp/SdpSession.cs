using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace AudioFlow.Telephony.Sip.Sdp;

/// <summary>
/// A session description (RFC 8866, formerly RFC 4566). Immutable; build one with an object initialiser, parse one
/// with <see cref="Parse(string)"/>, write one with <see cref="ToString"/> (CRLF line ends, RFC field order).
/// </summary>
public sealed class SdpSession
{
    /// <summary>v=; always 0.</summary>
    public int Version { get; init; }

    /// <summary>o=; null only when a (non-conforming) SDP had none.</summary>
    public SdpOrigin? Origin { get; init; }

    /// <summary>s=; "-" when absent or empty.</summary>
    public string SessionName { get; init; } = "-";

    /// <summary>Session-level c=, the default for media without their own.</summary>
    public SdpConnection? Connection { get; init; }

    public IReadOnlyList<SdpBandwidth> Bandwidths { get; init; } = [];

    /// <summary>t= lines (empty when the SDP had none).</summary>
    public IReadOnlyList<SdpTiming> Timings { get; init; } = [];

    /// <summary>Session-level a= lines, in order, unknown ones included.</summary>
    public IReadOnlyList<SdpAttribute> Attributes { get; init; } = [];

    /// <summary>i=, u=, e=, p=, r=, z=, k=, malformed b= and unknown line types, in order.</summary>
    public IReadOnlyList<SdpLine> OtherLines { get; init; } = [];

    public IReadOnlyList<SdpMedia> Media { get; init; } = [];

    /// <summary>Session-level direction attribute (the default for every media), or null.</summary>
    public SdpDirection? Direction => FindDirection(Attributes);

    public SdpAttribute? GetAttribute(string name) =>
        Attributes.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The c= that applies to <paramref name="media"/>: its own, else the session's.</summary>
    public SdpConnection? ConnectionFor(SdpMedia media) => media.Connection ?? Connection;

    /// <summary>The direction that applies to <paramref name="media"/>: its own, else the session's, else sendrecv.</summary>
    public SdpDirection DirectionOf(SdpMedia media) => media.Direction ?? Direction ?? SdpDirection.SendRecv;

    /// <inheritdoc cref="SdpParser.Parse(string)"/>
    public static SdpSession Parse(string text) => SdpParser.Parse(text);

    /// <inheritdoc cref="SdpParser.TryParse(string?, out SdpSession?, out SdpParseException?)"/>
    public static bool TryParse(string? text, [NotNullWhen(true)] out SdpSession? session, [NotNullWhen(false)] out SdpParseException? error) =>
        SdpParser.TryParse(text, out session, out error);

    /// <summary>The SDP text, CRLF line ends. Throws <see cref="ArgumentException"/> if a value holds CR or LF.</summary>
    public override string ToString() => SdpWriter.Write(this);

    /// <summary>The SDP as UTF-8 bytes (a SIP body).</summary>
    public byte[] ToBytes() => Encoding.UTF8.GetBytes(ToString());

    internal static SdpDirection? FindDirection(IEnumerable<SdpAttribute> attributes)
    {
        foreach (var a in attributes)
        {
            if (a.Value is null && SdpDirectionExtensions.TryParse(a.Name, out var d))
            {
                return d;
            }
        }

        return null;
    }
}
