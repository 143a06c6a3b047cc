using System.Globalization;
using System.Net;
using AudioFlow.Telephony.Sip.Messages;
using AudioFlow.Telephony.Sip.Transport;

namespace AudioFlow.Telephony.Sip.UserAgent;

/// <summary>
/// A dialog as the UAS sees it (RFC 3261 §12): created from the INVITE it answers with a 2xx. Local = the callee
/// (our To, with our tag), remote = the caller (its From); the remote target is the caller's Contact (refreshed by
/// re-INVITEs), the route set the INVITE's Record-Route values in order. Builds in-dialog requests (§12.2.1.1: loose
/// routing, strict routing when the first route lacks <c>lr</c>) and checks the remote CSeq of incoming ones
/// (§12.2.2). Not thread-safe: the user agent uses it under the transaction layer's lock.
/// </summary>
public sealed class SipDialog
{
    private SipDialog(string callId, string localTag, string remoteTag, SipNameAddr local, SipNameAddr remote, SipUri remoteTarget,
        IReadOnlyList<SipNameAddr> routeSet, uint remoteCSeq, SipFlow flow)
    {
        CallId = callId;
        LocalTag = localTag;
        RemoteTag = remoteTag;
        LocalParty = local;
        RemoteParty = remote;
        RemoteTarget = remoteTarget;
        RouteSet = routeSet;
        RemoteCSeq = remoteCSeq;
        Flow = flow;
        LocalCSeq = (uint)Random.Shared.Next(1, 1 << 20);
    }

    public string CallId { get; }

    /// <summary>Our tag (the To tag of our responses).</summary>
    public string LocalTag { get; }

    /// <summary>The caller's From tag.</summary>
    public string RemoteTag { get; }

    /// <summary>Our party (the INVITE's To, with our tag): the From of our requests.</summary>
    public SipNameAddr LocalParty { get; }

    /// <summary>The caller (the INVITE's From, with its tag): the To of our requests.</summary>
    public SipNameAddr RemoteParty { get; }

    /// <summary>Where our in-dialog requests go (the caller's Contact; updated by target refresh requests).</summary>
    public SipUri RemoteTarget { get; internal set; }

    /// <summary>The Record-Route URIs of the INVITE, in order (our requests follow them).</summary>
    public IReadOnlyList<SipNameAddr> RouteSet { get; }

    public uint LocalCSeq { get; private set; }

    public uint RemoteCSeq { get; private set; }

    /// <summary>The flow the INVITE arrived on (transport, both ends, TCP connection).</summary>
    public SipFlow Flow { get; }

    public SipTransportKind Transport => Flow.Transport;

    /// <summary>
    /// The dialog of a dialog-creating INVITE answered with <paramref name="localTag"/>. Throws
    /// <see cref="FormatException"/> when the INVITE lacks what a dialog needs (From tag, a SIP Contact).
    /// </summary>
    public static SipDialog CreateAsUas(SipRequest invite, IncomingSipMessage source, string localTag)
    {
        ArgumentNullException.ThrowIfNull(invite);
        ArgumentNullException.ThrowIfNull(source);
        var from = invite.From ?? throw new FormatException("the INVITE has no usable From");
        var to = invite.To ?? throw new FormatException("the INVITE has no usable To");
        var remoteTag = from.Tag ?? throw new FormatException("the INVITE's From has no tag");
        var contact = invite.Contacts.FirstOrDefault(c => !c.IsWildcard && c.Uri.IsSip)
            ?? throw new FormatException("the INVITE has no SIP Contact");
        var callId = invite.CallId ?? throw new FormatException("the INVITE has no Call-ID");
        var local = SipNameAddr.Parse(to.ToString());
        local.Tag = localTag;
        return new SipDialog(callId, localTag, remoteTag, local, SipNameAddr.Parse(from.ToString()), contact.Uri, invite.RecordRoutes.ToArray(),
            invite.CSeq?.Number ?? 0, source.Flow);
    }

    /// <summary>True when <paramref name="request"/> belongs to this dialog: same Call-ID, its To tag ours, its From tag the caller's.</summary>
    public bool Matches(SipRequest request) =>
        string.Equals(request.CallId, CallId, StringComparison.Ordinal)
        && string.Equals(request.To?.Tag, LocalTag, StringComparison.Ordinal)
        && string.Equals(request.From?.Tag, RemoteTag, StringComparison.Ordinal);

