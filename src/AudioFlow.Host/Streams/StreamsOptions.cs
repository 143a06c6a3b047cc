using System.Security.Cryptography;
using System.Text;
using Akka.Configuration;
using AudioFlow.Audio.Channel;
using AudioFlow.Pipeline.Configuration;
using AudioFlow.Telephony.Streams;

namespace AudioFlow.Host.Streams;

public enum StreamAuthMode
{
    Token,
    Signature,
    None,
}

/// <summary>Typed view of <c>audioflow.streams</c> and <c>audioflow.providers</c> (defaults in hocon/audioflow.conf).</summary>
public sealed record StreamsOptions(
    string PublicUrl,
    MediaFormat PlivoFormat,
    int StreamTimeoutSeconds,
    bool StatusCallbacks,
    IReadOnlyList<KeyValuePair<string, string>> ExtraHeaders,
    StreamAuthMode AuthMode,
    byte[] TokenSecret,
    TimeSpan TokenTtl,
    string AnswerKey,
    StreamChannelOptions Channel,
    ProviderAccounts Providers)
{
    public static StreamsOptions FromConfig(Config config, int inboundBufferFrames)
    {
        var r = new OptionsReader(config, "audioflow.streams");
        var mode = r.String("auth.mode") switch
        {
            "token" => StreamAuthMode.Token,
            "signature" => StreamAuthMode.Signature,
            "none" => StreamAuthMode.None,
            var other => throw new ConfigurationException($"configuration key {r.Key("auth.mode")} must be token, signature or none, got '{other}'"),
        };
        var contentType = r.String("plivo-content-type");
        if (!ContentTypes.TryParse(contentType, null, out var plivoFormat)
            || plivoFormat.Encoding is not (AudioEncoding.Pcmu or AudioEncoding.L16) || plivoFormat.SampleRate is not (8000 or 16000))
        {
            throw new ConfigurationException(
                $"configuration key {r.Key("plivo-content-type")} must be audio/x-mulaw;rate=8000, audio/x-l16;rate=8000 or audio/x-l16;rate=16000, got '{contentType}'");
        }

        var secret = r.String("auth.token-secret");
        var tokenSecret = secret.Length == 0 ? RandomNumberGenerator.GetBytes(32) : Encoding.UTF8.GetBytes(secret);
        if (tokenSecret.Length < 16)
        {
            throw new ConfigurationException($"configuration key {r.Key("auth.token-secret")} must be at least 16 bytes (or empty for a random one)");
        }

        return new StreamsOptions(
            PublicUrl: r.String("public-url").TrimEnd('/'),
            PlivoFormat: plivoFormat,
            StreamTimeoutSeconds: r.Int("stream-timeout-seconds", v => v > 0, "a positive number of seconds"),
            StatusCallbacks: r.Bool("status-callbacks"),
            ExtraHeaders: ParsePairs(r.String("extra-headers"), r.Key("extra-headers")),
            AuthMode: mode,
            TokenSecret: tokenSecret,
            TokenTtl: r.Duration("auth.token-ttl"),
            AnswerKey: r.String("auth.answer-key"),
            Channel: new StreamChannelOptions
            {
                MaxMessageBytes = r.Int("max-message-bytes", v => v >= 1024, "at least 1024"),
                SendQueueChunks = r.Int("send-queue-chunks", v => v >= 1, "at least 1"),
                SendTimeout = r.Duration("send-timeout"),
                StartTimeout = r.Duration("start-timeout"),
                MaxProtocolErrors = r.Int("max-protocol-errors", v => v >= 0, "0 or more"),
                ReorderWindow = r.Int("reorder-window", v => v >= 0, "0 or more"),
                InboundBufferFrames = inboundBufferFrames,
            },
            Providers: ProviderAccounts.FromConfig(config));
    }

    private static IReadOnlyList<KeyValuePair<string, string>> ParsePairs(string text, string key)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var item in text.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = item.IndexOf('=');
            if (eq <= 0)
            {
                throw new ConfigurationException($"configuration key {key}: '{item}' is not key=value");
            }

            pairs.Add(new(item[..eq], item[(eq + 1)..]));
        }

        return pairs;
    }
}

/// <summary>Credentials and API base URLs of the providers (<c>audioflow.providers</c>); empty strings mean "not configured".</summary>
public sealed record ProviderAccounts(
    string VobizAuthId,
    string VobizAuthToken,
    Uri VobizApiBase,
    string PlivoAuthId,
    string PlivoAuthToken,
    Uri PlivoApiBase,
    string TwilioAccountSid,
    string TwilioAuthToken,
    Uri TwilioApiBase,
    string TelnyxApiKey,
    Uri TelnyxApiBase,
    string TelnyxStreamToken)
{
    public static ProviderAccounts FromConfig(Config config)
    {
        var r = new OptionsReader(config, "audioflow.providers");
        return new ProviderAccounts(
            r.String("vobiz.auth-id"), r.String("vobiz.auth-token"), Url(r, "vobiz.api-base"),
            r.String("plivo.auth-id"), r.String("plivo.auth-token"), Url(r, "plivo.api-base"),
            r.String("twilio.account-sid"), r.String("twilio.auth-token"), Url(r, "twilio.api-base"),
            r.String("telnyx.api-key"), Url(r, "telnyx.api-base"), r.String("telnyx.stream-token"));
    }

    /// <summary>Credentials never appear in logs.</summary>
    public override string ToString() => "ProviderAccounts { credentials redacted }";

    private static Uri Url(OptionsReader r, string path)
    {
        var text = r.String(path);
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new ConfigurationException($"configuration key {r.Key(path)} must be an http(s) URL, got '{text}'");
    }
}
