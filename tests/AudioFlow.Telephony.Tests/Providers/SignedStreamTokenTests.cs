using System.Text;
using System.Text.RegularExpressions;
using AudioFlow.Telephony.Providers.Auth;
using Xunit;

namespace AudioFlow.Telephony.Tests.Providers;

public sealed class SignedStreamTokenTests
{
    private const string SecretHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    private const string Scope = "/ws/twilio/CA0123456789abcdef";
    private static readonly byte[] Secret = Convert.FromHexString(SecretHex);
    private static readonly DateTimeOffset Expiry = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    [Fact]
    public void A_fresh_token_is_url_safe_and_valid_until_its_expiry()
    {
        var token = SignedStreamToken.Create(Secret, Scope, Expiry);

        Assert.Matches(new Regex("^1700000000\\.[A-Za-z0-9_-]{43}$"), token);
        Assert.True(SignedStreamToken.Validate(Secret, Scope, token, Expiry.AddSeconds(-1)).IsValid);
        Assert.Equal(AuthOutcome.Expired, SignedStreamToken.Validate(Secret, Scope, token, Expiry).Outcome);
        Assert.Equal(AuthOutcome.Expired, SignedStreamToken.Validate(Secret, Scope, token, Expiry.AddDays(1)).Outcome);
    }

    [OpenSslFact]
    public void The_signature_matches_openssl()
    {
        var base64 = OpenSsl.HmacBase64HexKey("sha256", SecretHex, Scope + "|1700000000");
        var base64Url = base64.TrimEnd('=').Replace('+', '-').Replace('/', '_');

        Assert.Equal("1700000000." + base64Url, SignedStreamToken.Create(Secret, Scope, Expiry));
    }

    [Fact]
    public void A_token_for_another_scope_or_secret_is_a_bad_signature()
    {
        var token = SignedStreamToken.Create(Secret, Scope, Expiry);
        var otherSecret = Encoding.UTF8.GetBytes("another secret of 32 bytes......");
        var now = Expiry.AddMinutes(-1);

        Assert.Equal(AuthOutcome.BadSignature, SignedStreamToken.Validate(Secret, "/ws/twilio/CA999", token, now).Outcome);
        Assert.Equal(AuthOutcome.BadSignature, SignedStreamToken.Validate(Secret, Scope + "/", token, now).Outcome);
        Assert.Equal(AuthOutcome.BadSignature, SignedStreamToken.Validate(otherSecret, Scope, token, now).Outcome);
    }

    [Fact]
    public void An_extended_expiry_or_a_flipped_signature_character_is_a_bad_signature()
    {
        var token = SignedStreamToken.Create(Secret, Scope, Expiry);
        var extended = "1800000000" + token[10..];
        var flipped = token[..^1] + (token[^1] == 'A' ? 'B' : 'A');

        Assert.Equal(AuthOutcome.BadSignature, SignedStreamToken.Validate(Secret, Scope, extended, Expiry.AddDays(-1)).Outcome);
        Assert.Equal(AuthOutcome.BadSignature, SignedStreamToken.Validate(Secret, Scope, flipped, Expiry.AddDays(-1)).Outcome);
        // An expired forgery is reported as forged, not as expired.
        Assert.Equal(AuthOutcome.BadSignature, SignedStreamToken.Validate(Secret, Scope, flipped, Expiry.AddDays(1)).Outcome);
    }

    [Theory]
    [InlineData(null, AuthOutcome.Missing)]
    [InlineData("", AuthOutcome.Missing)]
    [InlineData("abc", AuthOutcome.Malformed)]
    [InlineData("1700000000", AuthOutcome.Malformed)]
    [InlineData("1700000000.", AuthOutcome.Malformed)]
    [InlineData(".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", AuthOutcome.Malformed)]
    [InlineData("01700000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", AuthOutcome.Malformed)]
    [InlineData("17000000a0.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", AuthOutcome.Malformed)]
    [InlineData("-1700000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", AuthOutcome.Malformed)]
    [InlineData("١٧٠٠٠٠٠٠٠٠.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", AuthOutcome.Malformed)]
    [InlineData("1700000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", AuthOutcome.Malformed)] // 42 chars
    [InlineData("1700000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", AuthOutcome.Malformed)] // 44 chars
    [InlineData("1700000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+", AuthOutcome.Malformed)]
    [InlineData("1700000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", AuthOutcome.Malformed)]
    [InlineData("1700000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.A", AuthOutcome.Malformed)]
    [InlineData("9999999999999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", AuthOutcome.Malformed)]
    [InlineData("1700000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", AuthOutcome.BadSignature)]
    public void Garbage_gets_a_reason_not_an_exception(string? token, AuthOutcome expected)
    {
        var result = SignedStreamToken.Validate(Secret, Scope, token, Expiry.AddDays(-1));

        Assert.Equal(expected, result.Outcome);
        Assert.False(string.IsNullOrWhiteSpace(result.Reason));
    }

    [Fact]
    public void Random_input_never_throws()
    {
        var random = new Random(1234);
        const string alphabet = "0123456789.-_abcXYZ+/=|% \u00e9\u0661";
        for (var i = 0; i < 2000; i++)
        {
            var length = random.Next(0, 80);
            var chars = new char[length];
            for (var j = 0; j < length; j++)
            {
                chars[j] = alphabet[random.Next(alphabet.Length)];
            }

            var result = SignedStreamToken.Validate(Secret, Scope, new string(chars), Expiry);
            Assert.False(result.IsValid);
        }
    }

    [Fact]
    public void A_missing_or_short_secret_fails_closed()
    {
        var token = SignedStreamToken.Create(Secret, Scope, Expiry);

        Assert.Equal(AuthOutcome.NotConfigured, SignedStreamToken.Validate([], Scope, token, Expiry.AddDays(-1)).Outcome);
        Assert.Equal(AuthOutcome.NotConfigured, SignedStreamToken.Validate(new byte[15], Scope, token, Expiry.AddDays(-1)).Outcome);
        Assert.Throws<ArgumentException>(() => SignedStreamToken.Create(new byte[15], Scope, Expiry));
        Assert.Throws<ArgumentOutOfRangeException>(() => SignedStreamToken.Create(Secret, Scope, DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public void The_token_travels_as_the_last_path_segment()
    {
        var token = SignedStreamToken.Create(Secret, Scope, Expiry);
        var path = SignedStreamToken.AppendToPath(Scope, token);

        Assert.Equal(Scope + "/" + token, path);
        Assert.True(SignedStreamToken.TrySplitPath(path, out var scope, out var split));
        Assert.Equal(Scope, scope);
        Assert.Equal(token, split);
        Assert.True(SignedStreamToken.Validate(Secret, scope, split, Expiry.AddSeconds(-30)).IsValid);

        Assert.False(SignedStreamToken.TrySplitPath(Scope + "/", out _, out _));
        Assert.False(SignedStreamToken.TrySplitPath("", out _, out _));
        Assert.False(SignedStreamToken.TrySplitPath("no-slash", out _, out _));
    }
}
