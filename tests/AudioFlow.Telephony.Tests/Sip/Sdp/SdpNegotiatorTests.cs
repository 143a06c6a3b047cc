using System.Net;
using AudioFlow.Audio.Channel;
using AudioFlow.Telephony.Rtp;
using AudioFlow.Telephony.Sip.Sdp;
using Xunit;

namespace AudioFlow.Telephony.Tests.Sip.Sdp;

public sealed class SdpNegotiatorTests
{
    internal static readonly LocalMediaCapabilities Local = new() { Address = IPAddress.Parse("10.0.0.5"), RtpPort = 20000 };

    internal const ulong SessionId = 1234;

    internal static SdpAnswerResult Accept(string offer, LocalMediaCapabilities? local = null)
    {
        var outcome = SdpNegotiator.Answer(SdpSession.Parse(offer), local ?? Local, SessionId);
        Assert.True(outcome.IsAccepted, outcome.ToString());
        return outcome.Result!;
    }

    internal static SdpRejection Refuse(string offer, LocalMediaCapabilities? local = null)
    {
        var outcome = SdpNegotiator.Answer(SdpSession.Parse(offer), local ?? Local, SessionId);
        Assert.False(outcome.IsAccepted, outcome.ToString());
        return outcome.Rejection!;
    }

    /// <summary>Line-by-line comparison (xunit shows the first differing line), and CRLF everywhere.</summary>
    internal static void AssertSdp(string expectedLf, SdpSession actual)
    {
        var text = actual.ToString();
        Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", text.Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(expectedLf.ReplaceLineEndings("\n").Split('\n'), text[..^2].Split("\r\n"));
    }

    private const string Header = """
        v=0
        o=AudioFlow 1234 1234 IN IP4 10.0.0.5
        s=AudioFlow
        c=IN IP4 10.0.0.5
        t=0 0
        """;

