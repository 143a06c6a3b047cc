using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using AudioFlow.Audio.Channel;
using AudioFlow.Telephony.Rtp;
using AudioFlow.Telephony.Rtp.Session;
using AudioFlow.Telephony.Sip.Sdp;
using AudioFlow.Telephony.Sip.Messages;
using AudioFlow.Telephony.Sip.Transactions;
using AudioFlow.Telephony.Sip.Transport;
using AudioFlow.Telephony.Sip.UserAgent;
using AudioFlow.Telephony.Tests.Sip.Transactions;
using AudioFlow.Telephony.Tests.Sip.Transport;
using Xunit;

namespace AudioFlow.Telephony.Tests.Sip.UserAgent;

/// <summary>
/// A call sink standing in for AudioFlow's node: it takes every channel and reads its inbound side into a list (so
/// tests can look at what the call was told) — the call graph itself is the Pipeline's business, not the transport's.
/// </summary>
internal sealed class RecordingSink : ISipCallSink
{
    public ConcurrentQueue<TestCall> Calls { get; } = new();

    public Func<ICallChannel, Task>? OnStart { get; set; }

    public Task StartCallAsync(ICallChannel channel, CancellationToken cancellationToken)
    {
        Calls.Enqueue(new TestCall(channel));
        return OnStart?.Invoke(channel) ?? Task.CompletedTask;
    }

    public async Task<TestCall> NextCallAsync(double seconds = 5)
    {
        await Wait.UntilAsync(() => !Calls.IsEmpty, seconds, "no call reached the node");
        return Calls.First();
    }
}

/// <summary>One call as the node would see it: the channel and everything its inbound side delivered.</summary>
internal sealed class TestCall
{
    private readonly ConcurrentQueue<InboundEvent> _events = new();

    public TestCall(ICallChannel channel)
    {
        Channel = channel;
        Completion = Task.Run(async () =>
        {
            await foreach (var e in channel.Inbound.ReadAllAsync())
            {
                _events.Enqueue(e);
            }
        });
    }

    public ICallChannel Channel { get; }

    /// <summary>Completes when the transport completed the inbound side.</summary>
    public Task Completion { get; }

    public IReadOnlyList<InboundEvent> Events => _events.ToArray();

    public IEnumerable<T> Of<T>() where T : InboundEvent => Events.OfType<T>();

    public int MediaFrames => Events.Count(e => e is InboundMedia);

    public async Task<T> WaitForAsync<T>(Func<T, bool>? match = null, double seconds = 5) where T : InboundEvent
    {
        T? found = null;
        await Wait.UntilAsync(() => (found = Of<T>().FirstOrDefault(e => match?.Invoke(e) ?? true)) is not null, seconds,
            $"no {typeof(T).Name} reached the call; got: {string.Join(", ", Events.Where(e => e is not InboundMedia).Select(e => e.ToString()))}");
        return found!;
    }

    public async Task<string> EndedAsync(double seconds = 5)
    {
        await Completion.WaitAsync(TimeSpan.FromSeconds(seconds));
        return Assert.Single(Of<CallerHungUp>()).Reason;
    }

    public ValueTask SendAsync(OutboundCommand command) => Channel.SendAsync(command);
}

/// <summary>A <see cref="SipServer"/> on 127.0.0.1 (UDP and TCP, free ports) with a recording sink.</summary>
internal sealed class TestUserAgent : IAsyncDisposable
{
    private TestUserAgent(SipServer server, RecordingSink sink)
    {
        Server = server;
        Sink = sink;
    }

    public SipServer Server { get; }

    public RecordingSink Sink { get; }

    public SipEndPoint Udp => Server.LocalEndPoints.First(e => e.Transport == SipTransportKind.Udp).EndPoint;

    public SipEndPoint Tcp => Server.LocalEndPoints.First(e => e.Transport == SipTransportKind.Tcp).EndPoint;

