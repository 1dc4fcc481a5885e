using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Zarr.Storage;

/// <summary>
/// Copies (or fills) an N-d block of elements between two buffers whose elements are <c>step</c> bytes apart per
/// dimension. Dimensions of one element are skipped and contiguous dimensions merged first, so a whole chunk or a
/// run of whole rows becomes one block copy.
/// </summary>
internal static class StridedCopy
{
    private const int MaxRank = 64;

    /// <summary>Runs shorter than this are copied with ordinary stores even when streaming.</summary>
    private const int StreamingMinimumRun = 256;

    /// <summary>
    /// Copies <paramref name="counts"/> elements from <paramref name="src"/> to <paramref name="dst"/>. With
    /// <paramref name="streaming"/>, contiguous runs are written with non-temporal stores, which do not read the
    /// destination's cache lines first nor evict the cache: for a destination far larger than the cache that nobody
    /// reads soon (a whole-array read into new memory), this halves the memory traffic of the copy.
    /// </summary>
    public static void Copy(
        ref byte src, nint srcOffset, ReadOnlySpan<nint> srcSteps,
        ref byte dst, nint dstOffset, ReadOnlySpan<nint> dstSteps,
        ReadOnlySpan<long> counts, int itemSize, bool streaming = false)
    {
        Span<long> n = stackalloc long[MaxRank];
        Span<nint> s = stackalloc nint[MaxRank];
        Span<nint> d = stackalloc nint[MaxRank];
        var rank = Collapse(counts, srcSteps, dstSteps, n, s, d, itemSize);
        if (rank < 0)
        {
            return;
        }

        ref var srcBase = ref Unsafe.AddByteOffset(ref src, srcOffset);
        ref var dstBase = ref Unsafe.AddByteOffset(ref dst, dstOffset);
        var inner = rank - 1;
        var innerCount = n[inner];
        var contiguous = s[inner] == itemSize && d[inner] == itemSize;
        streaming &= contiguous && innerCount * itemSize >= StreamingMinimumRun && Avx.IsSupported;
        Span<long> index = stackalloc long[Math.Max(inner, 1)];
        index.Clear();
        nint so = 0, dOff = 0;
        while (true)
        {
            if (streaming)
            {
                CopyBlockStreaming(ref Unsafe.AddByteOffset(ref dstBase, dOff), ref Unsafe.AddByteOffset(ref srcBase, so), innerCount * itemSize);
            }
            else if (contiguous)
            {
                CopyBlock(ref Unsafe.AddByteOffset(ref dstBase, dOff), ref Unsafe.AddByteOffset(ref srcBase, so), innerCount * itemSize);
            }
            else
            {
                CopyElements(ref Unsafe.AddByteOffset(ref srcBase, so), s[inner], ref Unsafe.AddByteOffset(ref dstBase, dOff), d[inner], innerCount, itemSize);
            }

            // Odometer over the outer dimensions.
            var k = inner - 1;
            while (k >= 0)
            {
                index[k]++;
                so += s[k];
                dOff += d[k];
                if (index[k] < n[k])
                {
                    break;
                }

                so -= s[k] * (nint)n[k];
                dOff -= d[k] * (nint)n[k];
                index[k] = 0;
                k--;
            }

            if (k < 0)
            {
                if (streaming)
                {
                    // Non-temporal stores are weakly ordered: make them visible before whatever publishes the result.
                    Sse.StoreFence();
                }

                return;
            }
        }
    }

