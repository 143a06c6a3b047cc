using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using AudioFlow.Audio.Channel;

namespace AudioFlow.Telephony.Streams;

/// <summary>
/// The media-format names the stream dialects use, both ways: Plivo/Vobiz content types
/// (<c>audio/x-mulaw;rate=8000</c>, <c>audio/x-l16;rate=16000</c>), Twilio's <c>audio/x-mulaw</c> plus a separate
/// <c>sampleRate</c>, Telnyx codec names (<c>PCMU</c>, <c>PCMA</c>, <c>G722</c>, <c>L16</c>).
/// </summary>
/// <remarks>
/// Rates: G.711 is 8 kHz only; G.722 is reported as 16000 (its audio rate; an 8000 from the wire is its RTP clock and
/// is normalised to 16000); L16 takes any rate from 8000 to 48000 (providers use 8000, 16000 and 24000). A rate
/// missing on the wire defaults to 8000 (16000 for G.722). An explicit <c>sampleRate</c> field wins over a
/// <c>;rate=</c> parameter.
/// </remarks>
public static class ContentTypes
{
    /// <summary>Parses a content type or codec name (and an optional separate sample rate) into a <see cref="MediaFormat"/>.</summary>
    /// <exception cref="StreamProtocolException">The name or rate is unknown or unsupported; the message names it.</exception>
    public static MediaFormat Parse(string contentType, int? sampleRate = null)
    {
        if (TryParse(contentType, sampleRate, out var format, out var error)) return format;
        throw new StreamProtocolException(error);
    }

    /// <summary>Like <see cref="Parse"/>, without throwing.</summary>
    public static bool TryParse(string? contentType, int? sampleRate, [NotNullWhen(true)] out MediaFormat? format) =>
        TryParse(contentType, sampleRate, out format, out _);

    internal static bool TryParse(string? contentType, int? sampleRate, [NotNullWhen(true)] out MediaFormat? format, out string error)
    {
        format = null;
        error = "";
        if (string.IsNullOrWhiteSpace(contentType))
        {
            error = "empty content type";
            return false;
        }

        var text = contentType.AsSpan().Trim();
        int semicolon = text.IndexOf(';');
        var name = (semicolon < 0 ? text : text[..semicolon]).Trim();
        int? rateParameter = null;
        if (semicolon >= 0)
        {
            var rest = text[(semicolon + 1)..];
            while (!rest.IsEmpty)
            {
                int next = rest.IndexOf(';');
                var parameter = (next < 0 ? rest : rest[..next]).Trim();
                rest = next < 0 ? default : rest[(next + 1)..];
                int eq = parameter.IndexOf('=');
                if (eq < 0) continue;
                var key = parameter[..eq].Trim();
                var value = parameter[(eq + 1)..].Trim();
                if (!key.Equals("rate", StringComparison.OrdinalIgnoreCase)) continue;
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int r))
                {
                    error = $"bad rate in content type '{contentType}'";
                    return false;
                }
                rateParameter = r;
            }
        }

        AudioEncoding? encoding = EncodingOf(name);
        if (encoding is null)
        {
            error = $"unknown content type '{contentType}'";
            return false;
        }

        int? rate = sampleRate ?? rateParameter;
        switch (encoding.Value)
        {
            case AudioEncoding.Pcmu:
            case AudioEncoding.Pcma:
                if (rate is not (null or 8000))
                {
                    error = $"unsupported rate {rate} for '{contentType}' (G.711 is 8000 Hz)";
                    return false;
                }
                format = encoding == AudioEncoding.Pcmu ? MediaFormat.Pcmu8k : MediaFormat.Pcma8k;
                return true;
            case AudioEncoding.G722:
                if (rate is not (null or 8000 or 16000))
                {
                    error = $"unsupported rate {rate} for '{contentType}' (G.722 is 16000 Hz, 8000 Hz RTP clock)";
                    return false;
                }
                format = new MediaFormat(AudioEncoding.G722, 16000);
                return true;
            default:
                int l16Rate = rate ?? 8000;
                if (l16Rate is < 8000 or > 48000)
                {
                    error = $"unsupported rate {l16Rate} for '{contentType}' (L16 takes 8000..48000 Hz)";
                    return false;
                }
                format = l16Rate switch
                {
                    8000 => MediaFormat.L16At8k,
                    16000 => MediaFormat.L16At16k,
                    _ => new MediaFormat(AudioEncoding.L16, l16Rate),
                };
                return true;
        }
    }

    private static AudioEncoding? EncodingOf(ReadOnlySpan<char> name)
    {
        if (Is(name, "audio/x-mulaw") || Is(name, "audio/mulaw") || Is(name, "audio/x-mu-law") || Is(name, "audio/pcmu")
            || Is(name, "audio/basic") || Is(name, "pcmu") || Is(name, "mulaw") || Is(name, "ulaw"))
            return AudioEncoding.Pcmu;
        if (Is(name, "audio/x-alaw") || Is(name, "audio/alaw") || Is(name, "audio/pcma") || Is(name, "pcma") || Is(name, "alaw"))
            return AudioEncoding.Pcma;
        if (Is(name, "audio/x-l16") || Is(name, "audio/l16") || Is(name, "l16"))
            return AudioEncoding.L16;
        if (Is(name, "audio/g722") || Is(name, "audio/x-g722") || Is(name, "g722") || Is(name, "g.722"))
            return AudioEncoding.G722;
        return null;
    }

    private static bool Is(ReadOnlySpan<char> name, string candidate) => name.Equals(candidate, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The Plivo/Vobiz content type for a format, as the XML <c>contentType</c> attribute takes it:
    /// <c>audio/x-mulaw;rate=8000</c> or <c>audio/x-l16;rate=N</c>.
    /// </summary>
    /// <exception cref="ArgumentException">Plivo/Vobiz do not stream this format (A-law, G.722, µ-law not at 8 kHz).</exception>
    public static string ToPlivoContentType(MediaFormat format) =>
        $"{PlivoMimeType(format)};rate={format.SampleRate.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The Plivo/Vobiz MIME type alone, as <c>playAudio</c>'s <c>media.contentType</c> takes it.</summary>
    /// <exception cref="ArgumentException">Plivo/Vobiz do not stream this format.</exception>
    public static string PlivoMimeType(MediaFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
        return format switch
        {
            { Encoding: AudioEncoding.Pcmu, SampleRate: 8000 } => "audio/x-mulaw",
            { Encoding: AudioEncoding.L16, SampleRate: >= 8000 and <= 48000 } => "audio/x-l16",
            _ => throw new ArgumentException(
                $"Plivo/Vobiz streams audio/x-mulaw at 8000 Hz or audio/x-l16, not {format}", nameof(format)),
        };
    }

    /// <summary>The Telnyx codec name of a format: <c>PCMU</c>, <c>PCMA</c>, <c>G722</c> or <c>L16</c>.</summary>
    public static string TelnyxCodec(MediaFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
        return format.Encoding switch
        {
            AudioEncoding.Pcmu => "PCMU",
            AudioEncoding.Pcma => "PCMA",
            AudioEncoding.G722 => "G722",
            AudioEncoding.L16 => "L16",
            _ => throw new ArgumentException($"no Telnyx codec for {format}", nameof(format)),
        };
    }
}