    public static TestUserAgent Start(Func<SipUserAgentOptions, SipUserAgentOptions>? configure = null, bool ipv6 = false, SipRegistrationOptions? registration = null)
    {
        var address = ipv6 ? "[::1]:0" : "127.0.0.1:0";
        var userAgent = new SipUserAgentOptions
        {
            AllowList = IpAllowList.LoopbackOnly,
            RtpPortMin = 30000,
            RtpPortMax = 39999,
            Rtp = new RtpSessionOptions { MediaTimeout = TimeSpan.FromSeconds(20) },
        };
        var options = new SipServerOptions
        {
            Transport = new SipTransportOptions { ListenEndPoints = [SipListenEndPoint.Udp(address), SipListenEndPoint.Tcp(address)] },
            UserAgent = configure?.Invoke(userAgent) ?? userAgent,
            Timers = new SipTimerSettings { T1 = TimeSpan.FromMilliseconds(100), T2 = TimeSpan.FromMilliseconds(400), T4 = TimeSpan.FromMilliseconds(500) },
            Registration = registration,
        };
        var sink = new RecordingSink();
        return new TestUserAgent(SipServer.Start(options, sink), sink);
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}

/// <summary>
/// The far end of a call, scripted message by message: a SIP socket (UDP, or a TCP connection) and an RTP socket on
/// loopback. Builds the caller's requests (INVITE with an SDP offer pointing at its RTP socket, ACK, BYE, INFO...),
/// reads what AudioFlow sends, and answers AudioFlow's requests.
/// </summary>
internal sealed class SipPeer : IDisposable
{
    private readonly Socket? _udp;
    private readonly TcpPeer? _tcp;
    private readonly byte[] _buffer = new byte[65536];
    private readonly List<SipMessage> _backlog = [];
    private int _cseq = 1;

    private SipPeer(SipEndPoint target, Socket? udp, TcpPeer? tcp, IPAddress address)
    {
        Target = target;
        _udp = udp;
        _tcp = tcp;
        Address = address;
        Local = udp is not null ? SipEndPoint.FromIPEndPoint((IPEndPoint)udp.LocalEndPoint!) : tcp!.LocalEndPoint;
        Rtp = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        Rtp.Bind(new IPEndPoint(address, 0));
        RtpPort = ((IPEndPoint)Rtp.LocalEndPoint!).Port;
    }

    public SipEndPoint Target { get; }

    public SipEndPoint Local { get; }

    public IPAddress Address { get; }

    public Socket Rtp { get; }

    public int RtpPort { get; }

    public string CallId { get; } = Guid.NewGuid().ToString("N")[..12] + "@peer.test";

    public string FromTag { get; } = "peer" + Guid.NewGuid().ToString("N")[..6];

    /// <summary>AudioFlow's tag (from its responses to the INVITE).</summary>
    public string? ToTag { get; private set; }

    public bool IsTcp => _tcp is not null;

    /// <summary>Takes AudioFlow's tag from a response to the INVITE.</summary>
    public void Answered(SipResponse response) => ToTag = response.To!.Tag;

    private string TransportToken => IsTcp ? "TCP" : "UDP";

    private string Ip => Address.AddressFamily == AddressFamily.InterNetworkV6 ? "IP6" : "IP4";

    public static SipPeer Udp(SipEndPoint target)
    {
        var socket = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(target.Address, 0));
        return new SipPeer(target, socket, null, target.Address);
    }

    public static async Task<SipPeer> TcpAsync(SipEndPoint target) => new(target, null, await TcpPeer.ConnectAsync(target), target.Address);

    public string Sdp(string codecs = "0 101", string? extra = null, string direction = "sendrecv", int? port = null, string? rtpmaps = null) =>
        "v=0\r\n" +
        $"o=peer 1 1 IN {Ip} {Address}\r\n" +
        "s=-\r\n" +
        $"c=IN {Ip} {Address}\r\n" +
        "t=0 0\r\n" +
        $"m=audio {port ?? RtpPort} RTP/AVP {codecs}\r\n" +
        (rtpmaps ?? "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:9 G722/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n") +
        (extra ?? "") +
        $"a={direction}\r\n";