    [Fact]
    public void Sipp_pcmu_with_telephone_event()
    {
        var r = Accept(SdpSamples.Sipp);
        AssertSdp(Header + """

            m=audio 20000 RTP/AVP 0 101
            a=rtpmap:0 PCMU/8000
            a=rtpmap:101 telephone-event/8000
            a=fmtp:101 0-16
            a=ptime:20
            a=sendrecv
            """, r.Answer);
        Assert.Equal(MediaFormat.Pcmu8k, r.Format);
        Assert.Equal((0, 8000), (r.PayloadType, r.ClockRate));
        Assert.Equal(RtpPayloadFormat.Pcmu, r.RtpFormat);
        Assert.Equal((101, 8000, "0-16"), (r.TelephoneEventPayloadType, r.TelephoneEventClockRate, r.TelephoneEventEvents));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.50"), 6000), r.RemoteRtp);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.50"), 6001), r.RemoteRtcp);
        Assert.False(r.RtcpMux);
        Assert.Equal((IPAddress.Parse("10.0.0.5"), 20000, (int?)20001), (r.LocalAddress, r.LocalRtpPort, r.LocalRtcpPort));
        Assert.Equal(20, r.Ptime);
        Assert.Equal((SdpDirection.SendRecv, SdpDirection.SendRecv, false), (r.OfferDirection, r.Direction, r.IsOnHold));
        Assert.True(r.ShouldSend && r.ShouldReceive);
        Assert.Equal(0, r.MediaIndex);
    }

    [Fact]
    public void Sipp_minimal_offer_gets_no_ptime_line_but_20_ms()
    {
        var r = Accept(SdpSamples.SippMinimal);
        AssertSdp(Header + """

            m=audio 20000 RTP/AVP 0 101
            a=rtpmap:0 PCMU/8000
            a=rtpmap:101 telephone-event/8000
            a=fmtp:101 0-16
            a=sendrecv
            """, r.Answer);
        Assert.Equal(20, r.Ptime);
    }

    [Fact]
    public void Sipp_pcma_echoes_the_event_list()
    {
        var r = Accept(SdpSamples.SippPcma);
        Assert.Equal((MediaFormat.Pcma8k, 8), (r.Format, r.PayloadType));
        Assert.Equal(RtpPayloadFormat.Pcma, r.RtpFormat);
        Assert.Contains("a=fmtp:101 0-11,16\r\n", r.Answer.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Baresip_opus_is_skipped_and_g722_taken_in_offerer_order()
    {
        var r = Accept(SdpSamples.Baresip);
        AssertSdp(Header + """

            m=audio 20000 RTP/AVP 9 101
            a=rtpmap:9 G722/8000
            a=rtpmap:101 telephone-event/8000
            a=fmtp:101 0-15
            a=sendrecv
            """, r.Answer);
        Assert.Equal(new MediaFormat(AudioEncoding.G722, 16000), r.Format);
        Assert.Equal((9, 8000), (r.PayloadType, r.ClockRate));
        Assert.Equal(RtpPayloadFormat.G722, r.RtpFormat);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.20"), 10356), r.RemoteRtp);
    }

    [Fact]
    public void Local_codec_list_restricts_the_choice()
    {
        var r = Accept(SdpSamples.Baresip, Local with { Codecs = [MediaFormat.Pcma8k] });
        Assert.Equal((MediaFormat.Pcma8k, 8), (r.Format, r.PayloadType));
        Assert.Equal("audio 20000 RTP/AVP 8 101", r.Answer.Media[0].ToString());
    }

    [Fact]
    public void Preferred_codecs_win_over_offerer_order_only_when_offered()
    {
        const string pcmuFirst = """
            v=0
            o=- 1 1 IN IP4 192.0.2.7
            s=-
            c=IN IP4 192.0.2.7
            t=0 0
            m=audio 4000 RTP/AVP 0 8 9 101
            a=rtpmap:101 telephone-event/8000
            """;
        Assert.Equal(MediaFormat.Pcmu8k, Accept(pcmuFirst).Format);
        var preferG722 = Local with { PreferredCodecs = [SdpAudioFormats.G722] };
        var r = Accept(pcmuFirst, preferG722);
        Assert.Equal((SdpAudioFormats.G722, 9), (r.Format, r.PayloadType));
        Assert.Equal(101, r.TelephoneEventPayloadType);
        Assert.Null(r.TelephoneEventEvents);
        Assert.Equal("audio 20000 RTP/AVP 9 101", r.Answer.Media[0].ToString());
        Assert.DoesNotContain("fmtp", r.Answer.ToString(), StringComparison.Ordinal);

        // Not offered: the offerer's order again.
        Assert.Equal(MediaFormat.Pcma8k, Accept(SdpSamples.KamailioRelayed, preferG722).Format);
        Assert.Equal(MediaFormat.Pcmu8k, Accept(SdpSamples.KamailioRelayed, Local with { PreferredCodecs = [MediaFormat.Pcmu8k, MediaFormat.Pcma8k] }).Format);
    }

    [Fact]
    public void Linphone_pcmu_with_the_8000_hz_telephone_event_and_no_ice()
    {
        var r = Accept(SdpSamples.Linphone);
        AssertSdp(Header + """

            m=audio 20000 RTP/AVP 0 100
            a=rtpmap:0 PCMU/8000
            a=rtpmap:100 telephone-event/8000
            a=sendrecv
            """, r.Answer);
        Assert.Equal((0, 100, 8000), (r.PayloadType, r.TelephoneEventPayloadType, r.TelephoneEventClockRate));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.35"), 7078), r.RemoteRtp);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.35"), 7079), r.RemoteRtcp);
    }

    [Fact]
    public void WebRtc_dtls_srtp_only_is_refused_with_488_and_warning_302()
    {
        var rejection = Refuse(SdpSamples.WebRtc);
        Assert.Equal(SdpRejectionReason.UnsupportedTransport, rejection.Reason);
        Assert.Equal((488, 302, "Incompatible transport protocol"), (rejection.StatusCode, rejection.WarningCode, rejection.WarningText));
        Assert.Contains("UDP/TLS/RTP/SAVPF", rejection.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Sdes_srtp_only_is_refused_but_a_best_effort_plain_alternative_is_taken()
    {
        const string savpOnly = """
            v=0
            o=- 1 1 IN IP4 192.0.2.8
            s=-
            c=IN IP4 192.0.2.8
            t=0 0
            m=audio 4000 RTP/SAVP 0 101
            a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz
            a=rtpmap:101 telephone-event/8000
            """;
        Assert.Equal(SdpRejectionReason.UnsupportedTransport, Refuse(savpOnly).Reason);

        var r = Accept(savpOnly + "\nm=audio 4002 RTP/AVP 0 101\na=rtpmap:101 telephone-event/8000");
        Assert.Equal(1, r.MediaIndex);
        Assert.Equal(4002, r.RemoteRtp.Port);
        AssertSdp(Header + """

            m=audio 0 RTP/SAVP 0 101
            m=audio 20000 RTP/AVP 0 101
            a=rtpmap:0 PCMU/8000
            a=rtpmap:101 telephone-event/8000
            a=sendrecv
            """, r.Answer);
    }

    [Fact]
    public void Kamailio_relay_media_level_connection_and_rtcp_address_win()
    {
        var r = Accept(SdpSamples.KamailioRelayed);
        AssertSdp(Header + """

            m=audio 20000 RTP/AVP 8 101
            a=rtpmap:8 PCMA/8000
            a=rtpmap:101 telephone-event/8000
            a=fmtp:101 0-16
            a=ptime:20
            a=sendrecv
            """, r.Answer);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.20"), 35002), r.RemoteRtp);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.20"), 35003), r.RemoteRtcp);
    }

    [Fact]
    public void Rtcp_attribute_with_another_address_and_port()
    {
        var r = Accept(SdpSamples.Sipp.Replace("a=ptime:20", "a=rtcp:53020 IN IP4 198.51.100.99", StringComparison.Ordinal));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.99"), 53020), r.RemoteRtcp);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.50"), 6000), r.RemoteRtp);
    }

    [Fact]
    public void Rtcp_mux_is_echoed_when_allowed()
    {
        var offer = SdpSamples.Sipp.Replace("a=sendrecv", "a=rtcp-mux\na=sendrecv", StringComparison.Ordinal);
        var r = Accept(offer);
        Assert.True(r.RtcpMux);
        Assert.Equal(r.RemoteRtp, r.RemoteRtcp);
        Assert.Null(r.LocalRtcpPort);
        AssertSdp(Header + """

            m=audio 20000 RTP/AVP 0 101
            a=rtpmap:0 PCMU/8000
            a=rtpmap:101 telephone-event/8000
            a=fmtp:101 0-16
            a=ptime:20
            a=rtcp-mux
            a=sendrecv
            """, r.Answer);

        var noMux = Accept(offer, Local with { RtcpMux = false, RtcpPort = 20011 });
        Assert.False(noMux.RtcpMux);
        Assert.Equal(6001, noMux.RemoteRtcp!.Port);
        Assert.Equal(20011, noMux.LocalRtcpPort);
        Assert.Equal(["rtpmap", "rtpmap", "fmtp", "ptime", "rtcp", "sendrecv"], noMux.Answer.Media[0].Attributes.Select(a => a.Name));
        Assert.Equal("20011", noMux.Answer.Media[0].GetAttribute("rtcp")!.Value);
    }

    [Fact]
    public void Ipv6_offer_is_answered_from_the_ipv6_address()
    {
        var local = Local with { AlternateAddress = IPAddress.Parse("2001:db8::5") };
        var r = Accept(SdpSamples.Ipv6, local);
        AssertSdp("""
            v=0
            o=AudioFlow 1234 1234 IN IP6 2001:db8::5
            s=AudioFlow
            c=IN IP6 2001:db8::5
            t=0 0
            m=audio 20000 RTP/AVP 0 101
            a=rtpmap:0 PCMU/8000
            a=rtpmap:101 telephone-event/8000
            a=fmtp:101 0-15
            a=sendrecv
            """, r.Answer);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::15"), 49170), r.RemoteRtp);
        Assert.Equal(IPAddress.Parse("2001:db8::5"), r.LocalAddress);

        // IPv6 primary, IPv4 offer: the alternate (IPv4) is used.
        var v6First = new LocalMediaCapabilities { Address = IPAddress.Parse("2001:db8::5"), AlternateAddress = IPAddress.Parse("10.0.0.5"), RtpPort = 20000 };
        Assert.Equal(IPAddress.Parse("10.0.0.5"), Accept(SdpSamples.Sipp, v6First).LocalAddress);
    }

    [Fact]
    public void Ipv6_offer_without_a_local_ipv6_address_is_refused_with_warning_301()
    {
        var rejection = Refuse(SdpSamples.Ipv6);
        Assert.Equal(SdpRejectionReason.IncompatibleAddress, rejection.Reason);
        Assert.Equal(301, rejection.WarningCode);
        Assert.Equal("no local IPv6 address to answer 2001:db8::15", rejection.Detail);
    }

    [Theory]
    [InlineData("c=IN IP4 sipp.example.com", "connection address 'sipp.example.com' is not an IP address")]
    [InlineData("c=IN IP4 233.252.0.1/127", "multicast connection address 233.252.0.1 not supported")]
    [InlineData("", "no c= line for the audio stream")]
    public void Unusable_connection_addresses_are_refused(string connectionLine, string detail)
    {
        var offer = SdpSamples.SippMinimal.Replace("c=IN IP4 192.0.2.50", connectionLine, StringComparison.Ordinal);
        var rejection = Refuse(offer);
        Assert.Equal((SdpRejectionReason.IncompatibleAddress, detail), (rejection.Reason, rejection.Detail));
    }

    [Fact]
    public void No_common_codec_is_refused_with_warning_305()
    {
        const string offer = """
            v=0
            o=- 1 1 IN IP4 192.0.2.9
            s=-
            c=IN IP4 192.0.2.9
            t=0 0
            m=audio 4000 RTP/AVP 96 18 97 3 101
            a=rtpmap:96 opus/48000/2
            a=rtpmap:18 G729/8000
            a=rtpmap:97 iLBC/8000
            a=fmtp:97 mode=30
            a=rtpmap:101 telephone-event/8000
            """;
        var rejection = Refuse(offer);
        Assert.Equal((SdpRejectionReason.NoCommonCodec, 488, 305), (rejection.Reason, rejection.StatusCode, rejection.WarningCode));
        Assert.Equal("no common audio codec (we have PCMU/8000, PCMA/8000, G722/8000)", rejection.Detail);

        // G722 at a 16000 clock (a common mistake) is not G.722 as RFC 3551 defines it; PCMU stereo neither.
        Assert.Equal(SdpRejectionReason.NoCommonCodec, Refuse(offer.Replace("96 18 97 3 101", "96 98 101", StringComparison.Ordinal)
            .Replace("a=rtpmap:96 opus/48000/2", "a=rtpmap:96 G722/16000\na=rtpmap:98 PCMU/8000/2", StringComparison.Ordinal)).Reason);
    }

    [Fact]
    public void No_audio_stream_is_refused_with_warning_304()
    {
        const string t38Only = """
            v=0
            o=- 1 1 IN IP4 192.0.2.9
            s=-
            c=IN IP4 192.0.2.9
            t=0 0
            m=image 4000 udptl t38
            a=T38FaxVersion:0
            """;
        var rejection = Refuse(t38Only);
        Assert.Equal((SdpRejectionReason.NoAudioStream, 304, "Media type not available"), (rejection.Reason, rejection.WarningCode, rejection.WarningText));
        Assert.Equal(SdpRejectionReason.NoAudioStream, Refuse(SdpSamples.SippMinimal.Replace("m=audio 6002", "m=audio 0", StringComparison.Ordinal)).Reason);
        Assert.Equal(SdpRejectionReason.NoAudioStream, Refuse("v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\ns=-\r\nt=0 0\r\n").Reason);
    }

    [Fact]
    public void Rfc3264_example_audio_accepted_video_rejected_with_port_zero()
    {
        var r = Accept(SdpSamples.Rfc3264Alice);
        AssertSdp(Header + """

            m=audio 20000 RTP/AVP 0
            a=rtpmap:0 PCMU/8000
            a=sendrecv
            m=video 0 RTP/AVP 31 32
            """, r.Answer);
        Assert.Null(r.TelephoneEventPayloadType);
        Assert.Null(r.TelephoneEventClockRate);
    }

    [Fact]
    public void Port_zero_video_first_keeps_the_m_line_order()
    {
        const string offer = """
            v=0
            o=- 5 5 IN IP4 192.0.2.11
            s=-
            c=IN IP4 192.0.2.11
            t=0 0
            m=video 0 RTP/AVP 96
            a=rtpmap:96 H264/90000
            m=audio 4000 RTP/AVP 8
            m=video 4002 RTP/AVP 97
            a=rtpmap:97 VP8/90000
            m=audio 4004 RTP/AVP 0
            """;
        var r = Accept(offer);
        Assert.Equal(1, r.MediaIndex);
        AssertSdp(Header + """

            m=video 0 RTP/AVP 96
            m=audio 20000 RTP/AVP 8
            a=rtpmap:8 PCMA/8000
            a=sendrecv
            m=video 0 RTP/AVP 97
            m=audio 0 RTP/AVP 0
            """, r.Answer);
    }

    [Fact]
    public void Static_payload_types_without_rtpmap_and_case_insensitive_names()
    {
        const string offer = """
            v=0
            o=- 1 1 IN IP4 192.0.2.12
            s=-
            c=IN IP4 192.0.2.12
            t=0 0
            m=audio 4000 RTP/AVP 18 8 0
            """;
        var r = Accept(offer);
        Assert.Equal((MediaFormat.Pcma8k, 8), (r.Format, r.PayloadType));
        Assert.Equal("a=rtpmap:8 PCMA/8000", "a=" + r.Answer.Media[0].Attributes[0]);

        // PCMU on a dynamic payload type, lower-case name, explicit mono: matched by rtpmap.
        var dyn = Accept(offer.Replace("18 8 0", "97 98", StringComparison.Ordinal) + "\na=rtpmap:97 pcmu/8000/1\na=rtpmap:98 TELEPHONE-EVENT/8000\na=fmtp:98 0-15");
        Assert.Equal((MediaFormat.Pcmu8k, 97, 98), (dyn.Format, dyn.PayloadType, dyn.TelephoneEventPayloadType));
        Assert.Equal(RtpPayloadFormat.Pcmu with { PayloadType = 97 }, dyn.RtpFormat);
        Assert.Equal(["97 PCMU/8000", "98 telephone-event/8000"], dyn.Answer.Media[0].GetAttributes("rtpmap").Select(a => a.Value));
    }

    [Theory]
    [InlineData(101)]
    [InlineData(96)]
    [InlineData(100)]
    [InlineData(127)]
    public void Telephone_event_keeps_the_offered_dynamic_payload_type(int pt)
    {
        var offer = SdpSamples.Sipp.Replace("101", pt.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var r = Accept(offer);
        Assert.Equal(pt, r.TelephoneEventPayloadType);
        Assert.Contains($"m=audio 20000 RTP/AVP 0 {pt}\r\n", r.Answer.ToString(), StringComparison.Ordinal);
        Assert.Contains($"a=fmtp:{pt} 0-16\r\n", r.Answer.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Telephone_events_can_be_switched_off_or_missing()
    {
        var r = Accept(SdpSamples.Sipp, Local with { TelephoneEvents = false });
        Assert.Null(r.TelephoneEventPayloadType);
        Assert.Equal("audio 20000 RTP/AVP 0", r.Answer.Media[0].ToString());

        // Only a 48 kHz telephone-event (for opus): nothing at PCMU's 8000 clock.
        var onlyWide = SdpSamples.Sipp.Replace("telephone-event/8000", "telephone-event/48000", StringComparison.Ordinal);
        Assert.Null(Accept(onlyWide).TelephoneEventPayloadType);
    }

    [Fact]
    public void L16_wideband_picks_the_telephone_event_at_its_clock()
    {
        const string offer = """
            v=0
            o=- 1 1 IN IP4 192.0.2.13
            s=-
            c=IN IP4 192.0.2.13
            t=0 0
            m=audio 4000 RTP/AVP 97 101 102
            a=rtpmap:97 L16/16000
            a=rtpmap:101 telephone-event/8000
            a=rtpmap:102 telephone-event/16000
            """;
        var r = Accept(offer, Local with { Codecs = [MediaFormat.L16At16k, MediaFormat.Pcmu8k] });
        Assert.Equal((MediaFormat.L16At16k, 97, 16000, 102, 16000), (r.Format, r.PayloadType, r.ClockRate, r.TelephoneEventPayloadType, r.TelephoneEventClockRate));
        Assert.Equal(RtpPayloadFormat.L16(97, 16000), r.RtpFormat);
        Assert.Equal(SdpRejectionReason.NoCommonCodec, Refuse(offer).Reason); // L16 not in the default codecs
    }

    [Fact]
    public void Ptime_30_is_echoed_and_used_maxptime_caps_the_default()
    {
        var r = Accept(SdpSamples.Sipp.Replace("a=ptime:20", "a=ptime:30", StringComparison.Ordinal));
        Assert.Equal(30, r.Ptime);
        Assert.Contains("a=ptime:30\r\n", r.Answer.ToString(), StringComparison.Ordinal);

        var capped = Accept(SdpSamples.SippMinimal + "\na=maxptime:10");
        Assert.Equal(10, capped.Ptime);
        Assert.DoesNotContain("ptime", capped.Answer.ToString(), StringComparison.Ordinal);

        var sessionLevel = Accept(SdpSamples.SippMinimal.Replace("t=0 0", "t=0 0\na=ptime:40", StringComparison.Ordinal));
        Assert.Equal(40, sessionLevel.Ptime);
        Assert.Equal(30, Accept(SdpSamples.SippMinimal, Local with { Ptime = 30 }).Ptime);
    }

    [Fact]
    public void Answer_copies_the_offer_timing_and_random_session_ids_differ()
    {
        var timed = SdpSamples.SippMinimal.Replace("t=0 0", "t=3034423619 3042462419", StringComparison.Ordinal);
        Assert.Equal([new SdpTiming(3034423619, 3042462419)], Accept(timed).Answer.Timings);
        var noTiming = SdpSamples.SippMinimal.Replace("t=0 0\n", "", StringComparison.Ordinal);
        Assert.Equal([SdpTiming.Unbounded], Accept(noTiming).Answer.Timings);

        var a = SdpNegotiator.Answer(SdpSession.Parse(SdpSamples.Sipp), Local).Result!.Answer.Origin!;
        var b = SdpNegotiator.Answer(SdpSession.Parse(SdpSamples.Sipp), Local).Result!.Answer.Origin!;
        Assert.NotEqual(a.SessionId, b.SessionId);
        Assert.Equal(a.SessionId, a.SessionVersion);
    }

    [Fact]
    public void Invalid_local_capabilities_throw_argument_exceptions()
    {
        var offer = SdpSession.Parse(SdpSamples.Sipp);
        Assert.Throws<ArgumentException>(() => SdpNegotiator.Answer(offer, Local with { RtpPort = 0 }));
        Assert.Throws<ArgumentException>(() => SdpNegotiator.Answer(offer, Local with { Codecs = [] }));
        Assert.Throws<ArgumentException>(() => SdpNegotiator.Answer(offer, Local with { Codecs = [new MediaFormat(AudioEncoding.G722, 8000)] }));
        Assert.Throws<ArgumentException>(() => SdpNegotiator.Answer(offer, Local with { TelephoneEventPayloadType = 13 }));
        Assert.Throws<ArgumentException>(() => SdpNegotiator.Offer(Local with { Username = "two words" }));
    }
}
