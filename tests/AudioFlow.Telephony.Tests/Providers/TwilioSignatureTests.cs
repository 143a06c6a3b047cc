using AudioFlow.Telephony.Providers.Auth;
using Xunit;

namespace AudioFlow.Telephony.Tests.Providers;

public sealed class TwilioSignatureTests
{
    // The worked example of twilio.com/docs/usage/security (auth token 12345).
    private const string DocToken = "12345";
    private const string DocUrl = "https://mycompany.com/myapp.php?foo=1&bar=2";
    private const string DocSignature = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";

    private static readonly KeyValuePair<string, string>[] DocParams =
    [
        new("CallSid", "CA1234567890ABCDE"),
        new("Caller", "+12349013030"),
        new("Digits", "1234"),
        new("From", "+12349013030"),
        new("To", "+18005551212"),
    ];

    [Fact]
    public void Computes_the_documented_example()
    {
        Assert.Equal(DocSignature, TwilioSignature.Compute(DocToken, DocUrl, DocParams));
    }

    [Fact]
    public void Validates_the_documented_example_whatever_the_parameter_order()
    {
        var shuffled = DocParams.Reverse().ToArray();

        var result = TwilioSignature.Validate(DocToken, DocUrl, shuffled, DocSignature);

        Assert.True(result.IsValid, result.ToString());
        Assert.Equal("valid", result.Label);
    }

    [Fact]
    public void The_signed_string_is_the_url_then_sorted_names_and_values()
    {
        Assert.Equal(
            DocUrl + "CallSidCA1234567890ABCDECaller+12349013030Digits1234From+12349013030To+18005551212",
            TwilioSignature.StringToSign(DocUrl, DocParams.Reverse()));
    }

    [Theory]
    [InlineData("https://mycompany.com/myapp.php?foo=1&bar=3")] // tampered query
    [InlineData("https://mycompany.com/myapp.php")] // query dropped
    [InlineData("http://mycompany.com/myapp.php?foo=1&bar=2")] // scheme changed
    [InlineData("https://evil.example/myapp.php?foo=1&bar=2")] // host changed
    public void A_tampered_url_is_a_bad_signature(string url)
    {
        var result = TwilioSignature.Validate(DocToken, url, DocParams, DocSignature);

        Assert.Equal(AuthOutcome.BadSignature, result.Outcome);
        Assert.Equal("bad_signature", result.Label);
    }

    [Fact]
    public void Tampered_added_or_removed_parameters_are_a_bad_signature()
    {
        var tampered = DocParams.Select(p => p.Key == "Digits" ? new KeyValuePair<string, string>("Digits", "9999") : p);
        var added = DocParams.Append(new("Extra", "1"));
        var removed = DocParams.Where(p => p.Key != "To");

        Assert.Equal(AuthOutcome.BadSignature, TwilioSignature.Validate(DocToken, DocUrl, tampered, DocSignature).Outcome);
        Assert.Equal(AuthOutcome.BadSignature, TwilioSignature.Validate(DocToken, DocUrl, added, DocSignature).Outcome);
        Assert.Equal(AuthOutcome.BadSignature, TwilioSignature.Validate(DocToken, DocUrl, removed, DocSignature).Outcome);
        Assert.Equal(AuthOutcome.BadSignature, TwilioSignature.Validate("54321", DocUrl, DocParams, DocSignature).Outcome);
    }

    [Fact]
    public void A_tampered_signature_is_refused()
    {
        var flipped = "1" + DocSignature[1..];

        Assert.Equal(AuthOutcome.BadSignature, TwilioSignature.Validate(DocToken, DocUrl, DocParams, flipped).Outcome);
    }

