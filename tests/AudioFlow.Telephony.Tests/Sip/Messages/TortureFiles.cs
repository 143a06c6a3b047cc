using System.Runtime.CompilerServices;
using System.Text;
using AudioFlow.Telephony.Sip.Messages;
using Xunit;

namespace AudioFlow.Telephony.Tests.Sip.Messages;

/// <summary>
/// Locates the RFC 4475 messages in <c>Torture/</c> beside this source file (the files are test data, not copied
/// to the output): first through the compile-time path of this file, then by walking up from the test binaries.
/// </summary>
internal static class TortureFiles
{
    private static readonly Lazy<string> Dir = new(() => Locate());

    public static string Directory => Dir.Value;

    public static byte[] Read(string name) => File.ReadAllBytes(Path.Combine(Directory, name + ".dat"));

    public static IEnumerable<string> AllNames() =>
        System.IO.Directory.GetFiles(Directory, "*.dat").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!;

    public static SipMessage ParseValid(string name)
    {
        var ok = SipParser.TryParse(Read(name), out var message, out var error);
        Assert.True(ok, $"{name} should parse: {error}");
        return message!;
    }

    public static SipParseError ParseInvalid(string name) => ParseInvalid(Read(name), name);

    public static SipParseError ParseInvalid(byte[] bytes, string name)
    {
        var ok = SipParser.TryParse(bytes, out _, out var error);
        Assert.False(ok, $"{name} should be rejected");
        Assert.NotNull(error);
        Assert.NotEqual(SipParseErrorKind.InternalError, error!.Kind);
        return error;
    }

    public static byte[] Ascii(string text) => Encoding.UTF8.GetBytes(text);

    private static string Locate([CallerFilePath] string thisFile = "")
    {
        var beside = Path.Combine(Path.GetDirectoryName(thisFile) ?? "", "Torture");
        if (System.IO.Directory.Exists(beside))
        {
            return beside;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "AudioFlow.Telephony.Tests", "Sip", "Messages", "Torture");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("RFC 4475 torture messages (tests/AudioFlow.Telephony.Tests/Sip/Messages/Torture) not found.");
    }
}
