using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Zarr.Storage.Codecs;

/// <summary>
/// Blosc's bit shuffle of one block (the bitshuffle library's layout, as c-blosc 1.x applies it): for <c>n</c>
/// elements of <c>t</c> bytes, <c>8·t</c> rows of <c>n/8</c> bytes, row <c>8j + k</c> holding bit <c>k</c> of byte
/// <c>j</c> of every element (element <c>i</c> at bit <c>i mod 8</c> of byte <c>i/8</c>). As in c-blosc, only a block
/// whose element count is a multiple of 8 is transformed (the bytes after its last whole element are copied as they
/// are); any other block is copied unchanged.
/// <para>Shuffling is the byte shuffle (<see cref="ByteShuffle"/>) followed by one pass that takes the top bit of 16
/// or 32 bytes at once (<c>pmovmskb</c>); unshuffling gathers the 8 bit rows of 128 elements into 8 vectors,
/// transposes the 8×8 bit matrices of every byte lane with three exchange steps, interleaves the result back into
/// bytes, then byte-unshuffles. Scalar 8×8 bit transposes do what the vectors leave and run on machines without
/// SIMD. No allocation: the caller lends the scratch buffer.</para>
/// </summary>
internal static class BitShuffle
{
    /// <summary>Bit-shuffles <paramref name="source"/> into <paramref name="destination"/> (same length);
    /// <paramref name="scratch"/> is at least as long (unused for a type size of 1).</summary>
    public static void Shuffle(int typeSize, ReadOnlySpan<byte> source, Span<byte> destination, Span<byte> scratch) =>
        Shuffle(typeSize, source, destination, scratch, Vector128.IsHardwareAccelerated);

    /// <summary>The inverse of <see cref="Shuffle(int, ReadOnlySpan{byte}, Span{byte}, Span{byte})"/>.</summary>
    public static void Unshuffle(int typeSize, ReadOnlySpan<byte> source, Span<byte> destination, Span<byte> scratch) =>
        Unshuffle(typeSize, source, destination, scratch, SimdUnpack.IsSupported);

    /// <summary>The shuffle with the vector paths on or off (the tests compare both).</summary>
    internal static void Shuffle(int typeSize, ReadOnlySpan<byte> source, Span<byte> destination, Span<byte> scratch, bool simd)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(typeSize, 1);
        var elements = source.Length / typeSize;
        if (elements % 8 != 0)
        {
            source.CopyTo(destination);
            return;
        }

        var whole = elements * typeSize;
        ReadOnlySpan<byte> rows;
        if (typeSize == 1)
        {
            rows = source[..whole];
        }
        else
        {
            if (simd)
            {
                ByteShuffle.Shuffle(typeSize, source[..whole], scratch[..whole]);
            }
            else
            {
                ByteShuffle.ShuffleScalar(typeSize, source[..whole], scratch[..whole]);
            }

            rows = scratch[..whole];
        }

        for (var j = 0; j < typeSize; j++)
        {
            BitsOfRow(rows.Slice(j * elements, elements), destination.Slice(j * elements, elements), simd);
        }

