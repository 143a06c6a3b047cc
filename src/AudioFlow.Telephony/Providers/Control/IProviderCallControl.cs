namespace AudioFlow.Telephony.Providers.Control;

/// <summary>
/// Call control through a provider's REST API for a call whose media runs over the provider's WebSocket stream:
/// blind transfer and hang-up. One instance per provider account; thread-safe; no retries.
/// </summary>
/// <remarks>
/// <para><b>Once-only is the caller's job.</b> These clients send exactly one request per call and do not remember
/// calls. Hang-up is idempotent at the provider (a call that is already gone, 404, counts as done), but a transfer is
/// not: sending it twice redirects the call twice. A transfer that timed out may still have happened, so do not
/// blindly retry it; the call actor should guard each operation (e.g. a per-call "transfer requested" flag) and
/// rely on the provider's status callbacks for the outcome.</para>
/// <para>Failures surface as <see cref="ProviderApiException"/> (HTTP status, timeout or network error), never
/// containing the account's secret. Cancelling the <see cref="CancellationToken"/> throws
/// <see cref="OperationCanceledException"/> as usual.</para>
/// </remarks>
public interface IProviderCallControl
{
    /// <summary>"vobiz", "plivo", "twilio" or "telnyx" (same names as the stream dialects).</summary>
    string Provider { get; }

    /// <summary>
    /// Blind-transfers the caller to <paramref name="target"/>: a phone number (E.164, e.g. "+14155550100") or a SIP
    /// URI ("sip:agent@pbx.example.com"). The media stream of the call ends as a consequence.
    /// </summary>
    Task TransferAsync(string providerCallId, string target, CancellationToken cancellationToken);

    /// <summary>Hangs the call up; succeeds when the provider says the call is already gone.</summary>
    Task HangUpAsync(string providerCallId, CancellationToken cancellationToken);
}

/// <summary>
/// Builds the absolute URL that the provider (Vobiz, Plivo) fetches to get the transfer XML for a call and a
/// target. The endpoint behind it must answer with <see cref="DialXml.PlivoFamily"/> (and should validate the
/// provider's signature).
/// </summary>
public delegate Uri TransferXmlUrlBuilder(string providerCallId, string target);