    [Theory]
    [InlineData(null, AuthOutcome.Missing)]
    [InlineData("", AuthOutcome.Missing)]
    [InlineData("   ", AuthOutcome.Missing)]
    [InlineData("not base64 !!", AuthOutcome.Malformed)]
    [InlineData("%%%,***", AuthOutcome.Malformed)]
    [InlineData("AAAA", AuthOutcome.BadSignature)]
    public void Garbage_headers_get_a_reason_not_an_exception(string? header, AuthOutcome expected)
    {
        var result = TwilioSignature.Validate(DocToken, DocUrl, DocParams, header);

        Assert.Equal(expected, result.Outcome);
        Assert.False(string.IsNullOrWhiteSpace(result.Reason));
    }

    [Fact]
    public void A_huge_header_is_malformed()
    {
        var result = TwilioSignature.Validate(DocToken, DocUrl, DocParams, new string('A', 100_000));

        Assert.Equal(AuthOutcome.Malformed, result.Outcome);
    }

    [Fact]
    public void Missing_configuration_fails_closed()
    {
        Assert.Equal(AuthOutcome.NotConfigured, TwilioSignature.Validate("", DocUrl, DocParams, DocSignature).Outcome);
        Assert.Equal(AuthOutcome.NotConfigured, TwilioSignature.Validate(DocToken, "", DocParams, DocSignature).Outcome);
    }

    [Fact]
    public void The_default_port_may_be_explicit_or_implicit()
    {
        var withoutPort = TwilioSignature.Compute(DocToken, "https://mycompany.com/myapp.php", DocParams);
        var withPort = TwilioSignature.Compute(DocToken, "https://mycompany.com:443/myapp.php", DocParams);

        Assert.True(TwilioSignature.Validate(DocToken, "https://mycompany.com:443/myapp.php", DocParams, withoutPort).IsValid);
        Assert.True(TwilioSignature.Validate(DocToken, "https://mycompany.com/myapp.php", DocParams, withPort).IsValid);
        Assert.Equal(
            AuthOutcome.BadSignature,
            TwilioSignature.Validate(DocToken, "https://mycompany.com:8443/myapp.php", DocParams, withoutPort).Outcome);
    }

    [Fact]
    public void The_reason_never_contains_the_token_or_the_expected_signature()
    {
        const string token = "secret-token-value-1234";
        var expected = TwilioSignature.Compute(token, DocUrl, DocParams);

        foreach (var header in new string?[] { null, "garbage!", "AAAA", expected })
        {
            var text = TwilioSignature.Validate(token, DocUrl, DocParams, header).ToString();
            Assert.DoesNotContain(token, text, StringComparison.Ordinal);
            Assert.DoesNotContain(expected, text, StringComparison.Ordinal);
        }
    }

    [OpenSslFact]
    public void Stream_upgrade_signature_over_the_wss_url_matches_openssl()
    {
        // The WebSocket upgrade is a GET: the signed string is just the wss:// URL.
        const string token = "f1e2d3c4b5a69788796a5b4c3d2e1f00";
        const string url = "wss://voice.example.com/ws/twilio/CA0123456789abcdef/1700000000.abc";

        var expected = OpenSsl.HmacBase64("sha1", token, url);

        Assert.Equal(expected, TwilioSignature.Compute(token, url));
        Assert.True(TwilioSignature.Validate(token, url, null, expected).IsValid);
        Assert.Equal(
            AuthOutcome.BadSignature,
            TwilioSignature.Validate(token, url.Replace("wss://", "https://", StringComparison.Ordinal), null, expected).Outcome);
    }

    [OpenSslFact]
    public void Form_post_signature_with_unicode_and_repeated_keys_matches_openssl()
    {
        const string token = "token-ü-42";
        const string url = "https://voice.example.com/twilio/status?x=a b";
        KeyValuePair<string, string>[] form = [new("b", "2"), new("a", "Zürich"), new("B", "x"), new("a", "Aachen")];

        // Ordinal order: "B" < "a" < "b"; the repeated key's values sorted too.
        var expected = OpenSsl.HmacBase64("sha1", token, url + "Bx" + "aAachen" + "aZürich" + "b2");

        Assert.Equal(expected, TwilioSignature.Compute(token, url, form));
    }
}
