using AudioFlow.Telephony.Sip.Messages;
using AudioFlow.Telephony.Sip.Transactions;
using AudioFlow.Telephony.Sip.Transport;
using Xunit;

namespace AudioFlow.Telephony.Tests.Sip.Transactions;

/// <summary>RFC 3261 §17.2 server transactions, §9.2 CANCEL and §13.3.1.4 2xx retransmission, in virtual time.</summary>
public sealed class ServerTransactionTests
{
    private const string InviteBranch = "z9hG4bKinvite1";
    private readonly VirtualTimeProvider _time = new();
    private readonly FakeSipTransport _wire;
    private readonly RecordingUser _tu = new();
    private readonly SipTransactionLayer _layer;

    public ServerTransactionTests()
    {
        _wire = new FakeSipTransport(_time);
        _layer = new SipTransactionLayer(_wire, _tu, SipTimerSettings.Default, _time);
    }

    private void Receive(SipMessage message, SipTransportKind transport = SipTransportKind.Udp) =>
        _layer.Process(TestSip.Incoming(message, transport));

    private SipServerTransaction ReceiveInvite(SipTransportKind transport = SipTransportKind.Udp)
    {
        Receive(TestSip.Request("INVITE", InviteBranch, transport: transport.ViaToken()), transport);
        return Assert.Single(_tu.Requests).Transaction;
    }

    private SipRequest AckFor(SipResponse final, string branch) =>
        TestSip.Request("ACK", branch, toTag: final.To!.Tag);

    // ------------------------------------------------------------------ INVITE server

    [Fact]
    public void Invite_gets_100_Trying_after_200_ms_when_the_TU_is_silent()
    {
        var tx = ReceiveInvite();
        Assert.IsType<SipInviteServerTransaction>(tx);
        Assert.Equal(SipTransactionState.Proceeding, tx.State);

        _time.Advance(TimeSpan.FromMilliseconds(199));
        Assert.Empty(_wire.All);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var trying = Assert.Single(_wire.Responses(100)).Response;
        Assert.Null(trying.To!.Tag); // §8.2.6.2: no tag on a 100
        Assert.Equal(0.2, Assert.Single(FakeSipTransport.Times(_wire.All)), 3);
    }

    [Fact]
    public void No_100_Trying_when_the_TU_answers_at_once()
    {
        _tu.Handler = (tx, _) => tx.Respond(180);
        ReceiveInvite();
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Single(_wire.All);
        Assert.Single(_wire.Responses(180));
    }

    [Fact]
    public void Invite_retransmission_is_absorbed_and_answered_with_the_last_provisional()
    {
        var tx = ReceiveInvite();
        Receive(TestSip.Request("INVITE", InviteBranch)); // before any response: nothing to repeat
        Assert.Empty(_wire.All);

        tx.Respond(180);
        Receive(TestSip.Request("INVITE", InviteBranch));
        Receive(TestSip.Request("INVITE", InviteBranch));

        Assert.Single(_tu.Requests); // the TU saw one INVITE
        var ringing = _wire.Responses(180);
        Assert.Equal(3, ringing.Count);
        Assert.All(ringing, r => Assert.Equal(ringing[0].Text, r.Text));
        Assert.Equal(tx.LocalTag, ringing[0].Response.To!.Tag);
    }

    [Fact]
    public void Non_2xx_final_is_retransmitted_on_timer_G_until_the_ACK_then_timer_I_ends_it()
    {
        var tx = (SipInviteServerTransaction)ReceiveInvite();
        tx.Respond(486);
        Assert.Equal(SipTransactionState.Completed, tx.State);

        _time.AdvanceTo(TimeSpan.FromSeconds(8));
        // G starts at T1 and doubles up to T2: 0.5, 1.5, 3.5, 7.5 s.
        Assert.Equal([0, 0.5, 1.5, 3.5, 7.5], FakeSipTransport.Times(_wire.Responses(486)));

        var final = _wire.Responses(486)[0].Response;
        Receive(AckFor(final, InviteBranch));
        Assert.Equal(SipTransactionState.Confirmed, tx.State);
        Assert.Empty(_tu.Acks); // absorbed by the transaction

        Receive(AckFor(final, InviteBranch)); // ACK retransmission: absorbed too
        _time.AdvanceTo(TimeSpan.FromSeconds(12.99));
        Assert.Equal(5, _wire.Responses(486).Count);
        Assert.Equal(SipTransactionState.Confirmed, tx.State);
        _time.AdvanceTo(TimeSpan.FromSeconds(13)); // Timer I = T4 after the ACK at 8 s
        Assert.True(tx.IsTerminated);
        Assert.Equal("timer I", tx.TerminationReason);
        Assert.Equal(0, _layer.ServerTransactionCount);
        Assert.Equal(0, _layer.PendingTimerCount);
        Assert.Empty(_tu.Timeouts);
    }

