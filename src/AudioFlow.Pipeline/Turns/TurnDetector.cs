using AudioFlow.Audio;
using AudioFlow.Pipeline.Configuration;
using AudioFlow.Pipeline.Elements;

namespace AudioFlow.Pipeline.Turns;

/// <summary>
/// Decides where caller turns start and end from per-frame VAD probabilities (pure logic, no Akka, media time only,
/// so it behaves the same paced or fast).
/// <list type="bullet">
/// <item>Onset: a frame at or above the activation threshold opens a candidate; frames at or above the deactivation
/// threshold count as speech (hysteresis).</item>
/// <item>Barge-in: after <see cref="TurnOptions.BargeInMinSpeech"/> of speech the detector reports
/// <see cref="TurnDetection.BargeIn"/> (the agent must stop talking now).</item>
/// <item>Turn start: after <see cref="TurnOptions.MinSpeechDuration"/> of speech the candidate becomes a turn; shorter
/// blips followed by the endpointing delay of silence are discarded.</item>
/// <item>Turn end: silence for the endpointing delay, which adapts between min and max: it is 1.5 × the running
/// average of this caller's pauses inside turns, so hesitant speakers are not cut off. Also cut at
/// <see cref="TurnOptions.MaxTurnDuration"/>.</item>
/// </list>
/// </summary>
public sealed class TurnDetector
{
    private const double PauseAveragingWeight = 0.3;
    private const int TrailingSilenceFramesKept = 10;
    private readonly VadThresholds _thresholds;
    private readonly int _bargeInFrames;
    private readonly int _minSpeechFrames;
    private readonly int _minDelayFrames;
    private readonly int _maxDelayFrames;
    private readonly int _maxTurnFrames;
    private readonly int _preRollFrames;
    private readonly Queue<CallerFrame> _preRoll = new();
    private readonly List<CallerFrame> _utterance = [];
    private State _state = State.Idle;
    private long _startFrame;
    private long _lastSpeechFrame;
    private long _lastSpeechReceivedAt;
    private int _speechFrames;
    private int _silenceRun;
    private bool _bargeInReported;
    private double _averagePauseFrames;

    public TurnDetector(TurnOptions turn, VadThresholds thresholds)
    {
        _thresholds = thresholds;
        _bargeInFrames = Frames(turn.BargeInMinSpeech);
        _minSpeechFrames = Math.Max(Frames(turn.MinSpeechDuration), _bargeInFrames);
        _minDelayFrames = Frames(turn.MinEndpointingDelay);
        _maxDelayFrames = Frames(turn.MaxEndpointingDelay);
        _maxTurnFrames = Frames(turn.MaxTurnDuration);
        _preRollFrames = Frames(turn.PreRoll);
        _averagePauseFrames = 0;
    }

    private enum State
    {
        Idle,
        Candidate,
        Speaking,
    }

    /// <summary>The silence (in 20 ms frames) that currently ends a turn.</summary>
    public int EndpointingDelayFrames =>
        Math.Clamp((int)Math.Round(_averagePauseFrames * 1.5), _minDelayFrames, _maxDelayFrames);

    /// <summary>Feeds one analysed frame; returns what it revealed (usually nothing).</summary>
    public TurnDetection Process(AnalyzedFrame analyzed)
    {
        var frame = analyzed.Frame;
        var p = analyzed.SpeechProbability;
        return _state switch
        {
            State.Idle => Idle(frame, p),
            State.Candidate => Candidate(frame, p),
            _ => Speaking(frame, p),
        };
    }

    private TurnDetection Idle(CallerFrame frame, float p)
    {
        if (p < _thresholds.ActivationThreshold)
        {
            _preRoll.Enqueue(frame);
            while (_preRoll.Count > _preRollFrames)
            {
                _preRoll.Dequeue();
            }

            return TurnDetection.None;
        }

        _state = State.Candidate;
        _utterance.Clear();
        _utterance.AddRange(_preRoll);
        _preRoll.Clear();
        _startFrame = frame.Index;
        _speechFrames = 0;
        _silenceRun = 0;
        _bargeInReported = false;
        return Candidate(frame, p);
    }

