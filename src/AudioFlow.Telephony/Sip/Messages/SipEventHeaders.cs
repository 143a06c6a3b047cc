using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace AudioFlow.Telephony.Sip.Messages;

/// <summary>Event (RFC 6665): <c>refer;id=93809824</c>, <c>dialog</c>, <c>presence.winfo</c>...</summary>
public sealed class SipEventHeader(string eventType)
{
    public string EventType { get; } = eventType;

    public SipParameters Parameters { get; } = new();

    public string? Id => Parameters.Get("id");

    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out SipEventHeader? value)
    {
        value = null;
        if (text is null)
        {
            return false;
        }

        var i = SipText.SkipWs(text, 0);
        var type = SipText.ReadToken(text, ref i);
        if (type.IsEmpty)
        {
            return false;
        }

        var result = new SipEventHeader(type.ToString());
        if (!SipParameters.TryParseHeaderParams(text, ref i, result.Parameters))
        {
            return false;
        }

        value = result;
        return true;
    }

    public override string ToString()
    {
        var sb = new StringBuilder(EventType);
        Parameters.AppendHeaderParams(sb);
        return sb.ToString();
    }
}

/// <summary>Subscription-State (RFC 6665): <c>active;expires=60</c>, <c>terminated;reason=noresource</c>.</summary>
public sealed class SipSubscriptionState(string state)
{
    /// <summary>active, pending, terminated or an extension value, as written.</summary>
    public string State { get; } = state;

    public SipParameters Parameters { get; } = new();

    public bool IsTerminated => string.Equals(State, "terminated", StringComparison.OrdinalIgnoreCase);

    public uint? Expires => ParseUInt(Parameters.Get("expires"));

    public string? Reason => Parameters.Get("reason");

    public uint? RetryAfter => ParseUInt(Parameters.Get("retry-after"));

    private static uint? ParseUInt(string? s) => SipText.TryParseDigits(s, out var v) && v <= uint.MaxValue ? (uint)v : null;

    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out SipSubscriptionState? value)
    {
        value = null;
        if (text is null)
        {
            return false;
        }

        var i = SipText.SkipWs(text, 0);
        var state = SipText.ReadToken(text, ref i);
        if (state.IsEmpty)
        {
            return false;
        }

        var result = new SipSubscriptionState(state.ToString());
        if (!SipParameters.TryParseHeaderParams(text, ref i, result.Parameters))
        {
            return false;
        }

        value = result;
        return true;
    }

    public override string ToString()
    {
        var sb = new StringBuilder(State);
        Parameters.AppendHeaderParams(sb);
        return sb.ToString();
    }
}
