using System.Net;
using AudioFlow.Audio.Channel;
using AudioFlow.Telephony.Sip.Messages;
using AudioFlow.Telephony.Sip.Transport;
using AudioFlow.Telephony.Sip.UserAgent;
using AudioFlow.Telephony.Tests.Sip.Transactions;
using AudioFlow.Telephony.Tests.Sip.Transport;
using Xunit;

namespace AudioFlow.Telephony.Tests.Sip.UserAgent;

/// <summary>
/// The user agent over the real transport on loopback, driven by a scripted peer: call setup and teardown both ways,
/// UDP, TCP and IPv6, and the refusals before a call (CANCEL, 488, 403, 401).
/// </summary>
public sealed class SipUserAgentCallTests
{
    [Fact]
    public async Task An_invite_is_answered_with_sdp_the_call_gets_media_and_a_caller_bye_ends_it()
    {
        await using var ua = TestUserAgent.Start();
        using var peer = SipPeer.Udp(ua.Udp);
        await peer.SendAsync(peer.Invite(peer.Sdp()));

        var trying = await peer.ResponseAsync(100);
        Assert.Null(trying.To!.Tag);
        var ringing = await peer.ResponseAsync(180);
        var ok = await peer.ResponseAsync(200);
        Assert.Equal(ringing.To!.Tag, ok.To!.Tag);
        Assert.Contains("sip:audioflow@127.0.0.1:" + ua.Udp.Port, ok.Headers.Get("Contact"));
        Assert.Contains("INVITE", ok.Headers.Get("Allow"));
        var answer = SipPeer.SdpText(ok);
        Assert.Contains("m=audio ", answer);
        Assert.Contains("a=rtpmap:0 PCMU/8000", answer);
        Assert.Contains("a=rtpmap:101 telephone-event/8000", answer);
        Assert.Contains("a=sendrecv", answer);

        var call = await ua.Sink.NextCallAsync();
        Assert.Equal("sip", call.Channel.Transport);
        Assert.StartsWith("sip-", call.Channel.CallId);
        Assert.Equal(MediaFormat.Pcmu8k, call.Channel.InboundFormat);
        Assert.Equal(peer.CallId, call.Channel.ProviderCallId);
        Assert.Equal("+15551230000", call.Channel.From);
        Assert.Equal("service", call.Channel.To);

        // The 200 is retransmitted until the ACK.
        await peer.ResponseAsync(200, seconds: 1);
        peer.Answered(ok);
        await peer.SendAsync(peer.Request("ACK", cseq: 1));

        // Caller audio arrives as one frame per 20 ms, the real payload once the jitter buffer plays.
        var media = SipPeer.MediaOf(ok);
        await peer.StreamRtpAsync(media, 20);
        await Wait.UntilAsync(() => call.Of<InboundMedia>().Any(m => m.Payload.Span[0] == 0xFF) && call.MediaFrames >= 20);

        await peer.SendAsync(peer.Request("BYE"));
        Assert.Equal(200, (await peer.FinalResponseAsync("BYE")).StatusCode);
        Assert.Equal("caller hung up", await call.EndedAsync());
        await Wait.UntilAsync(() => ua.Server.UserAgent.RecentCalls.Count == 1);
        var info = ua.Server.UserAgent.RecentCalls[0];
        Assert.Equal("caller hung up", info.EndReason);
        Assert.True(info.Media!.PacketsReceived >= 20, info.Media.ToString());
    }

    [Fact]
    public async Task The_agent_hanging_up_sends_a_bye_over_tcp_on_the_callers_connection()
    {
        await using var ua = TestUserAgent.Start();
        using var peer = await SipPeer.TcpAsync(ua.Tcp);
        var ok = await peer.CallAsync();
        Assert.Contains(";transport=tcp", ok.Headers.Get("Contact"));
        var call = await ua.Sink.NextCallAsync();

        await call.SendAsync(new OutboundMedia(new byte[160]));
        await call.SendAsync(new HangUp("goodbye said"));
        var bye = await peer.RequestAsync("BYE");
        Assert.Equal($"sip:peer@{peer.Local};transport=tcp", bye.RequestUri.ToString());
        Assert.Equal(peer.FromTag, bye.To!.Tag);
        Assert.Equal(ok.To!.Tag, bye.From!.Tag);
        await peer.RespondAsync(bye, 200);
        Assert.Equal("agent hung up", await call.EndedAsync());
    }

