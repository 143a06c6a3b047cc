using System.Net;
using AudioFlow.Audio.Channel;
using AudioFlow.Telephony.Sip.Sdp;
using Xunit;
using static AudioFlow.Telephony.Tests.Sip.Sdp.SdpNegotiatorTests;

namespace AudioFlow.Telephony.Tests.Sip.Sdp;

/// <summary>Hold/resume (RFC 3264 §8.4, RFC 2543 style 0.0.0.0), re-INVITE re-answers, and our own offers.</summary>
public sealed class SdpHoldAndReinviteTests
{
    private static string WithDirection(string offer, string direction) => offer.Replace("a=sendrecv", direction, StringComparison.Ordinal);

    private static SdpAnswerResult Reaccept(SdpAnswerResult previous, string offer, LocalMediaCapabilities? local = null)
    {
        var outcome = SdpNegotiator.Reanswer(previous, SdpSession.Parse(offer), local ?? Local);
        Assert.True(outcome.IsAccepted, outcome.ToString());
        return outcome.Result!;
    }

    [Theory]
    [InlineData("a=sendonly", SdpDirection.SendOnly, SdpDirection.RecvOnly, true)]
    [InlineData("a=inactive", SdpDirection.Inactive, SdpDirection.Inactive, true)]
    [InlineData("a=recvonly", SdpDirection.RecvOnly, SdpDirection.SendOnly, false)]
    [InlineData("a=sendrecv", SdpDirection.SendRecv, SdpDirection.SendRecv, false)]
    [InlineData("", SdpDirection.SendRecv, SdpDirection.SendRecv, false)]
    public void Answer_direction_follows_rfc3264_section_6_1(string attribute, SdpDirection offered, SdpDirection answered, bool hold)
    {
        var r = Accept(WithDirection(SdpSamples.Sipp, attribute));
        Assert.Equal((offered, answered, hold), (r.OfferDirection, r.Direction, r.IsOnHold));
        Assert.Equal("a=" + answered.ToAttributeName(), "a=" + r.Answer.Media[0].Attributes[^1]);
        Assert.Equal(answered.Sends(), r.ShouldSend);
        Assert.Equal(answered.Receives(), r.ShouldReceive);
    }

    [Fact]
    public void Session_level_direction_applies_when_the_media_has_none()
    {
        var offer = SdpSamples.SippMinimal.Replace("t=0 0", "t=0 0\na=sendonly", StringComparison.Ordinal);
        var r = Accept(offer);
        Assert.Equal((SdpDirection.SendOnly, SdpDirection.RecvOnly, true), (r.OfferDirection, r.Direction, r.IsOnHold));
        // The media's own attribute wins.
        var r2 = Accept(offer + "\na=sendrecv");
        Assert.Equal((SdpDirection.SendRecv, false), (r2.Direction, r2.IsOnHold));
    }

    [Fact]
    public void Rfc2543_hold_with_0_0_0_0_is_answered_recvonly_and_reported_as_hold()
    {
        var offer = SdpSamples.SippMinimal.Replace("c=IN IP4 192.0.2.50", "c=IN IP4 0.0.0.0", StringComparison.Ordinal);
        var r = Accept(offer);
        Assert.True(r.IsOnHold);
        Assert.Equal((SdpDirection.SendRecv, SdpDirection.RecvOnly), (r.OfferDirection, r.Direction));
        Assert.False(r.ShouldSend);
        Assert.Equal(new IPEndPoint(IPAddress.Any, 6002), r.RemoteRtp);
        Assert.Equal(IPAddress.Parse("10.0.0.5"), r.LocalAddress);
        AssertSdp("""
            v=0
            o=AudioFlow 1234 1234 IN IP4 10.0.0.5
            s=AudioFlow
            c=IN IP4 10.0.0.5
            t=0 0
            m=audio 20000 RTP/AVP 0 101
            a=rtpmap:0 PCMU/8000
            a=rtpmap:101 telephone-event/8000
            a=fmtp:101 0-16
            a=recvonly
            """, r.Answer);

        // recvonly + 0.0.0.0: nothing can flow.
        Assert.Equal(SdpDirection.Inactive, Accept(offer + "\na=recvonly").Direction);
        // IPv6 "::" hold needs no IPv6 address of ours.
        var v6Hold = Accept(SdpSamples.Ipv6.Replace("c=IN IP6 2001:db8::15", "c=IN IP6 ::", StringComparison.Ordinal));
        Assert.True(v6Hold.IsOnHold);
        Assert.Equal(IPAddress.Parse("10.0.0.5"), v6Hold.LocalAddress);
    }