        source[whole..].CopyTo(destination[whole..]);
    }

    /// <summary>The unshuffle with the vector paths on or off.</summary>
    internal static void Unshuffle(int typeSize, ReadOnlySpan<byte> source, Span<byte> destination, Span<byte> scratch, bool simd)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(typeSize, 1);
        var elements = source.Length / typeSize;
        if (elements % 8 != 0)
        {
            source.CopyTo(destination);
            return;
        }

        var whole = elements * typeSize;
        var rows = typeSize == 1 ? destination[..whole] : scratch[..whole];
        for (var j = 0; j < typeSize; j++)
        {
            BytesOfRow(source.Slice(j * elements, elements), rows.Slice(j * elements, elements), simd);
        }

        if (typeSize > 1)
        {
            if (simd)
            {
                ByteShuffle.Unshuffle(typeSize, rows, destination[..whole]);
            }
            else
            {
                ByteShuffle.UnshuffleScalar(typeSize, rows, destination[..whole]);
            }
        }

        source[whole..].CopyTo(destination[whole..]);
    }

    /// <summary>
    /// <paramref name="bytes"/> (n bytes, n a multiple of 8) into 8 rows of n/8 bytes: row k holds bit k of every byte.
    /// </summary>
    private static void BitsOfRow(ReadOnlySpan<byte> bytes, Span<byte> bits, bool simd)
    {
        var n = bytes.Length;
        var rowLength = n / 8;
        ref var src = ref MemoryMarshal.GetReference(bytes);
        ref var dst = ref MemoryMarshal.GetReference(bits);
        var i = 0;
        if (simd && Vector256.IsHardwareAccelerated)
        {
            for (; i + 32 <= n; i += 32)
            {
                var v = Vector256.LoadUnsafe(ref src, (nuint)i);
                for (var k = 7; k >= 0; k--)
                {
                    // The top bit of each byte is bit k of the original byte: shifted up (7 - k) times so far.
                    Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, (k * rowLength) + (i / 8)), v.ExtractMostSignificantBits());
                    v += v;
                }
            }
        }

        if (simd && Vector128.IsHardwareAccelerated)
        {
            for (; i + 16 <= n; i += 16)
            {
                var v = Vector128.LoadUnsafe(ref src, (nuint)i);
                for (var k = 7; k >= 0; k--)
                {
                    Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, (k * rowLength) + (i / 8)), (ushort)v.ExtractMostSignificantBits());
                    v += v;
                }
            }
        }

        for (; i < n; i += 8)
        {
            var x = Transpose8x8(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref src, i)));
            for (var k = 0; k < 8; k++)
            {
                Unsafe.Add(ref dst, (k * rowLength) + (i / 8)) = (byte)(x >> (8 * k));
            }
        }
    }

    /// <summary>The inverse of <see cref="BitsOfRow"/>: 8 rows of n/8 bytes back into n bytes.</summary>
    private static void BytesOfRow(ReadOnlySpan<byte> bits, Span<byte> bytes, bool simd)
    {
        var n = bytes.Length;
        var rowLength = n / 8;
        ref var src = ref MemoryMarshal.GetReference(bits);
        ref var dst = ref MemoryMarshal.GetReference(bytes);
        var g = 0; // a group is 8 elements: byte g of every bit row
        if (simd)
        {
            var low4 = Vector128.Create((byte)0x0F).AsUInt64();
            var low2 = Vector128.Create((byte)0x33).AsUInt64();
            var low1 = Vector128.Create((byte)0x55).AsUInt64();
            for (; g + 16 <= rowLength; g += 16)
            {
                // r_k lane g = byte g of bit row k; transposing each lane's 8×8 bit matrix makes q_m lane g = byte 8g+m.
                var r0 = Vector128.LoadUnsafe(ref src, (nuint)g).AsUInt64();
                var r1 = Vector128.LoadUnsafe(ref src, (nuint)(rowLength + g)).AsUInt64();
                var r2 = Vector128.LoadUnsafe(ref src, (nuint)((2 * rowLength) + g)).AsUInt64();
                var r3 = Vector128.LoadUnsafe(ref src, (nuint)((3 * rowLength) + g)).AsUInt64();
                var r4 = Vector128.LoadUnsafe(ref src, (nuint)((4 * rowLength) + g)).AsUInt64();
                var r5 = Vector128.LoadUnsafe(ref src, (nuint)((5 * rowLength) + g)).AsUInt64();
                var r6 = Vector128.LoadUnsafe(ref src, (nuint)((6 * rowLength) + g)).AsUInt64();
                var r7 = Vector128.LoadUnsafe(ref src, (nuint)((7 * rowLength) + g)).AsUInt64();
                Exchange(ref r0, ref r4, 4, low4);
                Exchange(ref r1, ref r5, 4, low4);
                Exchange(ref r2, ref r6, 4, low4);
                Exchange(ref r3, ref r7, 4, low4);
                Exchange(ref r0, ref r2, 2, low2);
                Exchange(ref r1, ref r3, 2, low2);
                Exchange(ref r4, ref r6, 2, low2);
                Exchange(ref r5, ref r7, 2, low2);
                Exchange(ref r0, ref r1, 1, low1);
                Exchange(ref r2, ref r3, 1, low1);
                Exchange(ref r4, ref r5, 1, low1);
                Exchange(ref r6, ref r7, 1, low1);

                // Interleave: byte 8g+m is lane g of q_m.
                SimdUnpack.StoreTransposed8(r0.AsByte(), r1.AsByte(), r2.AsByte(), r3.AsByte(), r4.AsByte(), r5.AsByte(), r6.AsByte(), r7.AsByte(), ref dst, (nuint)(8 * g));
            }
        }

        for (; g < rowLength; g++)
        {
            ulong x = 0;
            for (var k = 0; k < 8; k++)
            {
                x |= (ulong)Unsafe.Add(ref src, (k * rowLength) + g) << (8 * k);
            }

            BinaryPrimitives.WriteUInt64LittleEndian(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref dst, 8 * g), 8), Transpose8x8(x));
        }
    }

    /// <summary>
    /// Swaps, in every byte, the bits of <paramref name="a"/> at the positions <paramref name="mask"/> shifted up by
    /// <paramref name="shift"/> with the bits of <paramref name="b"/> at the positions of <paramref name="mask"/>: one
    /// of the three steps of an 8×8 bit transpose across 8 registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Exchange(ref Vector128<ulong> a, ref Vector128<ulong> b, int shift, Vector128<ulong> mask)
    {
        var t = ((a >>> shift) ^ b) & mask;
        b ^= t;
        a ^= t << shift;
    }

    /// <summary>
    /// Transposes the 8×8 bit matrix in <paramref name="x"/> (byte m is row m, bit k of it column k): afterwards byte k
    /// holds bit k of every original byte, byte m's bit at position m.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Transpose8x8(ulong x)
    {
        var t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAUL;
        x ^= t ^ (t << 7);
        t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCUL;
        x ^= t ^ (t << 14);
        t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0UL;
        return x ^ t ^ (t << 28);
    }
}
