using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using AudioFlow.Telephony.Sip.Messages;
using AudioFlow.Telephony.Sip.Transport;
using Xunit;

namespace AudioFlow.Telephony.Tests.Sip.Transport;

/// <summary>The real transport on loopback (RFC 3261 §18, RFC 3581, RFC 5626 keep-alives), with sockets as peers.</summary>
public sealed class SipTransportTests
{
    private static SipResponse Ok(IncomingSipMessage request) =>
        SipResponseBuilder.For((SipRequest)request.Message, 200, null, "uas-tag");

    // ------------------------------------------------------------------ UDP

    [Fact]
    public async Task Udp_request_gets_received_and_rport_and_the_response_goes_back_to_the_source_port()
    {
        await using var transport = Net.StartTransport();
        using var peer = new UdpPeer();
        var local = transport.GetLocalEndPoint(SipTransportKind.Udp);

        await peer.SendAsync(Net.Options(local, "192.0.2.1:5099", "z9hG4bKudp1", ";rport"), local);
        var incoming = await transport.NextAsync();

        Assert.Equal(SipTransportKind.Udp, incoming.Transport);
        Assert.Equal(peer.EndPoint, incoming.Remote);
        Assert.Equal(local, incoming.Local);
        Assert.Equal(0, incoming.ConnectionId);
        var via = incoming.Message.TopVia!;
        Assert.Equal("127.0.0.1", via.Received);
        Assert.Equal(peer.EndPoint.Port, via.RPort);
        Assert.Equal("z9hG4bKudp1", via.Branch);

        await transport.SendResponseAsync(Ok(incoming), incoming.Flow);
        var response = (SipResponse)await peer.ReceiveAsync();
        Assert.Equal(200, response.StatusCode);
        Assert.Equal($"SIP/2.0/UDP 192.0.2.1:5099;branch=z9hG4bKudp1;rport={peer.EndPoint.Port};received=127.0.0.1", response.Headers["Via"]);
    }

