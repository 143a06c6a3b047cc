using System.Text;

namespace AudioFlow.Engines.Tts;

/// <summary>Text clean-up shared by the native synthesisers before text crosses into C.</summary>
internal static class TtsText
{
    /// <summary>
    /// Replaces NUL and other control characters (which C APIs treat as terminators or choke on) with
    /// spaces and collapses whitespace; returns an empty string when nothing but whitespace remains.
    /// </summary>
    public static string CleanControlCharacters(string text)
    {
        var builder = new StringBuilder(text.Length);
        bool pendingSpace = false;
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    /// <summary>UTF-8 bytes of <paramref name="text"/> with a terminating NUL (lone surrogates become U+FFFD).</summary>
    public static byte[] ToNullTerminatedUtf8(string text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }
}
