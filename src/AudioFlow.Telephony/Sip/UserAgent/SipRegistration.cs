using System.Globalization;
using AudioFlow.Telephony.Sip.Messages;
using AudioFlow.Telephony.Sip.Transactions;
using AudioFlow.Telephony.Sip.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AudioFlow.Telephony.Sip.UserAgent;

/// <summary>Registering AudioFlow's contact with a trunk's registrar (off unless configured).</summary>
public sealed record SipRegistrationOptions
{
    /// <summary>The registrar, e.g. <c>sip:sip.trunk.example</c> or <c>sip:203.0.113.5:5060;transport=tcp</c>.</summary>
    public required SipUri Registrar { get; init; }

    /// <summary>The account (user part of the address of record).</summary>
    public required string User { get; init; }

    /// <summary>The digest user name when it differs from <see cref="User"/>.</summary>
    public string? AuthUser { get; init; }

    public string Password { get; init; } = "";

    /// <summary>The address-of-record domain; the registrar's host when null.</summary>
    public string? Domain { get; init; }

    /// <summary>Registration lifetime asked for; the registration is refreshed before the granted one runs out.</summary>
    public TimeSpan Expires { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Wait before trying again after a failure.</summary>
    public TimeSpan RetryAfterFailure { get; init; } = TimeSpan.FromSeconds(30);

    public override string ToString() => $"SipRegistrationOptions {{ Registrar = {Registrar}, User = {User}, password redacted }}";
}

/// <summary>
/// The REGISTER client (RFC 3261 §10): binds our Contact to the address of record at the registrar, answers digest
/// challenges (401/407, RFC 2617/7616 MD5 or SHA-256, qop=auth; a stale nonce is retried), honours 423 Min-Expires,
/// and refreshes before the granted expiry (at 80 % of it, at least 5 s early). Failures are logged and retried after
/// <see cref="SipRegistrationOptions.RetryAfterFailure"/>. Disposing removes the binding (Expires: 0), bounded.
/// One Call-ID and increasing CSeq for all REGISTERs (§10.2).
/// </summary>
public sealed class SipRegistration : IAsyncDisposable
{
    private readonly SipRegistrationOptions _options;
    private readonly SipTransactionLayer _layer;
    private readonly Func<SipEndPoint, SipTransportKind, SipNameAddr> _contact;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SipDigestClient _digest;
    private readonly CancellationTokenSource _stop = new();
    private readonly string _callId = Guid.NewGuid().ToString("N") + "@audioflow";
    private readonly string _fromTag = SipViaHeaders.NewTag();
    private Task _loop = Task.CompletedTask;
    private uint _cseq;
    private int _registrations;
    private DateTimeOffset? _expiresAt;
    private string? _lastError;

    /// <param name="contact">Our Contact for a registrar reached at that endpoint over that transport.</param>
    public SipRegistration(SipRegistrationOptions options, SipTransactionLayer layer, Func<SipEndPoint, SipTransportKind, SipNameAddr> contact,
        ILogger? logger = null, TimeProvider? time = null)
    {
        _options = options;
        _layer = layer;
        _contact = contact;
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _digest = new SipDigestClient(options.AuthUser ?? options.User, options.Password);
    }

    /// <summary>Successful registrations so far (refreshes included).</summary>
    public int Registrations => Volatile.Read(ref _registrations);

    /// <summary>When the current binding runs out (null: not registered).</summary>
    public DateTimeOffset? ExpiresAt => _expiresAt;

    public string? LastError => _lastError;

    public bool IsRegistered => _expiresAt is { } at && at > _time.GetUtcNow();

    /// <summary>Starts registering and refreshing in the background.</summary>
    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan next;
            try
            {
                var granted = await RegisterAsync(_options.Expires, cancellationToken).ConfigureAwait(false);
                next = granted is { } g ? RefreshDelay(g) : _options.RetryAfterFailure;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _lastError = e.Message;
                _expiresAt = null;
                _logger.LogError("SIP registration with {Registrar} failed: {Error}", _options.Registrar, e.Message);
                next = _options.RetryAfterFailure;
            }

