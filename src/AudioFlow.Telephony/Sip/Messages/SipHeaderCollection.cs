using System.Collections;

namespace AudioFlow.Telephony.Sip.Messages;

/// <summary>One header line: the name as written (possibly compact or oddly cased) and its unfolded value.</summary>
public readonly record struct SipHeader(string Name, string Value)
{
    /// <summary>Full, canonically spelled name (<c>v</c> and <c>VIA</c> both give <c>Via</c>).</summary>
    public string CanonicalName => SipHeaderNames.Canonicalize(Name);
}

/// <summary>
/// The headers of a message in their original order, with original names and repeated headers kept. Lookups are
/// case-insensitive and see through compact forms (<c>Get("Via")</c> finds <c>v:</c> lines too).
/// </summary>
public sealed class SipHeaderCollection : IReadOnlyList<SipHeader>
{
    private readonly List<SipHeader> _headers = [];
    private readonly List<string> _canonical = [];

    public int Count => _headers.Count;

    public SipHeader this[int index] => _headers[index];

    public IEnumerator<SipHeader> GetEnumerator() => _headers.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Appends a header line. The name must be a token and the value must not contain CR or LF.</summary>
    public void Add(string name, string value) => Insert(_headers.Count, name, value);

    public void Insert(int index, string name, string value)
    {
        Validate(name, value);
        InsertUnchecked(index, name, value);
    }

    internal void AddUnchecked(string name, string value) => InsertUnchecked(_headers.Count, name, value);

    private void InsertUnchecked(int index, string name, string value)
    {
        _headers.Insert(index, new SipHeader(name, value));
        _canonical.Insert(index, SipHeaderNames.Canonicalize(name));
    }

    /// <summary>Replaces every line of that header by one line, at the position of the first (or at the end).</summary>
    public void Set(string name, string value)
    {
        Validate(name, value);
        var first = IndexOf(name);
        RemoveAll(name);
        InsertUnchecked(first < 0 ? _headers.Count : first, name, value);
    }

    /// <summary>Removes every line of that header; returns how many were removed.</summary>
    public int RemoveAll(string name)
    {
        var canonical = SipHeaderNames.Canonicalize(name);
        var removed = 0;
        for (var i = _headers.Count - 1; i >= 0; i--)
        {
            if (string.Equals(_canonical[i], canonical, StringComparison.OrdinalIgnoreCase))
            {
                _headers.RemoveAt(i);
                _canonical.RemoveAt(i);
                removed++;
            }
        }

        return removed;
    }

    public void RemoveAt(int index)
    {
        _headers.RemoveAt(index);
        _canonical.RemoveAt(index);
    }

    public void Clear()
    {
        _headers.Clear();
        _canonical.Clear();
    }

    public bool Contains(string name) => IndexOf(name) >= 0;

    /// <summary>Index of the first line of that header, or -1.</summary>
    public int IndexOf(string name)
    {
        var canonical = SipHeaderNames.Canonicalize(name);
        for (var i = 0; i < _headers.Count; i++)
        {
            if (string.Equals(_canonical[i], canonical, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Value of the first line of that header, or null.</summary>
    public string? Get(string name)
    {
        var i = IndexOf(name);
        return i < 0 ? null : _headers[i].Value;
    }

    /// <summary>Same as <see cref="Get"/>.</summary>
    public string? this[string name] => Get(name);

    /// <summary>How many lines carry that header.</summary>
    public int CountOf(string name)
    {
        var canonical = SipHeaderNames.Canonicalize(name);
        var n = 0;
        for (var i = 0; i < _headers.Count; i++)
        {
            if (string.Equals(_canonical[i], canonical, StringComparison.OrdinalIgnoreCase))
            {
                n++;
            }
        }

        return n;
    }

    /// <summary>The raw value of every line of that header, in order.</summary>
    public IReadOnlyList<string> GetAll(string name)
    {
        var canonical = SipHeaderNames.Canonicalize(name);
        var result = new List<string>();
        for (var i = 0; i < _headers.Count; i++)
        {
            if (string.Equals(_canonical[i], canonical, StringComparison.OrdinalIgnoreCase))
            {
                result.Add(_headers[i].Value);
            }
        }

        return result;
    }

    /// <summary>
    /// Every value of that header in order: repeated lines concatenated and, for list headers (Via, Contact,
    /// Route, Allow, Supported...), each line split at commas outside quotes and angle brackets. Empty elements
    /// are dropped.
    /// </summary>
    public IReadOnlyList<string> GetValues(string name) => GetValues(name, keepEmpty: false);

    internal List<string> GetValues(string name, bool keepEmpty)
    {
        var canonical = SipHeaderNames.Canonicalize(name);
        var isList = SipHeaderNames.IsList(canonical);
        var result = new List<string>();
        for (var i = 0; i < _headers.Count; i++)
        {
            if (!string.Equals(_canonical[i], canonical, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!isList)
            {
                result.Add(_headers[i].Value);
                continue;
            }

            foreach (var item in SipText.SplitList(_headers[i].Value))
            {
                if (keepEmpty || item.Length > 0)
                {
                    result.Add(item);
                }
            }
        }

        return result;
    }

    internal string CanonicalNameAt(int index) => _canonical[index];

    private static void Validate(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!SipText.IsToken(name))
        {
            throw new ArgumentException($"Header name '{name}' is not a token.", nameof(name));
        }

        if (value.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException("Header values must not contain CR or LF.", nameof(value));
        }
    }
}
