using System.Text;
using System.Text.Json.Nodes;
using AudioFlow.Telephony.Streams;
using AudioFlow.Telephony.Streams.Simulation;
using Xunit;

namespace AudioFlow.Telephony.Tests.Streams;

/// <summary>Malformed input of every kind comes out as a valid message or a <see cref="StreamProtocolException"/>, nothing else.</summary>
public sealed class StreamFuzzTests
{
    private const string Alphabet = "{}[]\":,\\ 0123456789abcdefAZ+/=-.eE\u00e9\ud83d\ude00\u0000\ntruefalsenull";

    private static void ProductSurvives(string dialect, string json)
    {
        var product = StreamDialects.Get(dialect);
        try
        {
            var message = product.Parse(json);
            Assert.NotNull(message);
            CheckInvariants(message);
        }
        catch (StreamProtocolException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
        }
    }

    private static void ProductSurvives(string dialect, byte[] utf8)
    {
        try
        {
            Assert.NotNull(StreamDialects.Get(dialect).Parse(utf8.AsMemory()));
        }
        catch (StreamProtocolException)
        {
        }
    }

    private static void ProviderSurvives(string dialect, string json)
    {
        try
        {
            Assert.NotNull(ProviderStreamDialects.Get(dialect).Parse(json));
        }
        catch (StreamProtocolException)
        {
        }
    }

    private static void CheckInvariants(StreamMessage message)
    {
        switch (message)
        {
            case StreamStarted s:
                Assert.False(string.IsNullOrEmpty(s.CallId));
                Assert.False(string.IsNullOrEmpty(s.StreamId));
                Assert.NotNull(s.Format);
                Assert.NotNull(s.Parameters);
                break;
            case StreamDtmf d:
                Assert.Contains(d.Digit, "0123456789*#ABCD");
                break;
            case StreamMedia m:
                Assert.NotNull(m.Payload);
                break;
            case StreamMarkAcknowledged a:
                Assert.False(string.IsNullOrEmpty(a.Name));
                break;
            case StreamUnknownEvent u:
                Assert.NotNull(u.Event);
                break;
        }
    }

    [Fact]
    public void Every_truncation_of_every_golden_message()
    {
        foreach (var (dialect, json) in Golden.Inbound)
            for (int length = 0; length < json.Length; length++)
                ProductSurvives(dialect, json[..length]);
        foreach (var (dialect, json) in Golden.Outbound)
            for (int length = 0; length < json.Length; length++)
                ProviderSurvives(dialect, json[..length]);
    }

    [Fact]
    public void Random_character_mutations()
    {
        var random = new Random(20240611);
        foreach (var (dialect, json) in Golden.Inbound)
            for (int i = 0; i < 600; i++)
                ProductSurvives(dialect, Mutate(json, random));
        foreach (var (dialect, json) in Golden.Outbound)
            for (int i = 0; i < 400; i++)
                ProviderSurvives(dialect, Mutate(json, random));
    }

    private static string Mutate(string json, Random random)
    {
        var text = new StringBuilder(json);
        int edits = random.Next(1, 4);
        for (int e = 0; e < edits; e++)
        {
            int at = random.Next(text.Length + 1);
            char c = Alphabet[random.Next(Alphabet.Length)];
            switch (random.Next(3))
            {
                case 0 when at < text.Length: text[at] = c; break;
                case 1 when at < text.Length: text.Remove(at, 1); break;
                default: text.Insert(at, c); break;
            }
        }
        return text.ToString();
    }

    private static readonly string[] Replacements =
        ["null", "0", "-1", "1.5", "1e400", "99999999999999999999", "\"\"", "\"x\"", "\"12\"", "true", "[]", "{}", "[{}]", "\"AA==\"", "\"\\u0000\"", "{\"a\":{\"b\":[1]}}"];

    [Fact]
    public void Every_value_replaced_by_every_other_kind()
    {
        foreach (var (dialect, json) in Golden.Inbound)
            foreach (var variant in ValueSwaps(json))
                ProductSurvives(dialect, variant);
        foreach (var (dialect, json) in Golden.Outbound)
            foreach (var variant in ValueSwaps(json))
                ProviderSurvives(dialect, variant);
    }

    /// <summary>For every value at every path of the message, the message with that value replaced by each of <see cref="Replacements"/>, and with it removed.</summary>
    private static IEnumerable<string> ValueSwaps(string json)
    {
        var root = JsonNode.Parse(json)!;
        foreach (var path in Paths(root, []))
        {
            foreach (var replacement in Replacements)
            {
                var copy = JsonNode.Parse(json)!;
                var (parent, key) = Locate(copy, path);
                // Splice the raw replacement in (it may not be representable as a JsonNode, e.g. 1e400).
                const string marker = "\"__FUZZ_MARKER__\"";
                Set(parent, key, JsonValue.Create("__FUZZ_MARKER__"));
                yield return copy.ToJsonString().Replace(marker, replacement);
            }
            var removed = JsonNode.Parse(json)!;
            var (p, k) = Locate(removed, path);
            if (p is JsonObject o) o.Remove((string)k);
            yield return removed.ToJsonString();
        }
    }

