using AudioFlow.Audio;
using AudioFlow.Audio.Resampling;
using AudioFlow.Pipeline.Calls;
using AudioFlow.Pipeline.Configuration;
using AudioFlow.Pipeline.Elements;

namespace AudioFlow.Pipeline.Stages;

/// <summary>
/// Converts caller frames from the wire rate (8 kHz G.711) to the pipeline's internal rate (16 kHz), one 20 ms frame
/// in, one 20 ms frame out. A pass-through when the rates already match. The filter's memory is the processor's
/// state: after a restart it starts from silence (a click at worst, never a lost frame).
/// </summary>
public sealed class InboundResampleStage(CallContext call) : SupervisedFlowStage<CallerFrame, CallerFrame>(StageNames.ResampleIn, call)
{
    protected override IElementProcessor<CallerFrame, CallerFrame> CreateProcessor() =>
        new Processor(Call.InboundFormat.SampleRate, Call.Options.InternalSampleRate);

    private sealed class Processor(int fromRate, int toRate) : IElementProcessor<CallerFrame, CallerFrame>
    {
        private readonly Resampler? _resampler = fromRate == toRate ? null : Resampler.Create(fromRate, toRate);
        private readonly FrameRechunker _rechunker = new(FrameDuration.Samples(toRate));

        public ValueTask ProcessAsync(CallerFrame element, List<CallerFrame> output, CancellationToken cancellationToken)
        {
            if (_resampler is null)
            {
                output.Add(element);
                return ValueTask.CompletedTask;
            }

            var input = element.Audio.Samples;
            var buffer = new short[_resampler.MaxOutputSamples(input.Length)];
            var written = _resampler.Process(input, buffer);

            // A resampler with a fractional delay may hand out a few samples more or less per frame; the rechunker
            // keeps exactly one 20 ms frame out per frame in (the first frames are padded with leading silence).
            var frame = _rechunker.Next(buffer.AsSpan(0, written));
            output.Add(element with { Audio = new AudioFrame(frame, toRate) });
            return ValueTask.CompletedTask;
        }

        public void Dispose()
        {
        }
    }
}