    [Fact]
    public void Local_direction_narrows_the_answer()
    {
        Assert.Equal(SdpDirection.RecvOnly, Accept(SdpSamples.Sipp, Local with { Direction = SdpDirection.RecvOnly }).Direction);
        Assert.Equal(SdpDirection.SendOnly, Accept(SdpSamples.Sipp, Local with { Direction = SdpDirection.SendOnly }).Direction);
        Assert.Equal(SdpDirection.Inactive, Accept(WithDirection(SdpSamples.Sipp, "a=sendonly"), Local with { Direction = SdpDirection.SendOnly }).Direction);
    }

    [Fact]
    public void Hold_and_resume_re_invites_increment_the_version()
    {
        var initial = Accept(SdpSamples.Sipp);
        Assert.Equal("1234", initial.Answer.Origin!.SessionVersion);

        var hold = Reaccept(initial, WithDirection(SdpSamples.Sipp, "a=sendonly").Replace("2353687637", "2353687638", StringComparison.Ordinal));
        Assert.True(hold.IsOnHold);
        AssertSdp("""
            v=0
            o=AudioFlow 1234 1235 IN IP4 10.0.0.5
            s=AudioFlow
            c=IN IP4 10.0.0.5
            t=0 0
            m=audio 20000 RTP/AVP 0 101
            a=rtpmap:0 PCMU/8000
            a=rtpmap:101 telephone-event/8000
            a=fmtp:101 0-16
            a=ptime:20
            a=recvonly
            """, hold.Answer);

        var resume = Reaccept(hold, SdpSamples.Sipp);
        Assert.False(resume.IsOnHold);
        Assert.Equal("1236", resume.Answer.Origin!.SessionVersion);
        Assert.Equal(SdpDirection.SendRecv, resume.Direction);
    }

    [Fact]
    public void Session_refresh_with_the_same_offer_keeps_the_version()
    {
        var initial = Accept(SdpSamples.Sipp);
        var refresh = Reaccept(initial, SdpSamples.Sipp);
        Assert.Equal(initial.Answer.ToString(), refresh.Answer.ToString());
        Assert.Equal("1234", refresh.Answer.Origin!.SessionVersion);
    }

    [Fact]
    public void Re_invite_changing_codec_and_remote_port()
    {
        const string initialOffer = """
            v=0
            o=- 3311 3311 IN IP4 192.0.2.30
            s=-
            c=IN IP4 192.0.2.30
            t=0 0
            m=audio 16384 RTP/AVP 0 8 101
            a=rtpmap:0 PCMU/8000
            a=rtpmap:8 PCMA/8000
            a=rtpmap:101 telephone-event/8000
            a=fmtp:101 0-15
            """;
        var initial = Accept(initialOffer);
        Assert.Equal(MediaFormat.Pcmu8k, initial.Format);

        var reoffer = initialOffer.Replace("3311 3311", "3311 3312", StringComparison.Ordinal)
            .Replace("16384 RTP/AVP 0 8 101", "16390 RTP/AVP 8 101", StringComparison.Ordinal)
            .Replace("a=rtpmap:0 PCMU/8000\n", "", StringComparison.Ordinal);
        var changed = Reaccept(initial, reoffer);
        Assert.Equal((MediaFormat.Pcma8k, 8), (changed.Format, changed.PayloadType));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.30"), 16390), changed.RemoteRtp);
        AssertSdp("""
            v=0
            o=AudioFlow 1234 1235 IN IP4 10.0.0.5
            s=AudioFlow
            c=IN IP4 10.0.0.5
            t=0 0
            m=audio 20000 RTP/AVP 8 101
            a=rtpmap:8 PCMA/8000
            a=rtpmap:101 telephone-event/8000
            a=fmtp:101 0-15
            a=sendrecv
            """, changed.Answer);

        // A re-offer we cannot accept is refused (the SIP layer keeps the old session, RFC 3261 §14.2).
        var refused = SdpNegotiator.Reanswer(changed, SdpSession.Parse(reoffer.Replace("RTP/AVP 8 101", "RTP/AVP 18", StringComparison.Ordinal)), Local);
        Assert.Equal(SdpRejectionReason.NoCommonCodec, refused.Rejection!.Reason);
    }

