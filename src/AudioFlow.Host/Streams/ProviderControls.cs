using AudioFlow.Telephony.Providers.Control;

namespace AudioFlow.Host.Streams;

/// <summary>
/// Builds the provider REST clients (transfer, hang-up) a stream call uses, from the configured accounts; null when
/// the provider's credentials are not configured. One shared HttpClient for all of them.
/// </summary>
public sealed class ProviderControls(StreamsOptions options, HttpClient http)
{
    /// <param name="transferXmlUrl">For Vobiz/Plivo, whose transfer redirects the call to a URL that returns the Dial XML.</param>
    public IProviderCallControl? For(string provider, TransferXmlUrlBuilder transferXmlUrl)
    {
        var a = options.Providers;
        return provider switch
        {
            "vobiz" when Has(a.VobizAuthId, a.VobizAuthToken) =>
                new VobizCallControl(http, new VobizCallControlOptions(a.VobizAuthId, a.VobizAuthToken, transferXmlUrl) { BaseUrl = a.VobizApiBase }),
            "plivo" when Has(a.PlivoAuthId, a.PlivoAuthToken) =>
                new PlivoCallControl(http, new PlivoCallControlOptions(a.PlivoAuthId, a.PlivoAuthToken, transferXmlUrl) { BaseUrl = a.PlivoApiBase }),
            "twilio" when Has(a.TwilioAccountSid, a.TwilioAuthToken) =>
                new TwilioCallControl(http, new TwilioCallControlOptions(a.TwilioAccountSid, a.TwilioAuthToken) { BaseUrl = a.TwilioApiBase }),
            "telnyx" when Has(a.TelnyxApiKey) =>
                new TelnyxCallControl(http, new TelnyxCallControlOptions(a.TelnyxApiKey) { BaseUrl = a.TelnyxApiBase }),
            _ => null,
        };
    }

    private static bool Has(params string[] values) => values.All(v => v.Length > 0);
}