    [Fact]
    public async Task Udp_response_without_rport_goes_to_received_and_the_sent_by_port()
    {
        await using var transport = Net.StartTransport();
        using var sender = new UdpPeer();
        using var listener = new UdpPeer();
        var local = transport.GetLocalEndPoint(SipTransportKind.Udp);

        await sender.SendAsync(Net.Options(local, $"192.0.2.1:{listener.EndPoint.Port}", "z9hG4bKudp2"), local);
        var incoming = await transport.NextAsync();
        Assert.Equal("127.0.0.1", incoming.Message.TopVia!.Received);
        Assert.False(incoming.Message.TopVia!.HasRPort);

        await transport.SendResponseAsync(Ok(incoming), incoming.Flow);
        Assert.Equal(200, ((SipResponse)await listener.ReceiveAsync()).StatusCode);
        Assert.True(await sender.NothingAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task Udp_via_that_matches_the_source_is_left_alone()
    {
        await using var transport = Net.StartTransport();
        using var peer = new UdpPeer();
        var local = transport.GetLocalEndPoint(SipTransportKind.Udp);

        await peer.SendAsync(Net.Options(local, peer.EndPoint.ToString(), "z9hG4bKudp3"), local);
        var incoming = await transport.NextAsync();
        Assert.Equal($"SIP/2.0/UDP {peer.EndPoint};branch=z9hG4bKudp3", incoming.Message.Headers["Via"]);
        await transport.SendResponseAsync(Ok(incoming), incoming.Flow);
        Assert.Equal(200, ((SipResponse)await peer.ReceiveAsync()).StatusCode);
    }

    [Fact]
    public async Task Malformed_datagram_gets_a_400_with_its_reason_and_the_transport_keeps_working()
    {
        await using var transport = Net.StartTransport();
        using var peer = new UdpPeer();
        var local = transport.GetLocalEndPoint(SipTransportKind.Udp);

        // CSeq method different from the request method (RFC 4475 mismatch01): readable enough to answer.
        await peer.SendAsync(Net.Options(local, "192.0.2.1:5099", "z9hG4bKbad", ";rport", cseq: "1 INVITE"), local);
        var response = (SipResponse)await peer.ReceiveAsync();
        Assert.Equal(400, response.StatusCode);
        Assert.Contains("CSeq", response.ReasonPhrase, StringComparison.Ordinal);
        Assert.NotNull(response.To!.Tag);
        Assert.Equal(peer.EndPoint.Port, response.TopVia!.RPort);
        Assert.True(await transport.NothingAsync(TimeSpan.FromMilliseconds(100)));
        Assert.Equal(1, transport.Statistics.Malformed);
        Assert.Equal(1, transport.Statistics.MalformedAnswered);

        await peer.SendAsync(Net.Options(local, "192.0.2.1:5099", "z9hG4bKgood", ";rport"), local);
        Assert.Equal("z9hG4bKgood", (await transport.NextAsync()).Message.TopVia!.Branch);
    }

    [Fact]
    public async Task Garbage_that_cannot_be_answered_is_dropped_and_counted()
    {
        var measured = 0L;
        using var meter = new MeterListener();
        meter.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "AudioFlow" && instrument.Name == "audioflow.sip.malformed")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        meter.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "answered" && tag.Value is false)
                {
                    Interlocked.Add(ref measured, value);
                }
            }
        });
        meter.Start();

        await using var transport = Net.StartTransport(configure: o => o.MaxMessageSize = 16 * 1024);
        using var peer = new UdpPeer();
        var local = transport.GetLocalEndPoint(SipTransportKind.Udp);
        byte[][] garbage =
        [
            [0x00, 0x01, 0x02, 0xff, 0xfe],
            "hello world\r\n\r\n"u8.ToArray(),
            "SIP/2.0 999 Too Big\r\nVia: SIP/2.0/UDP 1.2.3.4;branch=z9hG4bKx\r\n\r\n"u8.ToArray(), // a broken response: never answered
            "INVITE sip:x@y SIP/2.0\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), // no Via/From/To/Call-ID/CSeq: cannot answer
            Encoding.ASCII.GetBytes(Net.Options(local, "192.0.2.1:5099", "z9hG4bKbig", extra: "X-Pad: " + new string('x', 20_000) + "\r\n")), // over the size limit
        ];
        foreach (var datagram in garbage)
        {
            await peer.SendAsync(datagram, local);
        }

        await peer.SendAsync("\r\n\r\n", local); // a keep-alive datagram: not an error, not answered
        await peer.SendAsync(Net.Options(local, "192.0.2.1:5099", "z9hG4bKafter", ";rport"), local);
        Assert.Equal("z9hG4bKafter", (await transport.NextAsync()).Message.TopVia!.Branch);
        Assert.True(await peer.NothingAsync(TimeSpan.FromMilliseconds(200)));
        Assert.Equal(garbage.Length, transport.Statistics.Malformed);
        Assert.Equal(0, transport.Statistics.MalformedAnswered);
        Assert.True(Interlocked.Read(ref measured) >= garbage.Length, $"meter saw {measured}");
    }

    [Fact]
    public async Task Send_request_over_udp_fills_the_via_and_the_response_comes_back()
    {
        await using var transport = Net.StartTransport();
        using var peer = new UdpPeer();
        var local = transport.GetLocalEndPoint(SipTransportKind.Udp);

        var request = new SipRequest("OPTIONS", SipUri.Parse($"sip:peer@{peer.EndPoint}"));
        request.Headers.Add("From", $"<sip:audioflow@{local}>;tag=af1");
        request.Headers.Add("To", $"<sip:peer@{peer.EndPoint}>");
        request.Headers.Add("Call-ID", "out-1");
        request.Headers.Add("CSeq", "1 OPTIONS");
        var flow = await transport.SendRequestAsync(request, peer.EndPoint, SipTransportKind.Udp);
        Assert.Equal(local, flow.Local);

        var received = (SipRequest)await peer.ReceiveAsync();
        var via = received.TopVia!;
        Assert.Equal("UDP", via.Transport);
        Assert.Equal("127.0.0.1", via.Host);
        Assert.Equal(local.Port, via.Port);
        Assert.True(via.HasRfc3261Branch);
        Assert.True(via.HasRPort);
        Assert.Equal("0", received.Headers["Content-Length"]);

        await peer.SendAsync(SipResponseBuilder.For(received, 200, null, "peer-tag").ToString(), local);
        var response = await transport.NextAsync();
        Assert.Equal(200, ((SipResponse)response.Message).StatusCode);

        // A response whose Via was not written by this transport is dropped (§18.1.2).
        var foreign = SipResponseBuilder.For(received, 200, null, "peer-tag");
        foreign.Headers.Set("Via", "SIP/2.0/UDP 192.0.2.77:5060;branch=z9hG4bKforeign");
        await peer.SendAsync(foreign.ToString(), local);
        Assert.True(await transport.NothingAsync(TimeSpan.FromMilliseconds(200)));
        Assert.Equal(1, transport.Statistics.Dropped);
    }

    // ------------------------------------------------------------------ TCP

    [Fact]
    public async Task Tcp_round_trip_with_a_message_split_across_writes_and_keepalives()
    {
        await using var transport = Net.StartTransport();
        var local = transport.GetLocalEndPoint(SipTransportKind.Tcp);
        using var peer = await TcpPeer.ConnectAsync(local);

        await peer.WriteAsync("\r\n\r\n"); // RFC 5626 ping
        Assert.Equal("\r\n", await peer.ReadRawAsync(2)); // pong

        var text = Net.Options(local, $"192.0.2.1:5099", "z9hG4bKtcp1", transport: "TCP");
        await peer.WriteAsync(text[..10]);
        await Task.Delay(30);
        await peer.WriteAsync(text[10..80]);
        await Task.Delay(30);
        await peer.WriteAsync(text[80..]);
        var incoming = await transport.NextAsync();
        Assert.Equal(SipTransportKind.Tcp, incoming.Transport);
        Assert.NotEqual(0, incoming.ConnectionId);
        Assert.Equal(peer.LocalEndPoint, incoming.Remote);
        Assert.Equal("127.0.0.1", incoming.Message.TopVia!.Received);

        await transport.SendResponseAsync(Ok(incoming), incoming.Flow);
        var response = (SipResponse)await peer.ReadMessageAsync();
        Assert.Equal(200, response.StatusCode);

        // Two messages and a ping in one write.
        await peer.WriteAsync(
            Net.Options(local, "192.0.2.1:5099", "z9hG4bKtcp2", transport: "TCP") + "\r\n\r\n" +
            Net.Options(local, "192.0.2.1:5099", "z9hG4bKtcp3", transport: "TCP"));
        Assert.Equal("z9hG4bKtcp2", (await transport.NextAsync()).Message.TopVia!.Branch);
        Assert.Equal("z9hG4bKtcp3", (await transport.NextAsync()).Message.TopVia!.Branch);
        Assert.Equal(2, transport.Statistics.KeepAlives);
        Assert.Equal(1, transport.OpenConnectionCount);
    }

    [Fact]
    public async Task Tcp_framing_error_gets_a_400_then_the_connection_is_closed_and_others_still_work()
    {
        await using var transport = Net.StartTransport();
        var local = transport.GetLocalEndPoint(SipTransportKind.Tcp);
        using (var bad = await TcpPeer.ConnectAsync(local))
        {
            // No Content-Length: a stream cannot be framed (§18.3).
            var text = Net.Options(local, "192.0.2.1:5099", "z9hG4bKnolen", transport: "TCP").Replace("Content-Length: 0\r\n", "", StringComparison.Ordinal);
            await bad.WriteAsync(text);
            var response = (SipResponse)await bad.ReadMessageAsync();
            Assert.Equal(400, response.StatusCode);
            Assert.Contains("Content-Length", response.ReasonPhrase, StringComparison.Ordinal);
            Assert.True(await bad.ClosedAsync());
        }

        using var good = await TcpPeer.ConnectAsync(local);
        await good.WriteAsync(Net.Options(local, "192.0.2.1:5099", "z9hG4bKok", transport: "TCP"));
        Assert.Equal("z9hG4bKok", (await transport.NextAsync()).Message.TopVia!.Branch);
        Assert.Equal(1, transport.Statistics.MalformedAnswered);
    }

    [Fact]
    public async Task Tcp_idle_connections_are_closed()
    {
        await using var transport = Net.StartTransport(configure: o => o.TcpIdleTimeout = TimeSpan.FromMilliseconds(200));
        using var peer = await TcpPeer.ConnectAsync(transport.GetLocalEndPoint(SipTransportKind.Tcp));
        Assert.True(await peer.ClosedAsync());
    }

    [Fact]
    public async Task Tcp_response_after_the_connection_closed_goes_on_a_new_connection_to_sent_by()
    {
        await using var transport = Net.StartTransport();
        var local = transport.GetLocalEndPoint(SipTransportKind.Tcp);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var sentByPort = ((IPEndPoint)listener.LocalEndpoint).Port;
            IncomingSipMessage incoming;
            using (var peer = await TcpPeer.ConnectAsync(local))
            {
                await peer.WriteAsync(Net.Options(local, $"127.0.0.1:{sentByPort}", "z9hG4bKreopen", transport: "TCP"));
                incoming = await transport.NextAsync();
            }

            for (var i = 0; i < 200 && transport.OpenConnectionCount > 0; i++)
            {
                await Task.Delay(10);
            }

            Assert.Equal(0, transport.OpenConnectionCount);
            await transport.SendResponseAsync(Ok(incoming), incoming.Flow);
            using var reopened = await TcpPeer.AcceptAsync(listener);
            Assert.Equal(200, ((SipResponse)await reopened.ReadMessageAsync()).StatusCode);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Send_request_over_tcp_reuses_the_connection_to_the_destination()
    {
        await using var transport = Net.StartTransport();
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var destination = SipEndPoint.FromIPEndPoint((IPEndPoint)listener.LocalEndpoint);
            SipRequest NewRequest(string callId)
            {
                var request = new SipRequest("OPTIONS", SipUri.Parse($"sip:peer@{destination};transport=tcp"));
                request.Headers.Add("From", "<sip:audioflow@127.0.0.1>;tag=af2");
                request.Headers.Add("To", $"<sip:peer@{destination}>");
                request.Headers.Add("Call-ID", callId);
                request.Headers.Add("CSeq", "1 OPTIONS");
                return request;
            }

            var first = transport.SendRequestAsync(NewRequest("tcp-a"), destination, SipTransportKind.Tcp);
            using var peer = await TcpPeer.AcceptAsync(listener);
            await first;
            await transport.SendRequestAsync(NewRequest("tcp-b"), destination, SipTransportKind.Tcp);

            var a = (SipRequest)await peer.ReadMessageAsync();
            var b = (SipRequest)await peer.ReadMessageAsync();
            Assert.Equal(("tcp-a", "tcp-b"), (a.CallId, b.CallId));
            Assert.Equal(1, transport.OpenConnectionCount);
            var via = a.TopVia!;
            Assert.Equal("TCP", via.Transport);
            Assert.Equal(transport.GetLocalEndPoint(SipTransportKind.Tcp).Port, via.Port); // the listening port, not the ephemeral one

            await peer.WriteAsync(SipResponseBuilder.For(b, 200, null, "p").ToString());
            var response = await transport.NextAsync();
            Assert.Equal("tcp-b", response.Message.CallId);
            Assert.Equal(SipTransportKind.Tcp, response.Transport);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Sending_to_a_closed_tcp_port_fails_with_a_transport_error()
    {
        await using var transport = Net.StartTransport();
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var destination = SipEndPoint.FromIPEndPoint((IPEndPoint)closed.LocalEndpoint);
        closed.Stop();
        var request = new SipRequest("OPTIONS", SipUri.Parse($"sip:x@{destination}"));
        request.Headers.Add("From", "<sip:a@b>;tag=1");
        request.Headers.Add("To", "<sip:c@d>");
        request.Headers.Add("Call-ID", "refused");
        request.Headers.Add("CSeq", "1 OPTIONS");
        await Assert.ThrowsAsync<SipTransportException>(() => transport.SendRequestAsync(request, destination, SipTransportKind.Tcp));
        Assert.Equal(1, transport.Statistics.SendFailures);
    }

    // ------------------------------------------------------------------ IPv6

    [Ipv6Fact]
    public async Task Ipv6_udp_and_tcp_round_trips_on_the_loopback()
    {
        await using var transport = Net.StartTransport(ipv6: true);
        using var peer = new UdpPeer(IPAddress.IPv6Loopback);
        var local = transport.GetLocalEndPoint(SipTransportKind.Udp, AddressFamily.InterNetworkV6);
        Assert.Equal("[::1]", local.HostText);

        await peer.SendAsync(Net.Options(local, "[2001:db8::1]:5099", "z9hG4bKv6", ";rport"), local);
        var incoming = await transport.NextAsync();
        Assert.Equal("::1", incoming.Message.TopVia!.Received);
        Assert.Equal(peer.EndPoint.Port, incoming.Message.TopVia!.RPort);
        await transport.SendResponseAsync(Ok(incoming), incoming.Flow);
        Assert.Equal(200, ((SipResponse)await peer.ReceiveAsync()).StatusCode);

        var tcpLocal = transport.GetLocalEndPoint(SipTransportKind.Tcp, AddressFamily.InterNetworkV6);
        using var tcp = await TcpPeer.ConnectAsync(tcpLocal);
        await tcp.WriteAsync(Net.Options(tcpLocal, "[::1]:5099", "z9hG4bKv6tcp", transport: "TCP"));
        var overTcp = await transport.NextAsync();
        Assert.Equal(SipTransportKind.Tcp, overTcp.Transport);
        await transport.SendResponseAsync(Ok(overTcp), overTcp.Flow);
        Assert.Equal(200, ((SipResponse)await tcp.ReadMessageAsync()).StatusCode);

        var request = new SipRequest("OPTIONS", SipUri.Parse($"sip:peer@{peer.EndPoint}"));
        request.Headers.Add("From", "<sip:a@[::1]>;tag=1");
        request.Headers.Add("To", "<sip:c@[::1]>");
        request.Headers.Add("Call-ID", "v6-out");
        request.Headers.Add("CSeq", "1 OPTIONS");
        await transport.SendRequestAsync(request, peer.EndPoint, SipTransportKind.Udp);
        Assert.Equal($"SIP/2.0/UDP {local}", string.Join(';', (await peer.ReceiveAsync()).Headers["Via"]!.Split(';')[0]));
    }

    [Fact]
    public void Endpoints_parse_ipv4_ipv6_and_bare_addresses()
    {
        Assert.Equal(new SipEndPoint(IPAddress.Loopback, 5070), SipEndPoint.Parse("127.0.0.1:5070"));
        Assert.Equal(new SipEndPoint(IPAddress.IPv6Loopback, 5070), SipEndPoint.Parse("[::1]:5070"));
        Assert.Equal(new SipEndPoint(IPAddress.IPv6Loopback, 5060), SipEndPoint.Parse("::1"));
        Assert.Equal(new SipEndPoint(IPAddress.IPv6Loopback, 5060), SipEndPoint.Parse("[::1]"));
        Assert.Equal(new SipEndPoint(IPAddress.Loopback, 5060), SipEndPoint.Parse("127.0.0.1"));
        Assert.False(SipEndPoint.TryParse("host.example.com:5060", out _));
        Assert.Equal("[::1]:5070", SipEndPoint.Parse("[::1]:5070").ToString());
        Assert.Equal(SipEndPoint.Parse("127.0.0.1:1"), new SipEndPoint(IPAddress.Parse("::ffff:127.0.0.1"), 1));
    }

    [Fact]
    public async Task A_bind_conflict_fails_start_and_releases_what_was_bound()
    {
        await using var first = Net.StartTransport();
        var taken = first.GetLocalEndPoint(SipTransportKind.Udp);
        var second = new SipTransport(new SipTransportOptions
        {
            ListenEndPoints = [SipListenEndPoint.Tcp("127.0.0.1:0"), new SipListenEndPoint(SipTransportKind.Udp, taken)],
        });
        Assert.Throws<SocketException>(second.Start);
        await second.DisposeAsync();
    }

    [Fact]
    public void Via_helpers_keep_the_other_values_of_a_combined_via_line()
    {
        var bytes = Encoding.UTF8.GetBytes(
            "OPTIONS sip:a@b SIP/2.0\r\nv: SIP/2.0/UDP 192.0.2.1;rport;branch=z9hG4bKa, SIP/2.0/UDP proxy.example.com;branch=z9hG4bKb\r\n" +
            "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
        var message = (SipRequest)Net.Parse(bytes, bytes.Length);
        Assert.True(SipViaHeaders.ApplyReceived(message, new SipEndPoint(IPAddress.Parse("10.1.2.3"), 40000)));
        Assert.Equal(
            "SIP/2.0/UDP 192.0.2.1;rport=40000;branch=z9hG4bKa;received=10.1.2.3, SIP/2.0/UDP proxy.example.com;branch=z9hG4bKb",
            message.Headers["Via"]);
        Assert.Equal(2, message.Vias.Count);
    }
}
