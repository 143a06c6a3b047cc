using AudioFlow.Audio.Channel;
using AudioFlow.Audio.Wav;
using AudioFlow.Pipeline.Calls;
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

    [Fact]
    public void A_long_recording_is_streamed_to_disk_as_the_call_goes_with_both_sides_in_their_slots()
    {
        var path = Path.Combine(_dir, "long", "rec.wav");
        var clock = TimeSpan.Zero; // the call's media clock, advanced with the caller's frames
        var recording = new CallRecording(path, MediaFormat.Pcmu8k, MediaFormat.Pcmu8k, () => clock);
        var agentSpeech = new byte[160];
        Array.Fill(agentSpeech, (byte)0x80); // µ-law code 0x80: a loud positive sample
        const int frames = 3000; // one minute
        for (var i = 0; i < frames; i++)
        {
            clock = TimeSpan.FromMilliseconds(20 * i);
            recording.Caller(i, Enumerable.Repeat((short)(1 + (i % 1000)), 160).ToArray());
            if (i is >= 100 and < 200)
            {
                recording.Agent(TimeSpan.FromMilliseconds(20 * i), agentSpeech); // the agent speaks in slots 100..199
            }

            if (i == 1500)
            {
                // Streamed, not kept: half-way through, all but the clock margin and the last second's buffer is on disk.
                var onDisk = new FileInfo(path).Length;
                Assert.True(onDisk >= 44 + ((1500L - CallRecording.ClockMarginFrames - 50) * 640), $"{onDisk} bytes on disk after 1500 frames");
                recording.Agent(TimeSpan.Zero, agentSpeech); // late, for a slot long written: shifted to the first open slot
            }
        }

        Assert.Equal(TimeSpan.FromMinutes(1), recording.Finish());
        var wav = WavFile.Read(path);
        Assert.Equal(frames * 160, wav.FrameCount);
        short Left(int slot) => wav.Samples[2 * slot * 160];
        int Right(int slot) => Math.Abs((int)wav.Samples[(2 * slot * 160) + 1]);
        Assert.All(new[] { 0, 99, 1234, 2999 }, slot => Assert.Equal(1 + (slot % 1000), Left(slot)));
        Assert.Equal(0, Right(99));
        Assert.True(Right(100) > 5000 && Right(199) > 5000);
        Assert.Equal(0, Right(200));
        const int firstOpenSlot = 1500 - CallRecording.ClockMarginFrames;
        Assert.True(Right(firstOpenSlot) > 5000, "the late agent frame went to the first slot not yet written");
        Assert.Equal(0, Right(firstOpenSlot - 1));
        Assert.Equal(0, Right(firstOpenSlot + 1));
    }

    [Fact]
    public void A_recording_that_cannot_be_written_fails_at_the_end_and_never_in_the_audio_path()
    {
        var blocker = Path.Combine(_dir, "not-a-folder");
        File.WriteAllText(blocker, "a file where the recordings folder should be");
        var recording = new CallRecording(Path.Combine(blocker, "rec.wav"), MediaFormat.Pcmu8k, MediaFormat.Pcmu8k, () => TimeSpan.FromHours(1));
        for (var i = 0; i < 200; i++)
        {
            recording.Caller(i, new short[160]);
            recording.Agent(TimeSpan.FromMilliseconds(20 * i), new byte[160]);
        }

        Assert.ThrowsAny<IOException>(() => recording.Finish());
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
