namespace AudioFlow.Telephony.Providers.Control;

/// <summary>How a provider REST call failed.</summary>
public enum ProviderApiFailure
{
    /// <summary>The provider answered with a non-success HTTP status.</summary>
    HttpStatus = 1,

    /// <summary>No answer within the configured timeout (the operation may still have happened).</summary>
    Timeout,

    /// <summary>The request could not be sent or the connection failed.</summary>
    Network,
}

/// <summary>
/// A provider REST call (transfer, hang-up) failed. Carries the provider, the operation, the HTTP status (for
/// <see cref="ProviderApiFailure.HttpStatus"/>) and a short, single-line excerpt of the response body with the
/// account's credentials redacted; the message never contains the auth token or API key.
/// </summary>
public sealed class ProviderApiException : Exception
{
    public ProviderApiException(
        string provider,
        string operation,
        ProviderApiFailure failure,
        int? statusCode,
        string? bodyExcerpt,
        string detail,
        Exception? innerException = null)
        : base(BuildMessage(provider, operation, failure, statusCode, bodyExcerpt, detail), innerException)
    {
        Provider = provider;
        Operation = operation;
        Failure = failure;
        StatusCode = statusCode;
        BodyExcerpt = bodyExcerpt;
    }

    /// <summary>"vobiz", "plivo", "twilio", "telnyx".</summary>
    public string Provider { get; }

    /// <summary>"transfer" or "hangup".</summary>
    public string Operation { get; }

    public ProviderApiFailure Failure { get; }

    /// <summary>The HTTP status code, when the provider answered.</summary>
    public int? StatusCode { get; }

    /// <summary>At most a few hundred characters of the response body, one line, credentials redacted.</summary>
    public string? BodyExcerpt { get; }

    /// <summary>Metric label for the failure: "http_4xx", "http_5xx", "timeout", "network".</summary>
    public string Label => Failure switch
    {
        ProviderApiFailure.HttpStatus => StatusCode is >= 500 ? "http_5xx" : "http_4xx",
        ProviderApiFailure.Timeout => "timeout",
        _ => "network",
    };

    private static string BuildMessage(
        string provider, string operation, ProviderApiFailure failure, int? statusCode, string? bodyExcerpt, string detail)
    {
        var head = failure switch
        {
            ProviderApiFailure.HttpStatus => $"{provider} {operation} failed: HTTP {statusCode}",
            ProviderApiFailure.Timeout => $"{provider} {operation} timed out",
            _ => $"{provider} {operation} failed: network error",
        };
        var text = string.IsNullOrEmpty(detail) ? head : $"{head} ({detail})";
        return string.IsNullOrEmpty(bodyExcerpt) ? text : $"{text}; body: {bodyExcerpt}";
    }
}
