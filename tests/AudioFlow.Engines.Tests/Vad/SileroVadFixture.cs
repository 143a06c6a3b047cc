using AudioFlow.Engines.Vad;
using Xunit;

namespace AudioFlow.Engines.Tests.Vad;

/// <summary>One loaded Silero model shared by the VAD test classes (loading takes a few tens of milliseconds).</summary>
public sealed class SileroVadFixture : IDisposable
{
    public SileroVadFixture()
    {
        Model = new SileroVadModel(VadTestPaths.RequireSileroModel());
    }

    public SileroVadModel Model { get; }

    public void Dispose() => Model.Dispose();
}

[CollectionDefinition(Name)]
public sealed class SileroVadCollection : ICollectionFixture<SileroVadFixture>
{
    public const string Name = "Silero VAD model";
}