    private static IEnumerable<object[]> Paths(JsonNode node, object[] prefix)
    {
        if (node is JsonObject obj)
        {
            foreach (var (name, child) in obj)
            {
                object[] path = [.. prefix, name];
                yield return path;
                if (child is not null)
                    foreach (var deeper in Paths(child, path)) yield return deeper;
            }
        }
        else if (node is JsonArray array)
        {
            for (int i = 0; i < array.Count; i++)
            {
                object[] path = [.. prefix, i];
                yield return path;
                if (array[i] is { } child)
                    foreach (var deeper in Paths(child, path)) yield return deeper;
            }
        }
    }

    private static (JsonNode Parent, object Key) Locate(JsonNode root, object[] path)
    {
        var node = root;
        for (int i = 0; i < path.Length - 1; i++)
            node = path[i] is string name ? node[name]! : node[(int)path[i]]!;
        return (node, path[^1]);
    }

    private static void Set(JsonNode parent, object key, JsonNode? value)
    {
        if (key is string name) parent[name] = value;
        else parent[(int)key] = value;
    }

    [Fact]
    public void Random_bytes_and_random_text()
    {
        var random = new Random(99);
        foreach (var dialect in StreamDialects.Names)
        {
            for (int i = 0; i < 300; i++)
            {
                var bytes = new byte[random.Next(0, 200)];
                random.NextBytes(bytes);
                ProductSurvives(dialect, bytes);
                // Valid JSON skeleton with random bytes (often invalid UTF-8) inside the strings.
                var framed = Encoding.UTF8.GetBytes("{\"event\":\"media\",\"media\":{\"payload\":\"").Concat(bytes.Where(b => b != (byte)'"' && b != (byte)'\\'))
                    .Concat(Encoding.UTF8.GetBytes("\"}}")).ToArray();
                ProductSurvives(dialect, framed);
                var framedEvent = Encoding.UTF8.GetBytes("{\"event\":\"").Concat(bytes.Where(b => b != (byte)'"' && b != (byte)'\\'))
                    .Concat(Encoding.UTF8.GetBytes("\",\"name\":\"n\"}")).ToArray();
                ProductSurvives(dialect, framedEvent);
                var chars = new char[random.Next(0, 100)];
                for (int c = 0; c < chars.Length; c++) chars[c] = (char)random.Next(0, 0xFFFF);
                ProductSurvives(dialect, new string(chars));
                ProviderSurvives(dialect, new string(chars));
            }
        }
    }

    [Fact]
    public void Deep_nesting_is_a_protocol_error()
    {
        string deep = "{\"event\":\"media\",\"x\":" + new string('[', 5000) + new string(']', 5000) + ",\"media\":{\"payload\":\"AA==\"}}";
        foreach (var dialect in StreamDialects.Names)
        {
            Assert.Throws<StreamProtocolException>(() => StreamDialects.Get(dialect).Parse(deep));
            Assert.Throws<StreamProtocolException>(() => StreamDialects.Get(dialect).Parse(deep.Replace("\"media\",\"x\"", "\"start\",\"x\"")));
        }
    }
}

public sealed class StreamAllocationTests
{
    [Theory]
    [InlineData("plivo")]
    [InlineData("twilio")]
    [InlineData("telnyx")]
    public void Media_hot_path_allocates_little_beyond_its_results(string name)
    {
        var dialect = StreamDialects.Get(name);
        var provider = AudioFlow.Telephony.Streams.Simulation.ProviderStreamDialects.Get(name);
        var frame = new byte[160];
        string inbound = provider.Media("MZ0123456789abcdef0123456789abcdef", frame, 42, 41, 820);
        byte[] inboundUtf8 = Encoding.UTF8.GetBytes(inbound);
        for (int i = 0; i < 50; i++)
        {
            dialect.Parse(inbound);
            dialect.Parse(inboundUtf8.AsMemory());
            dialect.Media("MZ0123456789abcdef0123456789abcdef", frame, AudioFlow.Audio.Channel.MediaFormat.Pcmu8k);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) dialect.Parse(inbound);
        long parseString = (GC.GetAllocatedBytesForCurrentThread() - before) / 100;

        before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) dialect.Parse(inboundUtf8.AsMemory());
        long parseUtf8 = (GC.GetAllocatedBytesForCurrentThread() - before) / 100;

        before = GC.GetAllocatedBytesForCurrentThread();
        string outbound = "";
        for (int i = 0; i < 100; i++) outbound = dialect.Media("MZ0123456789abcdef0123456789abcdef", frame, AudioFlow.Audio.Channel.MediaFormat.Pcmu8k);
        long build = (GC.GetAllocatedBytesForCurrentThread() - before) / 100;

        // Results: the payload array (160 + header) and the StreamMedia record; the output string (2 bytes a char + header).
        Assert.True(parseUtf8 <= 300, $"parse (UTF-8) allocated {parseUtf8} bytes");
        Assert.True(parseString <= 300, $"parse (string) allocated {parseString} bytes");
        Assert.True(build <= outbound.Length * 2 + 64, $"build allocated {build} bytes for a {outbound.Length}-char message");
    }
}
