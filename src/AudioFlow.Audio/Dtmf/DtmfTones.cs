namespace AudioFlow.Audio.Dtmf;

/// <summary>The DTMF keypad (ITU-T Q.23): each digit is one low-group (row) plus one high-group (column) tone.</summary>
public static class DtmfTones
{
    /// <summary>Row (low-group) frequencies in Hz.</summary>
    public static ReadOnlySpan<int> RowFrequencies => [697, 770, 852, 941];

    /// <summary>Column (high-group) frequencies in Hz.</summary>
    public static ReadOnlySpan<int> ColumnFrequencies => [1209, 1336, 1477, 1633];

    /// <summary>All 16 digits, row by row.</summary>
    public const string Digits = "123A456B789C*0#D";

    /// <summary>Digit at keypad row <paramref name="row"/>, column <paramref name="column"/> (each 0-3).</summary>
    public static char DigitAt(int row, int column) => Digits[row * 4 + column];

    /// <summary>True for 0-9, *, #, A-D (upper or lower case).</summary>
    public static bool IsDigit(char digit) => Digits.Contains(char.ToUpperInvariant(digit), StringComparison.Ordinal);

    /// <summary>The two frequencies of <paramref name="digit"/> (case-insensitive for A-D).</summary>
    /// <exception cref="ArgumentException">Not a DTMF digit.</exception>
    public static (int Low, int High) Frequencies(char digit)
    {
        int index = Digits.IndexOf(char.ToUpperInvariant(digit), StringComparison.Ordinal);
        if (index < 0)
        {
            throw new ArgumentException($"'{digit}' is not a DTMF digit (0-9, *, #, A-D)", nameof(digit));
        }
        return (RowFrequencies[index / 4], ColumnFrequencies[index % 4]);
    }
}
