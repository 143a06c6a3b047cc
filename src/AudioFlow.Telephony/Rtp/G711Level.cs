namespace AudioFlow.Telephony.Rtp;

/// <summary>
/// Cheap level measurement of encoded frames, to tell silence from speech without a codec: G.711 µ-law/A-law magnitude
/// expansion (ITU-T G.711 segment/mantissa layout) and big-endian L16.
/// </summary>
internal static class G711Level
{
    private static readonly ushort[] MuLawMagnitude = BuildMuLaw();
    private static readonly ushort[] ALawMagnitude = BuildALaw();

    /// <summary>Mean absolute 16-bit sample value of a frame in <paramref name="format"/>, or null if it cannot tell.</summary>
    public static double? MeanAbsolute(RtpPayloadFormat format, ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return 0;
        }

        switch (format.EncodingName)
        {
            case "PCMU":
                return Mean(payload, MuLawMagnitude);
            case "PCMA":
                return Mean(payload, ALawMagnitude);
            case "L16":
                long sum = 0;
                int n = payload.Length / 2;
                for (int i = 0; i < n; i++)
                {
                    sum += Math.Abs((int)(short)((payload[2 * i] << 8) | payload[2 * i + 1]));
                }

                return n == 0 ? 0 : (double)sum / n;
            default:
                return null;
        }
    }

    private static double Mean(ReadOnlySpan<byte> payload, ushort[] table)
    {
        long sum = 0;
        foreach (byte b in payload)
        {
            sum += table[b];
        }

        return (double)sum / payload.Length;
    }

    private static ushort[] BuildMuLaw()
    {
        var table = new ushort[256];
        for (int i = 0; i < 256; i++)
        {
            int x = ~i & 0xFF;
            int exponent = (x >> 4) & 0x07;
            int mantissa = x & 0x0F;
            table[i] = (ushort)((((mantissa << 3) + 0x84) << exponent) - 0x84);
        }

        return table;
    }

    private static ushort[] BuildALaw()
    {
        var table = new ushort[256];
        for (int i = 0; i < 256; i++)
        {
            int x = i ^ 0x55;
            int exponent = (x >> 4) & 0x07;
            int mantissa = x & 0x0F;
            int magnitude = exponent == 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
            table[i] = (ushort)magnitude;
        }

        return table;
    }
}
