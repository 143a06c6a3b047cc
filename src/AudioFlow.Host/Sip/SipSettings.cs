using System.Net;
using Akka.Configuration;
using AudioFlow.Audio.Channel;
using AudioFlow.Host.Configuration;
using AudioFlow.Pipeline.Configuration;
using AudioFlow.Telephony.Rtp.Session;
using AudioFlow.Telephony.Sip.Messages;
using AudioFlow.Telephony.Sip.Sdp;
using AudioFlow.Telephony.Sip.Transport;
using AudioFlow.Telephony.Sip.UserAgent;

namespace AudioFlow.Host.Sip;

/// <summary>
/// Typed view of <c>audioflow.sip</c> (defaults and their meaning in hocon/audioflow.conf). Every value is checked
/// here, so a bad one stops <c>audioflow serve</c> at start with the key's name.
/// </summary>
public sealed record SipSettings(bool Enabled, SipServerOptions Server, bool ListenIsDefault)
{
    private const string Prefix = "audioflow.sip";

    public static SipSettings FromConfig(Config config, int inboundBufferFrames)
    {
        var r = new OptionsReader(config, Prefix);
        var enabled = r.Bool("enabled");
        var listen = Endpoints(config, "udp", SipTransportKind.Udp).Concat(Endpoints(config, "tcp", SipTransportKind.Tcp)).ToList();
        if (enabled && listen.Count == 0)
        {
            throw new ConfigurationException($"{Prefix}.udp and {Prefix}.tcp are both empty: SIP has nowhere to listen (or set {Prefix}.enabled = off)");
        }

        var defaults = AudioFlowConfig.Defaults();
        var listenIsDefault = Endpoints(defaults, "udp", SipTransportKind.Udp).Concat(Endpoints(defaults, "tcp", SipTransportKind.Tcp)).SequenceEqual(listen);

        var contactHost = r.String("contact-host").Trim();
        if (contactHost.Length > 0 && !SipUri.TryParse("sip:x@" + contactHost, out _))
        {
            throw Invalid("contact-host", "a host name or IP address (IPv6 in brackets)", contactHost);
        }

        var allow = Strings(config, "allow").Select(text => IpNetwork.TryParse(text, out var network)
            ? network
            : throw Invalid("allow", "a list of IP addresses or CIDR ranges such as 203.0.113.0/24", text)).ToList();
        var codecs = Strings(config, "codecs").Select(Codec).ToList();
        if (codecs.Count == 0)
        {
            throw Invalid("codecs", "a non-empty list of pcmu, pcma, g722", "[]");
        }

        SipInboundAuth? auth = null;
        if (r.Bool("auth.enabled"))
        {
            var user = r.String("auth.user");
            var password = r.String("auth.password");
            if (user.Length == 0 || password.Length == 0)
            {
                throw new ConfigurationException($"{Prefix}.auth.enabled is on but {Prefix}.auth.user or {Prefix}.auth.password is empty");
            }

            auth = new SipInboundAuth(NonEmpty(r, "auth.realm"), user, password);
        }

        var portMin = r.Int("rtp-port-min", p => p is >= 1024 and <= 65534, "a UDP port from 1024 to 65534");
        var portMax = r.Int("rtp-port-max", p => p is >= 1025 and <= 65535, "a UDP port from 1025 to 65535");
        if (portMax < portMin + 1)
        {
            throw new ConfigurationException($"{Prefix}.rtp-port-max ({portMax}) must be above {Prefix}.rtp-port-min ({portMin})");
        }

        var userAgent = new SipUserAgentOptions
        {
            ContactHost = contactHost.Length == 0 ? null : contactHost,
            MediaBindAddress = Address(r, "media-address"),
            MediaPublicAddress = Address(r, "public-address"),
            RtpPortMin = portMin,
            RtpPortMax = portMax,
            AllowList = new IpAllowList(allow),
            Authentication = auth,
            Codecs = codecs,
            PreferOurCodecOrder = r.Bool("prefer-our-codec-order"),
            AnswerDelay = r.Duration("answer-delay"),
            MaxCalls = r.Int("max-calls", v => v >= 0, "0 (no limit) or more"),
            TransferTimeout = Positive(r, "transfer-timeout"),
            ByeTimeout = Positive(r, "bye-timeout"),
            UserAgent = NonEmpty(r, "user-agent"),
            InboundBufferFrames = inboundBufferFrames,
            Rtp = new RtpSessionOptions
            {
                MediaTimeout = r.Duration("media-timeout"),
                JitterMinDelay = Positive(r, "jitter-min-delay"),
                JitterMaxDelay = Positive(r, "jitter-max-delay"),
            },
        };

        return new SipSettings(enabled, new SipServerOptions
        {
            Transport = new SipTransportOptions { ListenEndPoints = listen },
            UserAgent = userAgent,
            Registration = Registration(r),
        }, listenIsDefault);
    }