    [Fact]
    public void Timer_H_ends_a_transaction_whose_final_response_is_never_acknowledged()
    {
        var tx = ReceiveInvite();
        tx.Respond(603);
        _time.AdvanceTo(TimeSpan.FromSeconds(31.999));
        Assert.False(tx.IsTerminated);
        Assert.Empty(_tu.Timeouts);

        _time.AdvanceTo(TimeSpan.FromSeconds(32)); // H = 64*T1
        Assert.True(tx.IsTerminated);
        Assert.Equal("timer H", tx.TerminationReason);
        Assert.Same(tx, Assert.Single(_tu.Timeouts));
        Assert.Equal(
            [0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5],
            FakeSipTransport.Times(_wire.Responses(603)));

        _time.AdvanceTo(TimeSpan.FromSeconds(60));
        Assert.Equal(11, _wire.Responses(603).Count);
        Assert.Equal(0, _layer.ServerTransactionCount);
        Assert.Equal(0, _layer.PendingTimerCount);
    }

    [Fact]
    public void Invite_retransmission_in_Completed_gets_the_final_response_again()
    {
        var tx = ReceiveInvite();
        tx.Respond(404);
        _time.AdvanceTo(TimeSpan.FromSeconds(0.2));
        Receive(TestSip.Request("INVITE", InviteBranch));
        Assert.Equal([0, 0.2], FakeSipTransport.Times(_wire.Responses(404)));
        Assert.Single(_tu.Requests);
    }

    [Fact]
    public void Over_TCP_the_final_response_is_not_retransmitted_and_the_ACK_ends_the_transaction_at_once()
    {
        var tx = ReceiveInvite(SipTransportKind.Tcp);
        Assert.True(tx.IsReliable);
        tx.Respond(486);
        _time.AdvanceTo(TimeSpan.FromSeconds(10));
        Assert.Single(_wire.Responses(486));

        Receive(TestSip.Request("ACK", InviteBranch, toTag: tx.LocalTag, transport: "TCP"), SipTransportKind.Tcp);
        Assert.True(tx.IsTerminated); // Timer I is zero over a reliable transport
        Assert.Equal(0, _layer.PendingTimerCount);
    }

    [Fact]
    public void Over_TCP_timer_H_still_applies()
    {
        var tx = ReceiveInvite(SipTransportKind.Tcp);
        tx.Respond(486);
        _time.AdvanceTo(TimeSpan.FromSeconds(32));
        Assert.Same(tx, Assert.Single(_tu.Timeouts));
        Assert.Single(_wire.Responses(486));
    }

    [Fact]
    public void A_2xx_moves_to_Accepted_where_INVITE_retransmissions_are_absorbed_until_timer_L()
    {
        var tx = ReceiveInvite();
        tx.Respond(200);
        Assert.Equal(SipTransactionState.Accepted, tx.State);
        Receive(TestSip.Request("INVITE", InviteBranch));
        Assert.Single(_tu.Requests); // not a new INVITE for the TU
        Assert.Single(_wire.Responses(200)); // and not answered by the transaction (the TU retransmits 2xx)
        Assert.False(tx.TryRespond(tx.CreateResponse(486)));

        // The ACK of a 2xx has its own branch: end-to-end, to the TU.
        Receive(TestSip.Request("ACK", "z9hG4bKack2xx", toTag: tx.LocalTag));
        var (ack, retransmitter) = Assert.Single(_tu.Acks);
        Assert.Equal("ACK", ack.Method);
        Assert.Null(retransmitter);

        _time.AdvanceTo(TimeSpan.FromSeconds(31.9));
        Assert.Equal(SipTransactionState.Accepted, tx.State);
        _time.AdvanceTo(TimeSpan.FromSeconds(32));
        Assert.True(tx.IsTerminated);
        Assert.Equal("timer L", tx.TerminationReason);
        Assert.Empty(_tu.Timeouts);
    }

