using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using AudioFlow.Audio.Channel;

namespace AudioFlow.Telephony.Sip.Sdp;

/// <summary>
/// SDP offer/answer (RFC 3264) for AudioFlow's user agent: one audio stream, one codec, telephone-event, plain RTP.
/// Pure functions (except the random session id when none is given).
/// <para>Answering:</para>
/// <list type="bullet">
/// <item>The first audio m-line with a non-zero port, a plain RTP profile (RTP/AVP or RTP/AVPF; secure and TCP
/// profiles are refused), a codec we support and a usable connection address is used; every other m-line (video,
/// image, extra audio, port 0) is answered with port 0, in the offer's order.</item>
/// <item>Codec: the first of <see cref="LocalMediaCapabilities.PreferredCodecs"/> the stream offers, else the first
/// the offerer lists among <see cref="LocalMediaCapabilities.Codecs"/>. Static payload types 0/8/9 match with or
/// without rtpmap; others by rtpmap name (case-insensitive), clock rate and channels. Opus, G.729, speex, iLBC,
/// CN... are ignored.</item>
/// <item>telephone-event: the first offered at the codec's clock rate, same payload type, fmtp echoed.</item>
/// <item>Direction (RFC 3264 §6.1): the offer's reversed, narrowed by <see cref="LocalMediaCapabilities.Direction"/>,
/// and never sending towards 0.0.0.0 / :: (RFC 2543 hold, answered recvonly).</item>
/// <item>a=ptime echoed when offered; a=rtcp-mux echoed when offered and allowed; t= copied (RFC 3264 §6); no ICE,
/// crypto, ssrc or bandwidth lines.</item>
/// </list>
/// </summary>
public static class SdpNegotiator
{
    private static readonly string[] PlainRtpProfiles = ["RTP/AVP", "RTP/AVPF"];

