using AudioFlow.Telephony.Sip.Messages;

namespace AudioFlow.Telephony.Sip.Transactions;

/// <summary>Requests the transaction layer derives from others: the ACK of a non-2xx (§17.1.1.3) and CANCEL (§9.1).</summary>
public static class SipRequests
{
    /// <summary>
    /// The ACK an INVITE client transaction sends for a 300-699 response (§17.1.1.3): same Request-URI,
    /// Call-ID, From and CSeq number; To from the response (with its tag); one Via equal to the INVITE's top Via
    /// (same branch); the INVITE's Route headers.
    /// </summary>
    public static SipRequest CreateAckForNonSuccess(SipRequest invite, SipResponse response)
    {
        ArgumentNullException.ThrowIfNull(invite);
        ArgumentNullException.ThrowIfNull(response);
        var ack = new SipRequest("ACK", invite.RequestUri);
        CopyTopVia(invite, ack);
        ack.Headers.Add(SipHeaderNames.MaxForwards, "70");
        Copy(invite, ack, SipHeaderNames.From);
        ack.Headers.Add(SipHeaderNames.To, response.Headers.Get(SipHeaderNames.To) ?? invite.Headers.Get(SipHeaderNames.To) ?? "");
        Copy(invite, ack, SipHeaderNames.CallId);
        ack.Headers.Add(SipHeaderNames.CSeq, new SipCSeq(invite.CSeq?.Number ?? 1, "ACK").ToString());
        foreach (var route in invite.Headers.GetAll(SipHeaderNames.Route))
        {
            ack.Headers.Add(SipHeaderNames.Route, route);
        }

        return ack;
    }

    /// <summary>
    /// A CANCEL for a request (§9.1): same Request-URI, Call-ID, To, From and CSeq number (method CANCEL), one
    /// Via equal to the request's top Via (so it has the same branch), the request's Route headers. Send it only
    /// after a provisional response arrived.
    /// </summary>
    public static SipRequest CreateCancel(SipRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var cancel = new SipRequest("CANCEL", request.RequestUri);
        CopyTopVia(request, cancel);
        cancel.Headers.Add(SipHeaderNames.MaxForwards, "70");
        Copy(request, cancel, SipHeaderNames.From);
        Copy(request, cancel, SipHeaderNames.To);
        Copy(request, cancel, SipHeaderNames.CallId);
        cancel.Headers.Add(SipHeaderNames.CSeq, new SipCSeq(request.CSeq?.Number ?? 1, "CANCEL").ToString());
        foreach (var route in request.Headers.GetAll(SipHeaderNames.Route))
        {
            cancel.Headers.Add(SipHeaderNames.Route, route);
        }

        return cancel;
    }

    private static void CopyTopVia(SipRequest from, SipRequest to)
    {
        var via = from.TopVia ?? throw new ArgumentException("The request has no usable Via.", nameof(from));
        to.Headers.Add(SipHeaderNames.Via, via.ToString());
    }

    private static void Copy(SipRequest from, SipRequest to, string name)
    {
        if (from.Headers.Get(name) is { } value)
        {
            to.Headers.Add(name, value);
        }
    }
}
