namespace AudioFlow.Telephony.Sip.Sdp;

/// <summary>
/// The SDP could not be used: not SDP at all, or a line the negotiation depends on (v=, o=, c=, t=, m=) is malformed
/// or ambiguous. The only exception <see cref="SdpParser.Parse(string)"/> throws (fuzz-tested). A SIP UAS usually
/// answers an INVITE whose body raises it with 400 (or 488).
/// </summary>
public sealed class SdpParseException : FormatException
{
    public SdpParseException(string reason, int lineNumber = 0)
        : base(lineNumber > 0 ? $"Invalid SDP (line {lineNumber}): {reason}" : "Invalid SDP: " + reason)
    {
        Reason = reason;
        LineNumber = lineNumber;
    }

    /// <summary>Short ASCII description of the problem, without the line number.</summary>
    public string Reason { get; }

    /// <summary>1-based line of the problem, 0 when it is not tied to one line (empty input, too large...).</summary>
    public int LineNumber { get; }

    /// <summary>The parser failed unexpectedly (a bug, caught and wrapped). Never expected: the fuzz tests check it.</summary>
    public bool IsInternalError { get; init; }
}
