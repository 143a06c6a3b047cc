using System.Diagnostics;
using AudioFlow.Audio.Channel;
using AudioFlow.Audio.Codecs;
using AudioFlow.Telephony.Rtp.Session;
using AudioFlow.Telephony.Sip.Messages;
using AudioFlow.Telephony.Tests.Sip.Transactions;
using Xunit;

namespace AudioFlow.Telephony.Tests.Sip.UserAgent;

/// <summary>
/// Requests inside and outside a call, scripted over UDP on loopback: hold and resume and codec change by re-INVITE, DTMF by INFO,
/// OPTIONS, the refusals (481, 501, 405, 420, 500), blind transfer by REFER/NOTIFY (success and failures), media timeout.
/// </summary>
public sealed class SipUserAgentDialogTests
{
    [Fact]
    public async Task A_reinvite_to_hold_is_answered_recvonly_and_stops_our_rtp_until_resumed()
    {
        await using var ua = TestUserAgent.Start();
        using var peer = SipPeer.Udp(ua.Udp);
        await peer.CallAsync();
        var call = await ua.Sink.NextCallAsync();

        using var agent = new CancellationTokenSource();
        var speaking = Speak(call, agent.Token);
        var before = await peer.ReceiveRtpAsync(0.5);
        Assert.True(before.Count >= 5, $"{before.Count} packets before hold");
        Assert.True(before[0].Header.Marker);

        await peer.SendAsync(peer.Request("INVITE", peer.Sdp(direction: "sendonly")));
        var held = await peer.FinalResponseAsync();
        Assert.Equal(200, held.StatusCode);
        Assert.Contains("a=recvonly", SipPeer.SdpText(held));
        await peer.SendAsync(peer.Request("ACK", cseq: (int)held.CSeq!.Value.Number));
        await peer.ReceiveRtpAsync(0.2); // what was on its way before the hold
        Assert.Empty(await peer.ReceiveRtpAsync(0.5));

        await peer.SendAsync(peer.Request("INVITE", peer.Sdp(direction: "sendrecv")));
        var resumed = await peer.FinalResponseAsync();
        Assert.Contains("a=sendrecv", SipPeer.SdpText(resumed));
        await peer.SendAsync(peer.Request("ACK", cseq: (int)resumed.CSeq!.Value.Number));
        var after = await peer.ReceiveRtpAsync(0.5);
        Assert.True(after.Count >= 5, $"{after.Count} packets after resume");
        Assert.True(after[0].Header.Marker, "the first packet after resuming starts a talkspurt");
        var last = before[^1].Header;
        Assert.True(unchecked(after[0].Header.Timestamp - last.Timestamp) >= 160 * 25, "timestamps jump by the time on hold (at least 0.5 s)");
        agent.Cancel();
        await speaking;
    }

