using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using AudioFlow.Audio.Channel;
using AudioFlow.Telephony.Rtp.Session;
using AudioFlow.Telephony.Sip.Messages;
using AudioFlow.Telephony.Sip.Sdp;
using AudioFlow.Telephony.Sip.Transactions;
using AudioFlow.Telephony.Sip.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AudioFlow.Telephony.Sip.UserAgent;

/// <summary>
/// AudioFlow's SIP user agent core (RFC 3261 §8.2, §12-15 as a UAS): answers trunk calls and hands each to the node
/// as a <see cref="SipCallChannel"/>.
/// <list type="bullet">
/// <item>Every request: source address against the allow-list (403), <c>Require</c> (420 with Unsupported: we
/// support no extension), Max-Forwards 0 (483, except OPTIONS); known methods we do not take (SUBSCRIBE, MESSAGE,
/// UPDATE, PRACK, PUBLISH, REGISTER, REFER) get 405 with Allow, unknown ones 501; in-dialog requests that match no
/// dialog 481, out-of-order CSeq 500.</item>
/// <item>New INVITE: digest authentication when configured (401 with a challenge), 503 over the call limit, 415 for
/// a body that is not SDP, 488 with a Warning when the offer does not fit (no common codec, SRTP, IPv6-only...),
/// 503 when no RTP port is free; then an RTP session, 100, 180 (Record-Route copied, our tag and Contact), after
/// <see cref="SipUserAgentOptions.AnswerDelay"/> the 200 with our SDP (retransmitted until the ACK), the media
/// starts and the call is handed to the <see cref="ISipCallSink"/>. A CANCEL before the 200 gets 487 and no call.
/// The ACK never arriving ends the call with a BYE ("ACK never arrived").</item>
/// <item>re-INVITE: target refresh, SDP re-answer (hold: sendonly → recvonly, our RTP stops; resume); a codec change
/// is taken (the call's own codec preferred when still offered): the call graph keeps its format and the RTP session
/// transcodes (G.711 µ/A-law, G.722); another payload type of the same codec is taken. A re-INVITE without SDP is
/// answered with our current SDP as the offer; the answer in its ACK is not used (our media stays as it was).</item>
/// <item>BYE from the caller: 200, the call ends ("caller hung up"). The agent's <see cref="HangUp"/>: queued audio
/// drains (≤ 200 ms), then BYE (after the ACK, §15), the call ends ("agent hung up").</item>
/// <item>OPTIONS (in or out of dialog, keep-alives): 200 with Allow, Accept, Supported. INFO with
/// <c>application/dtmf-relay</c> or <c>application/dtmf</c>: the digit goes to the call; an empty INFO gets 200; other
/// bodies 415.</item>
/// <item>Blind transfer (<see cref="TransferCall"/>): REFER with Refer-To and Referred-By; a non-2xx or no answer
/// fails it; after the 202 the NOTIFYs (Event: refer, message/sipfrag) are answered 200 and followed: a 2xx sipfrag
/// succeeds (<see cref="TransferResult"/>, then our BYE, "transferred to ..."), 3xx-6xx or a subscription terminated
/// without a final status fails it, no final NOTIFY within <see cref="SipUserAgentOptions.TransferTimeout"/> fails it;
/// after a failure the call goes on.</item>
/// </list>
/// Threading: every callback runs under the transaction layer's lock (<see cref="SipTransactionLayer.Gate"/>), and so
/// does every change to the calls; asynchronous work (the answer delay, BYE/REFER round trips, starting the call on the
/// node) re-enters through <see cref="SipTransactionLayer.Invoke"/>. The media never takes that lock.
/// <para>Delayed offer (an INVITE without SDP): the 200 carries our offer (every codec we take plus telephone-event), the
/// ACK's answer picks the media and only then does the call start on the node; an ACK without a usable answer gets a
/// BYE.</para>
/// <para>Not done: early media (183), session timers (RFC 4028), 100rel/PRACK,
/// UPDATE, inbound REFER (being transferred), SUBSCRIBE/NOTIFY other than the implicit refer subscription, TLS/SRTP,
/// RFC 3263 SRV/NAPTR lookups.</para>
/// </summary>
public sealed class SipUserAgent : ISipTransactionUser
{
    /// <summary>Methods we take (the Allow header).</summary>
    public static readonly IReadOnlyList<string> AllowedMethods = ["INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", "INFO", "NOTIFY"];

    private static readonly HashSet<string> KnownNotAllowed = new(StringComparer.Ordinal)
    {
        "SUBSCRIBE", "MESSAGE", "UPDATE", "PRACK", "PUBLISH", "REGISTER", "REFER",
    };

    private static readonly string Allow = string.Join(", ", AllowedMethods);
    private const string Accept = "application/sdp, application/dtmf-relay, application/dtmf, message/sipfrag";

    private readonly SipUserAgentOptions _options;
    private readonly ISipCallSink _sink;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SipDigestAuthenticator? _auth;
    private readonly Dictionary<string, SipCall> _calls = new(StringComparer.Ordinal);
    private readonly Dictionary<SipServerTransaction, SipCall> _ringing = [];
    private readonly Dictionary<string, SipCall> _unacknowledged = new(StringComparer.Ordinal);
    private readonly LinkedList<SipCallInfo> _recent = new();
    private readonly object _recentGate = new();
    private SipTransactionLayer? _layer;