    /// <summary>
    /// Answers an initial offer. <paramref name="sessionId"/> is o='s sess-id and first sess-version (random when null).
    /// Throws <see cref="ArgumentException"/> only for an invalid <paramref name="local"/>.
    /// </summary>
    public static SdpAnswerOutcome Answer(SdpSession offer, LocalMediaCapabilities local, ulong? sessionId = null)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(local);
        local.Validate();
        var id = sessionId ?? NewSessionId();
        return Negotiate(offer, local, answer => answer, address => SdpOrigin.Create(local.Username, id, id, address));
    }

    /// <summary>
    /// Answers an offer within an existing session (re-INVITE or UPDATE: hold, resume, codec or address change). The
    /// o= line stays that of <paramref name="previousAnswer"/>; its version is incremented when the answer differs
    /// from the previous one and kept when identical (RFC 3264 §8: same version ⇒ same SDP).
    /// </summary>
    public static SdpAnswerOutcome Reanswer(SdpAnswerResult previousAnswer, SdpSession newOffer, LocalMediaCapabilities local)
    {
        ArgumentNullException.ThrowIfNull(previousAnswer);
        return Reanswer(previousAnswer.Answer, newOffer, local);
    }

    /// <summary>As <see cref="Reanswer(SdpAnswerResult, SdpSession, LocalMediaCapabilities)"/>, from the last SDP we sent in this session (answer or offer).</summary>
    public static SdpAnswerOutcome Reanswer(SdpSession previousLocalSdp, SdpSession newOffer, LocalMediaCapabilities local)
    {
        ArgumentNullException.ThrowIfNull(previousLocalSdp);
        ArgumentNullException.ThrowIfNull(newOffer);
        ArgumentNullException.ThrowIfNull(local);
        local.Validate();
        var previousOrigin = previousLocalSdp.Origin ?? throw new ArgumentException("the previous SDP has no o= line", nameof(previousLocalSdp));
        return Negotiate(newOffer, local, answer => NextVersionIfChanged(previousLocalSdp, answer), _ => previousOrigin);
    }

    /// <summary>
    /// Our offer (outbound call, or re-INVITE without a previous session): one audio m-line listing
    /// <see cref="LocalMediaCapabilities.PreferredCodecs"/> then <see cref="LocalMediaCapabilities.Codecs"/>, plus
    /// telephone-event, a=ptime and the direction.
    /// </summary>
    public static SdpSession Offer(LocalMediaCapabilities local, ulong? sessionId = null)
    {
        ArgumentNullException.ThrowIfNull(local);
        local.Validate();
        var id = sessionId ?? NewSessionId();
        return new SdpSession
        {
            Origin = SdpOrigin.Create(local.Username, id, id, local.Address),
            SessionName = local.SessionName,
            Connection = SdpConnection.For(local.Address),
            Timings = [SdpTiming.Unbounded],
            Media = [OfferedAudio(local, local.RtpPort)],
        };
    }

    /// <summary>
    /// A new offer in an existing session (e.g. to put the remote on hold: <c>local with { Direction = SendOnly }</c>).
    /// Keeps the previous o= (version incremented when anything changed) and the previous m-lines in order (RFC 3264
    /// §8): the audio one in use is replaced by ours, the others stay disabled (port 0).
    /// </summary>
    public static SdpSession Reoffer(SdpSession previousLocalSdp, LocalMediaCapabilities local)
    {
        ArgumentNullException.ThrowIfNull(previousLocalSdp);
        ArgumentNullException.ThrowIfNull(local);
        local.Validate();
        var previousOrigin = previousLocalSdp.Origin ?? throw new ArgumentException("the previous SDP has no o= line", nameof(previousLocalSdp));
        var audioIndex = -1;
        for (var i = 0; i < previousLocalSdp.Media.Count && audioIndex < 0; i++)
        {
            if (previousLocalSdp.Media[i] is { IsAudio: true, IsDisabled: false })
            {
                audioIndex = i;
            }
        }

        var media = previousLocalSdp.Media.Select((m, i) => i == audioIndex ? OfferedAudio(local, local.RtpPort) : Disabled(m)).ToList();
        if (audioIndex < 0)
        {
            media.Add(OfferedAudio(local, local.RtpPort));
        }

        var offer = new SdpSession
        {
            Origin = previousOrigin,
            SessionName = local.SessionName,
            Connection = SdpConnection.For(local.Address),
            Timings = [SdpTiming.Unbounded],
            Media = media,
        };
        return NextVersionIfChanged(previousLocalSdp, offer);
    }

    /// <summary>A random o= session id below 2^62 (room for version increments).</summary>
    public static ulong NewSessionId() => (BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) >> 2) | 1;

    private enum Stage
    {
        NoAudio,
        Transport,
        Codec,
        Address,
    }

    private sealed record Selection(
        MediaFormat Format,
        int PayloadType,
        int ClockRate,
        int? TelephoneEventPayloadType,
        string? TelephoneEventEvents);

    private static SdpAnswerOutcome Negotiate(SdpSession offer, LocalMediaCapabilities local, Func<SdpSession, SdpSession> finish, Func<IPAddress, SdpOrigin> origin)
    {
        var failure = (Stage: Stage.NoAudio, Detail: "no audio stream offered");
        Func<SdpSession, SdpAnswerResult>? chosen = null;
        var answerMedia = new List<SdpMedia>(offer.Media.Count);
        IPAddress? chosenLocalAddress = null;

        for (var index = 0; index < offer.Media.Count; index++)
        {
            var m = offer.Media[index];
            if (chosen is not null || !m.IsAudio || m.IsDisabled)
            {
                answerMedia.Add(Disabled(m));
                continue;
            }

            if (!PlainRtpProfiles.Contains(m.Protocol, StringComparer.OrdinalIgnoreCase))
            {
                Fail(Stage.Transport, $"audio transport {m.Protocol} not supported (plain RTP/AVP only)");
                answerMedia.Add(Disabled(m));
                continue;
            }

            var selection = SelectCodec(m, local);
            if (selection is null)
            {
                Fail(Stage.Codec, "no common audio codec (we have " + string.Join(", ", local.Codecs.Select(Describe)) + ")");
                answerMedia.Add(Disabled(m));
                continue;
            }

            var connection = offer.ConnectionFor(m);
            var remoteIp = connection?.IpAddress;
            if (remoteIp is { IsIPv4MappedToIPv6: true })
            {
                remoteIp = remoteIp.MapToIPv4();
            }

            var unspecified = remoteIp is not null && (remoteIp.Equals(IPAddress.Any) || remoteIp.Equals(IPAddress.IPv6Any));
            var localAddress = remoteIp is null ? null : local.AddressFor(remoteIp.AddressFamily) ?? (unspecified ? local.Address : null);
            if (connection is null || remoteIp is null || IsMulticast(remoteIp) || localAddress is null)
            {
                Fail(Stage.Address, connection is null ? "no c= line for the audio stream"
                    : remoteIp is null ? $"connection address '{connection.Address}' is not an IP address"
                    : IsMulticast(remoteIp) ? $"multicast connection address {remoteIp} not supported"
                    : $"no local {(remoteIp.AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4")} address to answer {remoteIp}");
                answerMedia.Add(Disabled(m));
                continue;
            }

            var offeredDirection = offer.DirectionOf(m);
            var direction = offeredDirection.Reverse().Intersect(local.Direction);
            if (unspecified)
            {
                direction = direction.Intersect(SdpDirection.RecvOnly);
            }

            var offeredPtime = m.Ptime ?? SdpMedia.ReadMilliseconds(offer.Attributes, "ptime");
            if (offeredPtime is > 200)
            {
                offeredPtime = null;
            }

            var maxPtime = m.MaxPtime ?? SdpMedia.ReadMilliseconds(offer.Attributes, "maxptime");
            var ptime = offeredPtime ?? (maxPtime is { } max && max < local.Ptime ? max : local.Ptime);

            var mux = local.RtcpMux && m.RtcpMux;
            var remoteRtp = new IPEndPoint(remoteIp, m.Port);
            var remoteRtcp = mux ? remoteRtp
                : m.Rtcp is { } rtcp ? new IPEndPoint(rtcp.Connection?.IpAddress ?? remoteIp, rtcp.Port)
                : m.Port < 65535 ? new IPEndPoint(remoteIp, m.Port + 1)
                : null;

            SdpAudioFormats.TryDescribe(selection.Format, out var encodingName, out _, out _);
            var attributes = new List<SdpAttribute> { new SdpRtpMap(selection.PayloadType, encodingName, selection.ClockRate).ToAttribute() };
            if (selection.TelephoneEventPayloadType is { } tePt)
            {
                attributes.Add(new SdpRtpMap(tePt, SdpAudioFormats.TelephoneEventName, selection.ClockRate).ToAttribute());
                if (selection.TelephoneEventEvents is { } events)
                {
                    attributes.Add(new SdpFmtp(tePt, events).ToAttribute());
                }
            }

            if (offeredPtime is { } p)
            {
                attributes.Add(SdpAttribute.Ptime(p));
            }

            if (!mux && local.RtcpPort is { } ourRtcp && ourRtcp != local.RtpPort + 1)
            {
                attributes.Add(new SdpRtcp(ourRtcp).ToAttribute());
            }

            if (mux)
            {
                attributes.Add(SdpAttribute.RtcpMux);
            }

            attributes.Add(SdpAttribute.Direction(direction));

            List<string> formats = [Format(selection.PayloadType)];
            if (selection.TelephoneEventPayloadType is { } te)
            {
                formats.Add(Format(te));
            }

            answerMedia.Add(new SdpMedia
            {
                MediaType = m.MediaType,
                Port = local.RtpPort,
                Protocol = m.Protocol,
                Formats = formats,
                Attributes = attributes,
            });

            chosenLocalAddress = localAddress;
            var mediaIndex = index;
            chosen = answer => new SdpAnswerResult
            {
                Answer = answer,
                MediaIndex = mediaIndex,
                Format = selection.Format,
                PayloadType = selection.PayloadType,
                ClockRate = selection.ClockRate,
                TelephoneEventPayloadType = selection.TelephoneEventPayloadType,
                TelephoneEventClockRate = selection.TelephoneEventPayloadType is null ? null : selection.ClockRate,
                TelephoneEventEvents = selection.TelephoneEventEvents,
                RemoteRtp = remoteRtp,
                RemoteRtcp = remoteRtcp,
                RtcpMux = mux,
                LocalAddress = localAddress,
                LocalRtpPort = local.RtpPort,
                LocalRtcpPort = mux ? null : local.EffectiveRtcpPort,
                Ptime = ptime,
                OfferDirection = offeredDirection,
                Direction = direction,
                IsOnHold = offeredDirection is SdpDirection.SendOnly or SdpDirection.Inactive || unspecified,
            };
        }

        if (chosen is null || chosenLocalAddress is null)
        {
            var reason = failure.Stage switch
            {
                Stage.Transport => SdpRejectionReason.UnsupportedTransport,
                Stage.Codec => SdpRejectionReason.NoCommonCodec,
                Stage.Address => SdpRejectionReason.IncompatibleAddress,
                _ => SdpRejectionReason.NoAudioStream,
            };
            return SdpAnswerOutcome.Reject(reason, failure.Detail);
        }

        var answer = finish(new SdpSession
        {
            Origin = origin(chosenLocalAddress),
            SessionName = local.SessionName,
            Connection = SdpConnection.For(chosenLocalAddress),
            Timings = offer.Timings.Count > 0 ? offer.Timings : [SdpTiming.Unbounded],
            Media = answerMedia,
        });

        return SdpAnswerOutcome.Accept(chosen(answer));

        void Fail(Stage stage, string detail)
        {
            if (stage > failure.Stage)
            {
                failure = (stage, detail);
            }
        }
    }

    private static Selection? SelectCodec(SdpMedia m, LocalMediaCapabilities local)
    {
        var codecs = new List<(MediaFormat Format, int Pt, int Clock)>();
        var events = new List<(int Pt, int Clock)>();
        var rtpMaps = new Dictionary<int, SdpRtpMap>();
        foreach (var rtpMap in m.RtpMaps)
        {
            rtpMaps.TryAdd(rtpMap.PayloadType, rtpMap); // first wins, as GetRtpMap
        }

        var seen = new HashSet<int>();
        foreach (var pt in m.PayloadTypes)
        {
            if (!seen.Add(pt))
            {
                continue;
            }

            var map = rtpMaps.GetValueOrDefault(pt) ?? SdpAudioFormats.StaticRtpMap(pt);
            if (map is null)
            {
                continue;
            }

            if (SdpAudioFormats.IsTelephoneEvent(map))
            {
                events.Add((pt, map.ClockRate));
            }
            else if (SdpAudioFormats.TryFromRtpMap(map, out var format) && local.Codecs.Contains(format) && !codecs.Any(c => c.Format == format))
            {
                codecs.Add((format, pt, map.ClockRate));
            }
        }

        if (codecs.Count == 0)
        {
            return null;
        }

        var chosen = codecs[0];
        foreach (var preferred in local.PreferredCodecs)
        {
            var i = codecs.FindIndex(c => c.Format == preferred);
            if (i >= 0)
            {
                chosen = codecs[i];
                break;
            }
        }

        int? tePt = null;
        if (local.TelephoneEvents)
        {
            var i = events.FindIndex(e => e.Clock == chosen.Clock);
            if (i >= 0)
            {
                tePt = events[i].Pt;
            }
        }

        return new Selection(chosen.Format, chosen.Pt, chosen.Clock, tePt, tePt is { } t ? m.GetFmtp(t) : null);
    }

    private static SdpMedia OfferedAudio(LocalMediaCapabilities local, int port)
    {
        var ordered = local.PreferredCodecs.Where(local.Codecs.Contains).Concat(local.Codecs).Distinct().ToList();
        var usedPts = new HashSet<int>();
        var nextDynamic = 96;
        int? NextDynamic()
        {
            while (nextDynamic <= 127 && (usedPts.Contains(nextDynamic) || nextDynamic == local.TelephoneEventPayloadType))
            {
                nextDynamic++;
            }

            return nextDynamic <= 127 ? nextDynamic++ : null;
        }

        var formats = new List<string>();
        var attributes = new List<SdpAttribute>();
        var clocks = new List<int>();
        foreach (var codec in ordered)
        {
            SdpAudioFormats.TryDescribe(codec, out var name, out var clock, out var staticPt);
            if ((staticPt ?? NextDynamic()) is not { } pt)
            {
                continue;
            }

            usedPts.Add(pt);
            formats.Add(Format(pt));
            attributes.Add(new SdpRtpMap(pt, name, clock).ToAttribute());
            if (!clocks.Contains(clock))
            {
                clocks.Add(clock);
            }
        }

        if (local.TelephoneEvents)
        {
            var fmtps = new List<SdpAttribute>();
            for (var i = 0; i < clocks.Count; i++)
            {
                if ((i == 0 ? local.TelephoneEventPayloadType : NextDynamic()) is not { } pt)
                {
                    break;
                }

                usedPts.Add(pt);
                formats.Add(Format(pt));
                attributes.Add(new SdpRtpMap(pt, SdpAudioFormats.TelephoneEventName, clocks[i]).ToAttribute());
                fmtps.Add(new SdpFmtp(pt, local.TelephoneEventEvents).ToAttribute());
            }

            attributes.AddRange(fmtps);
        }

        attributes.Add(SdpAttribute.Ptime(local.Ptime));
        if (local.RtcpPort is { } rtcp && rtcp != local.RtpPort + 1)
        {
            attributes.Add(new SdpRtcp(rtcp).ToAttribute());
        }

        if (local.OfferRtcpMux)
        {
            attributes.Add(SdpAttribute.RtcpMux);
        }

        attributes.Add(SdpAttribute.Direction(local.Direction));
        return new SdpMedia { MediaType = "audio", Port = port, Protocol = "RTP/AVP", Formats = formats, Attributes = attributes };
    }

    /// <summary>A stream answered (or re-offered) as rejected: port 0, same media, protocol and formats, nothing else.</summary>
    private static SdpMedia Disabled(SdpMedia m) =>
        new() { MediaType = m.MediaType, Port = 0, Protocol = m.Protocol, Formats = m.Formats };

    private static SdpSession NextVersionIfChanged(SdpSession previous, SdpSession candidate)
    {
        if (previous.Origin is not { } origin || candidate.ToString() == previous.ToString())
        {
            return candidate;
        }

        return new SdpSession
        {
            Version = candidate.Version,
            Origin = origin.WithNextVersion(),
            SessionName = candidate.SessionName,
            Connection = candidate.Connection,
            Bandwidths = candidate.Bandwidths,
            Timings = candidate.Timings,
            Attributes = candidate.Attributes,
            OtherLines = candidate.OtherLines,
            Media = candidate.Media,
        };
    }

    private static bool IsMulticast(IPAddress ip) =>
        ip.AddressFamily == AddressFamily.InterNetworkV6 ? ip.IsIPv6Multicast : (ip.GetAddressBytes()[0] & 0xF0) == 0xE0;

    private static string Format(int pt) => pt.ToString(CultureInfo.InvariantCulture);

    private static string Describe(MediaFormat f) =>
        SdpAudioFormats.TryDescribe(f, out var name, out var clock, out _) ? $"{name}/{clock}" : f.ToString();
}
