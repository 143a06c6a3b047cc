using System.Buffers.Binary;

namespace AudioFlow.Telephony.Tests.Rtp;

/// <summary>
/// A tiny reader of classic libpcap files (24-byte global header, 16-byte record headers; micro- or nanosecond
/// timestamps, either byte order) that returns the UDP payloads of IPv4/IPv6 packets on Ethernet, raw-IP, Linux cooked
/// or BSD loopback links. Enough for the RTP captures Debian's sipp ships and the ones in ../shared/sip/audio.
/// </summary>
internal static class PcapReader
{
    /// <summary>One UDP datagram: capture time, ports, payload.</summary>
    internal sealed record UdpDatagram(TimeSpan Time, ushort SourcePort, ushort DestinationPort, byte[] Payload);

    /// <summary>Debian sipp's sample captures (package sip-tester).</summary>
    internal const string SippDirectory = "/usr/share/sip-tester";

    /// <summary>Finds a file under ../shared (from the test's working directory upwards), or null.</summary>
    internal static string? FindShared(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        const string fallback = "/work/shared";
        string direct = Path.Combine(fallback, relative);
        return File.Exists(direct) ? direct : null;
    }

    /// <summary>Reads every UDP datagram of a capture.</summary>
    internal static List<UdpDatagram> ReadUdp(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        if (file.Length < 24)
        {
            throw new InvalidDataException("Not a pcap file (too short).");
        }

        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(file);
        bool littleEndian;
        bool nanoseconds;
        switch (magic)
        {
            case 0xA1B2C3D4: littleEndian = true; nanoseconds = false; break;
            case 0xA1B23C4D: littleEndian = true; nanoseconds = true; break;
            case 0xD4C3B2A1: littleEndian = false; nanoseconds = false; break;
            case 0x4D3CB2A1: littleEndian = false; nanoseconds = true; break;
            default: throw new InvalidDataException($"Not a classic pcap file (magic {magic:X8}).");
        }

        uint Read32(int offset) => littleEndian
            ? BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset))
            : BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(offset));

        uint linkType = Read32(20);
        var result = new List<UdpDatagram>();
        int position = 24;
        while (position + 16 <= file.Length)
        {
            uint seconds = Read32(position);
            uint fraction = Read32(position + 4);
            int included = (int)Read32(position + 8);
            position += 16;
            if (included < 0 || position + included > file.Length)
            {
                break;
            }

            var time = TimeSpan.FromTicks(seconds * TimeSpan.TicksPerSecond + (nanoseconds ? fraction / 100 : fraction * 10L));
            ReadOnlySpan<byte> frame = file.AsSpan(position, included);
            position += included;
            if (TryUdp(linkType, frame, out ushort source, out ushort destination, out ReadOnlySpan<byte> payload))
            {
                result.Add(new UdpDatagram(time, source, destination, payload.ToArray()));
            }
        }

        return result;
    }

    private static bool TryUdp(uint linkType, ReadOnlySpan<byte> frame, out ushort source, out ushort destination, out ReadOnlySpan<byte> payload)
    {
        source = destination = 0;
        payload = default;
        ReadOnlySpan<byte> ip;
        switch (linkType)
        {
            case 1: // Ethernet, possibly with one 802.1Q tag
                if (frame.Length < 14)
                {
                    return false;
                }

                int etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
                int offset = 14;
                if (etherType == 0x8100 && frame.Length >= 18)
                {
                    etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[16..]);
                    offset = 18;
                }

                if (etherType != 0x0800 && etherType != 0x86DD)
                {
                    return false;
                }

                ip = frame[offset..];
                break;
            case 101 or 12: // raw IP
                ip = frame;
                break;
            case 113: // Linux cooked
                if (frame.Length < 16)
                {
                    return false;
                }

                ip = frame[16..];
                break;
            case 0: // BSD loopback
                if (frame.Length < 4)
                {
                    return false;
                }

                ip = frame[4..];
                break;
            default:
                return false;
        }

        if (ip.Length < 1)
        {
            return false;
        }

        ReadOnlySpan<byte> udp;
        int version = ip[0] >> 4;
        if (version == 4)
        {
            int headerLength = (ip[0] & 0x0F) * 4;
            if (ip.Length < 20 || headerLength < 20 || ip.Length < headerLength || ip[9] != 17)
            {
                return false;
            }

            int flagsFragment = BinaryPrimitives.ReadUInt16BigEndian(ip[6..]);
            if ((flagsFragment & 0x1FFF) != 0 || (flagsFragment & 0x2000) != 0)
            {
                return false; // fragments: not needed here
            }

            int total = Math.Min(ip.Length, BinaryPrimitives.ReadUInt16BigEndian(ip[2..]));
            udp = ip[headerLength..total];
        }
        else if (version == 6)
        {
            if (ip.Length < 40 || ip[6] != 17)
            {
                return false;
            }

            int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
            udp = ip.Slice(40, Math.Min(payloadLength, ip.Length - 40));
        }
        else
        {
            return false;
        }

        if (udp.Length < 8)
        {
            return false;
        }

        source = BinaryPrimitives.ReadUInt16BigEndian(udp);
        destination = BinaryPrimitives.ReadUInt16BigEndian(udp[2..]);
        int udpLength = Math.Min(udp.Length, BinaryPrimitives.ReadUInt16BigEndian(udp[4..]));
        if (udpLength < 8)
        {
            return false;
        }

        payload = udp[8..udpLength];
        return true;
    }
}
