using System.Runtime.InteropServices;

namespace AudioFlow.Engines.Tts.Espeak;

/// <summary>
/// P/Invoke declarations for the eSpeak NG 1.51 C API (<c>libespeak-ng.so.1</c>, header
/// /usr/include/espeak-ng/speak_lib.h). Only what <see cref="EspeakSynthesizer"/> needs. The library keeps
/// all its state in process globals — see <see cref="EspeakEngine"/> for how that is handled.
/// </summary>
internal static unsafe class EspeakNative
{
    public const string Library = "libespeak-ng.so.1";

    /// <summary>Debian packages that provide the library and its data.</summary>
    public const string AptPackages = "libespeak-ng1 espeak-ng-data";

    /// <summary>espeak_AUDIO_OUTPUT: like RETRIEVAL, but espeak_Synth returns only when synthesis is complete.</summary>
    public const int AudioOutputSynchronous = 2;

    /// <summary>espeakINITIALIZE_DONT_EXIT: don't call exit() when the data can't be loaded.</summary>
    public const int InitializeDontExit = 0x8000;

    /// <summary>espeak_POSITION_TYPE POS_CHARACTER.</summary>
    public const int PositionCharacter = 1;

    /// <summary>espeakCHARS_UTF8.</summary>
    public const uint CharsUtf8 = 1;

    /// <summary>espeakENDPAUSE: add a sentence pause at the end of the text (as the CLI does).</summary>
    public const uint EndPause = 0x1000;

    /// <summary>espeak_ERROR EE_OK.</summary>
    public const int Ok = 0;

    /// <summary>espeak_ERROR EE_NOT_FOUND.</summary>
    public const int NotFound = 2;

    /// <summary>espeak_PARAMETER espeakRATE: words per minute, 80..450.</summary>
    public const int ParameterRate = 1;

    /// <summary>espeak_PARAMETER espeakPITCH: base pitch, 0..100, 50 normal.</summary>
    public const int ParameterPitch = 3;

    /// <summary>int espeak_Initialize(espeak_AUDIO_OUTPUT output, int buflength, const char *path, int options) — returns the sample rate or -1.</summary>
    [DllImport(Library, EntryPoint = "espeak_Initialize")]
    public static extern int Initialize(int output, int bufferLengthMs, byte* path, int options);

    /// <summary>void espeak_SetSynthCallback(t_espeak_callback *cb), where int cb(short *wav, int numsamples, espeak_EVENT *events) returns 1 to abort.</summary>
    [DllImport(Library, EntryPoint = "espeak_SetSynthCallback")]
    public static extern void SetSynthCallback(delegate* unmanaged[Cdecl]<short*, int, IntPtr, int> callback);

    /// <summary>espeak_ERROR espeak_SetVoiceByName(const char *name).</summary>
    [DllImport(Library, EntryPoint = "espeak_SetVoiceByName")]
    public static extern int SetVoiceByName(byte* name);

    /// <summary>
    /// espeak_VOICE (speak_lib.h) as a selection criterion: const char *name; const char *languages;
    /// const char *identifier; unsigned char gender, age, variant, xx1; int score; void *spare.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct VoiceSpec
    {
        public byte* Name;
        public byte* Languages;
        public byte* Identifier;
        public byte Gender;
        public byte Age;
        public byte Variant;
        public byte Reserved;
        public int Score;
        public IntPtr Spare;
    }

    /// <summary>espeak_ERROR espeak_SetVoiceByProperties(espeak_VOICE *voice_spec) — picks the best voice for a language.</summary>
    [DllImport(Library, EntryPoint = "espeak_SetVoiceByProperties")]
    public static extern int SetVoiceByProperties(VoiceSpec* voiceSpec);

    /// <summary>espeak_ERROR espeak_SetParameter(espeak_PARAMETER parameter, int value, int relative).</summary>
    [DllImport(Library, EntryPoint = "espeak_SetParameter")]
    public static extern int SetParameter(int parameter, int value, int relative);

    /// <summary>
    /// espeak_ERROR espeak_Synth(const void *text, size_t size, unsigned int position, espeak_POSITION_TYPE
    /// position_type, unsigned int end_position, unsigned int flags, unsigned int *unique_identifier, void *user_data).
    /// </summary>
    [DllImport(Library, EntryPoint = "espeak_Synth")]
    public static extern int Synth(byte* text, nuint size, uint position, int positionType, uint endPosition, uint flags, uint* uniqueIdentifier, IntPtr userData);

    /// <summary>const char *espeak_Info(const char **path_data) — version string; writes the data directory in use.</summary>
    [DllImport(Library, EntryPoint = "espeak_Info")]
    public static extern byte* Info(byte** pathData);

    /// <summary>
    /// espeak_ERROR espeak_Terminate(void). Declared for completeness but deliberately never called: the
    /// engine is initialised once per process and eSpeak NG does not reliably survive re-initialisation.
    /// </summary>
    [DllImport(Library, EntryPoint = "espeak_Terminate")]
    public static extern int Terminate();
}
