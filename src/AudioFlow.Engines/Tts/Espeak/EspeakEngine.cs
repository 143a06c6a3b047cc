using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AudioFlow.Engines.Tts.Espeak;

/// <summary>
/// The one eSpeak NG engine of the process. eSpeak NG keeps everything — data, the selected voice, rate
/// and pitch, the synthesis callback, the wave generator — in C globals, so:
/// <list type="bullet">
/// <item>it is initialised once per process (first <see cref="EspeakSynthesizer"/>) and never terminated
/// (eSpeak NG does not reliably survive <c>espeak_Terminate</c> followed by a new <c>espeak_Initialize</c>);
/// the data directory is therefore fixed by the first initialisation;</item>
/// <item>every call into it is serialised by <see cref="Gate"/>, and each synthesis re-applies the voice,
/// rate and pitch of the synthesiser making it, so instances with different options can coexist;</item>
/// <item>the synthesis callback is a static <see cref="UnmanagedCallersOnlyAttribute"/> method (a plain
/// function pointer: no delegate that the GC could collect), registered once; it appends to the buffer of
/// the one call in progress.</item>
/// </list>
/// Consequence: synthesis never runs in parallel, whatever the number of synthesisers. eSpeak NG is fast
/// (hundreds of times real time), so this is rarely the bottleneck. Its wave generator also carries state
/// from one synthesis to the next (pitch flutter phase and the like), so the same sentence can differ by a
/// few samples between calls; only the first synthesis of a process is bit-identical to the CLI.
/// </summary>
internal static unsafe class EspeakEngine
{
    /// <summary>Serialises every call into libespeak-ng.</summary>
    public static readonly Lock Gate = new();

    private const string EngineName = "espeak-ng";

    private static bool s_initialized;
    private static int s_sampleRate;
    private static string? s_dataDirectory;
    private static string? s_appliedVoice;
    private static CallState? s_current;

    /// <summary>
    /// Initialises the engine if this is the first use in the process and returns its sample rate.
    /// <paramref name="dataPath"/> is the espeak-ng-data directory or its parent (null: the library default).
    /// </summary>
    public static int EnsureInitialized(string? dataPath)
    {
        string? requestedDataDirectory = dataPath is null ? null : ResolveDataDirectory(dataPath);
        lock (Gate)
        {
            if (!s_initialized)
            {
                Initialize(requestedDataDirectory);
            }
            else if (requestedDataDirectory is not null && !SameDirectory(requestedDataDirectory, s_dataDirectory!))
            {
                throw new SpeechSynthesisException(
                    $"{EngineName}: the engine is process-global and was already initialised with data from " +
                    $"'{s_dataDirectory}'; it can't also use '{requestedDataDirectory}'.");
            }

            return s_sampleRate;
        }
    }

    /// <summary>Selects <paramref name="voice"/> now, to report an unknown voice when a synthesiser is created.</summary>
    public static void ValidateVoice(string voice)
    {
        lock (Gate)
        {
            ApplyVoice(voice);
        }
    }

    /// <summary>Synthesises <paramref name="text"/> (already cleaned, not empty) with the given settings.</summary>
    public static short[] Synthesize(string text, string voice, int rateWpm, int pitch, CancellationToken cancellationToken)
    {
        byte[] utf8 = TtsText.ToNullTerminatedUtf8(text);
        var call = new CallState(cancellationToken, (int)Math.Min(1 << 20, text.Length * 2000L));
        int result;
        CancellableLock.Enter(Gate, cancellationToken);
        try
        {
            ApplyVoice(voice);
            EspeakNative.SetParameter(EspeakNative.ParameterRate, rateWpm, 0);
            EspeakNative.SetParameter(EspeakNative.ParameterPitch, pitch, 0);

            s_current = call;
            try
            {
                fixed (byte* p = utf8)
                {
                    result = EspeakNative.Synth(
                        p, (nuint)utf8.Length, 0, EspeakNative.PositionCharacter, 0,
                        EspeakNative.CharsUtf8 | EspeakNative.EndPause, null, IntPtr.Zero);
                }
            }
            finally
            {
                s_current = null;
            }
        }
        finally
        {
            Gate.Exit();
        }

        if (call.Aborted)
        {
            throw new OperationCanceledException("Speech synthesis was cancelled.", cancellationToken);
        }

        if (call.Failure is not null)
        {
            throw new SpeechSynthesisException($"{EngineName}: collecting synthesised audio failed.", call.Failure);
        }

        if (result != EspeakNative.Ok)
        {
            throw new SpeechSynthesisException($"{EngineName}: espeak_Synth failed with error {result}.");
        }

        return call.Samples.WrittenSpan.ToArray();
    }

