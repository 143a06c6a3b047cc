using System.Buffers.Binary;

namespace AudioFlow.Audio.Wav;

/// <summary>The parsed, validated contents of a <c>fmt </c> chunk.</summary>
internal readonly record struct WavFormat(WavSampleEncoding Encoding, int Channels, int SampleRate, int BytesPerSample)
{
    public const ushort TagPcm = 0x0001;
    public const ushort TagFloat = 0x0003;
    public const ushort TagALaw = 0x0006;
    public const ushort TagMuLaw = 0x0007;
    public const ushort TagExtensible = 0xFFFE;

    public const int MaxChannels = 64;
    public const int MaxSampleRate = 1_536_000;

    // Bytes 4-15 of every KSDATAFORMAT_SUBTYPE_* GUID derived from a format tag (…-0000-0010-8000-00AA00389B71).
    private static ReadOnlySpan<byte> SubFormatGuidTail => [0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];

    public int BlockBytes => BytesPerSample * Channels;

    /// <summary>Parses a fmt chunk body (WAVEFORMAT, WAVEFORMATEX or WAVEFORMATEXTENSIBLE).</summary>
    public static WavFormat Parse(ReadOnlySpan<byte> fmt)
    {
        if (fmt.Length < 16)
        {
            throw new WavFormatException($"fmt chunk is {fmt.Length} bytes, at least 16 are required");
        }
        ushort tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        int channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        uint sampleRate = BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
        int bitsPerSample = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);

        if (tag == TagExtensible)
        {
            // cbSize(2) validBits(2) channelMask(4) subFormat GUID(16) follow the 16 basic bytes.
            if (fmt.Length < 40)
            {
                throw new WavFormatException($"WAVE_FORMAT_EXTENSIBLE fmt chunk is {fmt.Length} bytes, 40 are required");
            }
            ReadOnlySpan<byte> guid = fmt.Slice(24, 16);
            if (!guid[4..].SequenceEqual(SubFormatGuidTail) || guid[2] != 0 || guid[3] != 0)
            {
                throw new WavFormatException($"unsupported WAVE_FORMAT_EXTENSIBLE sub-format {new Guid(guid)}");
            }
            tag = BinaryPrimitives.ReadUInt16LittleEndian(guid);
            if (tag == TagExtensible)
            {
                throw new WavFormatException("WAVE_FORMAT_EXTENSIBLE sub-format cannot itself be extensible");
            }
        }

        if (channels is < 1 or > MaxChannels)
        {
            throw new WavFormatException($"invalid channel count {channels} (1-{MaxChannels} supported)");
        }
        if (sampleRate is < 1 or > MaxSampleRate)
        {
            throw new WavFormatException($"invalid sample rate {sampleRate} Hz");
        }

        WavSampleEncoding encoding = (tag, bitsPerSample) switch
        {
            (TagPcm, 8) => WavSampleEncoding.Pcm8,
            (TagPcm, 16) => WavSampleEncoding.Pcm16,
            (TagPcm, 24) => WavSampleEncoding.Pcm24,
            (TagPcm, 32) => WavSampleEncoding.Pcm32,
            (TagPcm, _) => throw new WavFormatException($"unsupported PCM sample size of {bitsPerSample} bits (8, 16, 24 and 32 are supported)"),
            (TagFloat, 32) => WavSampleEncoding.Float32,
            (TagFloat, 64) => WavSampleEncoding.Float64,
            (TagFloat, _) => throw new WavFormatException($"unsupported IEEE float sample size of {bitsPerSample} bits (32 and 64 are supported)"),
            (TagMuLaw, 8) => WavSampleEncoding.MuLaw,
            (TagALaw, 8) => WavSampleEncoding.ALaw,
            (TagMuLaw or TagALaw, _) => throw new WavFormatException($"unsupported G.711 sample size of {bitsPerSample} bits (8 is required)"),
            _ => throw new WavFormatException($"unsupported format tag 0x{tag:X4} ({TagName(tag)})"),
        };
        return new WavFormat(encoding, channels, (int)sampleRate, bitsPerSample / 8);
    }

    private static string TagName(ushort tag) => tag switch
    {
        0x0000 => "unknown",
        0x0002 => "Microsoft ADPCM",
        0x0011 => "IMA ADPCM",
        0x0031 => "GSM 6.10",
        0x0040 => "G.721 ADPCM",
        0x0050 => "MPEG",
        0x0055 => "MP3",
        0x0064 => "G.726 ADPCM",
        0x0065 => "G.722 ADPCM",
        0x00FF or 0x1600 or 0x1610 => "AAC",
        0x0160 or 0x0161 or 0x0162 or 0x0163 => "Windows Media Audio",
        0x2000 => "AC-3",
        0xF1AC => "FLAC",
        0x674F or 0x6750 or 0x6751 or 0x676F or 0x6770 or 0x6771 => "Ogg Vorbis",
        _ => "not a PCM, IEEE float, µ-law or A-law format",
    };
}