    [Fact]
    public async Task A_reinvite_changing_the_codec_is_taken_and_the_call_goes_on_transcoded()
    {
        await using var ua = TestUserAgent.Start();
        using var peer = SipPeer.Udp(ua.Udp);
        var ok = await peer.CallAsync();
        var call = await ua.Sink.NextCallAsync();
        Assert.Equal(MediaFormat.Pcmu8k, call.Channel.InboundFormat);

        // The caller switches to PCMA only: answered with PCMA; the call graph keeps PCMU.
        await peer.SendAsync(peer.Request("INVITE", peer.Sdp("8 101")));
        var switched = await peer.FinalResponseAsync();
        Assert.Equal(200, switched.StatusCode);
        Assert.Matches(@"m=audio \d+ RTP/AVP 8 101", SipPeer.SdpText(switched));
        await peer.SendAsync(peer.Request("ACK", cseq: (int)switched.CSeq!.Value.Number));

        // A-law in, µ-law to the call (the same sample value); µ-law from the call, A-law out (payload type 8).
        var media = SipPeer.MediaOf(ok);
        const byte aLaw = 0xAA;
        var expected = G711.MuLawEncode(G711.ALawDecode(aLaw));
        for (ushort seq = 1; seq <= 40; seq++)
        {
            await peer.SendRtpAsync(media, seq, 1000u + (seq * 160u), payloadType: 8, fill: aLaw);
            await Task.Delay(20);
        }

        await Wait.UntilAsync(() => call.Of<InboundMedia>().Any(m => m.Payload.Span[0] == expected && m.Payload.Span[159] == expected),
            because: "transcoded A-law frames reach the call as µ-law; got first bytes " +
                string.Join(",", call.Of<InboundMedia>().Select(m => m.Payload.Span[0]).Distinct()));
        await call.SendAsync(new OutboundMedia(Enumerable.Repeat((byte)0x9C, 160).ToArray()));
        var sent = await peer.ReceiveRtpAsync(2, stopAfter: 1);
        Assert.Equal(8, sent[0].Header.PayloadType);
        Assert.Equal(160, sent[0].PayloadLength);

        // Offered both again, the call's own codec wins (no transcoding); nothing usable is still refused.
        await peer.SendAsync(peer.Request("INVITE", peer.Sdp("8 0 101")));
        var back = await peer.FinalResponseAsync();
        Assert.Matches(@"m=audio \d+ RTP/AVP 0 101", SipPeer.SdpText(back));
        await peer.SendAsync(peer.Request("ACK", cseq: (int)back.CSeq!.Value.Number));
        await peer.SendAsync(peer.Request("INVITE", peer.Sdp("18", rtpmaps: "a=rtpmap:18 G729/8000\r\n")));
        Assert.Equal(488, (await peer.FinalResponseAsync()).StatusCode);
        await call.WaitForAsync<TransportProblem>(p => p.Kind == "reinvite-refused");

        // Same codec on another payload type number is fine.
        await peer.SendAsync(peer.Request("INVITE", peer.Sdp("96 101", rtpmaps: "a=rtpmap:96 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n")));
        Assert.Equal(200, (await peer.FinalResponseAsync()).StatusCode);
        Assert.False(call.Completion.IsCompleted);
    }

    [Fact]
    public async Task Info_dtmf_relay_and_dtmf_bodies_reach_the_call_as_digits()
    {
        await using var ua = TestUserAgent.Start();
        using var peer = SipPeer.Udp(ua.Udp);
        await peer.CallAsync();
        var call = await ua.Sink.NextCallAsync();

        await peer.SendAsync(peer.Request("INFO", "Signal=5\r\nDuration=160\r\n", "application/dtmf-relay"));
        Assert.Equal(200, (await peer.FinalResponseAsync("INFO")).StatusCode);
        await peer.SendAsync(peer.Request("INFO", "#", "application/dtmf"));
        Assert.Equal(200, (await peer.FinalResponseAsync("INFO")).StatusCode);
        await peer.SendAsync(peer.Request("INFO", "Signal=11\r\n", "application/dtmf-relay"));
        Assert.Equal(200, (await peer.FinalResponseAsync("INFO")).StatusCode);
        await peer.SendAsync(peer.Request("INFO", "<xml/>", "application/xml"));
        Assert.Equal(415, (await peer.FinalResponseAsync("INFO")).StatusCode);

        await Wait.UntilAsync(() => call.Of<InboundDtmf>().Count() == 3);
        Assert.Equal("5##", new string(call.Of<InboundDtmf>().Select(d => d.Digit).ToArray()));
        Assert.All(call.Of<InboundDtmf>(), d => Assert.Equal("info", d.Source));
    }

    [Fact]
    public async Task Options_is_answered_with_allow_accept_and_supported_in_and_out_of_a_dialog()
    {
        await using var ua = TestUserAgent.Start();
        using var peer = SipPeer.Udp(ua.Udp);
        await peer.SendAsync(peer.Request("OPTIONS", extraHeaders: "Accept: application/sdp\r\n", withToTag: false));
        var ok = await peer.FinalResponseAsync("OPTIONS");
        Assert.Equal(200, ok.StatusCode);
        Assert.Contains("INVITE", ok.Allow);
        Assert.Contains("BYE", ok.Allow);
        Assert.Contains("application/sdp", ok.Headers.Get("Accept"));
        Assert.True(ok.Headers.Contains("Supported"));
        Assert.Empty(ua.Sink.Calls);

        await peer.CallAsync();
        await peer.SendAsync(peer.Request("OPTIONS"));
        Assert.Equal(200, (await peer.FinalResponseAsync("OPTIONS")).StatusCode);
    }

