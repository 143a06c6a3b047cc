using System.Globalization;

namespace AudioFlow.Telephony.Sip.Sdp;

/// <summary>
/// One media description: the m= line and what follows it up to the next m= (RFC 8866 §5.14). Attributes are kept
/// in order, unknown ones included (ice-ufrag, candidate, crypto, ssrc...); the typed accessors read them and skip
/// malformed ones (a bad a=ptime is as good as none).
/// </summary>
public sealed class SdpMedia
{
    /// <summary>audio, video, image, application...</summary>
    public required string MediaType { get; init; }

    /// <summary>0 rejects/disables the stream (RFC 3264 §6, §8.2).</summary>
    public int Port { get; init; }

    /// <summary>The "/number of ports" suffix of m=, when present.</summary>
    public int? PortCount { get; init; }

    /// <summary>RTP/AVP, RTP/AVPF, RTP/SAVP, UDP/TLS/RTP/SAVPF, udptl...</summary>
    public required string Protocol { get; init; }

    /// <summary>Format tokens as written: payload type numbers for RTP profiles.</summary>
    public IReadOnlyList<string> Formats { get; init; } = [];

    /// <summary>Media-level c=, overriding the session's.</summary>
    public SdpConnection? Connection { get; init; }

    public IReadOnlyList<SdpBandwidth> Bandwidths { get; init; } = [];

    public IReadOnlyList<SdpAttribute> Attributes { get; init; } = [];

    /// <summary>i=, k=, malformed b= and unknown line types, in order.</summary>
    public IReadOnlyList<SdpLine> OtherLines { get; init; } = [];

    public bool IsAudio => string.Equals(MediaType, "audio", StringComparison.OrdinalIgnoreCase);

    /// <summary>Port 0: a rejected or disabled stream.</summary>
    public bool IsDisabled => Port == 0;

    /// <summary>The formats that are RTP payload type numbers (0..127), in m= order.</summary>
    public IReadOnlyList<int> PayloadTypes =>
        Formats.Select(f => SdpText.TryParseInt(f, 0, 127, out var pt) ? pt : -1).Where(pt => pt >= 0).ToList();

    public IEnumerable<SdpAttribute> GetAttributes(string name) =>
        Attributes.Where(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase));

    public SdpAttribute? GetAttribute(string name) => GetAttributes(name).FirstOrDefault();

    public bool HasAttribute(string name) => GetAttribute(name) is not null;

    /// <summary>The well-formed a=rtpmap lines.</summary>
    public IReadOnlyList<SdpRtpMap> RtpMaps =>
        GetAttributes("rtpmap").Select(a => SdpRtpMap.TryParse(a.Value, out var m) ? m : null).OfType<SdpRtpMap>().ToList();

    /// <summary>The first well-formed a=rtpmap for <paramref name="payloadType"/>, or null.</summary>
    public SdpRtpMap? GetRtpMap(int payloadType) => RtpMaps.FirstOrDefault(m => m.PayloadType == payloadType);

    /// <summary>The parameters of the first a=fmtp for <paramref name="payloadType"/>, or null.</summary>
    public string? GetFmtp(int payloadType) =>
        GetAttributes("fmtp").Select(a => SdpFmtp.TryParse(a.Value, out var f) ? f : null).FirstOrDefault(f => f?.PayloadType == payloadType)?.Parameters;

    /// <summary>a=ptime in milliseconds (1..1000), else null.</summary>
    public int? Ptime => ReadMilliseconds(Attributes, "ptime");

    /// <summary>a=maxptime in milliseconds (1..1000), else null.</summary>
    public int? MaxPtime => ReadMilliseconds(Attributes, "maxptime");

    /// <summary>The first direction attribute of this media, or null (then the session's applies, else sendrecv).</summary>
    public SdpDirection? Direction => SdpSession.FindDirection(Attributes);

    /// <summary>a=rtcp (RFC 3605), when well-formed.</summary>
    public SdpRtcp? Rtcp => GetAttributes("rtcp").Select(a => SdpRtcp.TryParse(a.Value, out var r) ? r : null).FirstOrDefault(r => r is not null);

    /// <summary>a=rtcp-mux (RFC 5761).</summary>
    public bool RtcpMux => HasAttribute("rtcp-mux");

    public override string ToString() =>
        $"{MediaType} {Port.ToString(CultureInfo.InvariantCulture)}{(PortCount is { } n ? "/" + n.ToString(CultureInfo.InvariantCulture) : "")} {Protocol}" +
        string.Concat(Formats.Select(f => " " + f));

    internal static int? ReadMilliseconds(IEnumerable<SdpAttribute> attributes, string name)
    {
        foreach (var a in attributes.Where(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase)))
        {
            if (a.Value is { } v && SdpText.TryParseInt(v.Trim(), 1, 1000, out var ms))
            {
                return ms;
            }

            // Some UAs write a=ptime:20.0
            if (a.Value is { } d && decimal.TryParse(d.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var dec) && dec >= 1 && dec <= 1000)
            {
                return (int)Math.Round(dec);
            }
        }

        return null;
    }
}
