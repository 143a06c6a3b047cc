using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace AudioFlow.Engines.Stt.Whisper;

/// <summary>
/// Reads float32 arrays from NumPy's <c>.npy</c> format (versions 1-3, little-endian <c>&lt;f4</c>,
/// C order) and from <c>.npz</c> archives (a zip of <c>.npy</c> files, stored or deflated).
/// Just enough for Whisper's <c>mel_filters.npz</c>.
/// </summary>
public static class NpyReader
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>The array named <paramref name="name"/> (without ".npy") in the .npz archive at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The entry is missing or is not a float32 C-order array.</exception>
    public static (int[] Shape, float[] Data) ReadNpzEntry(string path, string name)
    {
        using var archive = ZipFile.OpenRead(path);
        var entry = archive.GetEntry(name + ".npy") ?? archive.GetEntry(name)
            ?? throw new InvalidDataException(
                $"{path}: no array '{name}' (has {string.Join(", ", archive.Entries.Select(e => e.FullName))}).");
        using var stream = entry.Open();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return ReadNpy(buffer.ToArray(), $"{path}:{entry.FullName}");
    }

    /// <summary>Parses one <c>.npy</c> file's bytes.</summary>
    public static (int[] Shape, float[] Data) ReadNpy(ReadOnlySpan<byte> bytes, string what = "npy")
    {
        if (bytes.Length < 10 || !bytes[..6].SequenceEqual(Magic))
        {
            throw new InvalidDataException($"{what}: not a .npy array (bad magic).");
        }

        int major = bytes[6];
        int headerLength, headerStart;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(8, 2));
            headerStart = 10;
        }
        else if (major is 2 or 3)
        {
            headerLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(8, 4)));
            headerStart = 12;
        }
        else
        {
            throw new InvalidDataException($"{what}: unsupported .npy version {major}.");
        }

        if (headerStart + headerLength > bytes.Length)
        {
            throw new InvalidDataException($"{what}: truncated header.");
        }

        var header = Encoding.UTF8.GetString(bytes.Slice(headerStart, headerLength));
        var descr = HeaderValue(header, "descr", what).Trim().Trim('\'', '"');
        if (descr is not ("<f4" or "f4" or "float32"))
        {
            throw new InvalidDataException($"{what}: dtype '{descr}' is not little-endian float32 ('<f4').");
        }

        var fortran = HeaderValue(header, "fortran_order", what).Trim();
        if (fortran != "False")
        {
            throw new InvalidDataException($"{what}: Fortran-order arrays are not supported.");
        }

        var shapeText = HeaderValue(header, "shape", what).Trim().TrimStart('(').TrimEnd(')');
        var shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture))
            .ToArray();
        long count = 1;
        foreach (var d in shape)
        {
            count *= d;
        }

        var dataStart = headerStart + headerLength;
        if (bytes.Length - dataStart < count * 4)
        {
            throw new InvalidDataException($"{what}: {count} floats declared, {(bytes.Length - dataStart) / 4} present.");
        }

        var data = new float[count];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(dataStart + (4 * i), 4));
        }

        return (shape, data);
    }

    /// <summary>The raw text of one key's value in the header's Python dict literal.</summary>
    private static string HeaderValue(string header, string key, string what)
    {
        var at = header.IndexOf("'" + key + "'", StringComparison.Ordinal);
        if (at < 0)
        {
            throw new InvalidDataException($"{what}: header has no '{key}'.");
        }

        var colon = header.IndexOf(':', at);
        var start = colon + 1;
        var depth = 0;
        for (var i = start; i < header.Length; i++)
        {
            var c = header[i];
            if (c == '(')
            {
                depth++;
            }
            else if (c == ')')
            {
                depth--;
            }
            else if ((c == ',' && depth == 0) || c == '}')
            {
                return header[start..i];
            }
        }

        throw new InvalidDataException($"{what}: malformed header.");
    }
}
