using AudioFlow.Telephony.Sip.Messages;
using AudioFlow.Telephony.Sip.Transactions;
using AudioFlow.Telephony.Sip.Transport;
using Xunit;

namespace AudioFlow.Telephony.Tests.Sip.Transactions;

/// <summary>RFC 3261 §17.1 client transactions in virtual time.</summary>
public sealed class ClientTransactionTests
{
    private static readonly SipEndPoint Peer = TestSip.Remote;
    private readonly VirtualTimeProvider _time = new();
    private readonly FakeSipTransport _wire;
    private readonly RecordingUser _tu = new();
    private readonly SipTransactionLayer _layer;

    public ClientTransactionTests()
    {
        _wire = new FakeSipTransport(_time);
        _layer = new SipTransactionLayer(_wire, _tu, SipTimerSettings.Default, _time);
    }

    private static SipRequest NewRequest(string method, uint cseq = 1)
    {
        var request = new SipRequest(method, SipUri.Parse("sip:trunk@192.0.2.1:5060"));
        request.Headers.Add("Max-Forwards", "70");
        request.Headers.Add("From", "<sip:audioflow@192.0.2.10>;tag=ours");
        request.Headers.Add("To", "<sip:trunk@192.0.2.1>");
        request.Headers.Add("Call-ID", "client-call-1");
        request.Headers.Add("CSeq", $"{cseq} {method}");
        request.Headers.Add("Route", "<sip:proxy.example.com;lr>");
        return request;
    }

    private void Receive(IncomingSipMessage message) => _layer.Process(message);

    // ------------------------------------------------------------------ non-INVITE client

    [Fact]
    public async Task Non_invite_request_is_retransmitted_at_T1_doubling_to_T2_and_times_out_on_timer_F()
    {
        var request = NewRequest("OPTIONS");
        var task = _layer.SendRequestAsync(request, Peer, SipTransportKind.Udp);
        var branch = request.TopVia!.Branch!;
        Assert.StartsWith("z9hG4bK", branch, StringComparison.Ordinal);

        _time.AdvanceTo(TimeSpan.FromSeconds(31.99));
        Assert.False(task.IsCompleted);
        _time.AdvanceTo(TimeSpan.FromSeconds(32));
        var error = await Assert.ThrowsAsync<SipTransactionTimeoutException>(() => task);
        Assert.Equal("F", error.Timer);
        Assert.Equal(
            [0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5],
            FakeSipTransport.Times(_wire.Requests("OPTIONS")));
        Assert.All(_wire.Requests("OPTIONS"), s => Assert.Equal(branch, s.Request.TopVia!.Branch));
        Assert.Equal(0, _layer.ClientTransactionCount);
        Assert.Equal(0, _layer.PendingTimerCount);
    }

    [Fact]
    public async Task Non_invite_in_Proceeding_retransmits_every_T2_and_completes_with_the_final_response()
    {
        var provisional = new List<int>();
        var tx = _layer.BeginRequest(NewRequest("REGISTER"), Peer, SipTransportKind.Udp, r => provisional.Add(r.StatusCode));
        var sent = _wire.Requests("REGISTER")[0].Message;
        _time.AdvanceTo(TimeSpan.FromSeconds(0.6)); // one retransmission at 0.5
        Receive(TestSip.ResponseTo(sent, 100));
        Assert.Equal([100], provisional);
        Assert.Equal(SipTransactionState.Proceeding, tx.State);

        _time.AdvanceTo(TimeSpan.FromSeconds(10));
        // E fired at 0.5 (then due at 1.5): in Proceeding every further interval is T2.
        Assert.Equal([0, 0.5, 1.5, 5.5, 9.5], FakeSipTransport.Times(_wire.Requests("REGISTER")));

        Receive(TestSip.ResponseTo(sent, 200));
        var response = await tx.Response;
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(SipTransactionState.Completed, tx.State);

        Receive(TestSip.ResponseTo(sent, 200)); // retransmitted final: absorbed in Completed
        _time.AdvanceTo(TimeSpan.FromSeconds(14.99));
        Assert.Equal(SipTransactionState.Completed, tx.State);
        _time.AdvanceTo(TimeSpan.FromSeconds(15)); // Timer K = T4
        Assert.True(tx.IsTerminated);
        Assert.Equal(5, _wire.Requests("REGISTER").Count);
        Assert.Empty(_tu.Stray);
    }