    private static void Initialize(string? dataDirectory)
    {
        NativeLibraryCheck.Require(EngineName, EspeakNative.Library, EspeakNative.AptPackages);
        try
        {
            int sampleRate;
            byte[]? path = dataDirectory is null ? null : TtsText.ToNullTerminatedUtf8(dataDirectory);
            fixed (byte* p = path)
            {
                sampleRate = EspeakNative.Initialize(
                    EspeakNative.AudioOutputSynchronous, 0, p, EspeakNative.InitializeDontExit);
            }

            byte* dataPathInUse = null;
            EspeakNative.Info(&dataPathInUse);
            string? dataInUse = dataPathInUse is null ? null : Marshal.PtrToStringUTF8((IntPtr)dataPathInUse);
            if (sampleRate <= 0 || dataInUse is null || !File.Exists(Path.Combine(dataInUse, "phontab")))
            {
                throw new SpeechSynthesisException(
                    $"{EngineName}: the voice data could not be loaded (data directory " +
                    $"'{dataInUse ?? dataDirectory ?? "default"}'). Install it with " +
                    $"`apt-get install {EspeakNative.AptPackages}` or set the data path to a directory containing espeak-ng-data.");
            }

            EspeakNative.SetSynthCallback(&OnSynthesized);
            s_sampleRate = sampleRate;
            s_dataDirectory = dataInUse;
            s_initialized = true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw NativeLibraryCheck.BindingFailed(EngineName, EspeakNative.Library, EspeakNative.AptPackages, e);
        }
    }

    /// <summary>Must hold <see cref="Gate"/>.</summary>
    private static void ApplyVoice(string voice)
    {
        if (voice == s_appliedVoice)
        {
            return;
        }

        s_appliedVoice = null;
        int result;
        fixed (byte* name = TtsText.ToNullTerminatedUtf8(voice))
        {
            result = EspeakNative.SetVoiceByName(name);
            if (result == EspeakNative.NotFound && !voice.Contains('+'))
            {
                // Not a voice file name (e.g. "en-gb", whose file is gmw/en): select the best voice for
                // that language, as the espeak-ng CLI does for -v.
                var spec = new EspeakNative.VoiceSpec { Languages = name };
                result = EspeakNative.SetVoiceByProperties(&spec);
            }
        }

        if (result != EspeakNative.Ok)
        {
            string why = result == EspeakNative.NotFound ? "was not found" : $"could not be loaded (error {result})";
            throw new SpeechSynthesisException(
                $"{EngineName}: the voice '{voice}' {why} in '{s_dataDirectory}'. Use a name listed by " +
                $"`espeak-ng --voices` (e.g. en-us, en-gb, de, fr); voices ship in `apt-get install {EspeakNative.AptPackages}`.");
        }

        s_appliedVoice = voice;
    }

    private static string ResolveDataDirectory(string dataPath)
    {
        string full = Path.GetFullPath(dataPath);
        foreach (string candidate in new[] { Path.Combine(full, "espeak-ng-data"), full })
        {
            if (File.Exists(Path.Combine(candidate, "phontab")))
            {
                return candidate;
            }
        }

        throw new SpeechSynthesisException(
            $"{EngineName}: '{full}' is not an espeak-ng-data directory (no phontab in it or in its espeak-ng-data " +
            $"subdirectory). Install the data with `apt-get install {EspeakNative.AptPackages}` or fix the data path.");
    }

    private static bool SameDirectory(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)),
            Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)), StringComparison.Ordinal);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int OnSynthesized(short* samples, int count, IntPtr events)
    {
        CallState? call = s_current;
        if (call is null)
        {
            return 0;
        }

        try
        {
            if (samples is not null && count > 0)
            {
                call.Samples.Write(new ReadOnlySpan<short>(samples, count));
            }

            if (call.CancellationToken.IsCancellationRequested)
            {
                call.Aborted = true;
                return 1;
            }

            return 0;
        }
        catch (Exception e)
        {
            // An exception must not unwind into C.
            call.Failure = e;
            return 1;
        }
    }

    private sealed class CallState(CancellationToken cancellationToken, int initialCapacity)
    {
        public CancellationToken CancellationToken { get; } = cancellationToken;

        public ArrayBufferWriter<short> Samples { get; } = new(Math.Max(initialCapacity, 4096));

        public bool Aborted { get; set; }

        public Exception? Failure { get; set; }
    }
}
