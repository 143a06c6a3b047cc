using System.Net;
using System.Net.Sockets;

namespace AudioFlow.Telephony.Rtp.Session;

/// <summary>
/// Hands out RTP/RTCP port pairs from a configured range: RTP on an even port, RTCP on the odd port above it (RFC 3550
/// §11), both bound before they are handed out. Ports are taken round-robin so a port just released is not reused at
/// once (late packets of the previous call would land in the next one); ports another process holds are skipped.
/// Thread-safe; one allocator per node.
/// </summary>
public sealed class RtpPortAllocator
{
    private readonly object _gate = new();
    private readonly HashSet<int> _inUse = [];
    private int _next;

    /// <summary>Ports <paramref name="minPort"/>..<paramref name="maxPort"/> (an odd minimum is rounded up).</summary>
    public RtpPortAllocator(int minPort, int maxPort)
    {
        if (minPort % 2 == 1)
        {
            minPort++;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(minPort, 2, nameof(minPort));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxPort, 65535, nameof(maxPort));
        if (maxPort < minPort + 1)
        {
            throw new ArgumentException($"the RTP port range {minPort}-{maxPort} holds no even/odd pair", nameof(maxPort));
        }

        MinPort = minPort;
        MaxPort = maxPort;
        _next = Random.Shared.Next(PairCount);
    }

    public int MinPort { get; }

    public int MaxPort { get; }

    /// <summary>How many RTP/RTCP pairs the range holds.</summary>
    public int PairCount => (MaxPort - MinPort + 1) / 2;

    /// <summary>Pairs handed out and not yet released.</summary>
    public int InUse
    {
        get
        {
            lock (_gate)
            {
                return _inUse.Count;
            }
        }
    }

    /// <summary>
    /// Binds a free pair on <paramref name="address"/> (IPv4 or IPv6; IPv6 sockets are IPv6-only). Throws
    /// <see cref="RtpPortsExhaustedException"/> when every pair of the range is in use or cannot be bound.
    /// </summary>
    public RtpPortBinding Bind(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        for (var attempt = 0; attempt < PairCount; attempt++)
        {
            int port;
            lock (_gate)
            {
                port = MinPort + 2 * _next;
                _next = (_next + 1) % PairCount;
                if (!_inUse.Add(port))
                {
                    continue;
                }
            }

            Socket? rtp = null;
            Socket? rtcp = null;
            try
            {
                rtp = Open(address, port);
                rtcp = Open(address, port + 1);
                return new RtpPortBinding(this, address, port, rtp, rtcp);
            }
            catch (SocketException)
            {
                rtp?.Dispose();
                rtcp?.Dispose();
                Release(port);
            }
        }

        throw new RtpPortsExhaustedException($"no free RTP port pair in {MinPort}-{MaxPort} on {address} ({InUse} in use by calls)");
    }

    internal void Release(int port)
    {
        lock (_gate)
        {
            _inUse.Remove(port);
        }
    }

    private static Socket Open(IPAddress address, int port)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = false;
            }

            socket.ReceiveBufferSize = 256 * 1024;
            socket.Bind(new IPEndPoint(address, port));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>A bound RTP/RTCP socket pair; disposing closes both and returns the ports to the allocator.</summary>
public sealed class RtpPortBinding : IDisposable
{
    private readonly RtpPortAllocator? _owner;
    private int _disposed;

    internal RtpPortBinding(RtpPortAllocator? owner, IPAddress address, int port, Socket rtp, Socket rtcp)
    {
        _owner = owner;
        Address = address;
        RtpPort = port;
        Rtp = rtp;
        Rtcp = rtcp;
    }

    /// <summary>The address both sockets are bound to.</summary>
    public IPAddress Address { get; }

    public int RtpPort { get; }

    public int RtcpPort => RtpPort + 1;

    public Socket Rtp { get; }

    public Socket Rtcp { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        Rtp.Dispose();
        Rtcp.Dispose();
        _owner?.Release(RtpPort);
    }
}

/// <summary>No RTP port pair could be bound: the range is full (too many calls) or taken by other programs.</summary>
public sealed class RtpPortsExhaustedException(string message) : Exception(message);
