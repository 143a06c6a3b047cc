namespace AudioFlow.Telephony.Sip.Transactions;

/// <summary>One scheduled timer of the layer. Cancel and fire both happen under the layer lock, so a cancelled timer never fires.</summary>
internal sealed class SipTimerHandle(HashSet<SipTimerHandle> pending)
{
    public ITimer? Timer { get; set; }

    public bool IsDone { get; private set; }

    /// <summary>True the first time: the caller may run the callback.</summary>
    public bool TryFire()
    {
        if (IsDone)
        {
            return false;
        }

        IsDone = true;
        pending.Remove(this);
        Timer?.Dispose();
        return true;
    }

    public void Cancel()
    {
        IsDone = true;
        pending.Remove(this);
        Timer?.Dispose();
    }
}
