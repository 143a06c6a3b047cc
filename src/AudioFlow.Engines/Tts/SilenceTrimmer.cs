namespace AudioFlow.Engines.Tts;

/// <summary>Trims leading and trailing silence from PCM16 mono audio (see <see cref="SilenceTrimming"/>).</summary>
public static class SilenceTrimmer
{
    /// <summary>
    /// Returns <paramref name="samples"/> without the silence before the first and after the last audible
    /// sample beyond what <paramref name="trimming"/> keeps; the array itself when nothing is cut, an
    /// empty array when nothing is audible. Cut edges get a short linear fade.
    /// </summary>
    public static short[] Trim(short[] samples, int sampleRate, SilenceTrimming trimming)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(trimming);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);

        int threshold = (int)Math.Round(32768.0 * Math.Pow(10, trimming.ThresholdDbfs / 20.0));
        threshold = Math.Clamp(threshold, 0, short.MaxValue);

        int first = -1;
        for (int i = 0; i < samples.Length; i++)
        {
            if (Math.Abs((int)samples[i]) > threshold)
            {
                first = i;
                break;
            }
        }

        if (first < 0)
        {
            return [];
        }

        int last = first;
        for (int i = samples.Length - 1; i > first; i--)
        {
            if (Math.Abs((int)samples[i]) > threshold)
            {
                last = i;
                break;
            }
        }

        int start = Math.Max(0, first - ToSamples(trimming.KeepLeading, sampleRate));
        int end = (int)Math.Min(samples.Length, (long)last + 1 + ToSamples(trimming.KeepTrailing, sampleRate));
        if (start == 0 && end == samples.Length)
        {
            return samples;
        }

        short[] result = samples.AsSpan(start, end - start).ToArray();
        int fade = ToSamples(trimming.Fade, sampleRate);
        if (start > 0)
        {
            FadeIn(result.AsSpan(0, Math.Min(fade, first - start)));
        }

        if (end < samples.Length)
        {
            FadeOut(result.AsSpan(result.Length - Math.Min(fade, end - 1 - last)));
        }

        return result;
    }

    private static int ToSamples(TimeSpan duration, int sampleRate) =>
        (int)Math.Min(int.MaxValue, Math.Round(duration.TotalSeconds * sampleRate));

    private static void FadeIn(Span<short> span)
    {
        for (int i = 0; i < span.Length; i++)
        {
            span[i] = (short)(span[i] * i / span.Length);
        }
    }

    private static void FadeOut(Span<short> span)
    {
        for (int i = 0; i < span.Length; i++)
        {
            span[i] = (short)(span[i] * (span.Length - 1 - i) / span.Length);
        }
    }
}
