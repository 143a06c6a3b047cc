using System.Net;
using Akka.Configuration;
using AudioFlow.Audio.Channel;
using AudioFlow.Host.Configuration;
using AudioFlow.Host.Sip;
using AudioFlow.Telephony.Sip.Transport;

namespace AudioFlow.Host.Tests.Sip;

/// <summary><c>audioflow.sip</c>: the documented defaults, overrides winning, bad values named at start.</summary>
public sealed class SipSettingsTests
{
    [Fact]
    public void The_defaults_listen_on_loopback_5060_and_allow_only_loopback()
    {
        var settings = SipSettings.FromConfig(AudioFlowConfig.Defaults(), 500);
        Assert.True(settings.Enabled);
        Assert.True(settings.ListenIsDefault);
        Assert.Equal(
            [new SipListenEndPoint(SipTransportKind.Udp, SipEndPoint.Parse("127.0.0.1:5060")), new SipListenEndPoint(SipTransportKind.Tcp, SipEndPoint.Parse("127.0.0.1:5060"))],
            settings.Server.Transport.ListenEndPoints);
        var ua = settings.Server.UserAgent;
        Assert.True(ua.AllowList.Allows(IPAddress.Loopback));
        Assert.True(ua.AllowList.Allows(IPAddress.IPv6Loopback));
        Assert.False(ua.AllowList.Allows(IPAddress.Parse("192.0.2.1")));
        Assert.Null(ua.Authentication);
        Assert.Equal([AudioEncoding.G722, AudioEncoding.Pcmu, AudioEncoding.Pcma], ua.Codecs.Select(c => c.Encoding));
        Assert.Equal(TimeSpan.FromSeconds(30), ua.Rtp.MediaTimeout);
        Assert.Equal(TimeSpan.Zero, ua.AnswerDelay);
        Assert.Null(settings.Server.Registration);
        Assert.Equal(500, ua.InboundBufferFrames);
    }

    [Fact]
    public void Overrides_win_including_lists_given_as_plain_strings()
    {
        var config = AudioFlowConfig.Load(null,
        [
            "audioflow.sip.udp = \"127.0.0.1:5080, [::1]:5080\"",
            "audioflow.sip.tcp = []",
            "audioflow.sip.allow = [\"203.0.113.0/24\"]",
            "audioflow.sip.codecs = [pcma]",
            "audioflow.sip.media-timeout = 5s",
            "audioflow.sip.auth { enabled = on, user = trunk, password = s3cret }",
            "audioflow.sip.register { enabled = on, registrar = \"192.0.2.5:5070\", user = \"4420\", password = x, expires = 10m }",
        ]);
        var settings = SipSettings.FromConfig(config, 500);
        Assert.False(settings.ListenIsDefault);
        Assert.Equal(["UDP 127.0.0.1:5080", "UDP [::1]:5080"], settings.Server.Transport.ListenEndPoints.Select(e => e.ToString()));
        var ua = settings.Server.UserAgent;
        Assert.True(ua.AllowList.Allows(IPAddress.Parse("203.0.113.77")));
        Assert.False(ua.AllowList.Allows(IPAddress.Loopback));
        Assert.Equal(AudioEncoding.Pcma, Assert.Single(ua.Codecs).Encoding);
        Assert.Equal(TimeSpan.FromSeconds(5), ua.Rtp.MediaTimeout);
        Assert.Equal("trunk", ua.Authentication!.Username);
        Assert.DoesNotContain("s3cret", ua.Authentication.ToString());
        var registration = settings.Server.Registration!;
        Assert.Equal("sip:192.0.2.5:5070", registration.Registrar.ToString());
        Assert.Equal(TimeSpan.FromMinutes(10), registration.Expires);
    }

    [Theory]
    [InlineData("audioflow.sip.udp = [\"localhost:5060\"]", "audioflow.sip.udp")]
    [InlineData("audioflow.sip.allow = [\"10.0.0.0/40\"]", "audioflow.sip.allow")]
    [InlineData("audioflow.sip.codecs = [opus]", "audioflow.sip.codecs")]
    [InlineData("audioflow.sip.rtp-port-max = 1000", "audioflow.sip.rtp-port-max")]
    [InlineData("audioflow.sip.media-address = \"nowhere\"", "audioflow.sip.media-address")]
    [InlineData("audioflow.sip.auth.enabled = on", "audioflow.sip.auth")]
    public void Bad_values_name_the_key(string setting, string key)
    {
        var config = AudioFlowConfig.Load(null, [setting]);
        var error = Assert.Throws<ConfigurationException>(() => SipSettings.FromConfig(config, 500));
        Assert.Contains(key, error.Message);
    }
}
