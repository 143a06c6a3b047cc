using System.Threading.Channels;
using AudioFlow.Audio.Channel;
using AudioFlow.Telephony.Rtp.Session;
using Microsoft.Extensions.Logging;

namespace AudioFlow.Telephony.Sip.UserAgent;

/// <summary>
/// One answered SIP call seen through the transport-neutral <see cref="ICallChannel"/>: the dialog (in
/// <see cref="SipUserAgent"/>) and the <see cref="RtpSession"/> glued together.
/// <list type="bullet">
/// <item>Inbound: one frame per 20 ms from the RTP session (caller audio or codec silence), DTMF from RFC 4733, SIP
/// INFO or in-band tones, mark acks, transfer results, survivable problems; <see cref="CallerHungUp"/> with the end
/// reason then completion when the call ends for any reason (caller BYE, agent hang-up, transfer, media timeout...).
/// The buffer is bounded: caller audio beyond it is dropped and counted, control events are never dropped.</item>
/// <item>Outbound: <see cref="OutboundMedia"/> to RTP (paced, see <see cref="RtpSession"/>), <see cref="ClearPlayout"/>
/// drops the queued audio (it stops within one packet time), <see cref="PlayoutMark"/> is acked when the audio before
/// it has been sent, <see cref="SendDtmf"/> as RFC 4733 events (in-band without telephone-event),
/// <see cref="TransferCall"/> as a blind transfer (REFER), <see cref="HangUp"/> as a BYE.</item>
/// </list>
/// </summary>
public sealed class SipCallChannel : ICallChannel, IRtpSessionEvents
{
    private static readonly TimeSpan ControlWriteTimeout = TimeSpan.FromSeconds(10);

    private readonly Channel<InboundEvent> _inbound;
    private readonly SipUserAgent _agent;
    private readonly ILogger _logger;
    private readonly object _writeGate = new();
    private Task _tail = Task.CompletedTask;
    private string? _endReason;
    private long _framesDropped;

    internal SipCallChannel(string callId, MediaFormat format, string? from, string? to, string providerCallId, SipCall call,
        SipUserAgent agent, int capacity, ILogger logger)
    {
        CallId = callId;
        InboundFormat = format;
        OutboundFormat = format;
        From = from;
        To = to;
        ProviderCallId = providerCallId;
        Call = call;
        _agent = agent;
        _logger = logger;
        _inbound = Channel.CreateBounded<InboundEvent>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public string CallId { get; }

    public string Transport => "sip";

    public MediaFormat InboundFormat { get; }

    public MediaFormat OutboundFormat { get; }

    public ChannelReader<InboundEvent> Inbound => _inbound.Reader;

    public string? From { get; }

    public string? To { get; }

    public string? ProviderCallId { get; }

    /// <summary>Why the call ended (null while it runs).</summary>
    public string? EndReason => Volatile.Read(ref _endReason);

    /// <summary>Caller frames dropped because the call did not read its inbound buffer in time.</summary>
    public long FramesDropped => Interlocked.Read(ref _framesDropped);

    internal SipCall Call { get; }

    private RtpSession Media => Call.Media;

    public ValueTask SendAsync(OutboundCommand command, CancellationToken cancellationToken = default)
    {
        if (EndReason is not null)
        {
            return ValueTask.CompletedTask;
        }

        switch (command)
        {
            case OutboundMedia media:
                Media.SendMedia(media.Payload);
                break;
            case ClearPlayout:
                var dropped = Media.Clear();
                _logger.LogDebug("[call {CallId}] clear: {Dropped} queued frames dropped", CallId, dropped);
                break;
            case PlayoutMark mark:
                Media.Mark(mark.Name);
                break;
            case SendDtmf dtmf:
                if (!Media.SendDigits(dtmf.Digits))
                {
                    _logger.LogInformation("[call {CallId}] no telephone-event negotiated: DTMF sent as in-band tones", CallId);
                }

                break;
            case TransferCall transfer:
                _agent.Transfer(Call, transfer.Target);
                break;
            case HangUp hangUp:
                _agent.HangUp(Call, hangUp.Reason);
                break;
        }

        return ValueTask.CompletedTask;
    }

    void IRtpSessionEvents.OnMedia(ReadOnlyMemory<byte> payload)
    {
        if (EndReason is not null)
        {
            return;
        }

        if (!_inbound.Writer.TryWrite(new InboundMedia(payload)) && Interlocked.Increment(ref _framesDropped) % 50 == 1)
        {
            _logger.LogError("[call {CallId}] inbound buffer full: caller audio dropped ({Dropped} frames so far)", CallId, FramesDropped);
        }
    }

    void IRtpSessionEvents.OnDigit(char digit, string source) => Digit(digit, source);

    void IRtpSessionEvents.OnMarkReached(string name) => Deliver(new PlayoutMarkReached(name));

    void IRtpSessionEvents.OnMediaTimeout(TimeSpan silentFor) =>
        _agent.EndFromMedia(Call, $"media timeout: no RTP for {silentFor.TotalSeconds:F0} s", "media-timeout");

    void IRtpSessionEvents.OnRemoteBye(string? reason) =>
        _agent.EndFromMedia(Call, "caller hung up (RTCP BYE" + (string.IsNullOrEmpty(reason) ? ")" : $": {reason})"), "rtcp-bye");

    void IRtpSessionEvents.OnProblem(string kind, string detail) => Problem(kind, detail);

    internal void Digit(char digit, string source)
    {
        SipCallMetrics.Digits.Add(1, SipCallMetrics.Tag("source", source));
        Deliver(new InboundDtmf(digit, source));
    }

    /// <summary>A survivable problem: logged with the call id and told to the call (journaled there).</summary>
    internal void Problem(string kind, string detail)
    {
        _logger.LogWarning("[call {CallId}] {Kind}: {Detail}", CallId, kind, detail);
        Deliver(new TransportProblem(kind, detail));
    }

    /// <summary>Delivers a control event in order; never dropped (waits, bounded, when the buffer is full).</summary>
    internal void Deliver(InboundEvent inboundEvent)
    {
        if (EndReason is not null)
        {
            return; // after the hang-up nothing more goes to the call
        }

        lock (_writeGate)
        {
            if (_tail.IsCompleted && _inbound.Writer.TryWrite(inboundEvent))
            {
                return;
            }

            _tail = WriteAfterAsync(_tail, inboundEvent);
        }
    }

    /// <summary>Ends the inbound side once: <see cref="CallerHungUp"/> with <paramref name="reason"/>, then completion.</summary>
    internal void Finish(string reason)
    {
        if (Interlocked.CompareExchange(ref _endReason, reason, null) is not null)
        {
            return;
        }

        lock (_writeGate)
        {
            _tail = FinishAfterAsync(_tail, reason);
        }
    }

    private async Task WriteAfterAsync(Task previous, InboundEvent inboundEvent)
    {
        await previous.ConfigureAwait(false);
        using var timeout = new CancellationTokenSource(ControlWriteTimeout);
        try
        {
            await _inbound.Writer.WriteAsync(inboundEvent, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ChannelClosedException or OperationCanceledException)
        {
            _logger.LogWarning("[call {CallId}] {Event} not delivered: the call stopped reading", CallId, inboundEvent.GetType().Name);
        }
    }

    private async Task FinishAfterAsync(Task previous, string reason)
    {
        await WriteAfterAsync(previous, new CallerHungUp(reason)).ConfigureAwait(false);
        _inbound.Writer.TryComplete();
    }
}
