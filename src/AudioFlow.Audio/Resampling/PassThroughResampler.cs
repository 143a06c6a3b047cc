namespace AudioFlow.Audio.Resampling;

/// <summary>Equal rates: copies input to output, no delay.</summary>
internal sealed class PassThroughResampler(int rate) : Resampler(rate, rate)
{
    public override double DelaySamples => 0;

    public override int OutputSamplesFor(int inputSamples) => inputSamples;

    public override void Reset()
    {
    }

    private protected override int ProcessCore(ReadOnlySpan<short> input, Span<short> output)
    {
        input.CopyTo(output);
        return input.Length;
    }
}
