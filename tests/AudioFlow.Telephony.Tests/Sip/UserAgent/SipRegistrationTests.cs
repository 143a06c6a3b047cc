using System.Net;
using System.Net.Sockets;
using AudioFlow.Telephony.Sip.Messages;
using AudioFlow.Telephony.Sip.Transport;
using AudioFlow.Telephony.Sip.UserAgent;
using AudioFlow.Telephony.Tests.Sip.Transactions;
using AudioFlow.Telephony.Tests.Sip.Transport;
using Xunit;

namespace AudioFlow.Telephony.Tests.Sip.UserAgent;

/// <summary>The REGISTER client against a scripted registrar on loopback: digest challenge, refresh before expiry, removal.</summary>
public sealed class SipRegistrationTests
{
    [Fact]
    public async Task Registration_answers_the_digest_challenge_refreshes_before_expiry_and_unregisters()
    {
        using var registrar = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        registrar.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var registrarPort = ((IPEndPoint)registrar.LocalEndPoint!).Port;
        var options = new SipRegistrationOptions
        {
            Registrar = SipUri.Parse($"sip:127.0.0.1:{registrarPort}"),
            User = "4420",
            AuthUser = "acct-4420",
            Password = "trunk-pass",
            Domain = "trunk.test",
            Expires = TimeSpan.FromSeconds(120),
        };
        var ua = TestUserAgent.Start(registration: options);
        try
        {
            // 1. Unauthenticated REGISTER: challenge it.
            var (first, from) = await ReceiveAsync(registrar);
            Assert.Equal("REGISTER", first.Method);
            Assert.Equal($"sip:127.0.0.1:{registrarPort}", first.RequestUri.ToString());
            Assert.Equal("sip:4420@trunk.test", first.To!.Uri.ToString());
            Assert.Equal("120", first.Headers.Get("Expires"));
            Assert.StartsWith($"<sip:4420@127.0.0.1:{ua.Udp.Port}>", first.Headers.Get("Contact"));
            var challenge = SipResponseBuilder.For(first, 401);
            challenge.Headers.Add("WWW-Authenticate", "Digest realm=\"trunk.test\", nonce=\"abc123\", algorithm=MD5, qop=\"auth,auth-int\", opaque=\"op1\"");
            await registrar.SendToAsync(challenge.ToBytes(), SocketFlags.None, from);

            // 2. The answer: right credentials; grant 2 s.
            var (second, _) = await ReceiveAsync(registrar);
            var credentials = Assert.Single(second.Authorization);
            Assert.Equal("acct-4420", credentials.Username);
            Assert.Equal("auth", credentials.Qop);
            Assert.Equal("00000001", credentials.NonceCount);
            Assert.Equal("op1", credentials.Opaque);
            var expected = SipDigestMath.Response("MD5", "acct-4420", "trunk.test", "trunk-pass", "REGISTER", credentials.Uri!, "abc123", "auth",
                credentials.NonceCount, credentials.CNonce);
            Assert.Equal(expected, credentials.Response);
            Assert.Equal(first.CallId, second.CallId);
            Assert.True(second.CSeq!.Value.Number > first.CSeq!.Value.Number);
            var ok = SipResponseBuilder.For(second, 200);
            ok.Headers.Add("Contact", second.Headers.Get("Contact")! + ";expires=2");
            await registrar.SendToAsync(ok.ToBytes(), SocketFlags.None, from);
            await Wait.UntilAsync(() => ua.Server.Registration!.IsRegistered, 2);

            // 3. Refreshed before the 2 s run out.
            var started = DateTime.UtcNow;
            var (refresh, _) = await ReceiveAsync(registrar, 4);
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2));
            Assert.Equal("REGISTER", refresh.Method);
            var refreshOk = SipResponseBuilder.For(refresh, 200);
            refreshOk.Headers.Add("Expires", "60");
            await registrar.SendToAsync(refreshOk.ToBytes(), SocketFlags.None, from);
            await Wait.UntilAsync(() => ua.Server.Registration!.Registrations == 2, 2);
        }
        finally
        {
            var disposing = ua.DisposeAsync().AsTask();
            // 4. Removal on shutdown: Expires 0.
            var (remove, from) = await ReceiveAsync(registrar);
            Assert.Equal("0", remove.Headers.Get("Expires"));
            await registrar.SendToAsync(SipResponseBuilder.For(remove, 200).ToBytes(), SocketFlags.None, from);
            await disposing;
        }
    }

    [Fact]
    public void Refreshes_happen_before_the_granted_expiry()
    {
        Assert.Equal(TimeSpan.FromSeconds(2880), SipRegistration.RefreshDelay(TimeSpan.FromHours(1)));
        Assert.Equal(TimeSpan.FromSeconds(24), SipRegistration.RefreshDelay(TimeSpan.FromSeconds(30)));
        Assert.Equal(TimeSpan.FromSeconds(1), SipRegistration.RefreshDelay(TimeSpan.FromSeconds(2)));
    }

    private uint _lastCSeq;

    /// <summary>The next new REGISTER (retransmissions of the previous one are skipped).</summary>
    private async Task<(SipRequest Request, EndPoint From)> ReceiveAsync(Socket socket, double seconds = 5)
    {
        var buffer = new byte[65536];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        while (true)
        {
            var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cts.Token);
            var request = (SipRequest)Net.Parse(buffer, received.ReceivedBytes);
            if (request.CSeq!.Value.Number > _lastCSeq)
            {
                _lastCSeq = request.CSeq.Value.Number;
                return (request, received.RemoteEndPoint);
            }
        }
    }
}
