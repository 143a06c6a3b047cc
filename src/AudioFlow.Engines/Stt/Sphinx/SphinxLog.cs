using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace AudioFlow.Engines.Stt.Sphinx;

/// <summary>
/// Takes over sphinxbase's process-wide logging so pocketsphinx stops writing dozens of INFO lines per
/// decoder and per utterance to stderr, while warnings and errors stay available for diagnostics:
/// <list type="bullet">
/// <item>INFO / DEBUG messages are dropped without formatting;</item>
/// <item>WARN / ERROR / FATAL messages go to a small process-wide ring buffer (<see cref="RecentErrors"/>)
/// and to the <see cref="Capture"/> scope active on the calling thread (pocketsphinx logs synchronously on
/// the thread that called into it), so a failure can quote exactly what the library said.</item>
/// </list>
/// Implementation note: the callback type is variadic (<c>void cb(void*, err_lvl_t, const char *fmt, ...)</c>),
/// but sphinxbase 5prealpha formats the message itself and then calls the callback with one of a few fixed
/// formats ("%s", "%s: %s(%ld): %s", "%s: \"%s\", line %ld: %s", ...) whose arguments are all pointers or
/// longs. On the System V x86-64 and Linux AArch64 ABIs such variadic integer arguments are passed exactly
/// like named ones, so a fixed-arity callback reads them safely; we only format %s/%d/%ld and quote the
/// raw format otherwise. On other platforms logging is simply switched off (<c>err_set_logfp(NULL)</c>).
/// </summary>
internal static unsafe class SphinxLog
{
    private const int RingCapacity = 64;
    private static readonly ConcurrentQueue<string> Ring = new();
    private static readonly object InstallLock = new();
    private static bool _installed;

    [ThreadStatic]
    private static List<string>? _threadCapture;

    /// <summary>The last warnings and errors pocketsphinx reported in this process (oldest first).</summary>
    public static IReadOnlyList<string> RecentErrors => Ring.ToArray();

    /// <summary>Whether messages are captured (false: logging is merely silenced on this platform).</summary>
    public static bool CapturesMessages { get; private set; }

    /// <summary>Installs the callback once per process. The libraries must be loadable.</summary>
    public static void EnsureInstalled()
    {
        if (Volatile.Read(ref _installed))
        {
            return;
        }

        lock (InstallLock)
        {
            if (_installed)
            {
                return;
            }

            var abiOk = OperatingSystem.IsLinux()
                && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;
            if (abiOk)
            {
                delegate* unmanaged[Cdecl]<IntPtr, int, byte*, nint, nint, nint, nint, void> callback = &OnMessage;
                SphinxNative.ErrSetCallback((IntPtr)callback, IntPtr.Zero);
                CapturesMessages = true;
            }

            // Some output (the argument dump of cmd_ln_parse_r) is written straight to the log FILE*:
            // NULL disables it without touching the callback.
            SphinxNative.ErrSetLogFile(IntPtr.Zero);

            Volatile.Write(ref _installed, true);
        }
    }

    /// <summary>Collects the warnings/errors logged on this thread until disposed.</summary>
    public static CaptureScope Capture()
    {
        var previous = _threadCapture;
        _threadCapture = new List<string>();
        return new CaptureScope(previous);
    }

    public readonly struct CaptureScope : IDisposable
    {
        private readonly List<string>? _previous;

        internal CaptureScope(List<string>? previous) => _previous = previous;

        /// <summary>Messages captured so far in this scope.</summary>
        public IReadOnlyList<string> Messages => _threadCapture ?? (IReadOnlyList<string>)Array.Empty<string>();

        /// <summary>Messages as one line for an exception message ("" when none).</summary>
        public string Describe()
        {
            var messages = Messages;
            return messages.Count == 0 ? string.Empty : " pocketsphinx said: " + string.Join(" | ", messages);
        }

        public void Dispose()
        {
            var inner = _threadCapture;
            _threadCapture = _previous;
            if (_previous is not null && inner is not null)
            {
                _previous.AddRange(inner);
            }
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnMessage(IntPtr userData, int level, byte* format, nint a0, nint a1, nint a2, nint a3)
    {
        try
        {
            if (level < (int)SphinxNative.ErrorLevel.Warn || format == null)
            {
                return;
            }

            var text = Format(format, a0, a1, a2, a3).Trim();
            if (text.Length == 0)
            {
                return;
            }

            Ring.Enqueue(text);
            while (Ring.Count > RingCapacity && Ring.TryDequeue(out _))
            {
            }

            _threadCapture?.Add(text);
        }
        catch
        {
            // Never let an exception unwind into native code.
        }
    }

    /// <summary>A tiny printf for the fixed formats sphinxbase uses: %s, %d, %ld, %%; anything else ends formatting.</summary>
    private static string Format(byte* format, nint a0, nint a1, nint a2, nint a3)
    {
        var fmt = Marshal.PtrToStringUTF8((IntPtr)format) ?? string.Empty;
        Span<nint> args = [a0, a1, a2, a3];
        var next = 0;
        var sb = new StringBuilder(fmt.Length + 64);
        for (var i = 0; i < fmt.Length; i++)
        {
            var c = fmt[i];
            if (c != '%')
            {
                sb.Append(c);
                continue;
            }

            if (i + 1 < fmt.Length && fmt[i + 1] == '%')
            {
                sb.Append('%');
                i++;
                continue;
            }

            var j = i + 1;
            var isLong = false;
            while (j < fmt.Length && fmt[j] == 'l')
            {
                isLong = true;
                j++;
            }

            if (j >= fmt.Length || next >= args.Length || (fmt[j] != 's' && fmt[j] != 'd'))
            {
                sb.Append(fmt, i, fmt.Length - i);
                break;
            }

            var arg = args[next++];
            if (fmt[j] == 's')
            {
                sb.Append(arg == 0 ? "(null)" : Marshal.PtrToStringUTF8(arg));
            }
            else
            {
                sb.Append(isLong ? (long)arg : (int)arg);
            }

            i = j;
        }

        return sb.ToString();
    }
}