    [Fact]
    public async Task Requests_outside_a_dialog_unknown_methods_extensions_and_out_of_order_cseqs_are_refused()
    {
        await using var ua = TestUserAgent.Start();
        using var peer = SipPeer.Udp(ua.Udp);

        await peer.SendAsync(peer.Request("BYE", extraHeaders: "", withToTag: false).Replace($"To: <sip:service@{ua.Udp}>", $"To: <sip:service@{ua.Udp}>;tag=nosuchdialog"));
        Assert.Equal(481, (await peer.FinalResponseAsync("BYE")).StatusCode);

        await peer.SendAsync(peer.Request("FROBNICATE", withToTag: false));
        var notImplemented = await peer.FinalResponseAsync("FROBNICATE");
        Assert.Equal(501, notImplemented.StatusCode);

        await peer.SendAsync(peer.Request("SUBSCRIBE", extraHeaders: "Event: presence\r\n", withToTag: false));
        var notAllowed = await peer.FinalResponseAsync("SUBSCRIBE");
        Assert.Equal(405, notAllowed.StatusCode);
        Assert.Contains("INVITE", notAllowed.Allow);
        Assert.DoesNotContain("SUBSCRIBE", notAllowed.Allow);

        await peer.SendAsync(peer.Invite(peer.Sdp(), "Require: 100rel, timer\r\n"));
        var badExtension = await peer.FinalResponseAsync();
        Assert.Equal(420, badExtension.StatusCode);
        Assert.Equal("100rel, timer", badExtension.Headers.Get("Unsupported"));

        using var caller = SipPeer.Udp(ua.Udp);
        await caller.CallAsync();
        await caller.SendAsync(caller.Request("INFO", "Signal=1\r\n", "application/dtmf-relay", cseq: 5));
        Assert.Equal(200, (await caller.FinalResponseAsync("INFO")).StatusCode);
        await caller.SendAsync(caller.Request("INFO", "Signal=2\r\n", "application/dtmf-relay", cseq: 3));
        Assert.Equal(500, (await caller.FinalResponseAsync("INFO")).StatusCode);
    }

    [Fact]
    public async Task A_transfer_sends_refer_follows_the_notify_and_hangs_up_when_the_target_answered()
    {
        await using var ua = TestUserAgent.Start();
        using var peer = SipPeer.Udp(ua.Udp);
        var ok = await peer.CallAsync();
        var call = await ua.Sink.NextCallAsync();

        await call.SendAsync(new TransferCall("sip:operator@example.invalid"));
        var refer = await peer.RequestAsync("REFER");
        Assert.Equal("<sip:operator@example.invalid>", refer.Headers.Get("Refer-To"));
        Assert.Equal(ok.To!.Uri.ToString(), refer.ReferredBy!.Uri.ToString());
        Assert.Equal(peer.FromTag, refer.To!.Tag);
        await peer.RespondAsync(refer, 202, "Accepted");

        await peer.SendAsync(peer.RequestToAudioFlow("NOTIFY", "SIP/2.0 100 Trying\r\n", "message/sipfrag;version=2.0",
            "Event: refer\r\nSubscription-State: active;expires=60\r\n"));
        Assert.Equal(200, (await peer.FinalResponseAsync("NOTIFY")).StatusCode);
        await peer.SendAsync(peer.RequestToAudioFlow("NOTIFY", "SIP/2.0 200 OK\r\n", "message/sipfrag;version=2.0",
            "Event: refer\r\nSubscription-State: terminated;reason=noresource\r\n"));
        Assert.Equal(200, (await peer.FinalResponseAsync("NOTIFY")).StatusCode);

        var bye = await peer.RequestAsync("BYE");
        await peer.RespondAsync(bye, 200);
        var result = await call.WaitForAsync<TransferResult>();
        Assert.True(result.Succeeded, result.Detail);
        Assert.Equal("transferred to sip:operator@example.invalid", await call.EndedAsync());
        var events = call.Events.Where(e => e is not InboundMedia).ToList();
        Assert.True(events.IndexOf(result) < events.FindIndex(e => e is CallerHungUp), "the transfer result comes before the hang-up");
    }

