namespace AudioFlow.Telephony.Tests.Sip.Sdp;

/// <summary>
/// Offers as real user agents send them (written for these tests in the shape those agents produce; addresses from
/// documentation ranges). Raw literals have LF line ends; <see cref="Crlf"/> converts.
/// </summary>
internal static class SdpSamples
{
    public static string Crlf(string lf) => lf.ReplaceLineEndings("\n").Replace("\n", "\r\n", StringComparison.Ordinal) + "\r\n";

    /// <summary>/work/shared/sip/scenarios/uac_pcmu_pcap_dtmf.xml with its keywords substituted.</summary>
    public const string Sipp = """
        v=0
        o=sipp 53655765 2353687637 IN IP4 192.0.2.50
        s=-
        c=IN IP4 192.0.2.50
        t=0 0
        m=audio 6000 RTP/AVP 0 101
        a=rtpmap:0 PCMU/8000
        a=rtpmap:101 telephone-event/8000
        a=fmtp:101 0-16
        a=ptime:20
        a=sendrecv
        """;

    /// <summary>uac_cancel.xml / uac_expect_refer.xml: no ptime, no direction.</summary>
    public const string SippMinimal = """
        v=0
        o=sipp 1 1 IN IP4 192.0.2.50
        s=-
        c=IN IP4 192.0.2.50
        t=0 0
        m=audio 6002 RTP/AVP 0 101
        a=rtpmap:0 PCMU/8000
        a=rtpmap:101 telephone-event/8000
        a=fmtp:101 0-16
        """;

    /// <summary>uac_pcma_pcap_dtmf.xml: PCMA, events 0-11,16.</summary>
    public const string SippPcma = """
        v=0
        o=user1 53655765 2353687637 IN IP4 192.0.2.51
        s=-
        c=IN IP4 192.0.2.51
        t=0 0
        m=audio 6004 RTP/AVP 8 101
        a=rtpmap:8 PCMA/8000
        a=rtpmap:101 telephone-event/8000
        a=fmtp:101 0-11,16
        """;

    /// <summary>baresip: opus first, then G722, PCMU, PCMA, telephone-event; ssrc/mid/label lines.</summary>
    public const string Baresip = """
        v=0
        o=- 1183374478 1627154290 IN IP4 192.0.2.20
        s=-
        c=IN IP4 192.0.2.20
        t=0 0
        a=tool:baresip 3.10.1
        m=audio 10356 RTP/AVP 96 9 0 8 101
        b=AS:128
        a=rtpmap:96 opus/48000/2
        a=fmtp:96 stereo=1;sprop-stereo=1
        a=rtpmap:9 G722/8000
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:101 telephone-event/8000
        a=fmtp:101 0-15
        a=rtcp-rsize
        a=sendrecv
        a=label:1
        a=ssrc:3171928345 cname:cbbb4f10-f4a0-4d2b-bd9d-4e3c0b4a1f50
        a=mid:1
        """;

    /// <summary>linphone: opus, speex x2, PCMU, PCMA, G729, telephone-event at 48000/16000/8000, ICE candidates, a=rtcp.</summary>
    public const string Linphone = """
        v=0
        o=alice 3052 1720 IN IP4 192.0.2.35
        s=Talk
        c=IN IP4 192.0.2.35
        t=0 0
        a=ice-pwd:e4f3a2b19c8d7e6f5a4b3c2d
        a=ice-ufrag:7d1c9e2a
        a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics
        a=record:off
        m=audio 7078 RTP/AVP 96 97 98 0 8 18 101 99 100
        a=rtpmap:96 opus/48000/2
        a=fmtp:96 useinbandfec=1
        a=rtpmap:97 speex/16000
        a=fmtp:97 vbr=on
        a=rtpmap:98 speex/8000
        a=fmtp:98 vbr=on
        a=fmtp:18 annexb=yes
        a=rtpmap:101 telephone-event/48000
        a=rtpmap:99 telephone-event/16000
        a=rtpmap:100 telephone-event/8000
        a=rtcp:7079
        a=candidate:1 1 UDP 2130706303 192.0.2.35 7078 typ host
        a=candidate:1 2 UDP 2130706302 192.0.2.35 7079 typ host
        a=candidate:2 1 UDP 1694498687 203.0.113.77 7078 typ srflx raddr 192.0.2.35 rport 7078
        a=candidate:2 2 UDP 1694498686 203.0.113.77 7079 typ srflx raddr 192.0.2.35 rport 7079
        a=rtcp-fb:* trr-int 5000
        a=rtcp-fb:* ccm tmmbr
        """;

