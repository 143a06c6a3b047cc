using System.Net;
using AudioFlow.Telephony.Sip.Messages;
using AudioFlow.Telephony.Sip.Transactions;
using AudioFlow.Telephony.Sip.Transport;
using AudioFlow.Telephony.Tests.Sip.Transport;
using Xunit;

namespace AudioFlow.Telephony.Tests.Sip.Transactions;

/// <summary>A UAS on the real transport and the transaction layer, in real time on loopback (what sipp talks to).</summary>
internal sealed class TestUas : IAsyncDisposable
{
    private TestUas(SipTransport transport, SipTransactionLayer layer, RecordingUser user)
    {
        Transport = transport;
        Layer = layer;
        User = user;
    }

    public SipTransport Transport { get; }

    public SipTransactionLayer Layer { get; }

    public RecordingUser User { get; }

    public SipEndPoint Udp => Transport.GetLocalEndPoint(SipTransportKind.Udp);

    public SipEndPoint Tcp => Transport.GetLocalEndPoint(SipTransportKind.Tcp);

    public static TestUas Start(Action<SipServerTransaction, SipRequest>? handler, SipTimerSettings? timers = null)
    {
        var transport = Net.StartTransport();
        var user = new RecordingUser { Handler = handler };
        var layer = new SipTransactionLayer(transport, user, timers);
        layer.Start();
        return new TestUas(transport, layer, user);
    }

    /// <summary>OPTIONS → 200; INVITE → 180 and no answer (what sipp's uac_cancel.xml needs).</summary>
    public static void RingForever(SipServerTransaction transaction, SipRequest request)
    {
        switch (request.Method)
        {
            case "OPTIONS":
                var ok = transaction.CreateResponse(200);
                ok.Headers.Add("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS");
                transaction.Respond(ok);
                break;
            case "INVITE":
                transaction.Respond(180);
                break;
            default:
                transaction.Respond(501);
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Layer.DisposeAsync();
        await Transport.DisposeAsync();
    }
}

public sealed class LayerOverTransportTests
{
    private static string Invite(SipEndPoint target, SipEndPoint peer, string branch, string transport = "UDP") =>
        $"INVITE sip:service@{target} SIP/2.0\r\n" +
        $"Via: SIP/2.0/{transport} {peer};branch={branch};rport\r\n" +
        "Max-Forwards: 70\r\n" +
        $"From: <sip:caller@{peer}>;tag=c1\r\n" +
        $"To: <sip:service@{target}>\r\n" +
        $"Call-ID: {branch}@loopback\r\n" +
        "CSeq: 1 INVITE\r\n" +
        $"Contact: <sip:caller@{peer}>\r\n" +
        "Content-Length: 0\r\n\r\n";