    /// <summary>Writes <paramref name="item"/> into each of <paramref name="counts"/> elements of <paramref name="dst"/>.</summary>
    public static void Fill(ref byte dst, nint dstOffset, ReadOnlySpan<nint> dstSteps, ReadOnlySpan<long> counts, ReadOnlySpan<byte> item)
    {
        var itemSize = item.Length;
        Span<long> n = stackalloc long[MaxRank];
        Span<nint> s = stackalloc nint[MaxRank];
        Span<nint> d = stackalloc nint[MaxRank];
        var rank = Collapse(counts, dstSteps, dstSteps, n, s, d, itemSize);
        if (rank < 0)
        {
            return;
        }

        ref var dstBase = ref Unsafe.AddByteOffset(ref dst, dstOffset);
        var inner = rank - 1;
        var allZero = item.IndexOfAnyExcept((byte)0) < 0;
        Span<long> index = stackalloc long[Math.Max(inner, 1)];
        index.Clear();
        nint off = 0;
        while (true)
        {
            ref var run = ref Unsafe.AddByteOffset(ref dstBase, off);
            if (d[inner] == itemSize && n[inner] * itemSize <= int.MaxValue)
            {
                var span = System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref run, (int)(n[inner] * itemSize));
                if (allZero)
                {
                    span.Clear();
                }
                else
                {
                    FillPattern(span, item);
                }
            }
            else
            {
                for (long i = 0; i < n[inner]; i++)
                {
                    item.CopyTo(System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref Unsafe.AddByteOffset(ref run, (nint)i * d[inner]), itemSize));
                }
            }

            var k = inner - 1;
            while (k >= 0)
            {
                index[k]++;
                off += d[k];
                if (index[k] < n[k])
                {
                    break;
                }

                off -= d[k] * (nint)n[k];
                index[k] = 0;
                k--;
            }