    public string Request(string method, string body = "", string contentType = "application/sdp", string extraHeaders = "", int? cseq = null,
        string? branch = null, bool withToTag = true)
    {
        var number = cseq ?? (method == "ACK" || method == "CANCEL" ? _cseq : ++_cseq);
        var to = $"<sip:service@{Target}>" + (withToTag && ToTag is not null ? ";tag=" + ToTag : "");
        return $"{method} sip:service@{Target} SIP/2.0\r\n" +
            $"Via: SIP/2.0/{TransportToken} {Local};branch={branch ?? "z9hG4bK" + Guid.NewGuid().ToString("N")[..16]};rport\r\n" +
            "Max-Forwards: 70\r\n" +
            $"From: \"Peer\" <sip:+15551230000@{Local}>;tag={FromTag}\r\n" +
            $"To: {to}\r\n" +
            $"Call-ID: {CallId}\r\n" +
            $"CSeq: {number} {method}\r\n" +
            $"Contact: <sip:peer@{Local}" + (IsTcp ? ";transport=tcp" : "") + ">\r\n" +
            extraHeaders +
            (body.Length > 0 ? $"Content-Type: {contentType}\r\n" : "") +
            $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n" + body;
    }

    public string Invite(string sdp, string extraHeaders = "", string? branch = null) =>
        Request("INVITE", sdp, extraHeaders: extraHeaders, cseq: 1, branch: branch, withToTag: false);

    public async Task SendAsync(string text)
    {
        if (_tcp is not null)
        {
            await _tcp.WriteAsync(text);
        }
        else
        {
            await _udp!.SendToAsync(Encoding.UTF8.GetBytes(text), SocketFlags.None, Target.ToIPEndPoint());
        }
    }

