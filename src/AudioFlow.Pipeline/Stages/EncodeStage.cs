using AudioFlow.Audio.Codecs;
using AudioFlow.Pipeline.Calls;
using AudioFlow.Pipeline.Configuration;
using AudioFlow.Pipeline.Elements;

namespace AudioFlow.Pipeline.Stages;

/// <summary>
/// Encodes a sentence's PCM (already at the wire rate) into 20 ms wire frames; the last frame is padded with
/// silence so every frame has the size the transport expects.
/// </summary>
public sealed class EncodeStage(CallContext call) : SupervisedFlowStage<ReplyItem, ReplyItem>(StageNames.Encode, call)
{
    protected override IElementProcessor<ReplyItem, ReplyItem> CreateProcessor() => new Processor(PayloadCodec.For(Call.OutboundFormat));

    private sealed class Processor(PayloadCodec codec) : IElementProcessor<ReplyItem, ReplyItem>
    {
        public ValueTask ProcessAsync(ReplyItem element, List<ReplyItem> output, CancellationToken cancellationToken)
        {
            if (element is not ReplySpeech speech)
            {
                output.Add(element);
                return ValueTask.CompletedTask;
            }

            if (speech.SampleRate != codec.Format.SampleRate)
            {
                throw new InvalidOperationException($"speech at {speech.SampleRate} Hz reached the encoder for {codec.Format}");
            }

            output.Add(new ReplyEncodedSpeech(speech.Reply, speech.Index, speech.Text, OutboundSpeech.EncodeFrames(speech.Pcm, codec)));
            return ValueTask.CompletedTask;
        }

        public void Dispose()
        {
        }
    }
}
