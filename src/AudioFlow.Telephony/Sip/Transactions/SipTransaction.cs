using AudioFlow.Telephony.Sip.Messages;
using AudioFlow.Telephony.Sip.Transport;

namespace AudioFlow.Telephony.Sip.Transactions;

/// <summary>
/// States of the four RFC 3261 §17 machines, with RFC 6026's Accepted. INVITE client: Calling, Proceeding,
/// Accepted (2xx) or Completed (non-2xx), Terminated. INVITE server: Proceeding, Accepted (2xx) or Completed
/// (non-2xx) then Confirmed (ACK), Terminated. Non-INVITE client and server: Trying, Proceeding, Completed,
/// Terminated.
/// </summary>
public enum SipTransactionState
{
    Calling,
    Trying,
    Proceeding,
    Completed,
    Confirmed,
    Accepted,
    Terminated,
}

/// <summary>
/// Common part of the four transaction kinds. All state changes happen under the layer's lock; the public members
/// may be read from any thread.
/// </summary>
public abstract class SipTransaction
{
    private readonly Dictionary<string, SipTimerHandle> _timers = new(StringComparer.Ordinal);

    private protected SipTransaction(SipTransactionLayer layer, string key, SipRequest request, SipTransportKind transport)
    {
        Layer = layer;
        Key = key;
        Request = request;
        Transport = transport;
        Method = request.Method;
        Branch = request.TopVia?.Branch ?? "";
    }

    public SipTransactionLayer Layer { get; }

    /// <summary>The matching key (§17.1.3 / §17.2.3): branch, sent-by (server side) and method.</summary>
    public string Key { get; }

    /// <summary>The request that created the transaction (the INVITE, the OPTIONS...).</summary>
    public SipRequest Request { get; }

    public string Method { get; }

    public string Branch { get; }

    public SipTransportKind Transport { get; }

    /// <summary>Over TCP no retransmissions happen and the wait timers D, I, J, K are zero (§17).</summary>
    public bool IsReliable => Transport.IsReliable();

    public bool IsInvite => Method == "INVITE";

    public abstract bool IsServer { get; }

    public SipTransactionState State { get; private protected set; }

    /// <summary>Why it terminated ("timer H", "ACK received", "transport error"...), null while alive.</summary>
    public string? TerminationReason { get; private set; }

    public bool IsTerminated => State == SipTransactionState.Terminated;

    private protected SipTimerSettings Timers => Layer.Timers;

    /// <summary>(Re)starts a named timer; the callback runs under the layer lock unless the timer was stopped first.</summary>
    private protected void StartTimer(string name, TimeSpan due, Action onFire)
    {
        StopTimer(name);
        if (IsTerminated)
        {
            return;
        }

        _timers[name] = Layer.Schedule(due, () =>
        {
            _timers.Remove(name);
            if (!IsTerminated)
            {
                onFire();
            }
        });
    }

    private protected void StopTimer(string name)
    {
        if (_timers.Remove(name, out var handle))
        {
            handle.Cancel();
        }
    }

    /// <summary>Names of the timers running now (tests).</summary>
    internal IReadOnlyCollection<string> RunningTimers => _timers.Keys;

    /// <summary>Waits <paramref name="delay"/> before terminating, or terminates now when it is zero (reliable transports).</summary>
    private protected void TerminateAfter(string timer, TimeSpan delay, string reason)
    {
        if (delay <= TimeSpan.Zero)
        {
            Terminate(reason);
        }
        else
        {
            StartTimer(timer, delay, () => Terminate(reason));
        }
    }

    internal void Terminate(string reason)
    {
        if (IsTerminated)
        {
            return;
        }

        foreach (var handle in _timers.Values)
        {
            handle.Cancel();
        }

        _timers.Clear();
        State = SipTransactionState.Terminated;
        TerminationReason = reason;
        Layer.Remove(this);
        OnTerminated();
    }

    private protected virtual void OnTerminated()
    {
    }

    public override string ToString() => $"{(IsServer ? "server" : "client")} {Method} {Branch} [{State}]";
}
