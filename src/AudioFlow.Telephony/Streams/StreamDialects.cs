using System.Diagnostics.CodeAnalysis;

namespace AudioFlow.Telephony.Streams;

/// <summary>The stream dialects by name: "vobiz", "plivo", "twilio", "telnyx" (shared, stateless instances with default options).</summary>
public static class StreamDialects
{
    public static IUtf8StreamDialect Vobiz { get; } = new VobizDialect();
    public static IUtf8StreamDialect Plivo { get; } = new PlivoDialect();
    public static IUtf8StreamDialect Twilio { get; } = new TwilioDialect();
    public static IUtf8StreamDialect Telnyx { get; } = new TelnyxDialect();

    /// <summary>Every dialect name, lower case.</summary>
    public static IReadOnlyList<string> Names { get; } = ["vobiz", "plivo", "twilio", "telnyx"];

    /// <summary>The dialect of that name (case-insensitive).</summary>
    public static bool TryGet(string? name, [NotNullWhen(true)] out IUtf8StreamDialect? dialect)
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

    /// <summary>The dialect of that name (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No such dialect; the message lists the known ones.</exception>
    public static IUtf8StreamDialect Get(string name) =>
        TryGet(name, out var dialect)
            ? dialect
            : throw new ArgumentException($"unknown stream dialect '{name}' (known: {string.Join(", ", Names)})", nameof(name));
}