            if (k < 0)
            {
                return;
            }
        }
    }

    /// <summary>Fills <paramref name="destination"/> with repetitions of <paramref name="item"/>.</summary>
    public static void FillPattern(Span<byte> destination, ReadOnlySpan<byte> item)
    {
        switch (item.Length)
        {
            case 1:
                destination.Fill(item[0]);
                return;
            case 2:
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(destination).Fill(Unsafe.ReadUnaligned<ushort>(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(item)));
                return;
            case 4:
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(destination).Fill(Unsafe.ReadUnaligned<uint>(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(item)));
                return;
            case 8:
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(destination).Fill(Unsafe.ReadUnaligned<ulong>(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(item)));
                return;
            default:
                for (var i = 0; i + item.Length <= destination.Length; i += item.Length)
                {
                    item.CopyTo(destination[i..]);
                }

                return;
        }
    }

    // Drops one-element dimensions and merges dimensions that are contiguous on both sides; returns the rank, or -1 when nothing is selected.
    private static int Collapse(ReadOnlySpan<long> counts, ReadOnlySpan<nint> srcSteps, ReadOnlySpan<nint> dstSteps, Span<long> n, Span<nint> s, Span<nint> d, int itemSize)
    {
        if (counts.Length > MaxRank)
        {
            throw new ZarrSelectionException($"arrays of more than {MaxRank} dimensions are not supported");
        }

        var rank = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] == 0)
            {
                return -1;
            }

            if (counts[i] == 1)
            {
                continue;
            }

            if (rank > 0 && s[rank - 1] == srcSteps[i] * (nint)counts[i] && d[rank - 1] == dstSteps[i] * (nint)counts[i])
            {
                // The previous dimension steps over exactly one run of this one on both sides: merge.
                n[rank - 1] *= counts[i];
                s[rank - 1] = srcSteps[i];
                d[rank - 1] = dstSteps[i];
                continue;
            }

            n[rank] = counts[i];
            s[rank] = srcSteps[i];
            d[rank] = dstSteps[i];
            rank++;
        }

        if (rank == 0)
        {
            n[0] = 1;
            s[0] = itemSize;
            d[0] = itemSize;
            rank = 1;
        }

        return rank;
    }

    /// <summary>Copies <paramref name="bytes"/> contiguous bytes (any length, in parts under 4 GiB).</summary>
    internal static void CopyBlock(ref byte dst, ref byte src, long bytes)
    {
        while (bytes > 0)
        {
            var chunk = (uint)Math.Min(bytes, 1L << 30);
            Unsafe.CopyBlockUnaligned(ref dst, ref src, chunk);
            dst = ref Unsafe.AddByteOffset(ref dst, (nint)chunk);
            src = ref Unsafe.AddByteOffset(ref src, (nint)chunk);
            bytes -= chunk;
        }
    }

    /// <summary>
    /// Copies <paramref name="bytes"/> contiguous bytes, every whole 64-byte line of the destination with non-temporal
    /// stores and the partial lines at either end with ordinary ones; the caller fences once after its last run. Needs AVX.
    /// </summary>
    /// <remarks>
    /// A run of a chunk's row seldom starts on a line (an array's data starts 16 or 24 bytes past one), so its first and
    /// last lines are shared with the rows of the neighbouring chunks, written at another time, perhaps by another core.
    /// A line never gets both kinds of store, nor a non-temporal store that covers only part of it: mixing the kinds
    /// flushes the line between them, and a partial non-temporal line reaches memory as a read-modify-write. Scattering
    /// 4 GiB from hot 4 MiB chunks on two threads (benchmarks/scatter-stores, medians of 8): 4 KiB runs 0.06 s, against
    /// 0.07 s with the ends to a 32-byte boundary in ordinary stores and the rest of their lines non-temporal, and 0.16 s
    /// with the ends in narrower non-temporal stores; 512-byte runs 0.12 s, against 0.16 s and 0.29 s.
    /// </remarks>
    private static unsafe void CopyBlockStreaming(ref byte dst, ref byte src, long bytes)
    {
        fixed (byte* d = &dst)
        fixed (byte* s = &src)
        {
            var head = Math.Min(bytes, (64 - ((nint)d & 63)) & 63);
            Buffer.MemoryCopy(s, d, head, head);
            var i = head;
            for (; i + 128 <= bytes; i += 128)
            {
                var a = Avx.LoadVector256(s + i);
                var b = Avx.LoadVector256(s + i + 32);
                var c = Avx.LoadVector256(s + i + 64);
                var e = Avx.LoadVector256(s + i + 96);
                Avx.StoreAlignedNonTemporal(d + i, a);
                Avx.StoreAlignedNonTemporal(d + i + 32, b);
                Avx.StoreAlignedNonTemporal(d + i + 64, c);
                Avx.StoreAlignedNonTemporal(d + i + 96, e);
            }

            if (i + 64 <= bytes)
            {
                Avx.StoreAlignedNonTemporal(d + i, Avx.LoadVector256(s + i));
                Avx.StoreAlignedNonTemporal(d + i + 32, Avx.LoadVector256(s + i + 32));
                i += 64;
            }

            Buffer.MemoryCopy(s + i, d + i, bytes - i, bytes - i);
        }
    }

    /// <summary>Copies <paramref name="count"/> elements of <paramref name="itemSize"/> bytes between byte steps (a step of 0 repeats one element).</summary>
    internal static void CopyElements(ref byte src, nint srcStep, ref byte dst, nint dstStep, long count, int itemSize)
    {
        switch (itemSize)
        {
            case 1:
                for (long i = 0; i < count; i++)
                {
                    Unsafe.AddByteOffset(ref dst, (nint)i * dstStep) = Unsafe.AddByteOffset(ref src, (nint)i * srcStep);
                }

                return;
            case 2:
                CopyElements<ushort>(ref src, srcStep, ref dst, dstStep, count);
                return;
            case 4:
                CopyElements<uint>(ref src, srcStep, ref dst, dstStep, count);
                return;
            case 8:
                CopyElements<ulong>(ref src, srcStep, ref dst, dstStep, count);
                return;
            case 16:
                CopyElements<UInt128>(ref src, srcStep, ref dst, dstStep, count);
                return;
            default:
                for (long i = 0; i < count; i++)
                {
                    Unsafe.CopyBlockUnaligned(ref Unsafe.AddByteOffset(ref dst, (nint)i * dstStep), ref Unsafe.AddByteOffset(ref src, (nint)i * srcStep), (uint)itemSize);
                }

                return;
        }
    }

    private static void CopyElements<T>(ref byte src, nint srcStep, ref byte dst, nint dstStep, long count) where T : unmanaged
    {
        for (long i = 0; i < count; i++)
        {
            Unsafe.WriteUnaligned(ref Unsafe.AddByteOffset(ref dst, (nint)i * dstStep), Unsafe.ReadUnaligned<T>(ref Unsafe.AddByteOffset(ref src, (nint)i * srcStep)));
        }
    }
}