    [Fact]
    public async Task Non_invite_over_TCP_is_not_retransmitted_but_times_out_on_timer_F()
    {
        var task = _layer.SendRequestAsync(NewRequest("BYE"), Peer, SipTransportKind.Tcp);
        _time.AdvanceTo(TimeSpan.FromSeconds(32));
        Assert.Equal("F", (await Assert.ThrowsAsync<SipTransactionTimeoutException>(() => task)).Timer);
        Assert.Single(_wire.Requests("BYE"));
    }

    [Fact]
    public async Task Non_invite_over_TCP_ends_with_its_final_response()
    {
        var tx = _layer.BeginRequest(NewRequest("NOTIFY"), Peer, SipTransportKind.Tcp);
        Receive(TestSip.ResponseTo(_wire.Requests("NOTIFY")[0].Message, 200, transport: SipTransportKind.Tcp));
        Assert.Equal(200, (await tx.Response).StatusCode);
        Assert.True(tx.IsTerminated); // Timer K is zero
    }

    [Fact]
    public async Task A_send_failure_fails_the_task_with_a_transport_error()
    {
        _wire.Failure = new SipTransportException("connection refused");
        var task = _layer.SendRequestAsync(NewRequest("OPTIONS"), Peer, SipTransportKind.Tcp);
        await Assert.ThrowsAsync<SipTransportException>(() => task.WaitAsync(TimeSpan.FromSeconds(5)));
        await Wait.UntilAsync(() => _layer.ClientTransactionCount == 0);
    }

