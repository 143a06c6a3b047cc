using System.Diagnostics.CodeAnalysis;

namespace AudioFlow.Telephony.Sip.Messages;

/// <summary>CSeq: a 32-bit unsigned sequence number and a method (RFC 3261 §20.16).</summary>
public readonly record struct SipCSeq(uint Number, string Method)
{
    public static bool TryParse([NotNullWhen(true)] string? text, out SipCSeq cseq)
    {
        cseq = default;
        if (text is null)
        {
            return false;
        }

        var i = SipText.SkipWs(text, 0);
        var start = i;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        // Leading zeros are fine (RFC 4475 wsinv: "0009"); above 2^32-1 is not (scalar02, scalarlg).
        if (!SipText.TryParseDigits(text.AsSpan(start, i - start), out var number) || number > uint.MaxValue)
        {
            return false;
        }

        var afterNumber = i;
        i = SipText.SkipWs(text, i);
        var method = SipText.ReadToken(text, ref i);
        if (i == afterNumber || method.IsEmpty || SipText.SkipWs(text, i) != text.Length)
        {
            return false;
        }

        cseq = new SipCSeq((uint)number, method.ToString());
        return true;
    }

    public override string ToString() => $"{Number} {Method}";
}
