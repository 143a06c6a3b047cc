using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace AudioFlow.Telephony.Sip.Messages;

/// <summary>Content-Type: <c>type/subtype *(;param)</c>, e.g. <c>multipart/mixed;boundary=7a9cbec02ceef655</c>.</summary>
public sealed class SipContentType(string type, string subType)
{
    public string Type { get; } = type;

    public string SubType { get; } = subType;

    public SipParameters Parameters { get; } = new();

    public string MediaType => Type + "/" + SubType;

    public string? Boundary => Parameters.Get("boundary");

    /// <summary>Case-insensitive comparison with a <c>type/subtype</c> string.</summary>
    public bool Is(string mediaType) => string.Equals(MediaType, mediaType, StringComparison.OrdinalIgnoreCase);

    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out SipContentType? contentType)
    {
        contentType = null;
        if (text is null)
        {
            return false;
        }

        var i = SipText.SkipWs(text, 0);
        var type = SipText.ReadToken(text, ref i);
        i = SipText.SkipWs(text, i);
        if (type.IsEmpty || i >= text.Length || text[i] != '/')
        {
            return false;
        }

        i = SipText.SkipWs(text, i + 1);
        var subType = SipText.ReadToken(text, ref i);
        if (subType.IsEmpty)
        {
            return false;
        }

        var result = new SipContentType(type.ToString(), subType.ToString());
        if (!SipParameters.TryParseHeaderParams(text, ref i, result.Parameters))
        {
            return false;
        }

        contentType = result;
        return true;
    }

    public override string ToString()
    {
        var sb = new StringBuilder(MediaType);
        Parameters.AppendHeaderParams(sb);
        return sb.ToString();
    }
}