    /// <summary>A browser (WebRTC) offer: DTLS-SRTP only — we cannot do it.</summary>
    public const string WebRtc = """
        v=0
        o=- 4611731400430051336 2 IN IP4 127.0.0.1
        s=-
        t=0 0
        a=group:BUNDLE 0
        a=extmap-allow-mixed
        a=msid-semantic: WMS 9a1e4b2c
        m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126
        c=IN IP4 0.0.0.0
        a=rtcp:9 IN IP4 0.0.0.0
        a=ice-ufrag:Xk3p
        a=ice-pwd:2bNf8c4Uq0dVPl5mq9wTzE3a
        a=ice-options:trickle
        a=fingerprint:sha-256 9D:4E:1A:7B:22:C3:5F:08:61:AA:90:3B:D4:17:E2:6C:55:0F:B8:41:3D:92:7E:C6:A0:18:5B:E9:34:D7:2F:86
        a=setup:actpass
        a=mid:0
        a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
        a=sendrecv
        a=msid:9a1e4b2c 0f3e7d21
        a=rtcp-mux
        a=rtpmap:111 opus/48000/2
        a=rtcp-fb:111 transport-cc
        a=fmtp:111 minptime=10;useinbandfec=1
        a=rtpmap:63 red/48000/2
        a=fmtp:63 111/111
        a=rtpmap:9 G722/8000
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:13 CN/8000
        a=rtpmap:110 telephone-event/48000
        a=rtpmap:126 telephone-event/8000
        a=ssrc:2718281828 cname:Jd7b0pQ3kF1xZ9sA
        """;

    /// <summary>
    /// A pjsip phone behind NAT, relayed by Kamailio + rtpengine: the session c= is still the phone's private address,
    /// the media-level c= and a=rtcp carry the relay's; nortpproxy marker.
    /// </summary>
    public const string KamailioRelayed = """
        v=0
        o=- 3876543210 3876543210 IN IP4 192.168.10.23
        s=pjmedia
        c=IN IP4 192.168.10.23
        b=AS:84
        t=0 0
        a=X-nat:0
        m=audio 35002 RTP/AVP 8 0 101
        c=IN IP4 198.51.100.20
        b=TIAS:64000
        a=rtcp:35003 IN IP4 198.51.100.20
        a=sendrecv
        a=rtpmap:8 PCMA/8000
        a=rtpmap:0 PCMU/8000
        a=rtpmap:101 telephone-event/8000
        a=fmtp:101 0-16
        a=ptime:20
        a=ssrc:1520373011 cname:5f1a7c0d2e3b4a59
        a=nortpproxy:yes
        """;

    public const string Ipv6 = """
        v=0
        o=- 20518 0 IN IP6 2001:db8::15
        s=-
        c=IN IP6 2001:db8::15
        t=0 0
        m=audio 49170 RTP/AVP 0 8 101
        a=rtpmap:101 telephone-event/8000
        a=fmtp:101 0-15
        """;

    /// <summary>RFC 3264 §10.1: Alice offers PCMU, PCMA, iLBC and H.261/MPV video.</summary>
    public const string Rfc3264Alice = """
        v=0
        o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com
        s=
        c=IN IP4 192.0.2.101
        t=0 0
        m=audio 49170 RTP/AVP 0 8 97
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:97 iLBC/8000
        m=video 51372 RTP/AVP 31 32
        a=rtpmap:31 H261/90000
        a=rtpmap:32 MPV/90000
        """;

    public static string[] All => [Sipp, SippMinimal, SippPcma, Baresip, Linphone, WebRtc, KamailioRelayed, Ipv6, Rfc3264Alice];
}
