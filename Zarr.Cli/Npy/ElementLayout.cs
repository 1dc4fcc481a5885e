using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Zarr.Cli.Npy;

/// <summary>Byte order and memory order conversions for blocks of elements read from a .npy file.</summary>
internal static class ElementLayout
{
    /// <summary>Reverses the bytes of every scalar component (a complex number's parts separately) in place.</summary>
    /// <param name="data">The elements.</param>
    /// <param name="componentSize">1, 2, 4 or 8 bytes.</param>
    public static void SwapBytes(Span<byte> data, int componentSize)
    {
        switch (componentSize)
        {
            case 1:
                break;
            case 2:
                var shorts = MemoryMarshal.Cast<byte, ushort>(data);
                BinaryPrimitives.ReverseEndianness(shorts, shorts);
                break;
            case 4:
                var ints = MemoryMarshal.Cast<byte, uint>(data);
                BinaryPrimitives.ReverseEndianness(ints, ints);
                break;
            case 8:
                var longs = MemoryMarshal.Cast<byte, ulong>(data);
                BinaryPrimitives.ReverseEndianness(longs, longs);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(componentSize), componentSize, "components are 1, 2, 4 or 8 bytes");
        }
    }

    /// <summary>
    /// Reverses, in every element of <paramref name="data"/>, the bytes of the components that <paramref name="runs"/>
    /// name (a .npy file's big-endian ones); the rest stays as it is. One run over the whole element (any type but a
    /// structured one of mixed orders) is swapped over the whole block at once.
    /// </summary>
    public static void Swap(Span<byte> data, int itemSize, ReadOnlySpan<SwapRun> runs)
    {
        if (runs.IsEmpty)
        {
            return;
        }

        if (runs.Length == 1 && runs[0].Offset == 0 && runs[0].Size * runs[0].Count == itemSize)
        {
            SwapBytes(data, runs[0].Size);
            return;
        }

        for (var element = 0; element + itemSize <= data.Length; element += itemSize)
        {
            foreach (var run in runs)
            {
                SwapBytes(data.Slice(element + run.Offset, run.Size * run.Count), run.Size);
            }
        }
    }

    /// <summary>
    /// Copies a block stored in Fortran (column-major) order into C (row-major) order. Both hold the same elements of
    /// <paramref name="shape"/>; only the order of the elements differs.
    /// </summary>
    public static void FortranToC(ReadOnlySpan<byte> source, Span<byte> destination, ReadOnlySpan<long> shape, int itemSize)
    {
        var rank = shape.Length;
        long count = 1;
        foreach (var n in shape)
        {
            count *= n;
        }

        if (count == 0)
        {
            return;
        }

        if (rank <= 1)
        {
            source[..(int)(count * itemSize)].CopyTo(destination);
            return;
        }

        // Fortran strides in elements: the first axis is contiguous.
        Span<long> strides = stackalloc long[rank];
        strides[0] = 1;
        for (var d = 1; d < rank; d++)
        {
            strides[d] = strides[d - 1] * shape[d - 1];
        }

        // Walk the output in C order; the last axis is the innermost loop.
        Span<long> index = stackalloc long[rank];
        var last = rank - 1;
        var innerLength = shape[last];
        var innerStride = strides[last] * itemSize;
        long output = 0;
        var outerCount = count / innerLength;
        for (long outer = 0; outer < outerCount; outer++)
        {
            long sourceOffset = 0;
            for (var d = 0; d < last; d++)
            {
                sourceOffset += index[d] * strides[d];
            }

            sourceOffset *= itemSize;
            for (long i = 0; i < innerLength; i++)
            {
                source.Slice((int)sourceOffset, itemSize).CopyTo(destination.Slice((int)output, itemSize));
                sourceOffset += innerStride;
                output += itemSize;
            }

            for (var d = last - 1; d >= 0; d--)
            {
                if (++index[d] < shape[d])
                {
                    break;
                }

                index[d] = 0;
            }
        }
    }
}
