using AudioFlow.Audio.Channel;
using AudioFlow.Audio.Wav;
using AudioFlow.Pipeline.Loopback;
using AudioFlow.Pipeline.Tests.Support;

namespace AudioFlow.Pipeline.Tests.Calls;

[Collection(LiveNodeCollection.Name)]
public sealed class CallRecordingTests(LiveNode node) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("audioflow-rec-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_recorded_call_is_a_stereo_wav_of_the_calls_length_with_the_caller_left_and_the_agent_right()
    {
        var options = TestConfig.Pipeline($"audioflow.recordings {{ enabled = on, directory = \"{_dir}\" }}");
        var format = MediaFormat.Pcmu8k;
        var speech = node.Say("opening hours please", format);
        var outcome = await node.Runner(options).RunAsync(speech, format, new CallerScript(), 8, CancellationToken.None);

        var wav = WavFile.Read(Path.Combine(_dir, $"{outcome.Stats.CallId}.wav"));
        Assert.Equal(2, wav.Channels);
        Assert.Equal(8000, wav.SampleRate);
        Assert.InRange(wav.FrameCount, outcome.Caller.FramesSent * 160 - 160, outcome.Caller.FramesSent * 160 + 8000);

        var left = Enumerable.Range(0, wav.FrameCount).Select(i => wav.Samples[2 * i]).ToArray();
        var right = Enumerable.Range(0, wav.FrameCount).Select(i => wav.Samples[(2 * i) + 1]).ToArray();
        var speechStart = (int)(outcome.Caller.SpeechStartedAt.TotalSeconds * 8000);
        var speechEnd = speechStart + speech.Length;

        // Caller speech is on the left exactly where the caller spoke; before it (the greeting) the left is silent
        // and the right carries the agent.
        Assert.True(Rms(left, speechStart, speechEnd) > 500, $"left during speech {Rms(left, speechStart, speechEnd):F0}");
        Assert.True(Rms(left, 0, speechStart - 4000) < 50, $"left before speech {Rms(left, 0, speechStart - 4000):F0}");
        Assert.True(Rms(right, 0, speechStart - 4000) > 500, $"right during the greeting {Rms(right, 0, speechStart - 4000):F0}");
        Assert.True(Rms(right, speechEnd + 16000, right.Length) > 300, "right carries the answer after the caller spoke");
    }

    private static double Rms(short[] samples, int from, int to)
    {
        from = Math.Clamp(from, 0, samples.Length);
        to = Math.Clamp(to, from, samples.Length);
        double sum = 0;
        for (var i = from; i < to; i++)
        {
            sum += (double)samples[i] * samples[i];
        }

        return to > from ? Math.Sqrt(sum / (to - from)) : 0;
    }
}
