using System.Globalization;

namespace Zarr.Storage.Internal;

/// <summary>
/// Sizes: the limits the library holds chunks to, products of dimensions that cannot overflow, and human-readable
/// binary sizes as the seed prints them (<c>38.1M</c>, <c>3.6P</c>, <c>0</c>).
/// </summary>
internal static class Sizes
{
    /// <summary>
    /// The most bytes a chunk (or shard) may hold decoded: it is decoded into one .NET array, and no array is larger
    /// (<see cref="Array.MaxLength"/>, 2,147,483,591).
    /// </summary>
    public static int MaxChunkBytes => Array.MaxLength;

    /// <summary>
    /// Why the library cannot hold an array of <paramref name="shape"/>, <paramref name="chunks"/> and
    /// <paramref name="dataType"/>, and which of the three is at fault; null when it can. Checked when metadata is read or
    /// made, before anything is allocated for it: a shape of more elements than a 64-bit count holds (the library counts
    /// and indexes elements with one), an element or a chunk larger than <see cref="MaxChunkBytes"/>, and a chunk of a
    /// variable-length type with more elements than that (each has a slot of its own).
    /// </summary>
    public static (SizeFault Fault, string Message)? CheckArray(long[] shape, int[] chunks, Zarr.Storage.ZarrDataType dataType)
    {
        if (Product(shape) > long.MaxValue)
        {
            return (SizeFault.Shape, string.Create(CultureInfo.InvariantCulture,
                $"the shape ({Dims(shape)}) has {Count(Product(shape))} elements, more than a 64-bit count holds ({long.MaxValue}); this library counts and indexes elements with one"));
        }

        if (dataType.ItemSize > MaxChunkBytes)
        {
            return (SizeFault.DataType, string.Create(CultureInfo.InvariantCulture,
                $"an element of {dataType} is {dataType.ItemSize} bytes; a chunk is decoded into one buffer of at most {MaxChunkBytes} bytes (the largest .NET array), so not even one element fits"));
        }

        var elements = Product(chunks);
        var bytes = Multiply(elements, (ulong)dataType.ItemSize);
        if (bytes > (ulong)MaxChunkBytes)
        {
            return (SizeFault.Chunks, string.Create(CultureInfo.InvariantCulture,
                $"a chunk of shape ({Dims(chunks)}) of {dataType} is {Bytes(bytes)}; a chunk is decoded into one buffer of at most {MaxChunkBytes} bytes (the largest .NET array): use smaller chunks (or shards of smaller inner chunks)"));
        }

        if (!dataType.IsFixedSize && elements > (ulong)MaxChunkBytes)
        {
            return (SizeFault.Chunks, string.Create(CultureInfo.InvariantCulture,
                $"a chunk of shape ({Dims(chunks)}) has {Count(elements)} elements; a chunk of {dataType} holds at most {MaxChunkBytes} (one slot each in one .NET array)"));
        }

        return null;
    }

    /// <summary>The product of <paramref name="values"/> (all non-negative), or <see cref="UInt128.MaxValue"/> when it is that or more.</summary>
    public static UInt128 Product(ReadOnlySpan<long> values)
    {
        UInt128 n = 1;
        foreach (var v in values)
        {
            n = Multiply(n, (ulong)v);
        }

        return n;
    }

    /// <summary>The product of <paramref name="values"/> (all non-negative), or <see cref="UInt128.MaxValue"/> when it is that or more.</summary>
    public static UInt128 Product(ReadOnlySpan<int> values)
    {
        UInt128 n = 1;
        foreach (var v in values)
        {
            n = Multiply(n, (ulong)v);
        }

        return n;
    }

    /// <summary><paramref name="a"/> × <paramref name="b"/>, or <see cref="UInt128.MaxValue"/> when it is that or more.</summary>
    public static UInt128 Multiply(UInt128 a, UInt128 b) =>
        a == 0 || b == 0 ? 0 : a > UInt128.MaxValue / b ? UInt128.MaxValue : a * b;

    /// <summary>"N", or "more than N" for a product that reached <see cref="UInt128.MaxValue"/>.</summary>
    public static string Count(UInt128 n) =>
        n == UInt128.MaxValue
            ? string.Create(CultureInfo.InvariantCulture, $"more than {UInt128.MaxValue - 1}")
            : n.ToString(CultureInfo.InvariantCulture);

    /// <summary>"N bytes", or "more than N bytes" for a product that reached <see cref="UInt128.MaxValue"/>.</summary>
    public static string Bytes(UInt128 n) => Count(n) + " bytes";

    /// <summary>Dimensions as a message shows them: <c>2, 3</c>, shortened when there are many.</summary>
    public static string Dims<T>(IReadOnlyCollection<T> dims) =>
        dims.Count <= 16
            ? string.Join(", ", dims.Select(d => string.Format(CultureInfo.InvariantCulture, "{0}", d)))
            : string.Join(", ", dims.Take(16).Select(d => string.Format(CultureInfo.InvariantCulture, "{0}", d))) + string.Create(CultureInfo.InvariantCulture, $", … ({dims.Count} dimensions)");

    /// <summary>A size as the summary prints it (<c>512</c>, <c>38.1M</c>, <c>3.6P</c>).</summary>
    public static string Human(long bytes) => bytes < 0 ? bytes.ToString(CultureInfo.InvariantCulture) : Human((UInt128)bytes);

    /// <summary>A size as the summary prints it, also beyond 64 bits (<c>32.0E</c> for 2^65, <c>1.0Z</c>, <c>4.0Y</c>).</summary>
    public static string Human(UInt128 bytes)
    {
        if (bytes < 1024)
        {
            return bytes.ToString(CultureInfo.InvariantCulture);
        }

        ReadOnlySpan<char> units = ['K', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
        var value = (double)bytes;
        var unit = -1;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString("0.0", CultureInfo.InvariantCulture) + units[unit];
    }
}

/// <summary>What <see cref="Sizes.CheckArray"/> found too large.</summary>
internal enum SizeFault
{
    /// <summary>The shape: more elements than a 64-bit count holds.</summary>
    Shape,

    /// <summary>The chunk shape: a chunk larger than <see cref="Sizes.MaxChunkBytes"/>.</summary>
    Chunks,

    /// <summary>The data type: one element larger than <see cref="Sizes.MaxChunkBytes"/>.</summary>
    DataType,
}
