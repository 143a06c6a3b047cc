using System.Runtime.Serialization;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;

namespace AudioFlow.Pipeline.Journal;

/// <summary>
/// Stores call events as UTF-8 JSON with the event's type name as manifest: readable with any SQL client, stable
/// across refactorings of namespaces, and versionable (new optional fields are simply absent in old rows).
/// Bound to <see cref="CallEvent"/> in hocon/audioflow.conf.
/// </summary>
public sealed class CallEventSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    private static readonly Dictionary<string, Type> Types = typeof(CallEvent).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(CallEvent)) && !t.IsAbstract)
        .ToDictionary(t => t.Name);

    public override int Identifier => 4711;

    public override string Manifest(object o) => o.GetType().Name;

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Options);

    public override object FromBinary(byte[] bytes, string manifest) =>
        Types.TryGetValue(manifest, out var type)
            ? JsonSerializer.Deserialize(bytes, type, Options) ?? throw new SerializationException($"empty {manifest}")
            : throw new SerializationException($"unknown call event type '{manifest}'");
}
