using System.Text;
using AudioFlow.Telephony.Providers.Auth;
using Xunit;

namespace AudioFlow.Telephony.Tests.Providers;

public sealed class PlivoVobizSignatureTests
{
    private const string Token = "MAXXXXXXXXXXXXXXXXXX-token";
    private const string Nonce = "05429567804466091622";
    private const string AnswerUrl = "https://example.com/answer/";

    private static readonly KeyValuePair<string, string>[] AnswerForm =
    [
        new("To", "+14155550100"),
        new("From", "+16505550199"),
        new("CallUUID", "abc-123"),
    ];

    // ---- Plivo V3: the signed URL (reconstructed from Plivo's SDKs) ----

    [Theory]
    [InlineData("https://example.com/answer/", "https://example.com/answer/?CallUUIDabc-123From+16505550199To+14155550100")]
    [InlineData("https://example.com/answer/?b=2&a=1", "https://example.com/answer/?a=1&b=2.CallUUIDabc-123From+16505550199To+14155550100")]
    [InlineData("https://example.com/answer/#frag", "https://example.com/answer/?CallUUIDabc-123From+16505550199To+14155550100")]
    public void Post_signs_the_sorted_query_then_the_sorted_form(string url, string expected)
    {
        Assert.Equal(expected, PlivoSignatureV3.SignedUrl("POST", url, AnswerForm));
    }

    [Theory]
    [InlineData("POST", "https://example.com/answer/?b=2&a=1", "https://example.com/answer/?a=1&b=2")]
    [InlineData("POST", "https://example.com/answer/", "https://example.com/answer/")]
    [InlineData("GET", "https://example.com/answer?b=2&a=1&a=0", "https://example.com/answer?a=0&a=1&b=2")]
    [InlineData("GET", "https://example.com/answer", "https://example.com/answer")]
    [InlineData("get", "https://example.com/a?x=hello+world%21&y=", "https://example.com/a?x=hello world!&y=")]
    public void Without_form_parameters_only_the_query_is_sorted(string method, string url, string expected)
    {
        Assert.Equal(expected, PlivoSignatureV3.SignedUrl(method, url));
    }

    [OpenSslFact]
    public void Plivo_v3_post_signature_matches_openssl()
    {
        var expected = OpenSsl.HmacBase64(
            "sha256", Token, "https://example.com/answer/?CallUUIDabc-123From+16505550199To+14155550100." + Nonce);

        Assert.Equal(expected, PlivoSignatureV3.Compute(Token, "POST", AnswerUrl, AnswerForm, Nonce));
        Assert.True(PlivoSignatureV3.Validate(Token, "POST", AnswerUrl, AnswerForm.Reverse(), Nonce, expected).IsValid);
    }

    [OpenSslFact]
    public void Plivo_v3_get_signature_matches_openssl()
    {
        var expected = OpenSsl.HmacBase64("sha256", Token, "https://example.com/ws?call=1&tenant=a b." + Nonce);

        Assert.Equal(expected, PlivoSignatureV3.Compute(Token, "GET", "https://example.com/ws?tenant=a+b&call=1", null, Nonce));
    }

    [OpenSslFact]
    public void Plivo_v3_with_non_ascii_accepts_single_and_python_style_double_encoding()
    {
        KeyValuePair<string, string>[] form = [new("CallerName", "José Müller"), new("CallUUID", "abc-123")];
        var signed = "https://example.com/answer/?CallUUIDabc-123CallerNameJosé Müller." + Nonce;
        var single = OpenSsl.HmacBase64("sha256", Token, signed);
        var doubled = OpenSsl.HmacBase64("sha256", Token, new string(Encoding.UTF8.GetBytes(signed).Select(b => (char)b).ToArray()));

        Assert.NotEqual(single, doubled);
        Assert.True(PlivoSignatureV3.Validate(Token, "POST", AnswerUrl, form, Nonce, single).IsValid);
        Assert.True(PlivoSignatureV3.Validate(Token, "POST", AnswerUrl, form, Nonce, doubled).IsValid);
        Assert.Equal(single, PlivoSignatureV3.Compute(Token, "POST", AnswerUrl, form, Nonce));
    }

    [Fact]
    public void Plivo_v3_header_may_carry_several_signatures()
    {
        var good = PlivoSignatureV3.Compute(Token, "POST", AnswerUrl, AnswerForm, Nonce);
        var other = PlivoSignatureV3.Compute("another-token", "POST", AnswerUrl, AnswerForm, Nonce);

        Assert.True(PlivoSignatureV3.Validate(Token, "POST", AnswerUrl, AnswerForm, Nonce, $"{other},{good}").IsValid);
        Assert.True(PlivoSignatureV3.Validate(Token, "POST", AnswerUrl, AnswerForm, Nonce, $"{other}, {good} ").IsValid);
        Assert.Equal(
            AuthOutcome.BadSignature,
            PlivoSignatureV3.Validate(Token, "POST", AnswerUrl, AnswerForm, Nonce, $"{other},{other}").Outcome);
    }