    [Fact]
    public void Respond_after_a_final_response_is_refused()
    {
        var tx = ReceiveInvite();
        tx.Respond(486);
        Assert.Throws<InvalidOperationException>(() => tx.Respond(200));
        Assert.False(tx.TryRespond(tx.CreateResponse(180)));
    }

    [Fact]
    public void A_TU_that_throws_gets_its_INVITE_answered_with_500()
    {
        _tu.Handler = (_, _) => throw new InvalidOperationException("boom");
        var tx = ReceiveInvite();
        Assert.Equal(500, tx.FinalResponse!.StatusCode);
        Assert.Single(_wire.Responses(500));
    }

    // ------------------------------------------------------------------ 2xx retransmission (§13.3.1.4)

    [Fact]
    public void Two_hundred_is_retransmitted_at_T1_2T1_4T1_then_T2_until_the_ACK()
    {
        var tx = ReceiveInvite();
        TwoHundredRetransmitter? retransmitter = null;
        _layer.Invoke(() => retransmitter = TwoHundredRetransmitter.Start(tx, tx.CreateResponse(200)));

        _time.AdvanceTo(TimeSpan.FromSeconds(16));
        Assert.Equal([0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5], FakeSipTransport.Times(_wire.Responses(200)));
        Assert.All(_wire.Responses(200), r => Assert.Equal(tx.LocalTag, r.Response.To!.Tag));

        // The ACK (new branch, same Call-ID / CSeq number / From tag) stops it and reaches the TU.
        Receive(TestSip.Request("ACK", "z9hG4bKack", toTag: tx.LocalTag));
        var (_, stopped) = Assert.Single(_tu.Acks);
        Assert.Same(retransmitter, stopped);
        Assert.True(retransmitter!.IsAcknowledged);
        Assert.Equal(6, retransmitter.Retransmissions);

        _time.AdvanceTo(TimeSpan.FromSeconds(60));
        Assert.Equal(7, _wire.Responses(200).Count);
        Assert.Empty(_tu.AckTimeouts);
        Assert.Equal(0, _layer.PendingTimerCount);
    }

    [Fact]
    public void Two_hundred_retransmission_gives_up_after_64_T1_and_tells_the_TU()
    {
        var tx = ReceiveInvite();
        var retransmitter = TwoHundredRetransmitter.Start(tx, tx.CreateResponse(200));

        _time.AdvanceTo(TimeSpan.FromSeconds(31.99));
        Assert.Empty(_tu.AckTimeouts);
        _time.AdvanceTo(TimeSpan.FromSeconds(32));
        Assert.Same(retransmitter, Assert.Single(_tu.AckTimeouts));
        Assert.True(retransmitter.HasGivenUp);
        Assert.Equal(
            [0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5],
            FakeSipTransport.Times(_wire.Responses(200)));

        // A late ACK is still the TU's, with no retransmitter attached any more.
        Receive(TestSip.Request("ACK", "z9hG4bKlate", toTag: tx.LocalTag));
        Assert.Null(Assert.Single(_tu.Acks).Retransmitter);
        _time.AdvanceTo(TimeSpan.FromSeconds(100));
        Assert.Equal(11, _wire.Responses(200).Count);
        Assert.Equal(0, _layer.PendingTimerCount);
    }

