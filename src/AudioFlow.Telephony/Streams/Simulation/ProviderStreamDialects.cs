using System.Diagnostics.CodeAnalysis;

namespace AudioFlow.Telephony.Streams.Simulation;

/// <summary>The provider-side dialects by name, matching <see cref="StreamDialects"/>.</summary>
public static class ProviderStreamDialects
{
    public static IProviderStreamDialect Vobiz { get; } = new VobizProviderDialect();
    public static IProviderStreamDialect Plivo { get; } = new PlivoProviderDialect();
    public static IProviderStreamDialect Twilio { get; } = new TwilioProviderDialect();
    public static IProviderStreamDialect Telnyx { get; } = new TelnyxProviderDialect();

    public static bool TryGet(string? name, [NotNullWhen(true)] out IProviderStreamDialect? dialect)
    {
        dialect = name?.Trim().ToLowerInvariant() switch
        {
            "vobiz" => Vobiz,
            "plivo" => Plivo,
            "twilio" => Twilio,
            "telnyx" => Telnyx,
            _ => null,
        };
        return dialect is not null;
    }

    /// <exception cref="ArgumentException">No such dialect.</exception>
    public static IProviderStreamDialect Get(string name) =>
        TryGet(name, out var dialect)
            ? dialect
            : throw new ArgumentException($"unknown stream dialect '{name}' (known: {string.Join(", ", StreamDialects.Names)})", nameof(name));
}