    [Fact]
    public async Task Cancelling_the_token_abandons_the_transaction()
    {
        using var cts = new CancellationTokenSource();
        var task = _layer.SendRequestAsync(NewRequest("OPTIONS"), Peer, SipTransportKind.Udp, cancellationToken: cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        Assert.Equal(0, _layer.ClientTransactionCount);
        _time.AdvanceTo(TimeSpan.FromSeconds(5));
        Assert.Single(_wire.Requests("OPTIONS"));
    }

    [Fact]
    public async Task Responses_match_by_branch_and_CSeq_method()
    {
        var invite = _layer.BeginRequest(NewRequest("INVITE"), Peer, SipTransportKind.Udp);
        var sent = (SipRequest)_wire.Requests("INVITE")[0].Message;
        var cancel = SipRequests.CreateCancel(sent);
        Assert.Equal(sent.TopVia!.Branch, cancel.TopVia!.Branch);
        Assert.Equal("1 CANCEL", cancel.Headers["CSeq"]);
        Assert.Equal(sent.Headers["Route"], cancel.Headers["Route"]);
        var cancelTx = _layer.BeginRequest(cancel, Peer, SipTransportKind.Udp);

        Receive(TestSip.ResponseTo(_wire.Requests("CANCEL")[0].Message, 200));
        Assert.Equal(200, (await cancelTx.Response).StatusCode);
        Assert.False(invite.Response.IsCompleted); // the CANCEL's 200 is not the INVITE's

        Receive(TestSip.ResponseTo(sent, 487));
        Assert.Equal(487, (await invite.Response).StatusCode);
    }

    // ------------------------------------------------------------------ INVITE client

    [Fact]
    public async Task Invite_is_retransmitted_on_timer_A_doubling_and_times_out_on_timer_B()
    {
        var task = _layer.SendRequestAsync(NewRequest("INVITE"), Peer, SipTransportKind.Udp);
        _time.AdvanceTo(TimeSpan.FromSeconds(40));
        Assert.Equal("B", (await Assert.ThrowsAsync<SipTransactionTimeoutException>(() => task)).Timer);
        // Timer A doubles without the T2 cap: 0.5, 1, 2, 4, 8, 16.
        Assert.Equal([0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5], FakeSipTransport.Times(_wire.Requests("INVITE")));
        Assert.Equal(0, _layer.PendingTimerCount);
    }

    [Fact]
    public async Task Invite_provisional_stops_retransmissions_and_timer_B()
    {
        var ringing = 0;
        var tx = _layer.BeginRequest(NewRequest("INVITE"), Peer, SipTransportKind.Udp, r => ringing += r.StatusCode == 180 ? 1 : 0);
        _time.AdvanceTo(TimeSpan.FromSeconds(1));
        Receive(TestSip.ResponseTo(_wire.Requests("INVITE")[0].Message, 180));
        Assert.Equal(1, ringing);
        _time.AdvanceTo(TimeSpan.FromSeconds(120));
        Assert.Equal(2, _wire.Requests("INVITE").Count);
        Assert.Equal(SipTransactionState.Proceeding, tx.State);
        Assert.False(tx.Response.IsCompleted);

        Receive(TestSip.ResponseTo(_wire.Requests("INVITE")[0].Message, 200));
        Assert.Equal(200, (await tx.Response).StatusCode);
    }

    [Fact]
    public async Task Invite_non_2xx_is_acknowledged_by_the_transaction_and_again_for_each_retransmission()
    {
        var tx = _layer.BeginRequest(NewRequest("INVITE"), Peer, SipTransportKind.Udp);
        var sent = (SipRequest)_wire.Requests("INVITE")[0].Message;
        Receive(TestSip.ResponseTo(sent, 486, toTag: "busy-tag"));
        Assert.Equal(486, (await tx.Response).StatusCode);
        Assert.Equal(SipTransactionState.Completed, tx.State);

        var ack = Assert.Single(_wire.Requests("ACK")).Request;
        // §17.1.1.3: same Request-URI, one Via = the INVITE's top Via, To with the response's tag, CSeq n ACK, Route kept.
        Assert.Equal(sent.RequestUri.ToString(), ack.RequestUri.ToString());
        Assert.Equal(sent.Headers["Via"], ack.Headers["Via"]);
        Assert.Single(ack.Vias);
        Assert.Equal("busy-tag", ack.To!.Tag);
        Assert.Equal("1 ACK", ack.Headers["CSeq"]);
        Assert.Equal(sent.Headers["Call-ID"], ack.Headers["Call-ID"]);
        Assert.Equal(sent.Headers["From"], ack.Headers["From"]);
        Assert.Equal("<sip:proxy.example.com;lr>", ack.Headers["Route"]);

        _time.AdvanceTo(TimeSpan.FromSeconds(2));
        Receive(TestSip.ResponseTo(sent, 486, toTag: "busy-tag"));
        Assert.Equal([0, 2], FakeSipTransport.Times(_wire.Requests("ACK")));
        Assert.Single(_wire.Requests("INVITE")); // no more INVITE retransmissions after the final response

        _time.AdvanceTo(TimeSpan.FromSeconds(31.9));
        Assert.Equal(SipTransactionState.Completed, tx.State);
        _time.AdvanceTo(TimeSpan.FromSeconds(32)); // Timer D
        Assert.True(tx.IsTerminated);
        Assert.Empty(_tu.Stray);
    }

    [Fact]
    public async Task Invite_2xx_completes_the_task_and_retransmitted_2xx_go_to_the_TU_until_timer_M()
    {
        var tx = _layer.BeginRequest(NewRequest("INVITE"), Peer, SipTransportKind.Udp);
        var sent = _wire.Requests("INVITE")[0].Message;
        Receive(TestSip.ResponseTo(sent, 200));
        Assert.Equal(200, (await tx.Response).StatusCode);
        Assert.Equal(SipTransactionState.Accepted, tx.State);
        Assert.Empty(_wire.Requests("ACK")); // the 2xx ACK is the TU's

        Receive(TestSip.ResponseTo(sent, 200));
        var (again, owner) = Assert.Single(_tu.Stray);
        Assert.Equal(200, again.StatusCode);
        Assert.Same(tx, owner);

        _time.AdvanceTo(TimeSpan.FromSeconds(32)); // Timer M
        Assert.True(tx.IsTerminated);
        Receive(TestSip.ResponseTo(sent, 200)); // after the transaction: still the TU's, without one
        Assert.Null(_tu.Stray.Last().Transaction);
        Assert.Equal(2, _tu.Stray.Count);
    }

    [Fact]
    public async Task Ack_for_a_2xx_is_sent_without_a_transaction_with_a_new_branch()
    {
        var ack = new SipRequest("ACK", SipUri.Parse("sip:trunk@192.0.2.1:5060"));
        ack.Headers.Add("From", "<sip:a@b>;tag=1");
        ack.Headers.Add("To", "<sip:c@d>;tag=2");
        ack.Headers.Add("Call-ID", "x");
        ack.Headers.Add("CSeq", "1 ACK");
        await _layer.SendAckAsync(ack, Peer, SipTransportKind.Udp);
        Assert.True(Assert.Single(_wire.Requests("ACK")).Request.TopVia!.HasRfc3261Branch);
        Assert.Equal(0, _layer.ClientTransactionCount);
        Assert.Throws<ArgumentException>(() => _layer.BeginRequest(ack, Peer, SipTransportKind.Udp));
    }

    [Fact]
    public void A_stray_non_2xx_response_is_dropped()
    {
        Receive(TestSip.ResponseTo(TestSip.Request("OPTIONS", "z9hG4bKnobody"), 200));
        Assert.Empty(_tu.Stray);
    }
}