    [Fact]
    public void Two_hundred_retransmission_with_short_timers_follows_the_configured_T1_and_T2()
    {
        var time = new VirtualTimeProvider();
        var wire = new FakeSipTransport(time);
        var tu = new RecordingUser();
        var layer = new SipTransactionLayer(wire, tu, new SipTimerSettings { T1 = TimeSpan.FromMilliseconds(100), T2 = TimeSpan.FromMilliseconds(300) }, time);
        layer.Process(TestSip.Incoming(TestSip.Request("INVITE", InviteBranch)));
        var tx = Assert.Single(tu.Requests).Transaction;
        TwoHundredRetransmitter.Start(tx, tx.CreateResponse(200));
        time.AdvanceTo(TimeSpan.FromSeconds(7));
        // 0.1, 0.3 (+0.2), 0.6 (+0.3 cap), 0.9 ... until 64*T1 = 6.4 s.
        var expected = new List<double> { 0, 0.1, 0.3 };
        for (var t = 0.6; t < 6.4; t += 0.3)
        {
            expected.Add(Math.Round(t, 3));
        }

        Assert.Equal(expected, FakeSipTransport.Times(wire.Responses(200)).Select(t => Math.Round(t, 3)));
        Assert.Single(tu.AckTimeouts);
    }

    // ------------------------------------------------------------------ CANCEL (§9.2)

    [Fact]
    public void Cancel_gets_200_and_the_unanswered_invite_487_with_the_same_tag()
    {
        var tx = ReceiveInvite();
        tx.Respond(180);
        Receive(TestSip.Request("CANCEL", InviteBranch));

        var sent = _wire.All.Select(s => s.Response).ToArray();
        Assert.Equal([180, 200, 487], sent.Select(r => r.StatusCode));
        Assert.Equal("CANCEL", sent[1].CSeq!.Value.Method);
        Assert.Equal("INVITE", sent[2].CSeq!.Value.Method);
        Assert.Equal(tx.LocalTag, sent[1].To!.Tag);
        Assert.Equal(tx.LocalTag, sent[2].To!.Tag);
        var (invite, cancel) = Assert.Single(_tu.Cancelled);
        Assert.Same(tx, invite);
        Assert.Equal("CANCEL", cancel.Method);
        Assert.True(tx.IsCancelled);
        Assert.Equal(SipTransactionState.Completed, tx.State);

        // The 487 is acknowledged in the INVITE transaction.
        Receive(AckFor(sent[2], InviteBranch));
        Assert.Equal(SipTransactionState.Confirmed, tx.State);
        Assert.Empty(_tu.Acks);

        // The TU's late answer is refused quietly.
        Assert.False(tx.TryRespond(tx.CreateResponse(200)));
    }

    [Fact]
    public void Cancel_retransmission_gets_the_cached_200()
    {
        ReceiveInvite().Respond(180);
        Receive(TestSip.Request("CANCEL", InviteBranch));
        Receive(TestSip.Request("CANCEL", InviteBranch));
        Assert.Equal(2, _wire.All.Count(s => s.Response.StatusCode == 200 && s.Response.CSeq!.Value.Method == "CANCEL"));
        Assert.Single(_wire.Responses(487));
        Assert.Single(_tu.Cancelled);
    }

    [Fact]
    public void Cancel_for_an_unknown_transaction_gets_481()
    {
        Receive(TestSip.Request("CANCEL", "z9hG4bKnosuch"));
        var response = Assert.Single(_wire.All).Response;
        Assert.Equal(481, response.StatusCode);
        Assert.Equal("CANCEL", response.CSeq!.Value.Method);
        Assert.Empty(_tu.Cancelled);
        Assert.Empty(_tu.Requests);
    }

    [Fact]
    public void Cancel_with_another_sent_by_does_not_match()
    {
        ReceiveInvite().Respond(180);
        Receive(TestSip.Request("CANCEL", InviteBranch, viaSentBy: "192.0.2.99:5060"));
        Assert.Equal(481, _wire.All[^1].Response.StatusCode);
    }

    [Fact]
    public void Cancel_after_the_final_response_gets_200_and_changes_nothing()
    {
        var tx = ReceiveInvite();
        tx.Respond(486);
        Receive(TestSip.Request("CANCEL", InviteBranch));
        Assert.Equal([486, 200], _wire.All.Select(s => s.Response.StatusCode));
        Assert.Empty(_wire.Responses(487));
        Assert.Empty(_tu.Cancelled);
        Assert.False(tx.IsCancelled);
    }

    // ------------------------------------------------------------------ non-INVITE server

