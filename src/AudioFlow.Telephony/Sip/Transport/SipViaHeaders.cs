using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Security.Cryptography;
using AudioFlow.Telephony.Sip.Messages;

namespace AudioFlow.Telephony.Sip.Transport;

/// <summary>Reading and rewriting the top Via of a message, branch and tag generation.</summary>
public static class SipViaHeaders
{
    /// <summary>A new RFC 3261 branch: the magic cookie and 20 random hex digits (80 bits).</summary>
    public static string NewBranch() => SipVia.MagicCookie + RandomHex(10);

    /// <summary>A new random tag for From/To (64 bits, hex).</summary>
    public static string NewTag() => RandomHex(8);

    private static string RandomHex(int bytes)
    {
        Span<byte> buffer = stackalloc byte[16];
        RandomNumberGenerator.Fill(buffer[..bytes]);
        return Convert.ToHexStringLower(buffer[..bytes]);
    }

    /// <summary>
    /// The top Via value and the index of the header line holding it. Lenient parsing skips malformed parameters
    /// (used on the partial request of a parse error).
    /// </summary>
    public static bool TryGetTopVia(SipMessage message, bool lenient, [NotNullWhen(true)] out SipVia? via, out int lineIndex)
    {
        ArgumentNullException.ThrowIfNull(message);
        via = null;
        lineIndex = -1;
        var headers = message.Headers;
        for (var i = 0; i < headers.Count; i++)
        {
            if (!string.Equals(headers[i].CanonicalName, SipHeaderNames.Via, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (var item in SipText.SplitList(headers[i].Value))
            {
                if (item.Length == 0)
                {
                    continue;
                }

                lineIndex = i;
                return SipVia.TryParse(item, lenient, out via);
            }
        }

        return false;
    }

    /// <summary>Replaces the top Via value (the first element of the first Via line), keeping the others.</summary>
    public static void ReplaceTopVia(SipMessage message, SipVia via)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(via);
        var headers = message.Headers;
        for (var i = 0; i < headers.Count; i++)
        {
            if (!string.Equals(headers[i].CanonicalName, SipHeaderNames.Via, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var items = SipText.SplitList(headers[i].Value);
            var first = items.FindIndex(item => item.Length > 0);
            if (first < 0)
            {
                continue;
            }

            items[first] = via.ToString();
            var name = headers[i].Name;
            headers.RemoveAt(i);
            headers.Insert(i, name, string.Join(", ", items.Where(item => item.Length > 0)));
            return;
        }

        headers.Insert(0, SipHeaderNames.Via, via.ToString());
    }

    /// <summary>
    /// Makes sure a request to send has a top Via with an RFC 3261 branch; adds <c>Via: SIP/2.0/{transport}
    /// 0.0.0.0;branch=...;rport</c> when there is none (the transport fills the real sent-by). Returns the branch.
    /// </summary>
    public static string EnsureTopViaWithBranch(SipRequest request, SipTransportKind transport)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (TryGetTopVia(request, lenient: false, out var via, out _))
        {
            if (via.HasRfc3261Branch)
            {
                return via.Branch!;
            }

            via.Branch = NewBranch();
            ReplaceTopVia(request, via);
            return via.Branch;
        }

        if (request.Headers.Contains(SipHeaderNames.Via))
        {
            throw new ArgumentException("The request's top Via does not parse.", nameof(request));
        }

        via = new SipVia(transport.ViaToken(), "0.0.0.0", null, NewBranch());
        via.Parameters.Add("rport");
        request.Headers.Insert(0, SipHeaderNames.Via, via.ToString());
        return via.Branch!;
    }

    /// <summary>
    /// Server transport processing of a received request (RFC 3261 §18.2.1, RFC 3581 §4): <c>received</c> is
    /// added when the sent-by host is not the packet's source address, and an empty <c>rport</c> is filled with
    /// the source port (with <c>received</c> then always present). Returns true when the Via was changed.
    /// </summary>
    public static bool ApplyReceived(SipRequest request, SipEndPoint source, bool lenient = false)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!TryGetTopVia(request, lenient, out var via, out _))
        {
            return false;
        }

        var changed = false;
        if (via.HasRPort && via.RPort is null)
        {
            via.RPort = source.Port;
            via.Received = source.AddressText;
            changed = true;
        }
        else if (!HostIs(via.Host, source.Address))
        {
            via.Received = source.AddressText;
            changed = true;
        }

        if (changed)
        {
            ReplaceTopVia(request, via);
        }

        return changed;
    }

    /// <summary>True when <paramref name="host"/> (as in a Via or URI, brackets allowed) is that address.</summary>
    public static bool HostIs(string host, IPAddress address) =>
        TryParseHostAddress(host, out var parsed) && new SipEndPoint(parsed, 0).Address.Equals(new SipEndPoint(address, 0).Address);

    /// <summary>Parses an IP literal host ("10.0.0.1", "[2001:db8::1]", or an unbracketed IPv6 received value).</summary>
    public static bool TryParseHostAddress(string? host, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (string.IsNullOrEmpty(host))
        {
            return false;
        }

        var text = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (text.Contains('[') || text.Contains(']') || !IPAddress.TryParse(text, out var parsed))
        {
            return false;
        }

        // IPAddress.TryParse accepts "1" as 0.0.0.1: only dotted quads and IPv6 literals are IP hosts in SIP.
        if (parsed.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && text.Count(c => c == '.') != 3)
        {
            return false;
        }

        address = parsed;
        return true;
    }
}
