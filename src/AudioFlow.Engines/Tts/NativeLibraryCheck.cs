using System.Runtime.InteropServices;

namespace AudioFlow.Engines.Tts;

/// <summary>Fails early, with an actionable message, when a native library can't be loaded.</summary>
internal static class NativeLibraryCheck
{
    /// <summary>
    /// Loads <paramref name="library"/> (a soname searched like <c>dlopen</c> does) and keeps it loaded
    /// for the process lifetime; throws <see cref="SpeechSynthesisException"/> naming the library and the
    /// apt packages that provide it when it can't be loaded.
    /// </summary>
    public static void Require(string engine, string library, string aptPackages)
    {
        if (!NativeLibrary.TryLoad(library, out _))
        {
            throw new SpeechSynthesisException(
                $"{engine}: the native library '{library}' could not be loaded. " +
                $"Install it with `apt-get install {aptPackages}`.");
        }
    }

    /// <summary>Wraps a failed P/Invoke binding (library or symbol missing) in the same kind of message.</summary>
    public static SpeechSynthesisException BindingFailed(string engine, string library, string aptPackages, Exception inner) =>
        new($"{engine}: calling into '{library}' failed ({inner.Message}). " +
            $"Install a matching version with `apt-get install {aptPackages}`.", inner);
}