    /// <summary>
    /// §12.2.2: accepts the CSeq of an in-dialog request (and remembers it); false when it is lower than the last
    /// one (out of order: answer 500). ACK and CANCEL are not checked.
    /// </summary>
    public bool AcceptRemoteCSeq(SipRequest request)
    {
        if (request.Method is "ACK" or "CANCEL" || request.CSeq is not { } cseq)
        {
            return true;
        }

        if (cseq.Number < RemoteCSeq)
        {
            return false;
        }

        RemoteCSeq = cseq.Number;
        return true;
    }

    /// <summary>A new request in this dialog (§12.2.1.1); the transaction layer adds the Via.</summary>
    public SipRequest CreateRequest(string method, SipNameAddr? contact, string? userAgent = null)
    {
        var strict = RouteSet.Count > 0 && !RouteSet[0].Uri.IsLooseRouting;
        var requestUri = strict ? StripForRequestUri(RouteSet[0].Uri) : Clone(RemoteTarget);
        var request = new SipRequest(method, requestUri);
        request.Headers.Add(SipHeaderNames.MaxForwards, "70");
        request.Headers.Add(SipHeaderNames.From, LocalParty.ToString());
        request.Headers.Add(SipHeaderNames.To, RemoteParty.ToString());
        request.Headers.Add(SipHeaderNames.CallId, CallId);
        LocalCSeq++;
        request.Headers.Add(SipHeaderNames.CSeq, new SipCSeq(LocalCSeq, method).ToString());
        var routes = strict ? RouteSet.Skip(1).Select(r => r.ToString()).Append($"<{RemoteTarget}>") : RouteSet.Select(r => r.ToString());
        foreach (var route in routes)
        {
            request.Headers.Add(SipHeaderNames.Route, route);
        }

        if (contact is not null)
        {
            request.Headers.Add(SipHeaderNames.Contact, contact.ToString());
        }

        if (userAgent is not null)
        {
            request.Headers.Add("User-Agent", userAgent);
        }

        return request;
    }

    /// <summary>
    /// The URI of the next hop of our in-dialog requests: the first route (loose or strict), else the remote target.
    /// </summary>
    public SipUri NextHop => RouteSet.Count > 0 ? RouteSet[0].Uri : RemoteTarget;

    /// <summary>The transport a URI asks for (transport= parameter), else the one the dialog came on.</summary>
    public SipTransportKind TransportFor(SipUri uri) =>
        SipTransportKindExtensions.TryParseViaToken(uri.Transport, out var kind) ? kind : Transport;

    /// <summary>Resolves a SIP URI's host (IP literal or name, RFC 3263 A/AAAA only) and port (default 5060).</summary>
    public static async Task<SipEndPoint> ResolveAsync(SipUri uri, System.Net.Sockets.AddressFamily preferred, CancellationToken cancellationToken)
    {
        var host = uri.MAddr ?? uri.Host;
        var port = uri.Port ?? 5060;
        if (SipViaHeaders.TryParseHostAddress(host, out var literal))
        {
            return new SipEndPoint(literal, port);
        }

        IPAddress address = await SipTransport.ResolveHostAsync(host, preferred, cancellationToken).ConfigureAwait(false);
        return new SipEndPoint(address, port);
    }

    private static SipUri Clone(SipUri uri) => SipUri.Parse(uri.ToString());

    /// <summary>§19.1.1: method, maddr, ttl, transport and lr may stay; URI headers may not be in a Request-URI... we drop headers only.</summary>
    private static SipUri StripForRequestUri(SipUri uri)
    {
        var clone = Clone(uri);
        clone.Headers.Clear();
        return clone;
    }

    public override string ToString() =>
        $"dialog {CallId} local {LocalTag} remote {RemoteTag} target {RemoteTarget}" +
        (RouteSet.Count > 0 ? " via " + string.Join(", ", RouteSet.Select(r => r.Uri.ToString())) : "") +
        $" CSeq {LocalCSeq.ToString(CultureInfo.InvariantCulture)}/{RemoteCSeq.ToString(CultureInfo.InvariantCulture)}";
}