    private static SipRegistrationOptions? Registration(OptionsReader r)
    {
        if (!r.Bool("register.enabled"))
        {
            return null;
        }

        var registrar = r.String("register.registrar").Trim();
        if (!registrar.StartsWith("sip:", StringComparison.OrdinalIgnoreCase))
        {
            registrar = "sip:" + registrar;
        }

        if (!SipUri.TryParse(registrar, out var uri) || !uri.IsSip)
        {
            throw Invalid("register.registrar", "a SIP URI or host[:port] such as sip:sip.trunk.example", registrar);
        }

        var authUser = r.String("register.auth-user");
        var domain = r.String("register.domain");
        return new SipRegistrationOptions
        {
            Registrar = uri,
            User = NonEmpty(r, "register.user"),
            AuthUser = authUser.Length == 0 ? null : authUser,
            Password = r.String("register.password"),
            Domain = domain.Length == 0 ? null : domain,
            Expires = Positive(r, "register.expires"),
            RetryAfterFailure = Positive(r, "register.retry-after"),
        };
    }

    private static IEnumerable<SipListenEndPoint> Endpoints(Config config, string key, SipTransportKind kind) =>
        Strings(config, key).Select(text => SipEndPoint.TryParse(text, out var endPoint)
            ? new SipListenEndPoint(kind, endPoint)
            : throw Invalid(key, "a list of IP:port endpoints such as \"127.0.0.1:5060\" or \"[::1]:5060\"", text));

    /// <summary>A list value; a plain string (as a -c override gives most easily) is split at commas.</summary>
    private static List<string> Strings(Config config, string key)
    {
        var path = $"{Prefix}.{key}";
        if (!config.HasPath(path))
        {
            throw new ConfigurationException($"missing configuration key {path} (defaults are in hocon/audioflow.conf)");
        }

        var value = config.GetValue(path);
        var items = value.IsArray() ? config.GetStringList(path) : (IList<string>)(value.GetString() ?? "").Split(',');
        return items.Select(s => s.Trim()).Where(s => s.Length > 0).ToList();
    }

    private static MediaFormat Codec(string name) => name.ToLowerInvariant() switch
    {
        "pcmu" or "g711u" or "ulaw" => SdpAudioFormats.Pcmu,
        "pcma" or "g711a" or "alaw" => SdpAudioFormats.Pcma,
        "g722" => SdpAudioFormats.G722,
        _ => throw Invalid("codecs", "a list of pcmu, pcma, g722", name),
    };

    private static IPAddress? Address(OptionsReader r, string key)
    {
        var text = r.String(key).Trim().Trim('[', ']');
        if (text.Length == 0)
        {
            return null;
        }

        return IPAddress.TryParse(text, out var address) ? address : throw Invalid(key, "an IP address (or empty)", text);
    }

    private static TimeSpan Positive(OptionsReader r, string key)
    {
        var value = r.Duration(key);
        return value > TimeSpan.Zero ? value : throw Invalid(key, "a positive duration", value.ToString());
    }

    private static string NonEmpty(OptionsReader r, string key)
    {
        var value = r.String(key);
        return value.Trim().Length > 0 ? value : throw Invalid(key, "a non-empty string", value);
    }

    private static ConfigurationException Invalid(string key, string expectation, string actual) =>
        new($"configuration key {Prefix}.{key} must be {expectation}, got '{actual}'");
}
