using Akka.Configuration;

namespace AudioFlow.Pipeline.Configuration;

/// <summary>
/// Reads required values under a HOCON prefix and turns a missing or invalid one into a
/// <see cref="ConfigurationException"/> that names the full key. No silent defaults here: every default
/// lives in hocon/audioflow.conf.
/// </summary>
public sealed class OptionsReader(Config config, string prefix)
{
    public string Key(string path) => $"{prefix}.{path}";

    public string String(string path)
    {
        var key = Require(path);
        return config.GetString(key) ?? throw Invalid(key, "a string");
    }

    public bool Bool(string path) => Parse(path, key => config.GetBoolean(key), "on/off");

    public int Int(string path, Func<int, bool> valid, string expectation)
    {
        var value = Parse(path, key => config.GetInt(key), "an integer");
        return valid(value) ? value : throw Invalid(Key(path), expectation, value.ToString());
    }

    public float Float(string path, Func<float, bool> valid, string expectation)
    {
        var value = Parse(path, key => config.GetFloat(key), "a number");
        return valid(value) ? value : throw Invalid(Key(path), expectation, value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public TimeSpan Duration(string path)
    {
        var value = Parse(path, key => config.GetTimeSpan(key, null, allowInfinite: false), "a duration such as 500ms or 2s");
        return value >= TimeSpan.Zero ? value : throw Invalid(Key(path), "a non-negative duration", value.ToString());
    }

    private T Parse<T>(string path, Func<string, T> read, string expectation)
    {
        var key = Require(path);
        try
        {
            return read(key);
        }
        catch (Exception e) when (e is not ConfigurationException)
        {
            throw Invalid(key, expectation, config.GetValue(key)?.ToString());
        }
    }

    private string Require(string path)
    {
        var key = Key(path);
        if (!config.HasPath(key))
        {
            throw new ConfigurationException($"missing configuration key {key} (defaults are in hocon/audioflow.conf)");
        }

        return key;
    }

    private static ConfigurationException Invalid(string key, string expectation, string? actual = null) =>
        new($"configuration key {key} must be {expectation}" + (actual is null ? string.Empty : $", got '{actual}'"));
}
