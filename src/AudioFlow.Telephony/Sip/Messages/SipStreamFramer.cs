namespace AudioFlow.Telephony.Sip.Messages;

public enum SipFrameKind
{
    /// <summary>A complete, valid message.</summary>
    Message,

    /// <summary>An RFC 5626 keep-alive ping (CRLFCRLF): the transport should answer with a pong (one CRLF).</summary>
    KeepAlive,

    /// <summary>A message that was framed but does not parse, or a framing error (then the framer is faulted).</summary>
    Error,
}

/// <summary>What <see cref="SipStreamFramer.TryReadFrame"/> produced.</summary>
public readonly record struct SipFrame(SipFrameKind Kind, SipMessage? Message = null, SipParseError? Error = null);

/// <summary>
/// Splits a byte stream (TCP, TLS) into SIP messages (RFC 3261 §18.3): the header section ends at the first empty
/// line and Content-Length, required here, gives the body size. CRLF keep-alives between messages are consumed
/// (RFC 5626 §3.5.1: a double CRLF ping is reported so it can be answered; a single CRLF pong is dropped).
/// <para>
/// An error in a well-framed message is reported and framing goes on. A framing error (no, malformed or
/// conflicting Content-Length, or a message over the size limit) faults the framer: the stream can no longer be
/// trusted and the connection should be closed (after a 400 when <see cref="SipParseError.CanRespond"/>).
/// A Content-Length beyond the bytes received simply waits for more data (RFC 4475 clerr over TCP); timing out is
/// the transport's business. Single-threaded.
/// </para>
/// </summary>
public sealed class SipStreamFramer(int maxMessageSize = SipParser.DefaultMaxMessageSize)
{
    private byte[] _buffer = new byte[4096];
    private int _start;
    private int _end;

    // Header-end scan resume point (absolute index of a line start), or -1 between messages.
    private int _scanLine = -1;

    // Total length of the current message once its header section and Content-Length are known.
    private int _pendingLength = -1;

    public int MaxMessageSize { get; } = maxMessageSize;

    public int BufferedBytes => _end - _start;

    /// <summary>True after a framing error: further data is ignored and no more frames are produced.</summary>
    public bool IsFaulted { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        if (IsFaulted || data.IsEmpty)
        {
            return;
        }

        if (_end + data.Length > _buffer.Length)
        {
            var buffered = _end - _start;
            if (buffered + data.Length > _buffer.Length)
            {
                var grown = new byte[Math.Max(_buffer.Length * 2, buffered + data.Length)];
                _buffer.AsSpan(_start, buffered).CopyTo(grown);
                _buffer = grown;
            }
            else
            {
                _buffer.AsSpan(_start, buffered).CopyTo(_buffer);
            }

            if (_scanLine >= 0)
            {
                _scanLine -= _start;
            }

            _start = 0;
            _end = buffered;
        }

        data.CopyTo(_buffer.AsSpan(_end));
        _end += data.Length;
    }

    /// <summary>Appends and returns every frame now complete.</summary>
    public IReadOnlyList<SipFrame> Push(ReadOnlySpan<byte> data)
    {
        Append(data);
        var frames = new List<SipFrame>();
        while (TryReadFrame(out var frame))
        {
            frames.Add(frame);
        }

        return frames;
    }

    /// <summary>Produces the next frame, or returns false when more data is needed (or the framer is faulted).</summary>
    public bool TryReadFrame(out SipFrame frame)
    {
        frame = default;
        if (IsFaulted)
        {
            return false;
        }

        if (_pendingLength < 0)
        {
            if (_scanLine < 0)
            {
                switch (SkipKeepAlives())
                {
                    case KeepAliveResult.Ping:
                        frame = new SipFrame(SipFrameKind.KeepAlive);
                        return true;
                    case KeepAliveResult.NeedMore:
                        return false;
                }

                _scanLine = _start;
            }

            var span = _buffer.AsSpan(0, _end);
            if (!SipParser.FindHeaderEnd(span, ref _scanLine, out var headerEnd, out var bodyStart))
            {
                if (BufferedBytes > MaxMessageSize)
                {
                    frame = Fault(new SipParseError(SipParseErrorKind.MessageTooLarge, "Message Too Large", 513));
                    return true;
                }

                return false;
            }

            if (!SipParser.TryReadContentLength(span[_start..headerEnd], out var contentLength, out _) || contentLength is null)
            {
                // Let the parser say why, with a partial request for a 400 where possible.
                SipParser.Parse(span[_start..bodyStart], stream: true, MaxMessageSize, out _, out var error);
                frame = Fault(error ?? new SipParseError(SipParseErrorKind.MissingContentLength, "Missing Content-Length"));
                return true;
            }

            var total = (long)(bodyStart - _start) + contentLength.Value;
            if (total > MaxMessageSize)
            {
                frame = Fault(new SipParseError(SipParseErrorKind.MessageTooLarge, "Message Too Large", 513));
                return true;
            }

            _pendingLength = (int)total;
        }

        if (BufferedBytes < _pendingLength)
        {
            return false;
        }

        var message = _buffer.AsSpan(_start, _pendingLength);
        frame = SipParser.Parse(message, stream: true, MaxMessageSize, out var parsed, out var parseError)
            ? new SipFrame(SipFrameKind.Message, parsed)
            : new SipFrame(SipFrameKind.Error, Error: parseError);
        Consume(_pendingLength);
        _pendingLength = -1;
        _scanLine = -1;
        return true;
    }

    private enum KeepAliveResult
    {
        MessageStart,
        Ping,
        NeedMore,
    }

    private KeepAliveResult SkipKeepAlives()
    {
        while (_start < _end)
        {
            var b = _buffer[_start];
            if (b != (byte)'\r' && b != (byte)'\n')
            {
                return KeepAliveResult.MessageStart;
            }

            var available = _end - _start;
            if (b == (byte)'\n')
            {
                Consume(1);
                continue;
            }

            // b == CR
            if (available < 2)
            {
                return KeepAliveResult.NeedMore;
            }

            if (_buffer[_start + 1] != (byte)'\n')
            {
                Consume(1);
                continue;
            }

            // CRLF: a pong, or the first half of a CRLFCRLF ping.
            if (available < 3 || (_buffer[_start + 2] == (byte)'\r' && available < 4))
            {
                return KeepAliveResult.NeedMore;
            }

            if (_buffer[_start + 2] == (byte)'\r' && _buffer[_start + 3] == (byte)'\n')
            {
                Consume(4);
                return KeepAliveResult.Ping;
            }

            Consume(2);
        }

        return KeepAliveResult.NeedMore;
    }

    private void Consume(int count)
    {
        _start += count;
        if (_start == _end)
        {
            _start = _end = 0;
        }
    }

    private SipFrame Fault(SipParseError error)
    {
        IsFaulted = true;
        _start = _end = 0;
        _pendingLength = -1;
        _scanLine = -1;
        return new SipFrame(SipFrameKind.Error, Error: error);
    }
}