    private TurnDetection Candidate(CallerFrame frame, float p)
    {
        _utterance.Add(frame);
        if (p >= _thresholds.DeactivationThreshold)
        {
            _speechFrames++;
            _silenceRun = 0;
            NoteSpeech(frame);
        }
        else if (++_silenceRun >= _minDelayFrames)
        {
            // A blip too short to be a turn: forget it, keep its tail as pre-roll.
            _state = State.Idle;
            foreach (var f in _utterance.Skip(Math.Max(0, _utterance.Count - _preRollFrames)))
            {
                _preRoll.Enqueue(f);
            }

            _utterance.Clear();
            return _bargeInReported ? TurnDetection.FalseStart : TurnDetection.None;
        }

        var result = TurnDetection.None;
        if (!_bargeInReported && _speechFrames >= _bargeInFrames)
        {
            _bargeInReported = true;
            result = TurnDetection.BargeIn;
        }

        if (_speechFrames >= _minSpeechFrames)
        {
            _state = State.Speaking;
            return result with { TurnStartedAt = _startFrame };
        }

        return result;
    }

    private TurnDetection Speaking(CallerFrame frame, float p)
    {
        _utterance.Add(frame);
        if (p >= _thresholds.DeactivationThreshold)
        {
            if (_silenceRun > 0)
            {
                _averagePauseFrames = (1 - PauseAveragingWeight) * _averagePauseFrames + PauseAveragingWeight * _silenceRun;
            }

            _silenceRun = 0;
            NoteSpeech(frame);
        }
        else
        {
            _silenceRun++;
        }

        var tooLong = frame.Index - _startFrame + 1 >= _maxTurnFrames;
        if (_silenceRun < EndpointingDelayFrames && !tooLong)
        {
            return TurnDetection.None;
        }

        return EndTurn(tooLong);
    }

    private TurnDetection EndTurn(bool cut)
    {
        var keep = _utterance.Count - Math.Max(0, _silenceRun - TrailingSilenceFramesKept);
        var frames = _utterance.Take(keep).ToArray();
        var rate = frames.Length > 0 ? frames[0].Audio.SampleRate : 16000;
        var pcm = new short[frames.Sum(f => f.Audio.Samples.Length)];
        var offset = 0;
        foreach (var f in frames)
        {
            f.Audio.Samples.CopyTo(pcm, offset);
            offset += f.Audio.Samples.Length;
        }

        var ended = new EndedTurn(pcm, rate, _startFrame, _lastSpeechFrame, _lastSpeechReceivedAt, cut);
        _state = State.Idle;
        _utterance.Clear();
        _silenceRun = 0;
        return TurnDetection.None with { Ended = ended };
    }

    private void NoteSpeech(CallerFrame frame)
    {
        _lastSpeechFrame = frame.Index;
        _lastSpeechReceivedAt = frame.ReceivedAt;
    }

    private static int Frames(TimeSpan duration) =>
        Math.Max(1, (int)Math.Ceiling(duration.TotalMilliseconds / FrameDuration.Milliseconds));
}

/// <summary>What one frame revealed: a barge-in, a false start after one, a turn start (its first frame), a finished turn.</summary>
public sealed record TurnDetection(bool IsBargeIn, bool IsFalseStart, long? TurnStartedAt, EndedTurn? Ended)
{
    public static readonly TurnDetection None = new(false, false, null, null);
    public static readonly TurnDetection BargeIn = new(true, false, null, null);
    public static readonly TurnDetection FalseStart = new(false, true, null, null);
}

/// <summary>A finished caller turn: its audio (pre-roll to a little trailing silence) and timing.</summary>
public sealed record EndedTurn(short[] Pcm, int SampleRate, long StartFrame, long LastSpeechFrame, long LastSpeechReceivedAt, bool CutAtMaxDuration);
