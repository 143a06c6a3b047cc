using AudioFlow.Audio.Channel;
using AudioFlow.Telephony.Rtp.Session;
using AudioFlow.Telephony.Sip.Messages;
using AudioFlow.Telephony.Sip.Sdp;
using AudioFlow.Telephony.Sip.Transactions;
using AudioFlow.Telephony.Sip.Transport;

namespace AudioFlow.Telephony.Sip.UserAgent;

/// <summary>Where a call is in its life.</summary>
internal enum SipCallState
{
    /// <summary>INVITE accepted, 180 sent, not answered yet (a CANCEL can still stop it).</summary>
    Ringing,

    /// <summary>200 sent, waiting for the ACK.</summary>
    Answered,

    /// <summary>ACK received.</summary>
    Confirmed,

    /// <summary>Cancelled before the answer (no call was started).</summary>
    Cancelled,

    /// <summary>Over.</summary>
    Ended,
}

/// <summary>A blind transfer in progress (REFER sent, waiting for its outcome).</summary>
internal sealed class SipTransfer(string target, SipUri referTo)
{
    public string Target { get; } = target;

    public SipUri ReferTo { get; } = referTo;

    public bool Accepted { get; set; }

    public CancellationTokenSource Timeout { get; } = new();
}

/// <summary>The user agent's state for one call. Everything here is touched under the transaction layer's lock.</summary>
internal sealed class SipCall
{
    private SdpAnswerResult? _answer;

    /// <param name="answer">The negotiated media; null for a delayed offer (INVITE without SDP) until the ACK brings the answer.</param>
    /// <param name="localSdp">The SDP we send in the 200: our answer, or for a delayed offer our offer.</param>
    public SipCall(string callId, SipDialog dialog, SipServerTransaction invite, IncomingSipMessage source, RtpSession media,
        SdpAnswerResult? answer, SdpSession localSdp, LocalMediaCapabilities capabilities, SipNameAddr contact, string? from, string? to)
    {
        CallId = callId;
        Dialog = dialog;
        Invite = invite;
        Source = source;
        Media = media;
        _answer = answer;
        LocalSdp = localSdp;
        Capabilities = capabilities;
        Contact = contact;
        From = from;
        To = to;
    }

    /// <summary>AudioFlow's id of the call ("sip-...").</summary>
    public string CallId { get; }

    public SipDialog Dialog { get; }

    public SipServerTransaction Invite { get; }

    public IncomingSipMessage Source { get; }

    public RtpSession Media { get; }

    /// <summary>The media negotiated. Only read once <see cref="HasAnswer"/>: a delayed-offer call has none before its ACK.</summary>
    public SdpAnswerResult Answer
    {
        get => _answer ?? throw new InvalidOperationException($"call {CallId} has no SDP answer yet (delayed offer awaiting the ACK)");
        set => _answer = value;
    }

    /// <summary>The media is negotiated (always, except a delayed-offer call between our 200 and the peer's ACK).</summary>
    public bool HasAnswer => _answer is not null;

    /// <summary>The last SDP we sent in this session (re-INVITE answers build on it).</summary>
    public SdpSession LocalSdp { get; set; }

    public LocalMediaCapabilities Capabilities { get; }

    public SipNameAddr Contact { get; }

    public string? From { get; }

    public string? To { get; }

    public MediaFormat Format => Answer.Format;

    public SipCallState State { get; set; } = SipCallState.Ringing;

    public SipCallChannel? Channel { get; set; }

    public TwoHundredRetransmitter? Retransmitter { get; set; }

    public ITimer? AnswerTimer { get; set; }

    public SipTransfer? Transfer { get; set; }

    /// <summary>Completes when the ACK of our 2xx arrived or its wait timed out: only then may we send BYE (§15).</summary>
    public TaskCompletionSource AckOrTimeout { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the media is stopped and the BYE (if any) is done.</summary>
    public TaskCompletionSource Finished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    public DateTimeOffset? EndedAt { get; set; }

    public string? EndReason { get; set; }

    public string Key => SipUserAgent.DialogKey(Dialog.CallId, Dialog.LocalTag);

    public SipCallInfo Info(RtpSessionStatistics? media) => new(
        CallId,
        Dialog.CallId,
        From,
        To,
        Dialog.Transport.ViaToken(),
        Source.Remote.ToString(),
        _answer?.Format.ToString() ?? "(no SDP answer)",
        StartedAt,
        EndedAt,
        State.ToString().ToLowerInvariant(),
        EndReason,
        LocalSdp.ToString(),
        media);
}