            try
            {
                await Task.Delay(next, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>When to refresh a binding granted for <paramref name="granted"/>: at 80 %, at least 5 s early, never sooner than 1 s.</summary>
    public static TimeSpan RefreshDelay(TimeSpan granted)
    {
        var delay = TimeSpan.FromTicks(Math.Min((long)(granted.Ticks * 0.8), (granted - TimeSpan.FromSeconds(5)).Ticks));
        return delay < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : delay;
    }

    /// <summary>One REGISTER exchange (with its authentication); returns the granted lifetime, or null on failure (logged).</summary>
    public async Task<TimeSpan?> RegisterAsync(TimeSpan expires, CancellationToken cancellationToken)
    {
        var registrar = _options.Registrar;
        var transport = SipTransportKindExtensions.TryParseViaToken(registrar.Transport, out var kind) ? kind : SipTransportKind.Udp;
        var destination = await SipDialog.ResolveAsync(registrar, System.Net.Sockets.AddressFamily.InterNetwork, cancellationToken).ConfigureAwait(false);
        var contact = _contact(destination, transport);
        SipDigestCredentials? credentials = null;
        var proxy = false;
        var seconds = (long)expires.TotalSeconds;
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var request = Build(contact, seconds, credentials, proxy);
            var response = await _layer.SendRequestAsync(request, destination, transport, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (response.IsSuccess)
            {
                var granted = Granted(response, contact) ?? seconds;
                Interlocked.Increment(ref _registrations);
                _lastError = null;
                _expiresAt = seconds == 0 ? null : _time.GetUtcNow().AddSeconds(granted);
                _logger.LogInformation("SIP {What} with {Registrar} as {User} (expires in {Seconds} s)", seconds == 0 ? "unregistered" : "registered",
                    registrar, _options.User, granted);
                return TimeSpan.FromSeconds(granted);
            }

            if (response.StatusCode is 401 or 407)
            {
                proxy = response.StatusCode == 407;
                var challenge = (proxy ? response.ProxyAuthenticate : response.WwwAuthenticate).FirstOrDefault(c => c.IsDigest);
                var stale = challenge?.Stale == true;
                if (challenge is null || (credentials is not null && !stale))
                {
                    return Failed($"{response.StatusCode} {response.ReasonPhrase}: credentials refused");
                }

                credentials = _digest.Answer(challenge, "REGISTER", registrar.ToString());
                if (credentials is null)
                {
                    return Failed($"{response.StatusCode}: challenge cannot be answered (algorithm {challenge.Algorithm}, qop {challenge.Qop})");
                }

                continue;
            }

            if (response.StatusCode == 423 && long.TryParse(response.Headers.Get("Min-Expires"), NumberStyles.None, CultureInfo.InvariantCulture, out var min) && min > seconds)
            {
                seconds = min;
                continue;
            }

            return Failed($"{response.StatusCode} {response.ReasonPhrase}");
        }

        return Failed("too many challenges");
    }

    private TimeSpan? Failed(string error)
    {
        _lastError = error;
        _expiresAt = null;
        _logger.LogError("SIP registration with {Registrar} failed: {Error}", _options.Registrar, error);
        return null;
    }

    private SipRequest Build(SipNameAddr contact, long expires, SipDigestCredentials? credentials, bool proxy)
    {
        var registrar = _options.Registrar;
        var requestUri = SipUri.Create(registrar.Host, registrar.Port, secure: registrar.IsSecure);
        if (registrar.Transport is { } transport)
        {
            requestUri.Parameters.Add("transport", transport);
        }

        var aor = new SipNameAddr(SipUri.Create(_options.Domain ?? registrar.Host, _options.Domain is null ? registrar.Port : null, _options.User));
        var from = new SipNameAddr(aor.Uri) { Tag = _fromTag };
        var request = new SipRequest("REGISTER", requestUri);
        request.Headers.Add(SipHeaderNames.MaxForwards, "70");
        request.Headers.Add(SipHeaderNames.From, from.ToString());
        request.Headers.Add(SipHeaderNames.To, aor.ToString());
        request.Headers.Add(SipHeaderNames.CallId, _callId);
        request.Headers.Add(SipHeaderNames.CSeq, new SipCSeq(Interlocked.Increment(ref _cseq), "REGISTER").ToString());
        request.Headers.Add(SipHeaderNames.Contact, contact.ToString());
        request.Headers.Add(SipHeaderNames.Expires, expires.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("User-Agent", "AudioFlow");
        if (credentials is not null)
        {
            request.Headers.Add(proxy ? SipHeaderNames.ProxyAuthorization : SipHeaderNames.Authorization, credentials.ToString());
        }

        return request;
    }

    /// <summary>The lifetime the registrar granted our contact: its expires parameter, else the Expires header.</summary>
    private static long? Granted(SipResponse response, SipNameAddr contact)
    {
        var ours = response.Contacts.FirstOrDefault(c => !c.IsWildcard && c.Uri.IsEquivalentTo(contact.Uri));
        if (ours?.Expires is { } expires)
        {
            return expires;
        }

        return response.Expires is { } header ? header : null;
    }

    /// <summary>Stops refreshing and removes the binding (Expires: 0), waiting at most 2 s.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException)
        {
        }

        if (_expiresAt is not null)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await RegisterAsync(TimeSpan.Zero, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _logger.LogDebug("SIP unregistration failed: {Error}", e.Message);
            }
        }

        _stop.Dispose();
    }
}
