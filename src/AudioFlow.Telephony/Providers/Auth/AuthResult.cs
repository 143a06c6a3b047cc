namespace AudioFlow.Telephony.Providers.Auth;

/// <summary>What a provider-authentication check concluded.</summary>
public enum AuthOutcome
{
    /// <summary>The credential is present and authentic (and not expired).</summary>
    Valid = 1,

    /// <summary>No credential (header, nonce or token) was presented.</summary>
    Missing,

    /// <summary>A credential was presented but cannot be parsed (not base64, wrong shape, unsupported method, too long).</summary>
    Malformed,

    /// <summary>The credential parses but does not match: wrong secret, tampered URL, parameters or token.</summary>
    BadSignature,

    /// <summary>The credential is authentic but past its expiry (only for tokens that carry one).</summary>
    Expired,

    /// <summary>AudioFlow's side is missing what it needs to check (empty secret, empty URL): fail closed.</summary>
    NotConfigured,
}

/// <summary>
/// The verdict of a provider-authentication check, with a fixed, log-safe reason. <see cref="Reason"/> never contains
/// the secret, the expected signature or anything the caller sent, so it can go into a log line as is;
/// <see cref="Label"/> is a short stable string for a metric tag.
/// </summary>
public sealed class AuthResult
{
    private AuthResult(AuthOutcome outcome, string reason)
    {
        Outcome = outcome;
        Reason = reason;
    }

    public AuthOutcome Outcome { get; }

    /// <summary>A short, fixed explanation (e.g. "signature does not match"), safe to log.</summary>
    public string Reason { get; }

    public bool IsValid => Outcome == AuthOutcome.Valid;

    /// <summary>Metric label: valid, missing, malformed, bad_signature, expired, not_configured.</summary>
    public string Label => LabelOf(Outcome);

    public static string LabelOf(AuthOutcome outcome) => outcome switch
    {
        AuthOutcome.Valid => "valid",
        AuthOutcome.Missing => "missing",
        AuthOutcome.Malformed => "malformed",
        AuthOutcome.BadSignature => "bad_signature",
        AuthOutcome.Expired => "expired",
        AuthOutcome.NotConfigured => "not_configured",
        _ => "unknown",
    };

    public override string ToString() => $"{Label}: {Reason}";

    internal static AuthResult Ok(string reason) => new(AuthOutcome.Valid, reason);

    internal static AuthResult Missing(string reason) => new(AuthOutcome.Missing, reason);

    internal static AuthResult Malformed(string reason) => new(AuthOutcome.Malformed, reason);

    internal static AuthResult BadSignature(string reason) => new(AuthOutcome.BadSignature, reason);

    internal static AuthResult Expired(string reason) => new(AuthOutcome.Expired, reason);

    internal static AuthResult NotConfigured(string reason) => new(AuthOutcome.NotConfigured, reason);
}
