using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Threading.Channels;
using AudioFlow.Telephony.Sip.Messages;
using AudioFlow.Telephony.Sip.Transactions;
using AudioFlow.Telephony.Sip.Transport;
using Xunit;

namespace AudioFlow.Telephony.Tests.Sip.Transactions;

/// <summary>Messages for transaction tests: parsed from text, so every "retransmission" is a new object like on the wire.</summary>
internal static class TestSip
{
    public static readonly SipEndPoint Remote = new(IPAddress.Parse("192.0.2.1"), 5060);
    public static readonly SipEndPoint Local = new(IPAddress.Parse("192.0.2.10"), 5060);

    public static SipMessage Parse(string text)
    {
        Assert.True(SipParser.TryParse(Encoding.UTF8.GetBytes(text), out var message, out var error), error?.ToString());
        return message;
    }

    public static SipRequest Request(
        string method,
        string branch,
        uint cseq = 1,
        string callId = "call-1@192.0.2.1",
        string fromTag = "caller-tag",
        string? toTag = null,
        string viaSentBy = "192.0.2.1:5060",
        string transport = "UDP") =>
        (SipRequest)Parse(
            $"{method} sip:service@192.0.2.10:5060 SIP/2.0\r\n" +
            $"Via: SIP/2.0/{transport} {viaSentBy};branch={branch}\r\n" +
            "Max-Forwards: 70\r\n" +
            $"From: <sip:caller@192.0.2.1>;tag={fromTag}\r\n" +
            $"To: <sip:service@192.0.2.10>{(toTag is null ? "" : ";tag=" + toTag)}\r\n" +
            $"Call-ID: {callId}\r\n" +
            $"CSeq: {cseq} {method}\r\n" +
            (method == "INVITE" ? "Contact: <sip:caller@192.0.2.1:5060>\r\n" : "") +
            "Content-Length: 0\r\n\r\n");

    public static IncomingSipMessage Incoming(SipMessage message, SipTransportKind transport = SipTransportKind.Udp) =>
        new(message, Remote, Local, transport, transport == SipTransportKind.Tcp ? 7 : 0);

    /// <summary>A response from the peer to a request we sent (as recorded on the fake wire).</summary>
    public static IncomingSipMessage ResponseTo(SipMessage sentRequest, int status, string? toTag = "callee-tag", SipTransportKind transport = SipTransportKind.Udp)
    {
        var response = SipResponseBuilder.For((SipRequest)sentRequest, status, null, status == 100 ? null : toTag);
        return Incoming(Parse(response.ToString()), transport);
    }
}

/// <summary>A transport that records what is sent (as text, re-parsed, stamped with virtual time) and sends nothing.</summary>
internal sealed class FakeSipTransport(VirtualTimeProvider time) : ISipTransport
{
    private readonly Channel<IncomingSipMessage> _incoming = Channel.CreateUnbounded<IncomingSipMessage>();
    private readonly List<Sent> _sent = [];

    public ChannelReader<IncomingSipMessage> Incoming => _incoming.Reader;

    /// <summary>When set, every send fails with it.</summary>
    public Exception? Failure { get; set; }

    public IReadOnlyList<Sent> All
    {
        get
        {
            lock (_sent)
            {
                return _sent.ToArray();
            }
        }
    }

    public IReadOnlyList<Sent> Responses(int status) =>
        All.Where(s => s.Message is SipResponse r && r.StatusCode == status).ToArray();

    public IReadOnlyList<Sent> Requests(string method) =>
        All.Where(s => s.Message is SipRequest r && r.Method == method).ToArray();

    /// <summary>Send times in seconds of virtual time.</summary>
    public static double[] Times(IEnumerable<Sent> sent) => sent.Select(s => s.At.TotalSeconds).ToArray();

    public Task<SipFlow> SendRequestAsync(SipRequest request, SipEndPoint destination, SipTransportKind transport, CancellationToken cancellationToken = default)
    {
        SipViaHeaders.EnsureTopViaWithBranch(request, transport);
        SipViaHeaders.TryGetTopVia(request, false, out var via, out _);
        via!.Transport = transport.ViaToken();
        via.Host = TestSip.Local.HostText;
        via.Port = TestSip.Local.Port;
        SipViaHeaders.ReplaceTopVia(request, via);
        Record(request, destination);
        return Failure is { } failure
            ? Task.FromException<SipFlow>(failure)
            : Task.FromResult(new SipFlow(transport, TestSip.Local, destination, transport == SipTransportKind.Tcp ? 9 : 0));
    }

    public Task SendResponseAsync(SipResponse response, SipFlow requestFlow, CancellationToken cancellationToken = default)
    {
        Record(response, requestFlow.Remote);
        return Failure is { } failure ? Task.FromException(failure) : Task.CompletedTask;
    }

    private void Record(SipMessage message, SipEndPoint destination)
    {
        var text = message.ToString();
        lock (_sent)
        {
            _sent.Add(new Sent(time.Elapsed, TestSip.Parse(text), text, destination));
        }
    }

    public sealed record Sent(TimeSpan At, SipMessage Message, string Text, SipEndPoint Destination)
    {
        public SipResponse Response => (SipResponse)Message;

        public SipRequest Request => (SipRequest)Message;
    }
}

/// <summary>A TU that records every callback (thread-safe) and lets a test decide how requests are answered.</summary>
internal sealed class RecordingUser : ISipTransactionUser
{
    public Action<SipServerTransaction, SipRequest>? Handler { get; set; }

    public ConcurrentQueue<(SipServerTransaction Transaction, SipRequest Request)> Requests { get; } = new();

    public ConcurrentQueue<(SipRequest Ack, TwoHundredRetransmitter? Retransmitter)> Acks { get; } = new();

    public ConcurrentQueue<(SipServerTransaction Invite, SipRequest Cancel)> Cancelled { get; } = new();

    public ConcurrentQueue<SipTransaction> Timeouts { get; } = new();

    public ConcurrentQueue<TwoHundredRetransmitter> AckTimeouts { get; } = new();

    public ConcurrentQueue<(SipResponse Response, SipClientTransaction? Transaction)> Stray { get; } = new();

    public ConcurrentQueue<(SipTransaction Transaction, Exception Error)> TransportErrors { get; } = new();

    public void OnRequest(SipServerTransaction transaction, SipRequest request, IncomingSipMessage source)
    {
        Requests.Enqueue((transaction, request));
        Handler?.Invoke(transaction, request);
    }

    public void OnAck(SipRequest ack, IncomingSipMessage source, TwoHundredRetransmitter? retransmitter) => Acks.Enqueue((ack, retransmitter));

    public void OnCancelled(SipServerTransaction inviteTransaction, SipRequest cancel) => Cancelled.Enqueue((inviteTransaction, cancel));

    public void OnTransactionTimeout(SipTransaction transaction) => Timeouts.Enqueue(transaction);

    public void OnAckTimeout(TwoHundredRetransmitter retransmitter) => AckTimeouts.Enqueue(retransmitter);

    public void OnStrayResponse(SipResponse response, IncomingSipMessage source, SipClientTransaction? transaction) => Stray.Enqueue((response, transaction));

    public void OnTransportError(SipTransaction transaction, Exception error) => TransportErrors.Enqueue((transaction, error));
}

internal static class Wait
{
    /// <summary>Polls asynchronously (bounded) until the condition holds; fails the test after <paramref name="seconds"/>.</summary>
    public static async Task UntilAsync(Func<bool> condition, double seconds = 5, string? because = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, because ?? "condition not met in time");
            await Task.Delay(5);
        }
    }
}