    public SipUserAgent(SipUserAgentOptions options, ISipCallSink sink, ILogger? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sink);
        options.Validate();
        _options = options;
        _sink = sink;
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        Ports = new RtpPortAllocator(options.RtpPortMin, options.RtpPortMax);
        if (options.Authentication is { } auth)
        {
            _auth = new SipDigestAuthenticator(auth.Realm, auth.Username, auth.Password, _time);
        }
    }

    public SipUserAgentOptions Options => _options;

    /// <summary>The RTP ports of the calls.</summary>
    public RtpPortAllocator Ports { get; }

    private SipTransactionLayer Layer => _layer ?? throw new InvalidOperationException("the user agent is not attached to a transaction layer");

    /// <summary>Connects the user agent to the layer that calls it (the layer is built with the user agent as its TU).</summary>
    public void Attach(SipTransactionLayer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (_layer is not null && !ReferenceEquals(_layer, layer))
        {
            throw new InvalidOperationException("the user agent is already attached to another transaction layer");
        }

        _layer = layer;
    }

    /// <summary>Calls answered and not ended.</summary>
    public int ActiveCallCount
    {
        get
        {
            lock (Layer.Gate)
            {
                return _calls.Count;
            }
        }
    }

    /// <summary>The calls up now (and ringing), with their media counters.</summary>
    public IReadOnlyList<SipCallInfo> ActiveCalls
    {
        get
        {
            SipCall[] calls;
            lock (Layer.Gate)
            {
                calls = [.. _ringing.Values, .. _calls.Values];
            }

            return calls.Select(c => c.Info(c.State is SipCallState.Ringing ? null : c.Media.Statistics)).ToArray();
        }
    }

    /// <summary>The last finished calls (newest first), with their final media counters.</summary>
    public IReadOnlyList<SipCallInfo> RecentCalls
    {
        get
        {
            lock (_recentGate)
            {
                return _recent.ToArray();
            }
        }
    }

    internal static string DialogKey(string callId, string localTag) => callId + "\n" + localTag;

    // ================================================================== requests

    /// <inheritdoc />
    public void OnRequest(SipServerTransaction transaction, SipRequest request, IncomingSipMessage source)
    {
        if (!_options.AllowList.Allows(source.Remote.Address))
        {
            _logger.LogWarning("SIP {Method} from {Source} refused: not in the allow-list ({AllowList})", request.Method, source.Remote, _options.AllowList);
            Refuse(transaction, 403, "Forbidden");
            return;
        }

        var unsupported = request.Require.Where(tag => tag.Length > 0).ToArray();
        if (unsupported.Length > 0)
        {
            var response = transaction.CreateResponse(420);
            response.Headers.Add(SipHeaderNames.Unsupported, string.Join(", ", unsupported));
            Refuse(transaction, response);
            return;
        }

        if (request.MaxForwards == 0 && request.Method != "OPTIONS")
        {
            Refuse(transaction, 483, "Too Many Hops");
            return;
        }

        switch (request.Method)
        {
            case "INVITE" when request.To?.Tag is null:
                OnInitialInvite(transaction, request, source);
                break;
            case "INVITE":
                OnReInvite(transaction, request);
                break;
            case "BYE":
                OnBye(transaction, request);
                break;
            case "OPTIONS":
                OnOptions(transaction);
                break;
            case "INFO":
                OnInfo(transaction, request);
                break;
            case "NOTIFY":
                OnNotify(transaction, request);
                break;
            case var method when KnownNotAllowed.Contains(method):
                var notAllowed = transaction.CreateResponse(405);
                notAllowed.Headers.Add(SipHeaderNames.Allow, Allow);
                Refuse(transaction, notAllowed);
                break;
            default:
                var notImplemented = transaction.CreateResponse(501);
                notImplemented.Headers.Add(SipHeaderNames.Allow, Allow);
                Refuse(transaction, notImplemented);
                break;
        }
    }

    private void OnInitialInvite(SipServerTransaction transaction, SipRequest invite, IncomingSipMessage source)
    {
        if (_auth is not null && !Authenticated(transaction, invite, source))
        {
            return;
        }

        if (_options.MaxCalls > 0 && _calls.Count + _ringing.Count >= _options.MaxCalls)
        {
            _logger.LogWarning("SIP INVITE from {Source} refused: {Calls} calls up, the limit is {Max}", source.Remote, _calls.Count + _ringing.Count, _options.MaxCalls);
            var busy = transaction.CreateResponse(503);
            busy.Headers.Add("Retry-After", "5");
            Reject(transaction, busy, "busy");
            return;
        }

        // An INVITE without a body is a delayed offer (RFC 3261 §13.2.1): we offer in the 200, the answer comes in the ACK.
        SdpSession? offer = null;
        if (!invite.Body.IsEmpty)
        {
            if (invite.ContentType is not { } contentType || !contentType.Is("application/sdp"))
            {
                var unsupportedType = transaction.CreateResponse(415);
                unsupportedType.Headers.Add(SipHeaderNames.Accept, "application/sdp");
                Reject(transaction, unsupportedType, "not-acceptable");
                return;
            }

            if (!SdpParser.TryParse(invite.Body.Span, out offer, out var sdpError))
            {
                Reject(transaction, WithWarning(transaction.CreateResponse(488), 399, "SDP does not parse: " + sdpError.Message), "not-acceptable");
                return;
            }
        }

        SipDialog dialog;
        try
        {
            dialog = SipDialog.CreateAsUas(invite, source, transaction.LocalTag);
        }
        catch (FormatException e)
        {
            Reject(transaction, transaction.CreateResponse(400, e.Message), "bad-request");
            return;
        }

        var bindAddress = _options.MediaBindAddress ?? source.Local.Address;
        RtpSession media;
        try
        {
            media = RtpSession.Open(Ports, bindAddress, _options.Rtp, _logger);
        }
        catch (RtpPortsExhaustedException e)
        {
            _logger.LogError("SIP INVITE from {Source} refused: {Error}", source.Remote, e.Message);
            var full = transaction.CreateResponse(503);
            full.Headers.Add("Retry-After", "5");
            Reject(transaction, full, "no-ports");
            return;
        }

        var capabilities = new LocalMediaCapabilities
        {
            Address = _options.MediaPublicAddress ?? (IsAny(bindAddress) ? LocalAddressToward(source.Remote.Address) : bindAddress),
            RtpPort = media.LocalRtpPort,
            Codecs = _options.Codecs,
            PreferredCodecs = _options.PreferOurCodecOrder ? _options.Codecs : [],
            Username = "AudioFlow",
            SessionName = "AudioFlow",
        };
        SdpAnswerResult? answer = null;
        SdpSession localSdp;
        if (offer is null)
        {
            localSdp = SdpNegotiator.Offer(capabilities);
        }
        else
        {
            var outcome = SdpNegotiator.Answer(offer, capabilities);
            if (!outcome.IsAccepted)
            {
                _ = media.DisposeAsync().AsTask();
                _logger.LogInformation("SIP INVITE {SipCallId} from {Source} refused: {Rejection}", dialog.CallId, source.Remote, outcome.Rejection);
                Reject(transaction, WithWarning(transaction.CreateResponse(outcome.Rejection.StatusCode), outcome.Rejection.WarningCode,
                    outcome.Rejection.WarningText + ": " + outcome.Rejection.Detail), "not-acceptable");
                return;
            }

            answer = outcome.Result;
            localSdp = answer.Answer;
        }

        var callId = "sip-" + Sanitize(dialog.CallId) + "-" + dialog.LocalTag[..Math.Min(6, dialog.LocalTag.Length)];
        var call = new SipCall(callId, dialog, transaction, source, media, answer, localSdp, capabilities, OurContact(source), PartyOf(invite.From),
            invite.RequestUri.User ?? PartyOf(invite.To));
        _ringing[transaction] = call;
        transaction.TryRespond(transaction.CreateResponse(100));
        transaction.TryRespond(DialogResponse(call, 180));
        _logger.LogInformation("[call {CallId}] INVITE {SipCallId} from {Source} over {Transport}: {Media}", callId, dialog.CallId, source.Remote,
            dialog.Transport.ViaToken(), (object?)answer ?? "delayed offer (we offer in the 200, the answer comes in the ACK)");
        if (_options.AnswerDelay > TimeSpan.Zero)
        {
            call.AnswerTimer = _time.CreateTimer(_ => Layer.Invoke(() => AnswerCall(call)), null, _options.AnswerDelay, Timeout.InfiniteTimeSpan);
        }
        else
        {
            AnswerCall(call);
        }
    }

    private bool Authenticated(SipServerTransaction transaction, SipRequest request, IncomingSipMessage source)
    {
        var verdict = _auth!.Verify(request, out var why);
        if (verdict == SipAuthVerdict.Accepted)
        {
            return true;
        }

        if (verdict == SipAuthVerdict.Rejected)
        {
            _logger.LogWarning("SIP {Method} from {Source}: authentication failed ({Why})", request.Method, source.Remote, why);
        }

        var challenge = transaction.CreateResponse(401);
        challenge.Headers.Add(SipHeaderNames.WwwAuthenticate, _auth.CreateChallenge(stale: verdict == SipAuthVerdict.Stale).ToString());
        Reject(transaction, challenge, "unauthorized");
        return false;
    }

    private void AnswerCall(SipCall call)
    {
        if (call.State != SipCallState.Ringing)
        {
            return;
        }

        _ringing.Remove(call.Invite);
        call.AnswerTimer?.Dispose();
        var ok = DialogResponse(call, 200);
        ok.Headers.Add(SipHeaderNames.ContentType, "application/sdp");
        ok.Body = call.LocalSdp.ToBytes();
        try
        {
            call.Retransmitter = TwoHundredRetransmitter.Start(call.Invite, ok);
        }
        catch (InvalidOperationException)
        {
            // A CANCEL (or a transport error) ended the INVITE transaction first.
            call.State = SipCallState.Cancelled;
            _ = call.Media.DisposeAsync().AsTask();
            return;
        }

        call.State = SipCallState.Answered;
        _calls[call.Key] = call;
        _unacknowledged[call.Key] = call;
        SipCallMetrics.Invites.Add(1, SipCallMetrics.Tag("result", "answered"));
        SipCallMetrics.ActiveCalls.Add(1);
        if (!call.HasAnswer)
        {
            _logger.LogInformation("[call {CallId}] answered with our offer; the media starts when the ACK brings the answer", call.CallId);
            return;
        }

        StartMedia(call);
    }

    /// <summary>The media is negotiated: the RTP session starts and the call goes to the node.</summary>
    private void StartMedia(SipCall call)
    {
        var channel = new SipCallChannel(call.CallId, call.Format, call.From, call.To, call.Dialog.CallId, call, this, _options.InboundBufferFrames, _logger);
        call.Channel = channel;
        call.Media.Start(RtpMediaParameters.From(call.Answer), channel);
        _logger.LogInformation("[call {CallId}] answered: {Format}, RTP {Local}:{Port} ↔ {Remote}", call.CallId, call.Format, call.Media.LocalAddress,
            call.Media.LocalRtpPort, call.Answer.RemoteRtp);
        _ = StartOnNodeAsync(call, channel);
    }

    private async Task StartOnNodeAsync(SipCall call, SipCallChannel channel)
    {
        await Task.Yield(); // out of the layer's lock
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _sink.StartCallAsync(channel, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogError("[call {CallId}] the node did not take the call: {Error}", call.CallId, e.Message);
            Layer.Invoke(() => EndCall(call, "node refused the call: " + e.Message, "error", sendBye: true));
        }
    }

    private void OnReInvite(SipServerTransaction transaction, SipRequest request)
    {
        if (FindCall(transaction, request) is not { } call)
        {
            return;
        }

        if (call.State == SipCallState.Answered)
        {
            // §14.2: an INVITE while our 2xx to the previous one still waits for its ACK.
            var pending = transaction.CreateResponse(500, "Previous INVITE not yet acknowledged");
            pending.Headers.Add("Retry-After", "1");
            transaction.TryRespond(pending);
            return;
        }

        if (request.Contacts.FirstOrDefault(c => !c.IsWildcard && c.Uri.IsSip) is { } contact)
        {
            call.Dialog.RemoteTarget = contact.Uri;
        }

        if (request.Body.IsEmpty)
        {
            SendReInviteOk(call, transaction, call.LocalSdp); // we offer what we have; the answer in the ACK is not used
            return;
        }

        if (request.ContentType is not { } contentType || !contentType.Is("application/sdp"))
        {
            var unsupportedType = transaction.CreateResponse(415);
            unsupportedType.Headers.Add(SipHeaderNames.Accept, "application/sdp");
            transaction.TryRespond(unsupportedType);
            return;
        }

        if (!SdpParser.TryParse(request.Body.Span, out var offer, out var error))
        {
            transaction.TryRespond(WithWarning(transaction.CreateResponse(488), 399, "SDP does not parse: " + error.Message));
            return;
        }

        // The call graph keeps the format the call started with: prefer it, so that transcoding is only for peers that
        // insist on another codec.
        var graphFormat = call.Channel?.InboundFormat ?? call.Format;
        var capabilities = call.Capabilities with { PreferredCodecs = [graphFormat, .. call.Capabilities.PreferredCodecs] };
        var outcome = SdpNegotiator.Reanswer(call.LocalSdp, offer, capabilities);
        if (!outcome.IsAccepted)
        {
            call.Channel?.Problem("reinvite-refused", outcome.Rejection.ToString());
            transaction.TryRespond(WithWarning(transaction.CreateResponse(488), outcome.Rejection.WarningCode,
                outcome.Rejection.WarningText + ": " + outcome.Rejection.Detail));
            return;
        }

        var result = outcome.Result;
        if (result.Format != call.Format)
        {
            _logger.LogInformation("[call {CallId}] codec changed by the caller from {From} to {To}{Transcoding}", call.CallId, call.Format, result.Format,
                result.Format == graphFormat ? string.Empty : $" (transcoded to the call's {graphFormat})");
        }

        var wasOnHold = call.Answer.IsOnHold;
        call.Answer = result;
        call.LocalSdp = result.Answer;
        call.Media.Update(RtpMediaParameters.From(result));
        if (result.IsOnHold != wasOnHold)
        {
            _logger.LogInformation("[call {CallId}] {What} by the caller", call.CallId, result.IsOnHold ? "put on hold" : "resumed");
        }

        SendReInviteOk(call, transaction, result.Answer);
    }

    private void SendReInviteOk(SipCall call, SipServerTransaction transaction, SdpSession sdp)
    {
        var ok = transaction.CreateResponse(200);
        ok.Headers.Add(SipHeaderNames.Contact, call.Contact.ToString());
        AddCapabilities(ok);
        ok.Headers.Add(SipHeaderNames.ContentType, "application/sdp");
        ok.Body = sdp.ToBytes();
        try
        {
            call.Retransmitter = TwoHundredRetransmitter.Start(transaction, ok);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private void OnBye(SipServerTransaction transaction, SipRequest request)
    {
        if (FindCall(transaction, request) is not { } call)
        {
            return;
        }

        transaction.TryRespond(transaction.CreateResponse(200));
        EndCall(call, "caller hung up", "caller", sendBye: false);
    }

    private void OnOptions(SipServerTransaction transaction)
    {
        var ok = transaction.CreateResponse(200);
        AddCapabilities(ok);
        ok.Headers.Add(SipHeaderNames.Accept, Accept);
        ok.Headers.Add("Accept-Language", "en");
        transaction.TryRespond(ok);
    }

    private void OnInfo(SipServerTransaction transaction, SipRequest request)
    {
        if (FindCall(transaction, request) is not { } call)
        {
            return;
        }

        if (request.Body.IsEmpty)
        {
            transaction.TryRespond(transaction.CreateResponse(200));
            return;
        }

        if (!SipInfoDtmf.IsDtmf(request.ContentType))
        {
            var unsupported = transaction.CreateResponse(415);
            unsupported.Headers.Add(SipHeaderNames.Accept, $"{SipInfoDtmf.DtmfRelay}, {SipInfoDtmf.Dtmf}");
            transaction.TryRespond(unsupported);
            return;
        }

        var digit = SipInfoDtmf.Parse(request.ContentType!, request.Body.Span);
        transaction.TryRespond(transaction.CreateResponse(200));
        if (digit is { } d)
        {
            call.Channel?.Digit(d, "info");
        }
        else
        {
            call.Channel?.Problem("info-dtmf", "a DTMF INFO without a usable digit");
        }
    }

    private void OnNotify(SipServerTransaction transaction, SipRequest request)
    {
        if (FindCall(transaction, request) is not { } call)
        {
            return;
        }

        if (!string.Equals(request.Event?.EventType, "refer", StringComparison.OrdinalIgnoreCase))
        {
            transaction.TryRespond(transaction.CreateResponse(489));
            return;
        }

        transaction.TryRespond(transaction.CreateResponse(200));
        if (call.Transfer is not { } transfer)
        {
            return; // a late NOTIFY of a transfer already decided
        }

        var terminated = request.SubscriptionState?.IsTerminated == true;
        var fragment = Encoding.UTF8.GetString(request.Body.Span);
        var status = ParseSipfrag(fragment, out var statusLine);
        if (status is >= 200 and < 300)
        {
            SucceedTransfer(call, transfer, $"the far end reported \"{statusLine}\"");
        }
        else if (status >= 300)
        {
            FailTransfer(call, transfer, $"the transfer target answered \"{statusLine}\"", "failed");
        }
        else if (terminated)
        {
            FailTransfer(call, transfer, "the refer subscription ended without a final status" + (status is null ? "" : $" (last \"{statusLine}\")"), "failed");
        }
        else
        {
            _logger.LogInformation("[call {CallId}] transfer in progress: {Status}", call.CallId, statusLine);
        }
    }

    /// <summary>The status code of a message/sipfrag body's status line ("SIP/2.0 200 OK"), or null.</summary>
    internal static int? ParseSipfrag(string body, out string statusLine)
    {
        statusLine = body.Split('\n', 2)[0].Trim();
        var parts = statusLine.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && parts[0].StartsWith("SIP/", StringComparison.OrdinalIgnoreCase)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 100 and <= 699
            ? code
            : null;
    }

    /// <summary>The call an in-dialog request belongs to; answers 481 (no dialog) or 500 (CSeq out of order) itself and returns null.</summary>
    private SipCall? FindCall(SipServerTransaction transaction, SipRequest request)
    {
        if (request.CallId is { } callId && request.To?.Tag is { } localTag
            && _calls.TryGetValue(DialogKey(callId, localTag), out var call) && call.Dialog.Matches(request))
        {
            if (call.Dialog.AcceptRemoteCSeq(request))
            {
                return call;
            }

            transaction.TryRespond(transaction.CreateResponse(500, "CSeq out of order"));
            return null;
        }

        Refuse(transaction, 481);
        return null;
    }

    // ================================================================== ACK, CANCEL, timeouts

    /// <inheritdoc />
    public void OnAck(SipRequest ack, IncomingSipMessage source, TwoHundredRetransmitter? retransmitter)
    {
        if (ack.CallId is not { } callId || ack.To?.Tag is not { } localTag)
        {
            return;
        }

        var key = DialogKey(callId, localTag);
        if (!_unacknowledged.Remove(key, out var call) && !_calls.TryGetValue(key, out call))
        {
            return; // a stray ACK, or one for a re-INVITE's 2xx of a call that ended meanwhile
        }

        if (call.State == SipCallState.Answered)
        {
            call.State = SipCallState.Confirmed;
            _logger.LogDebug("[call {CallId}] ACK received", call.CallId);
        }

        call.AckOrTimeout.TrySetResult();
        if (!call.HasAnswer && call.State == SipCallState.Confirmed)
        {
            TakeAnswerFromAck(call, ack);
        }
    }

    /// <summary>
    /// A delayed-offer call's ACK carries the answer to the offer in our 200 (RFC 3261 §13.3.1.4, RFC 3264 §6): the
    /// media starts with the codec it chose. An ACK without a usable answer ends the call with a BYE.
    /// </summary>
    private void TakeAnswerFromAck(SipCall call, SipRequest ack)
    {
        string problem;
        if (ack.Body.IsEmpty)
        {
            problem = "the ACK carried no SDP answer to our offer";
        }
        else if (ack.ContentType is not { } contentType || !contentType.Is("application/sdp"))
        {
            problem = "the ACK's body is not SDP";
        }
        else if (!SdpParser.TryParse(ack.Body.Span, out var answerSdp, out var error))
        {
            problem = "the SDP answer in the ACK does not parse: " + error.Message;
        }
        else
        {
            // The answer names the peer's address, and the codec and telephone-event it took from our offer (same
            // payload types, RFC 3264 §6.1): reading it as an offer against what we offered gives exactly that media.
            var outcome = SdpNegotiator.Answer(answerSdp, call.Capabilities);
            if (outcome.IsAccepted)
            {
                call.Answer = outcome.Result;
                StartMedia(call);
                return;
            }

            problem = "the SDP answer in the ACK is not usable: " + outcome.Rejection.Detail;
        }

        _logger.LogWarning("[call {CallId}] {Problem}; ending the call", call.CallId, problem);
        EndCall(call, problem, "bad-answer", sendBye: true);
    }

    /// <inheritdoc />
    public void OnCancelled(SipServerTransaction inviteTransaction, SipRequest cancel)
    {
        if (!_ringing.Remove(inviteTransaction, out var call))
        {
            return;
        }

        call.State = SipCallState.Cancelled;
        call.AnswerTimer?.Dispose();
        call.EndReason = "cancelled by the caller before the answer";
        call.EndedAt = DateTimeOffset.UtcNow;
        SipCallMetrics.Invites.Add(1, SipCallMetrics.Tag("result", "cancelled"));
        _logger.LogInformation("[call {CallId}] cancelled by the caller before the answer: no call started", call.CallId);
        _ = FinishCancelledAsync(call);
    }

    private async Task FinishCancelledAsync(SipCall call)
    {
        await call.Media.DisposeAsync().ConfigureAwait(false);
        Remember(call.Info(null));
        call.Finished.TrySetResult();
    }

    /// <inheritdoc />
    public void OnTransactionTimeout(SipTransaction transaction) =>
        _logger.LogDebug("SIP {Transaction} timed out", transaction);

    /// <inheritdoc />
    public void OnAckTimeout(TwoHundredRetransmitter retransmitter)
    {
        var call = _calls.Values.Concat(_unacknowledged.Values).FirstOrDefault(c => ReferenceEquals(c.Retransmitter, retransmitter));
        if (call is null)
        {
            return;
        }

        _unacknowledged.Remove(call.Key);
        call.AckOrTimeout.TrySetResult();
        EndCall(call, "ACK never arrived", "ack-timeout", sendBye: true);
    }

    /// <inheritdoc />
    public void OnTransportError(SipTransaction transaction, Exception error)
    {
        if (transaction is SipServerTransaction server && _ringing.Remove(server, out var call))
        {
            _logger.LogWarning("[call {CallId}] could not answer: {Error}", call.CallId, error.Message);
            call.State = SipCallState.Cancelled;
            call.AnswerTimer?.Dispose();
            _ = call.Media.DisposeAsync().AsTask();
        }
    }

    // ================================================================== the call's commands

    /// <summary>The agent hangs up: queued audio drains, then BYE.</summary>
    internal void HangUp(SipCall call, string reason)
    {
        _logger.LogInformation("[call {CallId}] agent hangs up ({Reason})", call.CallId, reason);
        Layer.Invoke(() => EndCall(call, "agent hung up", "agent", sendBye: true, drainFirst: true));
    }

    /// <summary>The media ended the call (timeout, RTCP BYE).</summary>
    internal void EndFromMedia(SipCall call, string reason, string kind)
    {
        _logger.LogWarning("[call {CallId}] {Reason}", call.CallId, reason);
        Layer.Invoke(() => EndCall(call, reason, kind, sendBye: true));
    }

    /// <summary>A blind transfer asked for by the call.</summary>
    internal void Transfer(SipCall call, string target) => Layer.Invoke(() => StartTransfer(call, target));

    private void StartTransfer(SipCall call, string target)
    {
        if (call.State is SipCallState.Ended || call.Channel is not { } channel)
        {
            return;
        }

        if (call.Transfer is not null)
        {
            channel.Deliver(new TransferResult(target, false, "another transfer is in progress"));
            return;
        }

        if (ReferTarget(target, call.Dialog) is not { } referTo)
        {
            SipCallMetrics.Transfers.Add(1, SipCallMetrics.Tag("result", "failed"));
            _logger.LogWarning("[call {CallId}] transfer impossible: the target is neither a SIP/tel URI nor a number", call.CallId);
            channel.Deliver(new TransferResult(target, false, "not a SIP URI or phone number"));
            return;
        }

        var transfer = new SipTransfer(target, referTo);
        call.Transfer = transfer;
        _logger.LogInformation("[call {CallId}] blind transfer: REFER sent", call.CallId);
        _ = RunTransferAsync(call, transfer);
    }

    private async Task RunTransferAsync(SipCall call, SipTransfer transfer)
    {
        SipResponse response;
        try
        {
            response = await SendInDialogAsync(call, dialog =>
            {
                var refer = dialog.CreateRequest("REFER", call.Contact, _options.UserAgent);
                refer.Headers.Add(SipHeaderNames.ReferTo, $"<{transfer.ReferTo}>");
                refer.Headers.Add(SipHeaderNames.ReferredBy, $"<{dialog.LocalParty.Uri}>");
                return refer;
            }).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Layer.Invoke(() => FailTransfer(call, transfer, "REFER not answered: " + e.Message, "failed"));
            return;
        }

        var accepted = false;
        Layer.Invoke(() =>
        {
            if (!ReferenceEquals(call.Transfer, transfer))
            {
                return; // decided already (a NOTIFY overtook the 202)
            }

            if (!response.IsSuccess)
            {
                FailTransfer(call, transfer, $"REFER refused: {response.StatusCode} {response.ReasonPhrase}", "refused");
                return;
            }

            transfer.Accepted = true;
            accepted = true;
            _logger.LogInformation("[call {CallId}] REFER accepted ({Status}); waiting for the outcome", call.CallId, response.StatusCode);
        });

        if (!accepted)
        {
            return;
        }

        try
        {
            await Task.Delay(_options.TransferTimeout, _time, transfer.Timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        Layer.Invoke(() =>
        {
            if (ReferenceEquals(call.Transfer, transfer))
            {
                FailTransfer(call, transfer, $"no final NOTIFY within {_options.TransferTimeout.TotalSeconds:F0} s", "timeout");
            }
        });
    }

    private void SucceedTransfer(SipCall call, SipTransfer transfer, string detail)
    {
        call.Transfer = null;
        transfer.Timeout.Cancel();
        SipCallMetrics.Transfers.Add(1, SipCallMetrics.Tag("result", "succeeded"));
        _logger.LogInformation("[call {CallId}] transferred: {Detail}", call.CallId, detail);
        call.Channel?.Deliver(new TransferResult(transfer.Target, true, detail));
        EndCall(call, $"transferred to {transfer.Target}", "transferred", sendBye: true);
    }

    private void FailTransfer(SipCall call, SipTransfer transfer, string detail, string result)
    {
        if (!ReferenceEquals(call.Transfer, transfer))
        {
            return;
        }

        call.Transfer = null;
        transfer.Timeout.Cancel();
        SipCallMetrics.Transfers.Add(1, SipCallMetrics.Tag("result", result));
        _logger.LogWarning("[call {CallId}] transfer failed: {Detail}; the call goes on", call.CallId, detail);
        call.Channel?.Deliver(new TransferResult(transfer.Target, false, detail));
    }

    /// <summary>
    /// The Refer-To of a transfer target: a sip:/sips:/tel: URI as given; a phone number (digits, optionally with +,
    /// spaces, dashes) becomes sip:number@host of the caller's Contact (the trunk), with user=phone.
    /// </summary>
    internal static SipUri? ReferTarget(string target, SipDialog dialog)
    {
        target = target.Trim();
        if (target.Contains(':', StringComparison.Ordinal) && SipUri.TryParse(target, out var uri))
        {
            return uri;
        }

        var number = new string(target.Where(c => char.IsAsciiDigit(c) || c == '+').ToArray());
        if (number.Length == 0 || target.Any(c => !(char.IsAsciiDigit(c) || c is '+' or ' ' or '-' or '(' or ')' or '.')))
        {
            return null;
        }

        var trunk = dialog.RemoteTarget;
        var result = SipUri.Create(trunk.Host, trunk.Port, number);
        result.Parameters.Add("user", "phone");
        return result;
    }

    // ================================================================== ending calls

    private void EndCall(SipCall call, string reason, string kind, bool sendBye, bool drainFirst = false)
    {
        if (call.State is SipCallState.Ended or SipCallState.Cancelled or SipCallState.Ringing)
        {
            return;
        }

        call.State = SipCallState.Ended;
        call.EndReason = reason;
        call.EndedAt = DateTimeOffset.UtcNow;
        _calls.Remove(call.Key);
        SipCallMetrics.ActiveCalls.Add(-1);
        SipCallMetrics.CallsEnded.Add(1, SipCallMetrics.Tag("kind", kind));
        if (call.Transfer is { } transfer)
        {
            call.Transfer = null;
            transfer.Timeout.Cancel();
        }

        if (!sendBye)
        {
            call.Retransmitter?.Stop();
            _unacknowledged.Remove(call.Key);
        }

        call.Channel?.Finish(reason);
        _logger.LogInformation("[call {CallId}] ended: {Reason}", call.CallId, kind == "transferred" ? "transferred" : reason); // no numbers in log text
        _ = FinishCallAsync(call, sendBye, drainFirst);
    }

    private async Task FinishCallAsync(SipCall call, bool sendBye, bool drainFirst)
    {
        try
        {
            if (drainFirst)
            {
                await call.Media.DrainAsync(TimeSpan.FromMilliseconds(200)).ConfigureAwait(false);
            }

            var media = call.Media.Statistics;
            await call.Media.DisposeAsync().ConfigureAwait(false);
            if (sendBye)
            {
                await SendByeAsync(call).ConfigureAwait(false);
            }

            Remember(call.Info(media));
        }
        catch (Exception e)
        {
            _logger.LogError(e, "[call {CallId}] ending the call failed", call.CallId);
        }
        finally
        {
            call.Finished.TrySetResult();
        }
    }

    private async Task SendByeAsync(SipCall call)
    {
        // §15: the callee sends BYE only once the ACK arrived or the 2xx retransmissions gave up.
        var ackWait = Layer.Timers.SixtyFourT1 + TimeSpan.FromSeconds(1);
        if (await Task.WhenAny(call.AckOrTimeout.Task, Task.Delay(ackWait, _time)).ConfigureAwait(false) != call.AckOrTimeout.Task)
        {
            _logger.LogWarning("[call {CallId}] sending BYE without an ACK", call.CallId);
        }

        Layer.Invoke(() => call.Retransmitter?.Stop());
        try
        {
            using var timeout = new CancellationTokenSource(_options.ByeTimeout);
            var response = await SendInDialogAsync(call, dialog => dialog.CreateRequest("BYE", null, _options.UserAgent), timeout.Token).ConfigureAwait(false);
            _logger.LogDebug("[call {CallId}] BYE answered {Status}", call.CallId, response.StatusCode);
        }
        catch (Exception e)
        {
            _logger.LogWarning("[call {CallId}] BYE not confirmed: {Error}", call.CallId, e.Message);
        }
    }

    /// <summary>
    /// Sends a request in the call's dialog and returns its final response. Over TCP the connection the INVITE came
    /// on is tried first (peers often cannot take new connections); otherwise, or when that fails, the next hop of
    /// the route set (or the remote target) is resolved.
    /// </summary>
    private async Task<SipResponse> SendInDialogAsync(SipCall call, Func<SipDialog, SipRequest> build, CancellationToken cancellationToken = default)
    {
        var dialog = call.Dialog;
        var hop = dialog.NextHop;
        var transport = dialog.TransportFor(hop);
        if (transport == SipTransportKind.Tcp && dialog.Flow.Transport == SipTransportKind.Tcp)
        {
            SipRequest first;
            lock (Layer.Gate)
            {
                first = build(dialog);
            }

            try
            {
                return await Layer.SendRequestAsync(first, dialog.Flow.Remote, SipTransportKind.Tcp, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (SipTransportException e)
            {
                _logger.LogDebug("[call {CallId}] the INVITE's TCP connection is gone ({Error}); sending to {Hop}", call.CallId, e.Message, hop);
            }
        }

        var destination = await SipDialog.ResolveAsync(hop, dialog.Flow.Remote.AddressFamily, cancellationToken).ConfigureAwait(false);
        SipRequest request;
        lock (Layer.Gate)
        {
            request = build(dialog);
        }

        return await Layer.SendRequestAsync(request, destination, transport, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends every call with a BYE (shutdown) and waits, bounded, for them to finish.</summary>
    public async Task HangUpAllAsync(string reason, TimeSpan timeout)
    {
        SipCall[] calls = [];
        Layer.Invoke(() =>
        {
            foreach (var ringing in _ringing.Values.ToArray())
            {
                var unavailable = ringing.Invite.CreateResponse(503);
                ringing.Invite.TryRespond(unavailable);
                ringing.State = SipCallState.Cancelled;
                ringing.AnswerTimer?.Dispose();
                _ = ringing.Media.DisposeAsync().AsTask();
            }

            _ringing.Clear();
            calls = _calls.Values.ToArray();
            foreach (var call in calls)
            {
                call.AckOrTimeout.TrySetResult();
                EndCall(call, reason, "shutdown", sendBye: true);
            }
        });

        if (calls.Length > 0)
        {
            await Task.WhenAny(Task.WhenAll(calls.Select(c => c.Finished.Task)), Task.Delay(timeout)).ConfigureAwait(false);
        }
    }

    private void Remember(SipCallInfo info)
    {
        lock (_recentGate)
        {
            _recent.AddFirst(info);
            while (_recent.Count > _options.RecentCallsKept)
            {
                _recent.RemoveLast();
            }
        }
    }

    // ================================================================== helpers

    private SipResponse DialogResponse(SipCall call, int status)
    {
        var response = call.Invite.CreateResponse(status);
        foreach (var recordRoute in call.Invite.Request.Headers.GetAll(SipHeaderNames.RecordRoute))
        {
            response.Headers.Add(SipHeaderNames.RecordRoute, recordRoute);
        }

        response.Headers.Add(SipHeaderNames.Contact, call.Contact.ToString());
        AddCapabilities(response);
        return response;
    }

    private void AddCapabilities(SipResponse response)
    {
        response.Headers.Add(SipHeaderNames.Allow, Allow);
        response.Headers.Add(SipHeaderNames.Supported, "");
        response.Headers.Add("Server", _options.UserAgent);
    }

    private static SipResponse WithWarning(SipResponse response, int code, string text)
    {
        response.Headers.Add("Warning", $"{code} audioflow {SipText.Quote(text.Replace('\r', ' ').Replace('\n', ' '))}");
        return response;
    }

    private void Refuse(SipServerTransaction transaction, int status, string? reason = null) =>
        Refuse(transaction, transaction.CreateResponse(status, reason));

    private void Refuse(SipServerTransaction transaction, SipResponse response)
    {
        SipCallMetrics.Refused.Add(1, SipCallMetrics.Tag("status", response.StatusCode));
        response.Headers.Add("Server", _options.UserAgent);
        transaction.TryRespond(response);
    }

    private void Reject(SipServerTransaction transaction, SipResponse response, string result)
    {
        SipCallMetrics.Invites.Add(1, SipCallMetrics.Tag("result", result));
        Refuse(transaction, response);
    }

    private SipNameAddr OurContact(IncomingSipMessage source)
    {
        var host = _options.ContactHost ?? new SipEndPoint(IsAny(source.Local.Address) ? LocalAddressToward(source.Remote.Address) : source.Local.Address, 0).HostText;
        var uri = SipUri.Create(host, source.Local.Port, _options.ContactUser);
        if (source.Transport == SipTransportKind.Tcp)
        {
            uri.Parameters.Add("transport", "tcp");
        }

        return new SipNameAddr(uri);
    }

    /// <summary>The user part (the number) of a From/To, else the whole URI; null when absent.</summary>
    private static string? PartyOf(SipNameAddr? party) => party is null ? null : party.Uri.User ?? party.Uri.ToString();

    private static bool IsAny(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    /// <summary>The local address the routing table uses towards <paramref name="remote"/> (a connected UDP socket sends nothing).</summary>
    private static IPAddress LocalAddressToward(IPAddress remote)
    {
        using var probe = new Socket(remote.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        probe.Connect(new IPEndPoint(remote, 9));
        return ((IPEndPoint)probe.LocalEndPoint!).Address;
    }

    /// <summary>A Call-ID made safe for AudioFlow's call ids (letters, digits, '.', '-', '_'; at most 40 characters).</summary>
    private static string Sanitize(string callId)
    {
        var text = new string(callId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_').ToArray());
        return text.Length > 40 ? text[..40] : text;
    }
}
