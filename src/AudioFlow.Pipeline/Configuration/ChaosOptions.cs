using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace AudioFlow.Pipeline.Configuration;

/// <summary>Fault injection (<c>audioflow.chaos</c>): which stages throw on purpose, and how often.</summary>
public sealed record ChaosOptions(bool Enabled, IReadOnlyList<FaultSpec> Faults)
{
    public static readonly ChaosOptions Off = new(false, []);

    public static ChaosOptions FromConfig(Config config)
    {
        var reader = new OptionsReader(config, "audioflow.chaos");
        var enabled = reader.Bool("enabled");
        var faults = new List<FaultSpec>();
        var list = config.GetValue(reader.Key("faults"));
        IList<HoconValue> items;
        try
        {
            items = list?.GetArray() ?? [];
        }
        catch (Exception e) when (e is not ConfigurationException)
        {
            throw new ConfigurationException($"{reader.Key("faults")} must be a list of {{ stage = ..., every-nth = N }} or {{ stage = ..., probability = p }}");
        }

        for (var index = 0; index < items.Count; index++)
        {
            faults.Add(FaultSpec.FromConfig(new Config(new HoconRoot(items[index])), $"{reader.Key("faults")}[{index}]"));
        }

        return new ChaosOptions(enabled, faults);
    }
}

/// <summary>What an injected fault does to the element it hits.</summary>
public enum FaultKind
{
    /// <summary>The stage throws (the default).</summary>
    Exception,

    /// <summary>The element is delayed by <see cref="FaultSpec.Latency"/>.</summary>
    Latency,

    /// <summary>The stage stops emitting: only the stall watchdog gets it going again.</summary>
    Stall,

    /// <summary>Transport only: the inbound media packet is lost.</summary>
    Drop,

    /// <summary>Transport only: the inbound media packet arrives twice.</summary>
    Duplicate,

    /// <summary>Transport only: the inbound media packet swaps places with the next one.</summary>
    Reorder,

    /// <summary>Transport only: the connection dies abruptly.</summary>
    Close,
}

/// <summary>
/// One injected fault: <see cref="Stage"/> (or <c>transport</c>) suffers <see cref="Kind"/> on every
/// <see cref="EveryNth"/>-th element, or with <see cref="Probability"/> per element.
/// </summary>
public sealed record FaultSpec(string Stage, int EveryNth, double Probability, FaultKind Kind = FaultKind.Exception, TimeSpan Latency = default)
{
    public const string Transport = "transport";

    private static readonly FaultKind[] StageKinds = [FaultKind.Exception, FaultKind.Latency, FaultKind.Stall];
    private static readonly FaultKind[] TransportKinds = [FaultKind.Drop, FaultKind.Duplicate, FaultKind.Reorder, FaultKind.Close];

    public static FaultSpec FromConfig(Config item, string where)
    {
        var stage = item.GetString("stage") ?? throw new ConfigurationException($"{where}: missing 'stage'");
        if (!StageNames.All.Contains(stage) && stage != Transport)
        {
            throw new ConfigurationException($"{where}: unknown stage '{stage}' (one of {string.Join(", ", StageNames.All)}, {Transport})");
        }

        var everyNth = item.HasPath("every-nth") ? item.GetInt("every-nth") : 0;
        var probability = item.HasPath("probability") ? item.GetDouble("probability") : 0.0;
        if (everyNth < 0 || probability is < 0 or > 1 || (everyNth == 0) == (probability == 0))
        {
            throw new ConfigurationException($"{where}: give exactly one of every-nth (a positive integer) or probability (0..1]");
        }

        var kindText = item.GetString("kind") ?? (stage == Transport ? "drop" : "exception");
        if (!Enum.TryParse<FaultKind>(kindText, ignoreCase: true, out var kind) || !(stage == Transport ? TransportKinds : StageKinds).Contains(kind))
        {
            var allowed = stage == Transport ? TransportKinds : StageKinds;
            throw new ConfigurationException($"{where}: kind '{kindText}' is not one of {string.Join(", ", allowed.Select(k => k.ToString().ToLowerInvariant()))} for {stage}");
        }

        var latency = item.HasPath("latency") ? item.GetTimeSpan("latency", null, false) : TimeSpan.Zero;
        if (kind == FaultKind.Latency && latency <= TimeSpan.Zero)
        {
            throw new ConfigurationException($"{where}: kind latency needs latency = <duration>, e.g. 200ms");
        }

        return new FaultSpec(stage, everyNth, probability, kind, latency);
    }
}

/// <summary>The names stages go by in logs, metrics, the journal and fault injection.</summary>
public static class StageNames
{
    public const string Decode = "decode";
    public const string ResampleIn = "resample-in";
    public const string Vad = "vad";
    public const string Turn = "turn";
    public const string Stt = "stt";
    public const string Agent = "agent";
    public const string Tts = "tts";
    public const string ResampleOut = "resample-out";
    public const string Encode = "encode";

    public static readonly IReadOnlySet<string> All = new HashSet<string>
    {
        Decode, ResampleIn, Vad, Turn, Stt, Agent, Tts, ResampleOut, Encode,
    };
}
