using AudioFlow.Audio;
using AudioFlow.Pipeline.Configuration;
using AudioFlow.Pipeline.Elements;
using AudioFlow.Pipeline.Tests.Support;
using AudioFlow.Pipeline.Turns;

namespace AudioFlow.Pipeline.Tests.Turns;

/// <summary>Turn detection on scripted VAD probabilities (one value per 20 ms frame).</summary>
public sealed class TurnDetectorTests
{
    private static readonly TurnOptions Turn = new(
        MinSpeechDuration: TimeSpan.FromMilliseconds(200),
        BargeInMinSpeech: TimeSpan.FromMilliseconds(80),
        MinEndpointingDelay: TimeSpan.FromMilliseconds(400),
        MaxEndpointingDelay: TimeSpan.FromMilliseconds(1000),
        MaxTurnDuration: TimeSpan.FromSeconds(3),
        PreRoll: TimeSpan.FromMilliseconds(100),
        ResumeAfterFalseStart: true);

    private static readonly VadThresholds Thresholds = new(0.5f, 0.35f);

    [Fact]
    public void A_turn_starts_after_min_speech_and_ends_after_the_endpointing_delay()
    {
        var detector = new TurnDetector(Turn, Thresholds);
        var script = Frames(silence: 20, speech: 30, silence2: 40);
        var results = Run(detector, script);

        var bargeIn = results.Single(r => r.Result.IsBargeIn).Index;
        Assert.Equal(20 + 3, bargeIn); // 4th speech frame: 80 ms
        var started = results.Single(r => r.Result.TurnStartedAt is not null);
        Assert.Equal(20 + 9, started.Index); // 10th speech frame: 200 ms
        Assert.Equal(20, started.Result.TurnStartedAt);
        var ended = results.Single(r => r.Result.Ended is not null);
        Assert.Equal(20 + 30 + 20 - 1, ended.Index); // 20 silent frames = 400 ms
        Assert.Equal(49, ended.Result.Ended!.LastSpeechFrame);
        Assert.Equal(20, ended.Result.Ended.StartFrame);
    }

    [Fact]
    public void The_utterance_carries_pre_roll_and_a_short_silence_tail_in_order()
    {
        var detector = new TurnDetector(Turn, Thresholds);
        var ended = Run(detector, Frames(silence: 20, speech: 30, silence2: 40)).Single(r => r.Result.Ended is not null).Result.Ended!;

        // pre-roll 100 ms = 5 frames (15..19), speech 20..49, 10 trailing silent frames kept (50..59)
        var firstSamples = ended.Pcm.Chunk(320).Select(f => f[0]).ToArray();
        Assert.Equal(Enumerable.Range(15, 45).Select(i => (short)i), firstSamples);
        Assert.Equal(16000, ended.SampleRate);
    }

    [Fact]
    public void A_blip_shorter_than_a_turn_reports_barge_in_then_a_false_start_and_no_turn()
    {
        var detector = new TurnDetector(Turn, Thresholds);
        var results = Run(detector, Frames(silence: 10, speech: 6, silence2: 40));

        Assert.Single(results, r => r.Result.IsBargeIn);
        Assert.Single(results, r => r.Result.IsFalseStart);
        Assert.DoesNotContain(results, r => r.Result.TurnStartedAt is not null || r.Result.Ended is not null);
    }

    [Fact]
    public void Noise_below_the_activation_threshold_never_starts_anything()
    {
        var detector = new TurnDetector(Turn, Thresholds);
        var probabilities = Enumerable.Repeat(0.45f, 200).ToArray();
        var results = Run(detector, probabilities);
        Assert.All(results, r => Assert.Equal(TurnDetection.None, r.Result));
    }

    [Fact]
    public void Hysteresis_keeps_a_turn_going_through_windows_between_the_thresholds()
    {
        var detector = new TurnDetector(Turn, Thresholds);
        var p = new List<float>();
        p.AddRange(Enumerable.Repeat(0.9f, 15));
        p.AddRange(Enumerable.Repeat(0.4f, 40)); // below activation, above deactivation: still speech
        p.AddRange(Enumerable.Repeat(0.1f, 30));
        var ended = Run(detector, p.ToArray()).Single(r => r.Result.Ended is not null);
        Assert.Equal(54, ended.Result.Ended!.LastSpeechFrame);
    }

    [Fact]
    public void A_turn_is_cut_at_the_maximum_duration()
    {
        var detector = new TurnDetector(Turn, Thresholds);
        var ended = Run(detector, Enumerable.Repeat(0.9f, 400).ToArray()).Where(r => r.Result.Ended is not null).ToArray();
        Assert.NotEmpty(ended);
        Assert.True(ended[0].Result.Ended!.CutAtMaxDuration);
        Assert.Equal(149, ended[0].Index); // 150 frames = 3 s
    }

    [Fact]
    public void The_endpointing_delay_grows_for_a_caller_who_pauses_and_stays_within_max()
    {
        var detector = new TurnDetector(Turn, Thresholds);
        Assert.Equal(20, detector.EndpointingDelayFrames);
        var p = new List<float>();
        for (var i = 0; i < 8; i++)
        {
            p.AddRange(Enumerable.Repeat(0.9f, 15));
            p.AddRange(Enumerable.Repeat(0.1f, 18)); // 360 ms pauses, just under the 400 ms delay
        }

        Run(detector, p.ToArray());
        Assert.InRange(detector.EndpointingDelayFrames, 21, 50);
    }

    private static float[] Frames(int silence, int speech, int silence2) =>
        [.. Enumerable.Repeat(0.02f, silence), .. Enumerable.Repeat(0.95f, speech), .. Enumerable.Repeat(0.02f, silence2)];

    /// <summary>Feeds one frame per probability; frame i's samples are all i (so utterance contents can be checked).</summary>
    private static List<(int Index, TurnDetection Result)> Run(TurnDetector detector, float[] probabilities)
    {
        var results = new List<(int, TurnDetection)>();
        for (var i = 0; i < probabilities.Length; i++)
        {
            var samples = Enumerable.Repeat((short)i, 320).ToArray();
            var frame = new CallerFrame(i, 1000 + i, new AudioFrame(samples, 16000));
            results.Add((i, detector.Process(new AnalyzedFrame(frame, probabilities[i]))));
        }

        return results;
    }
}
