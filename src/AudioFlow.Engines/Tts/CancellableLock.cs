namespace AudioFlow.Engines.Tts;

/// <summary>Entering a <see cref="Lock"/> while still observing a cancellation token.</summary>
internal static class CancellableLock
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Enters <paramref name="gate"/>; while another caller holds it, gives up with
    /// <see cref="OperationCanceledException"/> (within ~10 ms) once <paramref name="cancellationToken"/> is
    /// cancelled. The caller must <see cref="Lock.Exit"/> in a finally block.
    /// </summary>
    public static void Enter(Lock gate, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!cancellationToken.CanBeCanceled)
        {
            gate.Enter();
            return;
        }

        while (!gate.TryEnter(Poll))
        {
            cancellationToken.ThrowIfCancellationRequested();
        }
    }
}