    [Fact]
    public void Reanswer_keeps_the_origin_even_if_the_local_address_changes()
    {
        var initial = Accept(SdpSamples.Sipp);
        var moved = Reaccept(initial, SdpSamples.Sipp, Local with { Address = IPAddress.Parse("10.0.0.6"), RtpPort = 30000 });
        Assert.Equal(new SdpOrigin("AudioFlow", "1234", "1235", "IN", "IP4", "10.0.0.5"), moved.Answer.Origin);
        Assert.Equal("10.0.0.6", moved.Answer.Connection!.Address);
        Assert.Equal(30000, moved.Answer.Media[0].Port);
    }

    [Fact]
    public void Offer_lists_our_codecs_and_telephone_event()
    {
        AssertSdp("""
            v=0
            o=AudioFlow 77 77 IN IP4 10.0.0.5
            s=AudioFlow
            c=IN IP4 10.0.0.5
            t=0 0
            m=audio 20000 RTP/AVP 0 8 9 101
            a=rtpmap:0 PCMU/8000
            a=rtpmap:8 PCMA/8000
            a=rtpmap:9 G722/8000
            a=rtpmap:101 telephone-event/8000
            a=fmtp:101 0-16
            a=ptime:20
            a=sendrecv
            """, SdpNegotiator.Offer(Local, 77));

        var custom = Local with
        {
            PreferredCodecs = [SdpAudioFormats.G722],
            Codecs = [MediaFormat.Pcma8k, SdpAudioFormats.G722, MediaFormat.L16At16k],
            TelephoneEventPayloadType = 96,
            TelephoneEventEvents = "0-15",
            OfferRtcpMux = true,
            RtcpPort = 20010,
        };
        var offer = SdpNegotiator.Offer(custom, 77);
        Assert.Equal("audio 20000 RTP/AVP 9 8 97 96 98", offer.Media[0].ToString());
        Assert.Equal(
            ["rtpmap:9 G722/8000", "rtpmap:8 PCMA/8000", "rtpmap:97 L16/16000", "rtpmap:96 telephone-event/8000", "rtpmap:98 telephone-event/16000",
             "fmtp:96 0-15", "fmtp:98 0-15", "ptime:20", "rtcp:20010", "rtcp-mux", "sendrecv"],
            offer.Media[0].Attributes.Select(a => a.ToString()));

        // Our offer, answered by ourselves: it negotiates.
        var selfAnswer = SdpNegotiator.Answer(SdpSession.Parse(SdpNegotiator.Offer(Local, 1).ToString()), Local, 2);
        Assert.Equal((MediaFormat.Pcmu8k, 101), (selfAnswer.Result!.Format, selfAnswer.Result.TelephoneEventPayloadType));
    }

    [Fact]
    public void Reoffer_for_hold_increments_the_version_and_keeps_disabled_m_lines()
    {
        var answer = Accept(SdpSamples.Rfc3264Alice).Answer; // audio + rejected video
        var hold = SdpNegotiator.Reoffer(answer, Local with { Direction = SdpDirection.SendOnly });
        AssertSdp("""
            v=0
            o=AudioFlow 1234 1235 IN IP4 10.0.0.5
            s=AudioFlow
            c=IN IP4 10.0.0.5
            t=0 0
            m=audio 20000 RTP/AVP 0 8 9 101
            a=rtpmap:0 PCMU/8000
            a=rtpmap:8 PCMA/8000
            a=rtpmap:9 G722/8000
            a=rtpmap:101 telephone-event/8000
            a=fmtp:101 0-16
            a=ptime:20
            a=sendonly
            m=video 0 RTP/AVP 31 32
            """, hold);

        Assert.Equal("1235", SdpNegotiator.Reoffer(hold, Local with { Direction = SdpDirection.SendOnly }).Origin!.SessionVersion);
        Assert.Equal("1236", SdpNegotiator.Reoffer(hold, Local).Origin!.SessionVersion);
    }
}