    [Fact]
    public void Plivo_v3_refuses_tampering()
    {
        var signature = PlivoSignatureV3.Compute(Token, "POST", AnswerUrl, AnswerForm, Nonce);
        var tamperedForm = AnswerForm.Select(p => p.Key == "To" ? new KeyValuePair<string, string>("To", "+19005550000") : p);

        Assert.True(PlivoSignatureV3.Validate(Token, "POST", AnswerUrl, AnswerForm, Nonce, signature).IsValid);
        Assert.Equal(AuthOutcome.BadSignature, PlivoSignatureV3.Validate(Token, "POST", AnswerUrl, tamperedForm, Nonce, signature).Outcome);
        Assert.Equal(AuthOutcome.BadSignature, PlivoSignatureV3.Validate(Token, "POST", AnswerUrl + "?x=1", AnswerForm, Nonce, signature).Outcome);
        Assert.Equal(AuthOutcome.BadSignature, PlivoSignatureV3.Validate(Token, "POST", "https://example.com/hangup/", AnswerForm, Nonce, signature).Outcome);
        Assert.Equal(AuthOutcome.BadSignature, PlivoSignatureV3.Validate(Token, "POST", AnswerUrl, AnswerForm, "1" + Nonce, signature).Outcome);
        Assert.Equal(AuthOutcome.BadSignature, PlivoSignatureV3.Validate(Token, "GET", AnswerUrl, AnswerForm, Nonce, signature).Outcome);
        Assert.Equal(AuthOutcome.BadSignature, PlivoSignatureV3.Validate(Token + "x", "POST", AnswerUrl, AnswerForm, Nonce, signature).Outcome);
    }

    [Theory]
    [InlineData("POST", null, "sig", AuthOutcome.Missing)]
    [InlineData("POST", "", "sig", AuthOutcome.Missing)]
    [InlineData("POST", Nonce, null, AuthOutcome.Missing)]
    [InlineData("POST", Nonce, "not base64 at all!", AuthOutcome.Malformed)]
    [InlineData("PUT", Nonce, "AAAA", AuthOutcome.Malformed)]
    [InlineData("", Nonce, "AAAA", AuthOutcome.Malformed)]
    public void Plivo_v3_garbage_gets_a_reason_not_an_exception(string method, string? nonce, string? header, AuthOutcome expected)
    {
        var result = PlivoSignatureV3.Validate(Token, method, AnswerUrl, AnswerForm, nonce, header);

        Assert.Equal(expected, result.Outcome);
        Assert.DoesNotContain(Token, result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Plivo_v3_without_configuration_fails_closed()
    {
        Assert.Equal(AuthOutcome.NotConfigured, PlivoSignatureV3.Validate("", "POST", AnswerUrl, null, Nonce, "AAAA").Outcome);
        Assert.Equal(AuthOutcome.NotConfigured, PlivoSignatureV3.Validate(Token, "POST", "", null, Nonce, "AAAA").Outcome);
    }

    // ---- Vobiz: base URL (query stripped) + nonce ----

    [Fact]
    public void Vobiz_v2_matches_the_published_v2_example()
    {
        // Same V2 scheme as Plivo's (HMAC-SHA256 of base URL + nonce); example values from Plivo's SDK test-suite.
        Assert.Equal("ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc=", VobizSignature.ComputeV2("my_auth_token", "https://answer.url", "12345"));
        Assert.True(VobizSignature.ValidateV2("my_auth_token", "https://answer.url", "12345", "ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc=").IsValid);
        Assert.Equal(
            AuthOutcome.BadSignature,
            VobizSignature.ValidateV2("my_auth_tokens", "https://answer.url", "12345", "ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc=").Outcome);
    }

    [OpenSslFact]
    public void Vobiz_v3_matches_openssl_and_ignores_the_query()
    {
        var expected = OpenSsl.HmacBase64("sha256", Token, "https://your-domain.com/webhook." + Nonce);

        Assert.Equal(expected, VobizSignature.ComputeV3(Token, "https://your-domain.com/webhook", Nonce));
        Assert.True(VobizSignature.ValidateV3(Token, "https://your-domain.com/webhook?CallUUID=x&Event=StartApp", Nonce, expected).IsValid);
    }

    [Fact]
    public void Vobiz_v3_refuses_tampering_and_v2_signatures()
    {
        var v3 = VobizSignature.ComputeV3(Token, AnswerUrl, Nonce);
        var v2 = VobizSignature.ComputeV2(Token, AnswerUrl, Nonce);

        Assert.NotEqual(v2, v3);
        Assert.True(VobizSignature.ValidateV3(Token, AnswerUrl, Nonce, v3).IsValid);
        Assert.Equal(AuthOutcome.BadSignature, VobizSignature.ValidateV3(Token, AnswerUrl, Nonce, v2).Outcome);
        Assert.Equal(AuthOutcome.BadSignature, VobizSignature.ValidateV3(Token, "https://example.com/answer", Nonce, v3).Outcome);
        Assert.Equal(AuthOutcome.BadSignature, VobizSignature.ValidateV3(Token, AnswerUrl, Nonce + "0", v3).Outcome);
        Assert.Equal(AuthOutcome.BadSignature, VobizSignature.ValidateV3("other", AnswerUrl, Nonce, v3).Outcome);
    }

    [Fact]
    public void Vobiz_garbage_gets_a_reason_not_an_exception()
    {
        Assert.Equal(AuthOutcome.Missing, VobizSignature.ValidateV3(Token, AnswerUrl, Nonce, null).Outcome);
        Assert.Equal(AuthOutcome.Missing, VobizSignature.ValidateV3(Token, AnswerUrl, null, "AAAA").Outcome);
        Assert.Equal(AuthOutcome.Malformed, VobizSignature.ValidateV3(Token, AnswerUrl, Nonce, "@@@").Outcome);
        Assert.Equal(AuthOutcome.Malformed, VobizSignature.ValidateV3(Token, AnswerUrl, new string('1', 10_000), "AAAA").Outcome);
        Assert.Equal(AuthOutcome.NotConfigured, VobizSignature.ValidateV3("", AnswerUrl, Nonce, "AAAA").Outcome);
        Assert.Equal(VobizSignature.V3Header + " does not match", VobizSignature.ValidateV3(Token, AnswerUrl, Nonce, "AAAA").Reason);
    }
}
