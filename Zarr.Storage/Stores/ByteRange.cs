namespace Zarr.Storage;

/// <summary>
/// A part of a stored value: <c>Length</c> bytes from <c>Offset</c>, everything from <c>Offset</c> on
/// (<c>Length</c> null), or the last <c>SuffixLength</c> bytes.
/// </summary>
public readonly record struct ByteRange
{
    private ByteRange(long offset, long? length, long? suffixLength)
    {
        Offset = offset;
        Length = length;
        SuffixLength = suffixLength;
    }

    /// <summary>The first byte wanted (ignored for a suffix).</summary>
    public long Offset { get; }

    /// <summary>How many bytes are wanted from <see cref="Offset"/>, or null for all to the end.</summary>
    public long? Length { get; }

    /// <summary>For a suffix range, how many bytes from the end are wanted.</summary>
    public long? SuffixLength { get; }

    /// <summary>True for a range counted from the end.</summary>
    public bool IsSuffix => SuffixLength.HasValue;

    /// <summary><paramref name="length"/> bytes starting at <paramref name="offset"/>.</summary>
    public static ByteRange Slice(long offset, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new ByteRange(offset, length, null);
    }

    /// <summary>Everything from <paramref name="offset"/> to the end.</summary>
    public static ByteRange From(long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        return new ByteRange(offset, null, null);
    }

    /// <summary>The last <paramref name="length"/> bytes.</summary>
    public static ByteRange Suffix(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new ByteRange(0, null, length);
    }

    /// <summary>Resolves the range against a value of <paramref name="totalLength"/> bytes, clamped to it.</summary>
    public (long Start, long Count) Resolve(long totalLength)
    {
        if (IsSuffix)
        {
            var n = Math.Min(SuffixLength!.Value, totalLength);
            return (totalLength - n, n);
        }

        var start = Math.Min(Offset, totalLength);
        var count = Length.HasValue ? Math.Min(Length.Value, totalLength - start) : totalLength - start;
        return (start, count);
    }
}
