using AudioFlow.Telephony.Sip.Messages;
using Xunit;

namespace AudioFlow.Telephony.Tests.Sip.Messages;

public sealed class SipUriTests
{
    [Fact]
    public void Parses_every_part_of_a_sip_uri()
    {
        var uri = SipUri.Parse("sip:alice:secretword@atlanta.com:5070;transport=tcp;lr;maddr=239.255.255.1;user=phone?subject=project%20x&priority=urgent");
        Assert.True(uri.IsSip);
        Assert.False(uri.IsSecure);
        Assert.Equal(("alice", "secretword", "atlanta.com", (int?)5070), (uri.User, uri.Password, uri.Host, uri.Port));
        Assert.Equal("tcp", uri.Transport);
        Assert.True(uri.IsLooseRouting);
        Assert.Equal("239.255.255.1", uri.MAddr);
        Assert.Equal("phone", uri.UserParameter);
        Assert.Equal("project x", uri.Headers.Get("subject"));
        Assert.Equal("urgent", uri.Headers.Get("priority"));
        Assert.Equal("sip:alice:secretword@atlanta.com:5070;transport=tcp;lr;maddr=239.255.255.1;user=phone?subject=project%20x&priority=urgent", uri.ToString());
    }

    [Fact]
    public void Sips_ipv4_and_ipv6_hosts()
    {
        Assert.True(SipUri.Parse("SIPS:bob@biloxi.com").IsSecure);
        Assert.Equal("sips:bob@biloxi.com", SipUri.Parse("SIPS:bob@biloxi.com").ToString());
        var v4 = SipUri.Parse("sip:192.0.2.4");
        Assert.Equal(("192.0.2.4", (string?)null, (int?)null), (v4.Host, v4.User, v4.Port));
        var v6 = SipUri.Parse("sip:bob@[2001:db8::1]:5060;transport=udp");
        Assert.Equal(("[2001:db8::1]", (int?)5060), (v6.Host, v6.Port));
        Assert.True(v6.HostIsIPv6);
        Assert.Equal("sip:bob@[2001:db8::1]:5060;transport=udp", v6.ToString());
    }

    [Fact]
    public void Other_schemes_are_kept_opaque()
    {
        var tel = SipUri.Parse("tel:+1-201-555-0123;phone-context=example.com");
        Assert.False(tel.IsSip);
        Assert.Equal(("tel", "+1-201-555-0123;phone-context=example.com"), (tel.Scheme, tel.Opaque));
        Assert.Equal("tel:+1-201-555-0123;phone-context=example.com", tel.ToString());
        Assert.Equal("urn", SipUri.Parse("urn:service:sos").Scheme);
    }

    [Fact]
    public void User_escapes_are_decoded_and_reencoded_only_where_needed()
    {
        var uri = SipUri.Parse("sip:%61lice%20smith%40home;x=%3B@example.com");
        Assert.Equal("alice smith@home;x=;", uri.User);
        Assert.Equal("sip:alice%20smith%40home;x=;@example.com", uri.ToString());
        Assert.True(uri.IsEquivalentTo(SipUri.Parse(uri.ToString())));

        var built = SipUri.Create("example.com", 5080, user: "+49 30 1234");
        Assert.Equal("sip:+49%2030%201234@example.com:5080", built.ToString());
        Assert.Equal("+49 30 1234", SipUri.Parse(built.ToString()).User);
    }

    [Theory] // RFC 3261 §19.1.4 examples, equivalent pairs
    [InlineData("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp")]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5")]
    [InlineData("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;newparam=5")]
    [InlineData("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com", "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com")]
    [InlineData("sip:alice@atlanta.com?subject=project%20x&priority=urgent", "sip:alice@atlanta.com?priority=urgent&subject=project%20x")]
    [InlineData("sip:bob@[2001:db8::1]:5060", "sip:bob@[2001:0DB8:0:0::1]:5060")]
    [InlineData("tel:+12015550123", "TEL:+12015550123")]
    public void Equivalent_uris(string a, string b)
    {
        Assert.True(SipUri.Parse(a).IsEquivalentTo(SipUri.Parse(b)));
        Assert.True(SipUri.Parse(b).IsEquivalentTo(SipUri.Parse(a)));
    }

    [Theory] // RFC 3261 §19.1.4 examples, non-equivalent pairs
    [InlineData("SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp")]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting")]
    [InlineData("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4")]
    [InlineData("sip:bob@biloxi.com", "sips:bob@biloxi.com")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com;maddr=239.255.255.1")]
    [InlineData("sip:bob@biloxi.com;user=phone", "sip:bob@biloxi.com")]
    [InlineData("sip:bob@biloxi.com;x=1", "sip:bob@biloxi.com;x=2")]
    [InlineData("sip:bob@biloxi.com", "tel:bob")]
    public void Non_equivalent_uris(string a, string b)
    {
        Assert.False(SipUri.Parse(a).IsEquivalentTo(SipUri.Parse(b)));
        Assert.False(SipUri.Parse(b).IsEquivalentTo(SipUri.Parse(a)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("sip:")]
    [InlineData("sip:@example.com")]
    [InlineData("sip:bob@")]
    [InlineData("sip:bob@example.com:99999")]
    [InlineData("sip:bob@example.com:")]
    [InlineData("sip:bob@exa mple.com")]
    [InlineData("sip:bob@example.com;;lr")]
    [InlineData("sip:bob@example.com;transport=")]
    [InlineData("<sip:bob@example.com>")]
    [InlineData("sip:b%zzob@example.com")]
    [InlineData("sip:bob@[::1")]
    [InlineData("sip:bob@[not-v6]")]
    [InlineData("sip:bob@300.1.1.1")]
    [InlineData("sip:bob@-bad.example.com")]
    [InlineData("sip:bob@example.com?novalue")]
    [InlineData("sip:bob@example.com>junk")]
    [InlineData("1sip:bob@example.com")]
    [InlineData("nocolon")]
    [InlineData("tel:")]
    [InlineData("tel:has space")]
    public void Invalid_uris_are_rejected(string text) => Assert.False(SipUri.TryParse(text, out _));
}
