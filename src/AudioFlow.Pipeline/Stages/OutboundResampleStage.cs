using AudioFlow.Pipeline.Calls;
using AudioFlow.Pipeline.Configuration;
using AudioFlow.Pipeline.Elements;

namespace AudioFlow.Pipeline.Stages;

/// <summary>
/// Converts synthesised speech from the voice's rate (flite 8/16 kHz, espeak-ng 22.05 kHz) to the wire rate.
/// Sentences are independent, so each gets a fresh filter (see <see cref="OutboundSpeech.ToRate"/>).
/// </summary>
public sealed class OutboundResampleStage(CallContext call) : SupervisedFlowStage<ReplyItem, ReplyItem>(StageNames.ResampleOut, call)
{
    protected override IElementProcessor<ReplyItem, ReplyItem> CreateProcessor() => new Processor(Call.OutboundFormat.SampleRate);

    private sealed class Processor(int wireRate) : IElementProcessor<ReplyItem, ReplyItem>
    {
        public ValueTask ProcessAsync(ReplyItem element, List<ReplyItem> output, CancellationToken cancellationToken)
        {
            output.Add(element is ReplySpeech speech
                ? speech with { Pcm = OutboundSpeech.ToRate(speech.Pcm, speech.SampleRate, wireRate), SampleRate = wireRate }
                : element);
            return ValueTask.CompletedTask;
        }

        public void Dispose()
        {
        }
    }
}