    [Fact]
    public void Non_invite_retransmissions_get_the_cached_response_until_timer_J()
    {
        _tu.Handler = (tx, _) => tx.Respond(200);
        Receive(TestSip.Request("OPTIONS", "z9hG4bKopt"));
        var tx = Assert.Single(_tu.Requests).Transaction;
        Assert.IsType<SipNonInviteServerTransaction>(tx);
        Assert.Equal(SipTransactionState.Completed, tx.State);

        _time.AdvanceTo(TimeSpan.FromSeconds(1));
        Receive(TestSip.Request("OPTIONS", "z9hG4bKopt"));
        _time.AdvanceTo(TimeSpan.FromSeconds(20));
        Receive(TestSip.Request("OPTIONS", "z9hG4bKopt"));
        Assert.Single(_tu.Requests);
        var ok = _wire.Responses(200);
        Assert.Equal([0, 1, 20], FakeSipTransport.Times(ok));
        Assert.All(ok, r => Assert.Equal(ok[0].Text, r.Text));

        _time.AdvanceTo(TimeSpan.FromSeconds(32)); // Timer J = 64*T1
        Assert.True(tx.IsTerminated);
        Assert.Equal("timer J", tx.TerminationReason);
    }

    [Fact]
    public void Non_invite_retransmission_in_Trying_is_dropped_and_in_Proceeding_gets_the_provisional()
    {
        Receive(TestSip.Request("REGISTER", "z9hG4bKreg"));
        var tx = Assert.Single(_tu.Requests).Transaction;
        Assert.Equal(SipTransactionState.Trying, tx.State);
        Receive(TestSip.Request("REGISTER", "z9hG4bKreg"));
        _time.AdvanceTo(TimeSpan.FromSeconds(1));
        Assert.Empty(_wire.All); // no automatic 100 for non-INVITE

        tx.Respond(100);
        Assert.Equal(SipTransactionState.Proceeding, tx.State);
        Receive(TestSip.Request("REGISTER", "z9hG4bKreg"));
        Assert.Equal(2, _wire.Responses(100).Count);
        tx.Respond(200);
        Assert.Single(_wire.Responses(200));
    }

    [Fact]
    public void Over_TCP_a_non_invite_transaction_ends_with_its_final_response()
    {
        _tu.Handler = (tx, _) => tx.Respond(200);
        Receive(TestSip.Request("BYE", "z9hG4bKbye", transport: "TCP"), SipTransportKind.Tcp);
        Assert.True(Assert.Single(_tu.Requests).Transaction.IsTerminated);
        Assert.Equal(0, _layer.ServerTransactionCount);
    }

    [Fact]
    public void Same_branch_with_another_method_or_sent_by_is_another_transaction()
    {
        Receive(TestSip.Request("OPTIONS", "z9hG4bKsame"));
        Receive(TestSip.Request("INFO", "z9hG4bKsame"));
        Receive(TestSip.Request("OPTIONS", "z9hG4bKsame", viaSentBy: "192.0.2.2:5060"));
        Assert.Equal(3, _tu.Requests.Count);
    }

    [Fact]
    public async Task A_transport_error_on_a_response_terminates_the_transaction_and_tells_the_TU()
    {
        var tx = ReceiveInvite();
        _wire.Failure = new SipTransportException("unreachable");
        tx.Respond(486);
        await Wait.UntilAsync(() => !_tu.TransportErrors.IsEmpty); // failures come back asynchronously, under the lock
        Assert.True(tx.IsTerminated);
        var (failed, error) = Assert.Single(_tu.TransportErrors);
        Assert.Same(tx, failed);
        Assert.IsType<SipTransportException>(error);
    }

    [Fact]
    public void Ack_for_an_unknown_transaction_goes_to_the_TU()
    {
        Receive(TestSip.Request("ACK", "z9hG4bKstray", toTag: "x"));
        Assert.Single(_tu.Acks);
        Assert.Empty(_wire.All);
    }

    [Fact]
    public void Rfc2543_requests_without_the_magic_cookie_are_matched_by_the_fallback_key()
    {
        Receive(TestSip.Request("OPTIONS", "old-style-1"));
        Receive(TestSip.Request("OPTIONS", "old-style-1"));
        Receive(TestSip.Request("OPTIONS", "old-style-1", cseq: 2));
        Assert.Equal(2, _tu.Requests.Count);
    }
}