    private static string Derived(string method, string invite, string branch, string? toTag = null)
    {
        var lines = invite.Split("\r\n").ToList();
        lines[0] = lines[0].Replace("INVITE", method, StringComparison.Ordinal);
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].StartsWith("Via:", StringComparison.Ordinal))
            {
                lines[i] = lines[i][..(lines[i].IndexOf("branch=", StringComparison.Ordinal) + 7)] + branch + ";rport";
            }
            else if (lines[i] == "CSeq: 1 INVITE")
            {
                lines[i] = "CSeq: 1 " + method;
            }
            else if (toTag is not null && lines[i].StartsWith("To:", StringComparison.Ordinal))
            {
                lines[i] += ";tag=" + toTag;
            }
        }

        return string.Join("\r\n", lines);
    }

    [Fact]
    public async Task Invite_ringing_cancel_over_udp_gives_200_487_and_the_ack_is_absorbed()
    {
        await using var uas = TestUas.Start(TestUas.RingForever);
        using var peer = new UdpPeer();
        var invite = Invite(uas.Udp, peer.EndPoint, "z9hG4bKlc1");
        await peer.SendAsync(invite, uas.Udp);
        var ringing = (SipResponse)await peer.ReceiveAsync();
        Assert.Equal(180, ringing.StatusCode);
        Assert.Equal(peer.EndPoint.Port, ringing.TopVia!.RPort);

        await peer.SendAsync(invite, uas.Udp); // retransmitted INVITE: the 180 again
        Assert.Equal(180, ((SipResponse)await peer.ReceiveAsync()).StatusCode);

        await peer.SendAsync(Derived("CANCEL", invite, "z9hG4bKlc1"), uas.Udp);
        var cancelOk = (SipResponse)await peer.ReceiveAsync();
        var terminated = (SipResponse)await peer.ReceiveAsync();
        Assert.Equal((200, "CANCEL"), (cancelOk.StatusCode, cancelOk.CSeq!.Value.Method));
        Assert.Equal((487, "INVITE"), (terminated.StatusCode, terminated.CSeq!.Value.Method));
        Assert.Equal(ringing.To!.Tag, terminated.To!.Tag);

        await peer.SendAsync(Derived("ACK", invite, "z9hG4bKlc1", terminated.To!.Tag), uas.Udp);
        var tx = Assert.Single(uas.User.Requests).Transaction;
        await Wait.UntilAsync(() => tx.State == SipTransactionState.Confirmed);
        Assert.Single(uas.User.Cancelled);
        Assert.Empty(uas.User.Acks);
        Assert.True(await peer.NothingAsync(TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public async Task Two_hundred_over_tcp_is_retransmitted_until_the_ack()
    {
        var fast = new SipTimerSettings { T1 = TimeSpan.FromMilliseconds(100), T2 = TimeSpan.FromMilliseconds(400) };
        TwoHundredRetransmitter? retransmitter = null;
        await using var uas = TestUas.Start((tx, _) => retransmitter = TwoHundredRetransmitter.Start(tx, tx.CreateResponse(200)), fast);
        using var peer = await TcpPeer.ConnectAsync(uas.Tcp);
        await peer.WriteAsync(Invite(uas.Tcp, peer.LocalEndPoint, "z9hG4bKtcp200", "TCP"));

        var first = (SipResponse)await peer.ReadMessageAsync();
        var again = (SipResponse)await peer.ReadMessageAsync(); // the UAS core retransmits a 2xx over TCP too
        Assert.Equal((200, 200), (first.StatusCode, again.StatusCode));

        var ack = Derived("ACK", Invite(uas.Tcp, peer.LocalEndPoint, "z9hG4bKtcp200", "TCP"), "z9hG4bKack200", first.To!.Tag);
        await peer.WriteAsync(ack);
        await Wait.UntilAsync(() => !uas.User.Acks.IsEmpty);
        var (_, stopped) = Assert.Single(uas.User.Acks);
        Assert.Same(retransmitter, stopped);
        Assert.True(retransmitter!.IsAcknowledged);
        Assert.Empty(uas.User.AckTimeouts);
    }

    [Fact]
    public async Task Client_transaction_over_udp_retransmits_until_the_peer_answers()
    {
        var fast = new SipTimerSettings { T1 = TimeSpan.FromMilliseconds(50) };
        await using var uas = TestUas.Start(null, fast);
        using var peer = new UdpPeer();
        var request = new SipRequest("OPTIONS", SipUri.Parse($"sip:peer@{peer.EndPoint}"));
        request.Headers.Add("Max-Forwards", "70");
        request.Headers.Add("From", $"<sip:audioflow@{uas.Udp}>;tag=af");
        request.Headers.Add("To", $"<sip:peer@{peer.EndPoint}>");
        request.Headers.Add("Call-ID", "client-over-udp");
        request.Headers.Add("CSeq", "7 OPTIONS");
        var provisional = 0;
        var task = uas.Layer.SendRequestAsync(request, peer.EndPoint, SipTransportKind.Udp, _ => provisional++);

        var original = (SipRequest)await peer.ReceiveAsync();
        var retransmitted = (SipRequest)await peer.ReceiveAsync(); // ignored the first: Timer E resends
        Assert.Equal(original.ToString(), retransmitted.ToString());
        await peer.SendAsync(SipResponseBuilder.For(retransmitted, 100).ToString(), uas.Udp);
        await peer.SendAsync(SipResponseBuilder.For(retransmitted, 200, null, "pt").ToString(), uas.Udp);
        var response = await task.WaitAsync(Net.Timeout);
        Assert.Equal(200, response.StatusCode);
        await Wait.UntilAsync(() => provisional == 1);
    }

    [Fact]
    public async Task Client_transaction_to_a_refused_tcp_port_fails_with_a_transport_error()
    {
        await using var uas = TestUas.Start(null);
        var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var destination = SipEndPoint.FromIPEndPoint((IPEndPoint)closed.LocalEndpoint);
        closed.Stop();
        var request = new SipRequest("BYE", SipUri.Parse($"sip:peer@{destination}"));
        request.Headers.Add("From", "<sip:a@b>;tag=1");
        request.Headers.Add("To", "<sip:c@d>;tag=2");
        request.Headers.Add("Call-ID", "refused-bye");
        request.Headers.Add("CSeq", "2 BYE");
        await Assert.ThrowsAsync<SipTransportException>(() => uas.Layer.SendRequestAsync(request, destination, SipTransportKind.Tcp).WaitAsync(Net.Timeout));
        await Wait.UntilAsync(() => uas.Layer.ClientTransactionCount == 0);
    }
}