    [Fact]
    public async Task A_failed_transfer_is_reported_and_the_call_goes_on()
    {
        await using var ua = TestUserAgent.Start(o => o with { TransferTimeout = TimeSpan.FromSeconds(1) });
        using var peer = SipPeer.Udp(ua.Udp);
        await peer.CallAsync();
        var call = await ua.Sink.NextCallAsync();

        // The target is busy: a final sipfrag 486.
        await call.SendAsync(new TransferCall("+44 20 7946 0000"));
        var refer = await peer.RequestAsync("REFER");
        Assert.Equal($"<sip:+442079460000@{peer.Local};user=phone>", refer.Headers.Get("Refer-To"));
        await peer.RespondAsync(refer, 202, "Accepted");
        await peer.SendAsync(peer.RequestToAudioFlow("NOTIFY", "SIP/2.0 486 Busy Here\r\n", "message/sipfrag",
            "Event: refer\r\nSubscription-State: terminated;reason=noresource\r\n"));
        Assert.Equal(200, (await peer.FinalResponseAsync("NOTIFY")).StatusCode);
        var busy = await call.WaitForAsync<TransferResult>();
        Assert.False(busy.Succeeded);
        Assert.Contains("486 Busy Here", busy.Detail);

        // The trunk refuses the REFER.
        await call.SendAsync(new TransferCall("sip:sales@example.invalid"));
        var refused = await peer.RequestAsync("REFER");
        await peer.RespondAsync(refused, 603, "Decline");
        var declined = await call.WaitForAsync<TransferResult>(r => r.Target == "sip:sales@example.invalid");
        Assert.Contains("603", declined.Detail);

        // Accepted but no NOTIFY ever comes.
        await call.SendAsync(new TransferCall("sip:support@example.invalid"));
        var silent = await peer.RequestAsync("REFER");
        await peer.RespondAsync(silent, 202, "Accepted");
        var timedOut = await call.WaitForAsync<TransferResult>(r => r.Target == "sip:support@example.invalid", seconds: 5);
        Assert.Contains("no final NOTIFY", timedOut.Detail);

        // Still up: no BYE, and a digit still arrives.
        Assert.True(await peer.NoneAsync(m => m is SipRequest { Method: "BYE" }, 0.3));
        await peer.SendAsync(peer.Request("INFO", "Signal=7\r\n", "application/dtmf-relay"));
        await call.WaitForAsync<InboundDtmf>(d => d.Digit == '7');
        Assert.False(call.Completion.IsCompleted);
    }

    [Fact]
    public async Task No_rtp_for_the_media_timeout_ends_the_call_with_a_bye()
    {
        await using var ua = TestUserAgent.Start(o => o with { Rtp = new RtpSessionOptions { MediaTimeout = TimeSpan.FromSeconds(1) } });
        using var peer = SipPeer.Udp(ua.Udp);
        await peer.CallAsync();
        var call = await ua.Sink.NextCallAsync();
        var bye = await peer.RequestAsync("BYE", seconds: 4);
        await peer.RespondAsync(bye, 200);
        Assert.Equal("media timeout: no RTP for 1 s", await call.EndedAsync());
    }

    [Fact]
    public async Task On_hold_the_media_timeout_is_suspended()
    {
        await using var ua = TestUserAgent.Start(o => o with { Rtp = new RtpSessionOptions { MediaTimeout = TimeSpan.FromSeconds(1) } });
        using var peer = SipPeer.Udp(ua.Udp);
        await peer.CallAsync(peer.Sdp(direction: "inactive"));
        var call = await ua.Sink.NextCallAsync();
        Assert.True(await peer.NoneAsync(m => m is SipRequest { Method: "BYE" }, 2));
        Assert.False(call.Completion.IsCompleted);
        Assert.True(call.MediaFrames >= 80, $"{call.MediaFrames} frames: media time goes on while on hold");
    }

    /// <summary>
    /// The agent talking: a frame every 20 ms from a thread of its own (a thread-pool timer can be starved for
    /// seconds by the rest of the test run, and then no RTP goes out at all).
    /// </summary>
    private static Task Speak(TestCall call, CancellationToken stop) => Task.Factory.StartNew(() =>
    {
        var frame = new byte[160];
        var clock = Stopwatch.StartNew();
        for (var sent = 0; !stop.IsCancellationRequested; sent++)
        {
            call.SendAsync(new OutboundMedia(frame)).AsTask().Wait();
            var next = TimeSpan.FromMilliseconds(20 * (sent + 1)) - clock.Elapsed;
            if (next > TimeSpan.Zero)
            {
                stop.WaitHandle.WaitOne(next);
            }
        }
    }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
