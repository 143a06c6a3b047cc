using System.Collections.Concurrent;

namespace AudioFlow.Engines.Stt.Sphinx;

/// <summary>
/// A bounded pool of decoders shared by all calls. At most <see cref="Size"/> decoders exist; they are
/// created on demand (each load takes ~0.3 s and ~95 MB) and reused. A caller that finds all of them
/// busy waits for one to be returned (cancellable).
/// </summary>
internal sealed class SphinxDecoderPool : IDisposable
{
    private readonly Func<SphinxDecoder> _factory;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentBag<SphinxDecoder> _idle = new();
    private int _created;
    private volatile bool _disposed;

    public SphinxDecoderPool(int size, Func<SphinxDecoder> factory)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        Size = size;
        _factory = factory;
        _slots = new SemaphoreSlim(size, size);
    }

    public int Size { get; }

    /// <summary>Decoders created so far (never more than <see cref="Size"/> alive at once).</summary>
    public int Created => Volatile.Read(ref _created);

    /// <summary>Adds an already created decoder (e.g. the one loaded eagerly to validate the configuration).</summary>
    public void Seed(SphinxDecoder decoder)
    {
        Interlocked.Increment(ref _created);
        _idle.Add(decoder);
    }

    /// <summary>Borrows a decoder, creating one if none is idle; waits while all are in use.</summary>
    public Lease Rent(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _slots.Wait(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_idle.TryTake(out var decoder))
            {
                decoder = _factory();
                Interlocked.Increment(ref _created);
            }

            return new Lease(this, decoder);
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    private void Return(SphinxDecoder decoder, bool healthy)
    {
        if (healthy && !_disposed)
        {
            _idle.Add(decoder);
        }
        else
        {
            decoder.Dispose();
        }

        // Dispose may have drained the bag while the decoder was out: drain again.
        if (_disposed)
        {
            DrainIdle();
        }

        _slots.Release();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        DrainIdle();
    }

    private void DrainIdle()
    {
        while (_idle.TryTake(out var decoder))
        {
            decoder.Dispose();
        }
    }

    /// <summary>A borrowed decoder; disposing returns it (or discards it when marked <see cref="Poison"/>ed).</summary>
    public sealed class Lease : IDisposable
    {
        private readonly SphinxDecoderPool _pool;
        private SphinxDecoder? _decoder;
        private bool _healthy = true;

        internal Lease(SphinxDecoderPool pool, SphinxDecoder decoder)
        {
            _pool = pool;
            _decoder = decoder;
        }

        public SphinxDecoder Decoder => _decoder ?? throw new ObjectDisposedException(nameof(Lease));

        /// <summary>The decoder may be in an unknown state (native failure): destroy it instead of reusing it.</summary>
        public void Poison() => _healthy = false;

        public void Dispose()
        {
            var decoder = Interlocked.Exchange(ref _decoder, null);
            if (decoder is not null)
            {
                _pool.Return(decoder, _healthy);
            }
        }
    }
}
