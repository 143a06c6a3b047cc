using System.Threading.Channels;
using AudioFlow.Audio.Channel;
using AudioFlow.Pipeline.Configuration;
using AudioFlow.Pipeline.Supervision;

namespace AudioFlow.Pipeline.Calls;

/// <summary>
/// Transport chaos for resilience testing, around any transport: inbound media packets lost, duplicated or swapped
/// with the next one, or the connection cut abruptly — as <c>audioflow.chaos</c> faults with <c>stage = transport</c>
/// say. Every injected fault is reported to the call as a <see cref="TransportProblem"/> (kind "chaos-..."), so it is
/// journaled and counted; the frames it drops are counted in <see cref="FramesDropped"/> (they are the network's
/// loss, not the pipeline's).
/// </summary>
public sealed class ChaosCallChannel : ICallChannel
{
    private readonly ICallChannel _inner;
    private readonly FaultInjector _faults;
    private readonly Channel<InboundEvent> _inbound = Channel.CreateUnbounded<InboundEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private long _dropped;
    private long _duplicated;

    public ChaosCallChannel(ICallChannel inner, ChaosOptions chaos)
    {
        _inner = inner;
        _faults = FaultInjector.For(FaultSpec.Transport, chaos, inner.CallId);
        _ = PumpAsync();
    }

    public static bool Applies(ChaosOptions chaos) => chaos.Enabled && chaos.Faults.Any(f => f.Stage == FaultSpec.Transport);

    public string CallId => _inner.CallId;

    public string Transport => _inner.Transport;

    public MediaFormat InboundFormat => _inner.InboundFormat;

    public MediaFormat OutboundFormat => _inner.OutboundFormat;

    public ChannelReader<InboundEvent> Inbound => _inbound.Reader;

    public string? From => _inner.From;

    public string? To => _inner.To;

    public string? ProviderCallId => _inner.ProviderCallId;

    public long FramesDropped => Interlocked.Read(ref _dropped);

    public long FramesDuplicated => Interlocked.Read(ref _duplicated);

    public ValueTask SendAsync(OutboundCommand command, CancellationToken cancellationToken = default) => _inner.SendAsync(command, cancellationToken);

    private async Task PumpAsync()
    {
        InboundMedia? held = null;
        var writer = _inbound.Writer;
        try
        {
            await foreach (var inbound in _inner.Inbound.ReadAllAsync().ConfigureAwait(false))
            {
                if (inbound is not InboundMedia media)
                {
                    writer.TryWrite(inbound);
                    continue;
                }

                var fault = _faults.Next();
                switch (fault.Kind)
                {
                    case Configuration.FaultKind.Drop:
                        Interlocked.Increment(ref _dropped);
                        writer.TryWrite(new TransportProblem("chaos-drop", "an inbound media packet was dropped on purpose"));
                        continue;
                    case Configuration.FaultKind.Duplicate:
                        Interlocked.Increment(ref _duplicated);
                        writer.TryWrite(media);
                        writer.TryWrite(media with { });
                        writer.TryWrite(new TransportProblem("chaos-duplicate", "an inbound media packet was duplicated on purpose"));
                        continue;
                    case Configuration.FaultKind.Reorder when held is null:
                        held = media;
                        writer.TryWrite(new TransportProblem("chaos-reorder", "an inbound media packet was swapped with the next on purpose"));
                        continue;
                    case Configuration.FaultKind.Close:
                        writer.TryWrite(new TransportProblem("chaos-close", "the connection was cut on purpose"));
                        writer.TryWrite(new CallerHungUp("transport closed abruptly (chaos)"));
                        await _inner.SendAsync(new HangUp("chaos: abrupt close")).ConfigureAwait(false);
                        return;
                }

                writer.TryWrite(media);
                if (held is not null)
                {
                    writer.TryWrite(held);
                    held = null;
                }
            }
        }
        finally
        {
            if (held is not null)
            {
                writer.TryWrite(held);
            }

            writer.TryComplete();
        }
    }
}
