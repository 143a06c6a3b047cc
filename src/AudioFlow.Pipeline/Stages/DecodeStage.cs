using Akka.Event;
using AudioFlow.Audio;
using AudioFlow.Audio.Channel;
using AudioFlow.Audio.Codecs;
using AudioFlow.Pipeline.Calls;
using AudioFlow.Pipeline.Configuration;
using AudioFlow.Pipeline.Elements;
using AudioFlow.Pipeline.Metrics;

namespace AudioFlow.Pipeline.Stages;

/// <summary>
/// Decodes the transport's payloads (G.711, L16) into 20 ms PCM frames at the wire rate, numbering them from the
/// start of the call. Payloads of other sizes are re-framed, never dropped; an odd trailing L16 byte is logged and
/// counted as bad media. Frame numbering lives in the stage, not the processor, so a restart keeps counting.
/// </summary>
public sealed class DecodeStage(CallContext call) : SupervisedFlowStage<InboundMedia, CallerFrame>(StageNames.Decode, call)
{
    private long _nextIndex;

    protected override IElementProcessor<InboundMedia, CallerFrame> CreateProcessor() => new Processor(this);

    private sealed class Processor(DecodeStage stage) : IElementProcessor<InboundMedia, CallerFrame>
    {
        private readonly PayloadCodec _codec = PayloadCodec.For(stage.Call.InboundFormat);
        private readonly int _frameSamples = FrameDuration.Samples(stage.Call.InboundFormat.SampleRate);
        private readonly List<short> _partial = [];

        public ValueTask ProcessAsync(InboundMedia element, List<CallerFrame> output, CancellationToken cancellationToken)
        {
            var payload = element.Payload.Span;
            if (stage.Call.InboundFormat.Encoding == AudioEncoding.L16 && payload.Length % 2 != 0)
            {
                AudioFlowMetrics.BadMedia.Add(1, new KeyValuePair<string, object?>("reason", "odd-l16-length"));
                stage.Call.Log.Warning("[call {0}] inbound L16 payload of {1} bytes has an odd length; last byte ignored", stage.Call.CallId, payload.Length);
            }

            var pcm = new short[_codec.SamplesIn(payload.Length)];
            _codec.Decode(payload, pcm);
            if (_partial.Count == 0 && pcm.Length == _frameSamples)
            {
                output.Add(NewFrame(pcm, element.ReceivedAt));
                return ValueTask.CompletedTask;
            }

            _partial.AddRange(pcm);
            while (_partial.Count >= _frameSamples)
            {
                var frame = _partial.GetRange(0, _frameSamples).ToArray();
                _partial.RemoveRange(0, _frameSamples);
                output.Add(NewFrame(frame, element.ReceivedAt));
            }

            return ValueTask.CompletedTask;
        }

        private CallerFrame NewFrame(short[] pcm, long receivedAt)
        {
            stage.Call.Stats.FrameDecoded();
            stage.Call.Recording?.Caller(stage._nextIndex, pcm);
            return new CallerFrame(stage._nextIndex++, receivedAt, new AudioFrame(pcm, stage.Call.InboundFormat.SampleRate));
        }

        public void Dispose()
        {
        }
    }
}