    [Ipv6Fact]
    public async Task Ipv6_calls_are_answered_with_ipv6_sdp()
    {
        await using var ua = TestUserAgent.Start(ipv6: true);
        using var peer = SipPeer.Udp(ua.Udp);
        var ok = await peer.CallAsync();
        Assert.Contains("c=IN IP6 ::1", SipPeer.SdpText(ok));
        Assert.Equal(IPAddress.IPv6Loopback, SipPeer.MediaOf(ok).Address);
        var call = await ua.Sink.NextCallAsync();
        await peer.SendAsync(peer.Request("BYE"));
        Assert.Equal("caller hung up", await call.EndedAsync());
    }

    [Fact]
    public async Task A_cancel_before_the_answer_gets_487_and_no_call_is_started()
    {
        await using var ua = TestUserAgent.Start(o => o with { AnswerDelay = TimeSpan.FromSeconds(3) });
        using var peer = SipPeer.Udp(ua.Udp);
        const string branch = "z9hG4bKcancelme1";
        await peer.SendAsync(peer.Invite(peer.Sdp(), branch: branch));
        await peer.ResponseAsync(180);
        await peer.SendAsync(peer.Request("CANCEL", cseq: 1, branch: branch, withToTag: false));

        Assert.Equal(200, (await peer.FinalResponseAsync("CANCEL")).StatusCode);
        var terminated = await peer.FinalResponseAsync();
        Assert.Equal(487, terminated.StatusCode);
        peer.Answered(terminated);
        await peer.SendAsync(peer.Request("ACK", cseq: 1, branch: branch));

        await Task.Delay(3500); // past the answer delay: still no 200, no call
        Assert.True(await peer.NoneAsync(m => m is SipResponse { StatusCode: 200, CSeq.Method: "INVITE" }, 0.3));
        Assert.Empty(ua.Sink.Calls);
        Assert.Contains(ua.Server.UserAgent.RecentCalls, c => c.EndReason!.StartsWith("cancelled", StringComparison.Ordinal));
        Assert.Equal(0, ua.Server.UserAgent.Ports.InUse);
    }

    [Fact]
    public async Task An_offer_without_a_usable_codec_gets_488_with_a_warning()
    {
        await using var ua = TestUserAgent.Start();
        using var peer = SipPeer.Udp(ua.Udp);
        await peer.SendAsync(peer.Invite(peer.Sdp("18 111", rtpmaps: "a=rtpmap:18 G729/8000\r\na=rtpmap:111 opus/48000/2\r\n")));
        var refused = await peer.FinalResponseAsync();
        Assert.Equal(488, refused.StatusCode);
        Assert.StartsWith("305 audioflow \"Incompatible media format", refused.Headers.Get("Warning"));

        using var srtp = SipPeer.Udp(ua.Udp);
        await srtp.SendAsync(srtp.Invite(srtp.Sdp().Replace("RTP/AVP", "RTP/SAVP")));
        var insecure = await srtp.FinalResponseAsync();
        Assert.Equal(488, insecure.StatusCode);
        Assert.StartsWith("302 ", insecure.Headers.Get("Warning"));
        Assert.Empty(ua.Sink.Calls);
        Assert.Equal(0, ua.Server.UserAgent.Ports.InUse);
    }

    [Fact]
    public async Task A_delayed_offer_gets_our_offer_in_the_200_and_the_call_starts_with_the_codec_the_ack_answers()
    {
        await using var ua = TestUserAgent.Start();
        using var peer = SipPeer.Udp(ua.Udp);
        await peer.SendAsync(peer.Invite(sdp: ""));
        var ok = await peer.FinalResponseAsync();
        Assert.Equal(200, ok.StatusCode);
        var offer = SipPeer.SdpText(ok);
        Assert.Matches(@"m=audio \d+ RTP/AVP 9 0 8 101\r\n", offer); // our codecs in our order (G.722 first by default)
        Assert.Contains("a=rtpmap:101 telephone-event/8000", offer);
        Assert.Contains("a=sendrecv", offer);
        await Task.Delay(300); // time for a call to start if it (wrongly) would
        Assert.Empty(ua.Sink.Calls); // no call on the node before the answer

        // The answer picks PCMA from our offer; the call starts with it, and our RTP goes to the answer's address.
        peer.Answered(ok);
        await peer.SendAsync(peer.Request("ACK", body: peer.Sdp("8 101"), cseq: 1));
        var call = await ua.Sink.NextCallAsync();
        Assert.Equal(MediaFormat.Pcma8k, call.Channel.InboundFormat);
        await call.SendAsync(new OutboundMedia(new byte[160]));
        var sent = await peer.ReceiveRtpAsync(2, stopAfter: 1);
        Assert.Equal(8, sent[0].Header.PayloadType);
        await peer.SendAsync(peer.Request("BYE"));
        Assert.Equal("caller hung up", await call.EndedAsync());
    }