    /// <summary>The next message that matches (others are kept for later calls), failing after the timeout.</summary>
    public async Task<SipMessage> NextAsync(Func<SipMessage, bool> match, double seconds = 5)
    {
        var found = _backlog.FirstOrDefault(match);
        if (found is not null)
        {
            _backlog.Remove(found);
            return found;
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        while (true)
        {
            SipMessage message;
            if (_tcp is not null)
            {
                message = await _tcp.ReadMessageAsync().WaitAsync(cts.Token);
            }
            else
            {
                var received = await _udp!.ReceiveFromAsync(_buffer, SocketFlags.None, new IPEndPoint(Address.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0), cts.Token);
                message = Net.Parse(_buffer, received.ReceivedBytes);
            }

            if (match(message))
            {
                return message;
            }

            _backlog.Add(message);
        }
    }

    public async Task<SipResponse> ResponseAsync(int status, string method = "INVITE", double seconds = 5) =>
        (SipResponse)await NextAsync(m => m is SipResponse r && r.StatusCode == status && r.CSeq?.Method == method, seconds);

    public async Task<SipResponse> FinalResponseAsync(string method = "INVITE", double seconds = 5) =>
        (SipResponse)await NextAsync(m => m is SipResponse { IsProvisional: false } r && r.CSeq?.Method == method, seconds);

    public async Task<SipRequest> RequestAsync(string method, double seconds = 5) =>
        (SipRequest)await NextAsync(m => m is SipRequest r && r.Method == method, seconds);

    /// <summary>True when no message matching arrives within <paramref name="seconds"/>.</summary>
    public async Task<bool> NoneAsync(Func<SipMessage, bool> match, double seconds)
    {
        try
        {
            await NextAsync(match, seconds);
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    /// <summary>INVITE, expect 200, ACK it: an established call. Returns the 200.</summary>
    public async Task<SipResponse> CallAsync(string? sdp = null, string extraHeaders = "")
    {
        await SendAsync(Invite(sdp ?? Sdp(), extraHeaders));
        var ok = await FinalResponseAsync();
        Assert.Equal(200, ok.StatusCode);
        ToTag = ok.To!.Tag;
        await SendAsync(Request("ACK", cseq: 1));
        return ok;
    }

    /// <summary>A response to one of AudioFlow's requests (all Vias, From, To, Call-ID, CSeq copied).</summary>
    public Task RespondAsync(SipRequest request, int status, string reason = "OK", string extraHeaders = "")
    {
        var response = SipResponseBuilder.For(request, status, reason);
        var text = Encoding.UTF8.GetString(response.ToBytes());
        if (extraHeaders.Length > 0)
        {
            text = text.Replace("Content-Length:", extraHeaders + "Content-Length:", StringComparison.Ordinal);
        }

        return SendAsync(text);
    }

    /// <summary>A request inside AudioFlow's dialog going the other way (NOTIFY for a REFER): From our tag, To its tag.</summary>
    public string RequestToAudioFlow(string method, string body, string contentType, string extraHeaders)
    {
        var number = ++_cseq;
        return $"{method} sip:audioflow@{Target} SIP/2.0\r\n" +
            $"Via: SIP/2.0/{TransportToken} {Local};branch=z9hG4bK{Guid.NewGuid():N}\r\n" +
            "Max-Forwards: 70\r\n" +
            $"From: <sip:+15551230000@{Local}>;tag={FromTag}\r\n" +
            $"To: <sip:service@{Target}>;tag={ToTag}\r\n" +
            $"Call-ID: {CallId}\r\n" +
            $"CSeq: {number} {method}\r\n" +
            $"Contact: <sip:peer@{Local}>\r\n" +
            extraHeaders +
            $"Content-Type: {contentType}\r\n" +
            $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n" + body;
    }

    /// <summary>AudioFlow's RTP endpoint from the SDP of a response.</summary>
    public static IPEndPoint MediaOf(SipResponse response)
    {
        var sdp = SdpSession.Parse(Encoding.UTF8.GetString(response.Body.Span));
        return new IPEndPoint(sdp.ConnectionFor(sdp.Media[0])!.IpAddress!, sdp.Media[0].Port);
    }

    public static string SdpText(SipMessage message) => Encoding.UTF8.GetString(message.Body.Span);

    /// <summary>Sends one PCMU packet from the peer's RTP socket.</summary>
    public Task SendRtpAsync(IPEndPoint to, ushort sequence, uint timestamp, byte payloadType = 0, int payloadBytes = 160, byte fill = 0xFF, bool marker = false)
    {
        var payload = new byte[payloadBytes];
        payload.AsSpan().Fill(fill);
        var bytes = new byte[RtpPacket.FixedHeaderSize + payloadBytes];
        new RtpPacket(payloadType, sequence, timestamp, 0x1234abcd, marker, payload).Write(bytes);
        return Rtp.SendToAsync(bytes, SocketFlags.None, to);
    }

    /// <summary>Streams <paramref name="packets"/> 20 ms PCMU packets in real time (for media to flow both ways).</summary>
    public async Task StreamRtpAsync(IPEndPoint to, int packets, ushort firstSequence = 1, uint firstTimestamp = 1000)
    {
        for (var i = 0; i < packets; i++)
        {
            await SendRtpAsync(to, (ushort)(firstSequence + i), (uint)(firstTimestamp + i * 160), marker: i == 0);
            await Task.Delay(20);
        }
    }

    /// <summary>RTP packets arriving at the peer within <paramref name="seconds"/> (header, arrival).</summary>
    public async Task<List<(RtpHeader Header, int PayloadLength, DateTime At)>> ReceiveRtpAsync(double seconds, int? stopAfter = null)
    {
        var packets = new List<(RtpHeader, int, DateTime)>();
        var buffer = new byte[2048];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            while (stopAfter is null || packets.Count < stopAfter)
            {
                var received = await Rtp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(Address.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0), cts.Token);
                if (RtpPacket.IsRtcp(buffer.AsSpan(0, received.ReceivedBytes)))
                {
                    continue;
                }

                if (RtpPacket.TryParse(buffer.AsSpan(0, received.ReceivedBytes), out var packet, out _))
                {
                    packets.Add((packet.Header, packet.Payload.Length, DateTime.UtcNow));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return packets;
    }

    public void Dispose()
    {
        _udp?.Dispose();
        _tcp?.Dispose();
        Rtp.Dispose();
    }
}
