namespace AudioFlow.Audio;

/// <summary>
/// A frame of PCM16 mono audio. Inside the pipeline every frame is 20 ms long
/// (<see cref="FrameDuration.Samples"/> samples at its <see cref="SampleRate"/>).
/// The sample buffer is owned by the frame: producers hand over a fresh array and never mutate it afterwards.
/// </summary>
public sealed record AudioFrame(short[] Samples, int SampleRate)
{
    public TimeSpan Duration => TimeSpan.FromSeconds((double)Samples.Length / SampleRate);

    public static AudioFrame Silence(int sampleRate) => new(new short[FrameDuration.Samples(sampleRate)], sampleRate);
}

/// <summary>The 20 ms frame used across AudioFlow (RTP ptime 20, provider media frames of 160 µ-law bytes).</summary>
public static class FrameDuration
{
    public const int Milliseconds = 20;

    /// <summary>Samples in one 20 ms frame at the given rate (160 at 8 kHz, 320 at 16 kHz).</summary>
    public static int Samples(int sampleRate) => sampleRate * Milliseconds / 1000;
}