    [Fact]
    public async Task A_delayed_offer_whose_ack_has_no_usable_answer_is_ended_with_a_bye()
    {
        await using var ua = TestUserAgent.Start();
        foreach (var (ackBody, why) in new[] { ("", "no SDP answer"), (null as string, "not usable: no common audio codec") })
        {
            using var peer = SipPeer.Udp(ua.Udp);
            await peer.SendAsync(peer.Invite(sdp: ""));
            var ok = await peer.FinalResponseAsync();
            Assert.Equal(200, ok.StatusCode);
            peer.Answered(ok);
            var body = ackBody ?? peer.Sdp("18", rtpmaps: "a=rtpmap:18 G729/8000\r\n");
            await peer.SendAsync(peer.Request("ACK", body: body, cseq: 1));
            var bye = await peer.RequestAsync("BYE");
            await peer.RespondAsync(bye, 200);
            await Wait.UntilAsync(() => ua.Server.UserAgent.RecentCalls.Any(c => c.SipCallId == peer.CallId));
            var ended = ua.Server.UserAgent.RecentCalls.Single(c => c.SipCallId == peer.CallId);
            Assert.Contains(why, ended.EndReason);
        }

        Assert.Empty(ua.Sink.Calls);
        await Wait.UntilAsync(() => ua.Server.UserAgent.Ports.InUse == 0);
    }

    [Fact]
    public async Task Sources_outside_the_allow_list_get_403()
    {
        await using var ua = TestUserAgent.Start(o => o with { AllowList = new IpAllowList([IpNetwork.Parse("203.0.113.0/24")]) });
        using var peer = SipPeer.Udp(ua.Udp);
        await peer.SendAsync(peer.Invite(peer.Sdp()));
        Assert.Equal(403, (await peer.FinalResponseAsync()).StatusCode);
        await peer.SendAsync(peer.Request("OPTIONS"));
        Assert.Equal(403, (await peer.FinalResponseAsync("OPTIONS")).StatusCode);
        Assert.Empty(ua.Sink.Calls);
    }

    [Fact]
    public async Task With_digest_auth_an_invite_is_challenged_and_the_authenticated_one_answered()
    {
        await using var ua = TestUserAgent.Start(o => o with { Authentication = new SipInboundAuth("trunk.test", "trunk", "s3cret") });
        using var peer = SipPeer.Udp(ua.Udp);
        await peer.SendAsync(peer.Invite(peer.Sdp()));
        var challenge401 = await peer.FinalResponseAsync();
        Assert.Equal(401, challenge401.StatusCode);
        var challenge = Assert.Single(challenge401.WwwAuthenticate);
        Assert.Equal("trunk.test", challenge.Realm);
        Assert.Contains("auth", challenge.QopOptions);
        await peer.SendAsync(peer.Request("ACK", cseq: 1, withToTag: false));

        // Wrong password: challenged again, no call.
        var wrong = new SipDigestClient("trunk", "guess").Answer(challenge, "INVITE", $"sip:service@{ua.Udp}")!;
        await peer.SendAsync(peer.Request("INVITE", peer.Sdp(), extraHeaders: $"Authorization: {wrong}\r\n", cseq: 2, withToTag: false));
        Assert.Equal(401, (await peer.FinalResponseAsync()).StatusCode);

        var client = new SipDigestClient("trunk", "s3cret");
        var right = client.Answer(challenge, "INVITE", $"sip:service@{ua.Udp}")!;
        await peer.SendAsync(peer.Request("INVITE", peer.Sdp(), extraHeaders: $"Authorization: {right}\r\n", cseq: 3, withToTag: false));
        Assert.Equal(200, (await peer.FinalResponseAsync()).StatusCode);
        await ua.Sink.NextCallAsync();
        Assert.Single(ua.Sink.Calls);

        // The same credentials captured and replayed in a new call are refused; the client's next nonce count is taken.
        using var replayer = SipPeer.Udp(ua.Udp);
        await replayer.SendAsync(replayer.Invite(replayer.Sdp(), extraHeaders: $"Authorization: {right}\r\n"));
        Assert.Equal(401, (await replayer.FinalResponseAsync()).StatusCode);
        using var second = SipPeer.Udp(ua.Udp);
        var next = client.Answer(challenge, "INVITE", $"sip:service@{ua.Udp}")!;
        Assert.Equal("00000002", next.NonceCount);
        await second.SendAsync(second.Invite(second.Sdp(), extraHeaders: $"Authorization: {next}\r\n"));
        Assert.Equal(200, (await second.FinalResponseAsync()).StatusCode);
        await Wait.UntilAsync(() => ua.Sink.Calls.Count == 2, because: "the second, properly authenticated call reaches the node");
    }

