using System.Text;
using AudioFlow.Telephony.Sip.Messages;

namespace AudioFlow.Telephony.Sip.UserAgent;

/// <summary>
/// DTMF in SIP INFO bodies (the legacy, pre-RFC 6086 way many PBXs and trunks still use):
/// <c>application/dtmf-relay</c> (<c>Signal=5</c> and <c>Duration=160</c> lines) and <c>application/dtmf</c> (the
/// digit alone). Signal values 10 and 11 are read as * and #, 12-15 as A-D (some gateways send event codes).
/// </summary>
public static class SipInfoDtmf
{
    public const string DtmfRelay = "application/dtmf-relay";
    public const string Dtmf = "application/dtmf";

    /// <summary>True when the content type is one of the two DTMF bodies.</summary>
    public static bool IsDtmf(SipContentType? contentType) => contentType is not null && (contentType.Is(DtmfRelay) || contentType.Is(Dtmf));

    /// <summary>The digit an INFO body carries, or null when the body has none.</summary>
    public static char? Parse(SipContentType contentType, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(contentType);
        var text = Encoding.UTF8.GetString(body);
        if (contentType.Is(Dtmf))
        {
            return Digit(text.Trim());
        }

        if (!contentType.Is(DtmfRelay))
        {
            return null;
        }

        foreach (var line in text.Split('\n'))
        {
            var eq = line.IndexOf('=');
            if (eq > 0 && line[..eq].Trim().Equals("Signal", StringComparison.OrdinalIgnoreCase))
            {
                return Digit(line[(eq + 1)..].Trim());
            }
        }

        return null;
    }

    private static char? Digit(string value) => value.ToUpperInvariant() switch
    {
        { Length: 1 } v when char.IsAsciiDigit(v[0]) || v[0] is '*' or '#' or (>= 'A' and <= 'D') => v[0],
        "10" => '*',
        "11" => '#',
        "12" => 'A',
        "13" => 'B',
        "14" => 'C',
        "15" => 'D',
        _ => null,
    };
}
