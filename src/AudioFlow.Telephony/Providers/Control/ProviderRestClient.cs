using System.Globalization;
using System.Net;
using System.Text;

namespace AudioFlow.Telephony.Providers.Control;

/// <summary>
/// The shared sending side of the provider clients: one request, a per-request timeout, error mapping to
/// <see cref="ProviderApiException"/> with a redacted body excerpt. Does not own the <see cref="HttpClient"/>.
/// </summary>
internal sealed class ProviderRestClient
{
    internal static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(5);
    private const int MaxBodyBytes = 4096;
    private const int MaxExcerptChars = 300;
    private const string Redacted = "[redacted]";

    private readonly HttpClient _http;
    private readonly string _baseUrl;
    private readonly TimeSpan _timeout;
    private readonly Action<HttpRequestMessage> _authenticate;
    private readonly string[] _secrets;

    /// <param name="secrets">Every string that must never appear in an exception (token, API key, encoded Basic credentials).</param>
    internal ProviderRestClient(
        HttpClient http,
        string provider,
        Uri baseUrl,
        TimeSpan timeout,
        Action<HttpRequestMessage> authenticate,
        params string[] secrets)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(baseUrl);
        if (!baseUrl.IsAbsoluteUri || (baseUrl.Scheme != Uri.UriSchemeHttps && baseUrl.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"The {provider} base URL must be an absolute http(s) URL.", nameof(baseUrl));
        }

        if (timeout <= TimeSpan.Zero || timeout > MaxTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), $"The {provider} timeout must be between 0 and {MaxTimeout}.");
        }

        _http = http;
        Provider = provider;
        _baseUrl = baseUrl.AbsoluteUri.TrimEnd('/');
        _timeout = timeout;
        _authenticate = authenticate;
        _secrets = secrets.Where(static s => !string.IsNullOrEmpty(s)).OrderByDescending(static s => s.Length).ToArray();
    }

    internal string Provider { get; }

    /// <summary>
    /// Sends one request. Returns true when the provider did it (2xx), false when <paramref name="alreadyDone"/> says
    /// the error answer means "already done / already gone"; throws <see cref="ProviderApiException"/> otherwise.
    /// </summary>
    internal async Task<bool> SendAsync(
        string operation,
        HttpMethod method,
        string relativePath,
        HttpContent? content,
        Func<HttpStatusCode, string, bool>? alreadyDone,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(_baseUrl + relativePath));
        request.Content = content;
        request.Headers.Accept.ParseAdd("application/json");
        _authenticate(request);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token)
                .ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException e)
        {
            // Our timeout, or the HttpClient's own Timeout (TaskCanceledException wrapping a TimeoutException).
            var seconds = _timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
            throw new ProviderApiException(
                Provider, operation, ProviderApiFailure.Timeout, null, null, $"no answer within {seconds} s", e);
        }
        catch (HttpRequestException e)
        {
            throw new ProviderApiException(
                Provider, operation, ProviderApiFailure.Network, null, null, Redact(OneLine(e.Message)), e);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                return true;
            }

            var (body, truncated) = await ReadBodyQuietlyAsync(response, timeout.Token).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (alreadyDone?.Invoke(response.StatusCode, body) == true)
            {
                return false;
            }

            var status = (int)response.StatusCode;
            throw new ProviderApiException(
                Provider,
                operation,
                ProviderApiFailure.HttpStatus,
                status,
                Excerpt(body, truncated),
                Redact(OneLine(response.ReasonPhrase ?? "")));
        }
    }

    /// <summary>
    /// Escapes one path segment: RFC 3986 unreserved characters, ':' and '@' stay, everything else is %XX (UTF-8).
    /// Rejects empty, whitespace-only, "." and ".." (an empty call id would turn "DELETE …/Call/{id}/" into
    /// "hang up every call" on Plivo).
    /// </summary>
    internal static string Segment(string value, string paramName)
    {
        if (string.IsNullOrWhiteSpace(value) || value is "." or "..")
        {
            throw new ArgumentException("A provider id must be a non-empty path segment.", paramName);
        }

        if (value.Length > 512)
        {
            throw new ArgumentException("A provider id is at most 512 characters.", paramName);
        }

        var text = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or ':' or '@')
            {
                text.Append(c);
            }
            else
            {
                text.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }

    /// <summary>Throws (without echoing the value) when a credential is empty or cannot go into an HTTP header.</summary>
    internal static void RequireHeaderSafe(string? value, string what, string paramName)
    {
        if (string.IsNullOrEmpty(value) || value.Any(static c => c < 0x20 || c == 0x7F || c > 0x7E))
        {
            throw new ArgumentException($"{what} must be a non-empty printable ASCII string.", paramName);
        }
    }

    private static async Task<(string Body, bool Truncated)> ReadBodyQuietlyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var buffer = new byte[MaxBodyBytes + 1];
                var total = 0;
                while (total < buffer.Length)
                {
                    var read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    total += read;
                }

                var truncated = total > MaxBodyBytes;
                return (Encoding.UTF8.GetString(buffer, 0, Math.Min(total, MaxBodyBytes)), truncated);
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
        {
            return ("", false);
        }
    }

    private string Excerpt(string body, bool truncated)
    {
        body = Redact(body);
        if (truncated)
        {
            // The cut may have split a secret: drop any tail that is the start of one.
            foreach (var secret in _secrets)
            {
                for (var k = secret.Length - 1; k > 0; k--)
                {
                    if (body.EndsWith(secret[..k], StringComparison.Ordinal))
                    {
                        body = body[..^k];
                        break;
                    }
                }
            }
        }

        var line = Redact(OneLine(body));
        return line.Length <= MaxExcerptChars ? line : line[..MaxExcerptChars] + "…";
    }

    private string Redact(string text)
    {
        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, Redacted, StringComparison.Ordinal);
        }

        return text;
    }

    private static string OneLine(string text)
    {
        var line = new StringBuilder(Math.Min(text.Length, MaxBodyBytes));
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                space = line.Length > 0;
                continue;
            }

            if (space)
            {
                line.Append(' ');
                space = false;
            }

            line.Append(c);
        }

        return line.ToString();
    }
}