    [Fact]
    public void Digest_responses_match_the_rfc_2617_example()
    {
        // RFC 2617 §3.5 (the arithmetic is the same for SIP's digest-uri).
        var response = SipDigestMath.Response("MD5", "Mufasa", "testrealm@host.com", "Circle Of Life", "GET", "/dir/index.html",
            "dcd98b7102dd2f0e8b11d0f600bfb0c093", "auth", "00000001", "0a4f113b");
        Assert.Equal("6629fae49393a05397450978507c4ef1", response);
    }

    [Fact]
    public async Task The_ack_never_arriving_ends_the_call_with_a_bye()
    {
        await using var ua = TestUserAgent.Start(); // T1 = 100 ms: the 2xx gives up after 6.4 s
        using var peer = SipPeer.Udp(ua.Udp);
        await peer.SendAsync(peer.Invite(peer.Sdp()));
        Assert.Equal(200, (await peer.FinalResponseAsync()).StatusCode);
        var call = await ua.Sink.NextCallAsync();
        var bye = await peer.RequestAsync("BYE", seconds: 10);
        await peer.RespondAsync(bye, 200);
        Assert.Equal("ACK never arrived", await call.EndedAsync());
    }

    [Fact]
    public void Allow_list_ranges_match_ipv4_ipv6_and_mapped_addresses()
    {
        var list = new IpAllowList([IpNetwork.Parse("10.1.0.0/16"), IpNetwork.Parse("2001:db8::/32"), IpNetwork.Parse("192.0.2.7")]);
        Assert.True(list.Allows(IPAddress.Parse("10.1.200.3")));
        Assert.False(list.Allows(IPAddress.Parse("10.2.0.1")));
        Assert.True(list.Allows(IPAddress.Parse("::ffff:10.1.0.9")));
        Assert.True(list.Allows(IPAddress.Parse("2001:db8:1::5")));
        Assert.True(list.Allows(IPAddress.Parse("192.0.2.7")));
        Assert.False(list.Allows(IPAddress.Parse("192.0.2.8")));
        Assert.False(IpNetwork.TryParse("10.0.0.0/33", out _));
        Assert.False(IpNetwork.TryParse("example.com", out _));
        Assert.True(IpAllowList.LoopbackOnly.Allows(IPAddress.IPv6Loopback));
    }

    [Fact]
    public async Task A_node_that_refuses_the_call_gets_it_ended_with_a_bye()
    {
        await using var ua = TestUserAgent.Start();
        ua.Sink.OnStart = _ => throw new InvalidOperationException("node full");
        using var peer = SipPeer.Udp(ua.Udp);
        await peer.CallAsync();
        var bye = await peer.RequestAsync("BYE");
        await peer.RespondAsync(bye, 200);
        await Wait.UntilAsync(() => ua.Server.UserAgent.RecentCalls.Count == 1);
        Assert.StartsWith("node refused the call", ua.Server.UserAgent.RecentCalls[0].EndReason);
    }
}
