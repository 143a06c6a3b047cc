using System.Net;
using System.Net.Sockets;
using AudioFlow.Host.Tests.Support;

namespace AudioFlow.Host.Tests.Sip;

/// <summary>How <c>audioflow serve</c> starts its SIP side: a configured port that is taken is a clear error.</summary>
public sealed class SipServeStartTests
{
    [Fact]
    public async Task Serve_stops_with_a_clear_error_when_the_configured_sip_port_is_taken()
    {
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)squatter.LocalEndPoint!).Port;

        var result = await AudioflowProcess.Run(TimeSpan.FromSeconds(90), "serve", "-c", "audioflow.http.port = 0",
            "-c", $"audioflow.sip.udp = [\"127.0.0.1:{port}\"]", "-c", "audioflow.sip.tcp = []");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"audioflow: error: SIP cannot listen on UDP 127.0.0.1:{port}", result.Stderr);
        Assert.DoesNotContain("serving on", result.Stderr);
    }
}
