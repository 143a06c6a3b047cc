using Xunit;

namespace AudioFlow.Telephony.Tests;

/// <summary>
/// Tests that measure real-time media behaviour (RTP pacing, jitter-buffer playout) against
/// packets sent on a 20 ms schedule: they run alone, after the parallel ones, so that the rest of the suite
/// competing for the cores does not make the test's own sending irregular.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealTimeCollection
{
    public const string Name = "real-time media";
}
