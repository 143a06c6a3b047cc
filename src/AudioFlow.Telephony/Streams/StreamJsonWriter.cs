using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace AudioFlow.Telephony.Streams;

/// <summary>
/// A per-thread reusable <see cref="Utf8JsonWriter"/> over a reusable buffer: building a message allocates only the
/// resulting string (base64 is encoded by the writer straight from the caller's span). Use as
/// <c>var w = StreamJsonWriter.Begin(); …; return StreamJsonWriter.Finish();</c> with nothing in between that builds
/// another message on the same thread.
/// </summary>
internal sealed class StreamJsonWriter
{
    // Relaxed escaping: the messages go over a WebSocket, never into HTML; '+' in phone numbers stays readable.
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private const int KeepCapacity = 256 * 1024;

    [ThreadStatic] private static StreamJsonWriter? t_current;

    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _writer;

    private StreamJsonWriter() => _writer = new Utf8JsonWriter(_buffer, Options);

    public static Utf8JsonWriter Begin()
    {
        var current = t_current ??= new StreamJsonWriter();
        current._buffer.ResetWrittenCount();
        current._writer.Reset(current._buffer);
        return current._writer;
    }

    public static string Finish()
    {
        var current = t_current ?? throw new InvalidOperationException("Finish without Begin");
        current._writer.Flush();
        string text = Encoding.UTF8.GetString(current._buffer.WrittenSpan);
        if (current._buffer.Capacity > KeepCapacity) t_current = null; // a 30 s chunk once should not pin its buffer
        return text;
    }

    /// <summary>Writes <paramref name="payload"/> as base64, big-endian-swapped first when asked (L16 to a big-endian peer).</summary>
    public static void WritePayload(Utf8JsonWriter writer, ReadOnlySpan<byte> payload, bool swapBytePairs)
    {
        if (!swapBytePairs)
        {
            writer.WriteBase64String("payload"u8, payload);
            return;
        }
        byte[] rented = ArrayPool<byte>.Shared.Rent(payload.Length);
        try
        {
            var swapped = rented.AsSpan(0, payload.Length);
            payload.CopyTo(swapped);
            StreamJsonReader.SwapBytePairs(swapped);
            writer.WriteBase64String("payload"u8, swapped);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>An integer written as a JSON string ("160"), as Twilio and Telnyx send them.</summary>
    public static void WriteNumberAsString(Utf8JsonWriter writer, ReadOnlySpan<byte> name, long value)
    {
        Span<byte> digits = stackalloc byte[20];
        System.Buffers.Text.Utf8Formatter.TryFormat(value, digits, out int written);
        writer.WriteString(name, digits[..written]);
    }
}
