using AudioFlow.Telephony;
using AudioFlow.Telephony.Providers.Auth;
using Microsoft.Extensions.Primitives;

namespace AudioFlow.Host.Streams;

/// <summary>
/// Who may use the stream endpoints (<c>audioflow.streams.auth</c>): signed path tokens minted by the answer webhook,
/// or the providers' own request signatures. Every refusal is logged with its reason and counted; nothing about the
/// secret or the expected signature is ever logged.
/// </summary>
public sealed class StreamSecurity(StreamsOptions options, ILogger<StreamSecurity> logger)
{
    public StreamAuthMode Mode => options.AuthMode;

    /// <summary>A fresh token for <paramref name="scope"/> (a path such as "/twilio/stream").</summary>
    public string IssueToken(string scope) =>
        SignedStreamToken.Create(options.TokenSecret, scope, DateTimeOffset.UtcNow + options.TokenTtl);

    /// <summary>Checks a request to an answer or callback webhook; returns null when allowed, else the refusal reason.</summary>
    public async Task<string?> CheckWebhookAsync(string provider, HttpRequest request)
    {
        switch (options.AuthMode)
        {
            case StreamAuthMode.None:
                return null;
            case StreamAuthMode.Token:
                return options.AnswerKey.Length == 0 || request.Query["key"] == options.AnswerKey
                    ? null
                    : Refuse(provider, "webhook", "missing or wrong ?key=");
            default:
                var form = request.HasFormContentType ? await request.ReadFormAsync() : null;
                var pairs = form?.SelectMany(f => f.Value.Select(v => new KeyValuePair<string, string>(f.Key, v ?? string.Empty))).ToArray();
                return Verdict(provider, "webhook", SignatureCheck(provider, request, pairs));
        }
    }

    /// <summary>Checks a stream upgrade request; <paramref name="scope"/> and <paramref name="token"/> come from its path.</summary>
    public string? CheckStream(string provider, HttpRequest request, string scope, string? token) => options.AuthMode switch
    {
        StreamAuthMode.None => null,
        StreamAuthMode.Token => Verdict(provider, "stream", SignedStreamToken.Validate(options.TokenSecret, scope, token, DateTimeOffset.UtcNow)),
        _ => Verdict(provider, "stream", SignatureCheck(provider, request, null)),
    };

    private AuthResult? SignatureCheck(string provider, HttpRequest request, IReadOnlyList<KeyValuePair<string, string>>? form)
    {
        var accounts = options.Providers;
        var url = PublicUrl.Of(request, options);
        return provider switch
        {
            "twilio" => TwilioSignature.Validate(accounts.TwilioAuthToken, url, form, Header(request, TwilioSignature.HeaderName)),
            "plivo" => PlivoSignatureV3.Validate(accounts.PlivoAuthToken, request.Method, url, form,
                Header(request, PlivoSignatureV3.NonceHeader), Header(request, PlivoSignatureV3.SignatureHeader)),
            "vobiz" => VobizSignature.ValidateV3(accounts.VobizAuthToken, url,
                Header(request, VobizSignature.V3NonceHeader), Header(request, VobizSignature.V3Header)),
            "telnyx" => TelnyxStreamAuth.Validate(accounts.TelnyxStreamToken, Header(request, TelnyxStreamAuth.HeaderName)),
            _ => null,
        };
    }

    private string? Verdict(string provider, string what, AuthResult? result) =>
        result is null ? Refuse(provider, what, "unknown provider")
        : result.IsValid ? null
        : Refuse(provider, what, $"{result.Reason} ({result.Label})");

    private string Refuse(string provider, string what, string reason)
    {
        TelephonyMetrics.StreamsRefused.Add(1, TelephonyMetrics.Tag("reason", "auth"), TelephonyMetrics.Tag("transport", provider));
        logger.LogWarning("{Provider} {What} request refused: {Reason}", provider, what, reason);
        return reason;
    }

    private static string? Header(HttpRequest request, string name) =>
        request.Headers.TryGetValue(name, out StringValues value) ? value.ToString() : null;
}

/// <summary>The URLs the providers see: <c>audioflow.streams.public-url</c>, or the request's own scheme and host.</summary>
public static class PublicUrl
{
    /// <summary>https://host (no trailing slash).</summary>
    public static string HttpBase(HttpRequest request, StreamsOptions options) =>
        options.PublicUrl.Length > 0 ? options.PublicUrl : $"{request.Scheme}://{request.Host}";

    /// <summary>wss://host for https, ws://host for http.</summary>
    public static string WebSocketBase(HttpRequest request, StreamsOptions options)
    {
        var http = HttpBase(request, options);
        return http.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? "wss://" + http[8..]
            : http.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? "ws://" + http[7..]
            : http;
    }

    /// <summary>The full URL of this request as the provider addressed it (for signatures).</summary>
    public static string Of(HttpRequest request, StreamsOptions options)
    {
        var baseUrl = request.HttpContext.WebSockets.IsWebSocketRequest ? WebSocketBase(request, options) : HttpBase(request, options);
        return baseUrl + request.PathBase + request.Path + request.QueryString;
    }
}
