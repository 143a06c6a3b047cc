using System.Net;
using System.Net.Sockets;
using System.Text;
using AudioFlow.Telephony.Sip.Messages;
using AudioFlow.Telephony.Sip.Transport;
using Xunit;

namespace AudioFlow.Telephony.Tests.Sip.Transport;

/// <summary>Loopback helpers: a transport on free ports, a raw UDP peer, message text.</summary>
internal static class Net
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private static readonly Lazy<bool> Ipv6 = new(() =>
    {
        if (!Socket.OSSupportsIPv6)
        {
            return false;
        }

        try
        {
            using var s = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    });

    public static bool Ipv6Available => Ipv6.Value;

    /// <summary>A started transport on 127.0.0.1 (and ::1 when asked), UDP and TCP, ports picked by the system.</summary>
    public static SipTransport StartTransport(bool ipv6 = false, Action<SipTransportOptions>? configure = null)
    {
        var address = ipv6 ? "[::1]:0" : "127.0.0.1:0";
        var options = new SipTransportOptions
        {
            ListenEndPoints = [SipListenEndPoint.Udp(address), SipListenEndPoint.Tcp(address)],
        };
        configure?.Invoke(options);
        var transport = new SipTransport(options);
        transport.Start();
        return transport;
    }

    public static async Task<IncomingSipMessage> NextAsync(this SipTransport transport, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Timeout);
        return await transport.Incoming.ReadAsync(cts.Token);
    }

    /// <summary>True when nothing arrives within <paramref name="wait"/>.</summary>
    public static async Task<bool> NothingAsync(this SipTransport transport, TimeSpan wait)
    {
        using var cts = new CancellationTokenSource(wait);
        try
        {
            await transport.Incoming.WaitToReadAsync(cts.Token);
            return !transport.Incoming.TryPeek(out _);
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    public static string Options(SipEndPoint target, string viaSentBy, string branch, string viaParams = "", string transport = "UDP", string extra = "", string cseq = "1 OPTIONS") =>
        $"OPTIONS sip:service@{target} SIP/2.0\r\n" +
        $"Via: SIP/2.0/{transport} {viaSentBy};branch={branch}{viaParams}\r\n" +
        "Max-Forwards: 70\r\n" +
        $"From: <sip:peer@{viaSentBy}>;tag=peer1\r\n" +
        $"To: <sip:service@{target}>\r\n" +
        $"Call-ID: {branch}@test\r\n" +
        $"CSeq: {cseq}\r\n" +
        extra +
        "Content-Length: 0\r\n\r\n";

    public static SipMessage Parse(byte[] bytes, int count)
    {
        Assert.True(SipParser.TryParse(bytes.AsSpan(0, count), out var message, out var error), error?.ToString());
        return message;
    }
}

/// <summary>A raw UDP socket on loopback playing the peer.</summary>
internal sealed class UdpPeer : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[65536];

    public UdpPeer(IPAddress? address = null)
    {
        address ??= IPAddress.Loopback;
        _socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(address, 0));
        EndPoint = SipEndPoint.FromIPEndPoint((IPEndPoint)_socket.LocalEndPoint!);
    }

    public SipEndPoint EndPoint { get; }

    public Task SendAsync(string text, SipEndPoint to) => SendAsync(Encoding.UTF8.GetBytes(text), to);

    public async Task SendAsync(byte[] bytes, SipEndPoint to) =>
        await _socket.SendToAsync(bytes, SocketFlags.None, to.ToIPEndPoint());

    public async Task<SipMessage> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Net.Timeout);
        var result = await _socket.ReceiveFromAsync(_buffer, SocketFlags.None, new IPEndPoint(EndPoint.IsIPv6 ? IPAddress.IPv6Any : IPAddress.Any, 0), cts.Token);
        return Net.Parse(_buffer, result.ReceivedBytes);
    }

    /// <summary>True when no datagram arrives within <paramref name="wait"/>.</summary>
    public async Task<bool> NothingAsync(TimeSpan wait)
    {
        try
        {
            await ReceiveAsync(wait);
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    public void Dispose() => _socket.Dispose();
}

/// <summary>Skipped when ::1 cannot be bound.</summary>
public sealed class Ipv6FactAttribute : FactAttribute
{
    public Ipv6FactAttribute()
    {
        if (!Net.Ipv6Available)
        {
            Skip = "IPv6 loopback (::1) is not available on this machine: the IPv6 transport test is skipped";
        }
    }
}

/// <summary>A TCP stream on loopback playing the peer, reading SIP with the real framer.</summary>
internal sealed class TcpPeer : IDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly SipStreamFramer _framer = new();
    private readonly byte[] _buffer = new byte[16384];

    private TcpPeer(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
        LocalEndPoint = SipEndPoint.FromIPEndPoint((IPEndPoint)client.Client.LocalEndPoint!);
    }

    public SipEndPoint LocalEndPoint { get; }

    public static async Task<TcpPeer> ConnectAsync(SipEndPoint to)
    {
        var client = new TcpClient(to.AddressFamily);
        using var cts = new CancellationTokenSource(Net.Timeout);
        await client.ConnectAsync(to.ToIPEndPoint(), cts.Token);
        return new TcpPeer(client);
    }

    public static async Task<TcpPeer> AcceptAsync(TcpListener listener)
    {
        using var cts = new CancellationTokenSource(Net.Timeout);
        return new TcpPeer(await listener.AcceptTcpClientAsync(cts.Token));
    }

    public async Task WriteAsync(string text)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(text));
        await _stream.FlushAsync();
    }

    /// <summary>Raw bytes as they come (for the CRLF pong).</summary>
    public async Task<string> ReadRawAsync(int count)
    {
        using var cts = new CancellationTokenSource(Net.Timeout);
        var got = 0;
        while (got < count)
        {
            var n = await _stream.ReadAsync(_buffer.AsMemory(got, count - got), cts.Token);
            if (n == 0)
            {
                break;
            }

            got += n;
        }

        return Encoding.UTF8.GetString(_buffer, 0, got);
    }

    public async Task<SipMessage> ReadMessageAsync()
    {
        using var cts = new CancellationTokenSource(Net.Timeout);
        while (true)
        {
            if (_framer.TryReadFrame(out var frame))
            {
                if (frame.Kind == SipFrameKind.KeepAlive)
                {
                    continue;
                }

                Assert.Equal(SipFrameKind.Message, frame.Kind);
                return frame.Message!;
            }

            var n = await _stream.ReadAsync(_buffer, cts.Token);
            Assert.True(n > 0, "the connection closed before a message arrived");
            _framer.Append(_buffer.AsSpan(0, n));
        }
    }

    /// <summary>True when the other side closes the connection within the timeout.</summary>
    public async Task<bool> ClosedAsync()
    {
        using var cts = new CancellationTokenSource(Net.Timeout);
        try
        {
            while (await _stream.ReadAsync(_buffer, cts.Token) > 0)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose() => _client.Dispose();
}
