using AudioFlow.Engines.Vad;
using AudioFlow.Pipeline.Calls;
using AudioFlow.Pipeline.Configuration;
using AudioFlow.Pipeline.Elements;

namespace AudioFlow.Pipeline.Stages;

/// <summary>
/// Runs Silero VAD over the caller's 16 kHz frames on the realtime inference pool (never on the stream's thread).
/// VAD windows (32 ms) straddle 20 ms frames: each frame carries the probability of the last window completed in it,
/// or the previous one when none completed. The per-call VAD session is the processor's state; a restart starts a
/// fresh session (Silero recovers within a few windows) and retries the frame.
/// </summary>
public sealed class VadStage(CallContext call) : SupervisedFlowStage<CallerFrame, AnalyzedFrame>(StageNames.Vad, call)
{
    protected override IElementProcessor<CallerFrame, AnalyzedFrame> CreateProcessor() => new Processor(Call);

    private sealed class Processor(CallContext call) : IElementProcessor<CallerFrame, AnalyzedFrame>
    {
        private readonly IVadSession _session = call.Engines.Vad.CreateSession(call.Options.InternalSampleRate);
        private readonly float[] _window = new float[call.Engines.Vad.WindowSamples(call.Options.InternalSampleRate)];
        private int _filled;
        private float _lastProbability;

        public async ValueTask ProcessAsync(CallerFrame element, List<AnalyzedFrame> output, CancellationToken cancellationToken)
        {
            var probability = await call.Engines.Schedulers.Realtime.Run(() => Analyze(element.Audio.Samples), cancellationToken)
                .ConfigureAwait(false);
            call.Stats.FrameAnalyzed();
            output.Add(new AnalyzedFrame(element, probability));
        }

        private float Analyze(short[] samples)
        {
            foreach (var sample in samples)
            {
                _window[_filled++] = sample / 32768f;
                if (_filled == _window.Length)
                {
                    _lastProbability = _session.Process(_window);
                    _filled = 0;
                }
            }

            return _lastProbability;
        }

        public void Dispose() => _session.Dispose();
    }
}
