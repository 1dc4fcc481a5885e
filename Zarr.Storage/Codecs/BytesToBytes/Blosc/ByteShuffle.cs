using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Zarr.Storage.Codecs;

/// <summary>
/// Blosc's byte shuffle of one block: for a block of <c>n</c> elements of <c>t</c> bytes, byte <c>j</c> of element
/// <c>i</c> goes to <c>j·n + i</c>, so that the first bytes of every element come first, then the second bytes, and so
/// on; the bytes after the last whole element stay where they are. Type sizes 2, 4, 8 and 16 (every numeric type) run
/// SIMD kernels (SSE2/SSSE3 or Arm64 AdvSIMD) over 16 elements at a time; other sizes, and machines without those
/// instructions, run the scalar loops, which the kernels also use for the last elements. No allocation.
/// </summary>
internal static class ByteShuffle
{
    /// <summary>Shuffles <paramref name="source"/> into <paramref name="destination"/> (the same length; they must not overlap).</summary>
    public static void Shuffle(int typeSize, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        Check(typeSize, source, destination);
        if (typeSize == 1)
        {
            source.CopyTo(destination);
            return;
        }

        var done = 0;
        if (SimdUnpack.IsSupported)
        {
            done = typeSize switch
            {
                2 => Shuffle2(source, destination),
                4 => Shuffle4(source, destination),
                8 => Shuffle8(source, destination),
                16 => Shuffle16(source, destination),
                _ => 0,
            };
        }

        ShuffleScalar(typeSize, source, destination, done);
    }

    /// <summary>The inverse of <see cref="Shuffle"/>.</summary>
    public static void Unshuffle(int typeSize, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        Check(typeSize, source, destination);
        if (typeSize == 1)
        {
            source.CopyTo(destination);
            return;
        }

        var done = 0;
        if (SimdUnpack.IsSupported)
        {
            done = typeSize switch
            {
                2 => Unshuffle2(source, destination),
                4 => Unshuffle4(source, destination),
                8 => Unshuffle8(source, destination),
                16 => Unshuffle16(source, destination),
                _ => 0,
            };
        }

        UnshuffleScalar(typeSize, source, destination, done);
    }

    /// <summary>
    /// The scalar shuffle of the elements from <paramref name="startElement"/> on, plus the trailing bytes (the whole
    /// shuffle when it is 0; the tests compare the kernels with it).
    /// </summary>
    internal static void ShuffleScalar(int typeSize, ReadOnlySpan<byte> source, Span<byte> destination, int startElement = 0)
    {
        var n = source.Length / typeSize;
        ref var src = ref MemoryMarshal.GetReference(source);
        ref var dst = ref MemoryMarshal.GetReference(destination);
        for (var j = 0; j < typeSize; j++)
        {
            ref var row = ref Unsafe.Add(ref dst, (nint)j * n);
            for (var i = startElement; i < n; i++)
            {
                Unsafe.Add(ref row, i) = Unsafe.Add(ref src, ((nint)i * typeSize) + j);
            }
        }

        var whole = n * typeSize;
        source[whole..].CopyTo(destination[whole..]);
    }

    /// <summary>The scalar inverse of <see cref="ShuffleScalar"/>.</summary>
    internal static void UnshuffleScalar(int typeSize, ReadOnlySpan<byte> source, Span<byte> destination, int startElement = 0)
    {
        var n = source.Length / typeSize;
        ref var src = ref MemoryMarshal.GetReference(source);
        ref var dst = ref MemoryMarshal.GetReference(destination);
        for (var i = startElement; i < n; i++)
        {
            ref var element = ref Unsafe.Add(ref dst, (nint)i * typeSize);
            for (var j = 0; j < typeSize; j++)
            {
                Unsafe.Add(ref element, j) = Unsafe.Add(ref src, ((nint)j * n) + i);
            }
        }

        var whole = n * typeSize;
        source[whole..].CopyTo(destination[whole..]);
    }

    private static void Check(int typeSize, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(typeSize, 1);
        if (destination.Length != source.Length)
        {
            throw new ArgumentException("the destination must be as long as the source", nameof(destination));
        }
    }

    // ---------------------------------------------------------------- the kernels: 16 elements per step; each returns how many elements it did

    private static int Shuffle2(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var n = source.Length / 2;
        var end = n & ~15;
        ref var src = ref MemoryMarshal.GetReference(source);
        ref var dst = ref MemoryMarshal.GetReference(destination);

        // Within 16 bytes (8 elements): the first bytes, then the second bytes.
        var gather = Vector128.Create((byte)0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
        for (var i = 0; i < end; i += 16)
        {
            var a = Vector128.Shuffle(Vector128.LoadUnsafe(ref src, (nuint)(2 * i)), gather);
            var b = Vector128.Shuffle(Vector128.LoadUnsafe(ref src, (nuint)((2 * i) + 16)), gather);
            SimdUnpack.Low64(a, b).StoreUnsafe(ref dst, (nuint)i);
            SimdUnpack.High64(a, b).StoreUnsafe(ref dst, (nuint)(n + i));
        }

        return end;
    }

    private static int Unshuffle2(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var n = source.Length / 2;
        var end = n & ~15;
        ref var src = ref MemoryMarshal.GetReference(source);
        ref var dst = ref MemoryMarshal.GetReference(destination);
        for (var i = 0; i < end; i += 16)
        {
            var r0 = Vector128.LoadUnsafe(ref src, (nuint)i);
            var r1 = Vector128.LoadUnsafe(ref src, (nuint)(n + i));
            SimdUnpack.Low8(r0, r1).StoreUnsafe(ref dst, (nuint)(2 * i));
            SimdUnpack.High8(r0, r1).StoreUnsafe(ref dst, (nuint)((2 * i) + 16));
        }

        return end;
    }

    private static int Shuffle4(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var n = source.Length / 4;
        var end = n & ~15;
        ref var src = ref MemoryMarshal.GetReference(source);
        ref var dst = ref MemoryMarshal.GetReference(destination);

        // Within 16 bytes (4 elements): 4-byte unit j holds byte j of the 4 elements; then a 4×4 transpose of the units.
        var gather = Vector128.Create((byte)0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
        for (var i = 0; i < end; i += 16)
        {
            var offset = (nuint)(4 * i);
            var a0 = Vector128.Shuffle(Vector128.LoadUnsafe(ref src, offset), gather);
            var a1 = Vector128.Shuffle(Vector128.LoadUnsafe(ref src, offset + 16), gather);
            var a2 = Vector128.Shuffle(Vector128.LoadUnsafe(ref src, offset + 32), gather);
            var a3 = Vector128.Shuffle(Vector128.LoadUnsafe(ref src, offset + 48), gather);
            var t0 = SimdUnpack.Low32(a0, a1);
            var t1 = SimdUnpack.High32(a0, a1);
            var t2 = SimdUnpack.Low32(a2, a3);
            var t3 = SimdUnpack.High32(a2, a3);
            SimdUnpack.Low64(t0, t2).StoreUnsafe(ref dst, (nuint)i);
            SimdUnpack.High64(t0, t2).StoreUnsafe(ref dst, (nuint)(n + i));
            SimdUnpack.Low64(t1, t3).StoreUnsafe(ref dst, (nuint)((2 * n) + i));
            SimdUnpack.High64(t1, t3).StoreUnsafe(ref dst, (nuint)((3 * n) + i));
        }

        return end;
    }

    private static int Unshuffle4(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var n = source.Length / 4;
        var end = n & ~15;
        ref var src = ref MemoryMarshal.GetReference(source);
        ref var dst = ref MemoryMarshal.GetReference(destination);
        for (var i = 0; i < end; i += 16)
        {
            var r0 = Vector128.LoadUnsafe(ref src, (nuint)i);
            var r1 = Vector128.LoadUnsafe(ref src, (nuint)(n + i));
            var r2 = Vector128.LoadUnsafe(ref src, (nuint)((2 * n) + i));
            var r3 = Vector128.LoadUnsafe(ref src, (nuint)((3 * n) + i));
            SimdUnpack.StoreTransposed4(r0, r1, r2, r3, ref dst, (nuint)(4 * i));
        }

        return end;
    }

    private static int Shuffle8(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var n = source.Length / 8;
        var end = n & ~15;
        ref var src = ref MemoryMarshal.GetReference(source);
        ref var dst = ref MemoryMarshal.GetReference(destination);

        // Within 16 bytes (2 elements): 2-byte unit j holds byte j of both; then an 8×8 transpose of the units.
        var gather = Vector128.Create((byte)0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15);
        for (var i = 0; i < end; i += 16)
        {
            var offset = (nuint)(8 * i);
            var v0 = Vector128.Shuffle(Vector128.LoadUnsafe(ref src, offset), gather);
            var v1 = Vector128.Shuffle(Vector128.LoadUnsafe(ref src, offset + 16), gather);
            var v2 = Vector128.Shuffle(Vector128.LoadUnsafe(ref src, offset + 32), gather);
            var v3 = Vector128.Shuffle(Vector128.LoadUnsafe(ref src, offset + 48), gather);
            var v4 = Vector128.Shuffle(Vector128.LoadUnsafe(ref src, offset + 64), gather);
            var v5 = Vector128.Shuffle(Vector128.LoadUnsafe(ref src, offset + 80), gather);
            var v6 = Vector128.Shuffle(Vector128.LoadUnsafe(ref src, offset + 96), gather);
            var v7 = Vector128.Shuffle(Vector128.LoadUnsafe(ref src, offset + 112), gather);
            var a0 = SimdUnpack.Low16(v0, v1);
            var a1 = SimdUnpack.High16(v0, v1);
            var a2 = SimdUnpack.Low16(v2, v3);
            var a3 = SimdUnpack.High16(v2, v3);
            var a4 = SimdUnpack.Low16(v4, v5);
            var a5 = SimdUnpack.High16(v4, v5);
            var a6 = SimdUnpack.Low16(v6, v7);
            var a7 = SimdUnpack.High16(v6, v7);
            var b0 = SimdUnpack.Low32(a0, a2);  // units 0, 1 of v0..v3
            var b1 = SimdUnpack.High32(a0, a2); // units 2, 3
            var b2 = SimdUnpack.Low32(a1, a3);  // units 4, 5
            var b3 = SimdUnpack.High32(a1, a3); // units 6, 7
            var b4 = SimdUnpack.Low32(a4, a6);  // the same for v4..v7
            var b5 = SimdUnpack.High32(a4, a6);
            var b6 = SimdUnpack.Low32(a5, a7);
            var b7 = SimdUnpack.High32(a5, a7);
            SimdUnpack.Low64(b0, b4).StoreUnsafe(ref dst, (nuint)i);
            SimdUnpack.High64(b0, b4).StoreUnsafe(ref dst, (nuint)(n + i));
            SimdUnpack.Low64(b1, b5).StoreUnsafe(ref dst, (nuint)((2 * n) + i));
            SimdUnpack.High64(b1, b5).StoreUnsafe(ref dst, (nuint)((3 * n) + i));
            SimdUnpack.Low64(b2, b6).StoreUnsafe(ref dst, (nuint)((4 * n) + i));
            SimdUnpack.High64(b2, b6).StoreUnsafe(ref dst, (nuint)((5 * n) + i));
            SimdUnpack.Low64(b3, b7).StoreUnsafe(ref dst, (nuint)((6 * n) + i));
            SimdUnpack.High64(b3, b7).StoreUnsafe(ref dst, (nuint)((7 * n) + i));
        }

        return end;
    }

    private static int Unshuffle8(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var n = source.Length / 8;
        var end = n & ~15;
        ref var src = ref MemoryMarshal.GetReference(source);
        ref var dst = ref MemoryMarshal.GetReference(destination);
        for (var i = 0; i < end; i += 16)
        {
            var r0 = Vector128.LoadUnsafe(ref src, (nuint)i);
            var r1 = Vector128.LoadUnsafe(ref src, (nuint)(n + i));
            var r2 = Vector128.LoadUnsafe(ref src, (nuint)((2 * n) + i));
            var r3 = Vector128.LoadUnsafe(ref src, (nuint)((3 * n) + i));
            var r4 = Vector128.LoadUnsafe(ref src, (nuint)((4 * n) + i));
            var r5 = Vector128.LoadUnsafe(ref src, (nuint)((5 * n) + i));
            var r6 = Vector128.LoadUnsafe(ref src, (nuint)((6 * n) + i));
            var r7 = Vector128.LoadUnsafe(ref src, (nuint)((7 * n) + i));
            SimdUnpack.StoreTransposed8(r0, r1, r2, r3, r4, r5, r6, r7, ref dst, (nuint)(8 * i));
        }

        return end;
    }

    private static int Shuffle16(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        // 16 elements of 16 bytes are a 16×16 byte matrix: shuffling transposes it.
        var n = source.Length / 16;
        var end = n & ~15;
        ref var src = ref MemoryMarshal.GetReference(source);
        ref var dst = ref MemoryMarshal.GetReference(destination);
        var m = default(Matrix16);
        for (var i = 0; i < end; i += 16)
        {
            for (var k = 0; k < 16; k++)
            {
                m[k] = Vector128.LoadUnsafe(ref src, (nuint)((16 * i) + (16 * k)));
            }

            Transpose(ref m);
            for (var k = 0; k < 16; k++)
            {
                m[k].StoreUnsafe(ref dst, (nuint)((k * n) + i));
            }
        }

        return end;
    }

    private static int Unshuffle16(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var n = source.Length / 16;
        var end = n & ~15;
        ref var src = ref MemoryMarshal.GetReference(source);
        ref var dst = ref MemoryMarshal.GetReference(destination);
        var m = default(Matrix16);
        for (var i = 0; i < end; i += 16)
        {
            for (var k = 0; k < 16; k++)
            {
                m[k] = Vector128.LoadUnsafe(ref src, (nuint)((k * n) + i));
            }

            Transpose(ref m);
            for (var k = 0; k < 16; k++)
            {
                m[k].StoreUnsafe(ref dst, (nuint)((16 * i) + (16 * k)));
            }
        }

        return end;
    }

    /// <summary>Transposes a 16×16 byte matrix held as 16 rows: interleaving by 1, 2, 4 and 8 bytes.</summary>
    private static void Transpose(ref Matrix16 m)
    {
        var a = default(Matrix16);
        for (var p = 0; p < 8; p++)
        {
            // unit k (2 bytes) = column k of rows 2p and 2p+1: k 0..7 in a[2p], 8..15 in a[2p+1]
            a[2 * p] = SimdUnpack.Low8(m[2 * p], m[(2 * p) + 1]);
            a[(2 * p) + 1] = SimdUnpack.High8(m[2 * p], m[(2 * p) + 1]);
        }

        for (var q = 0; q < 4; q++)
        {
            // unit (4 bytes) = column k of rows 4q..4q+3: k 0..3, 4..7, 8..11, 12..15
            var b = 4 * q;
            m[b] = SimdUnpack.Low16(a[b], a[b + 2]);
            m[b + 1] = SimdUnpack.High16(a[b], a[b + 2]);
            m[b + 2] = SimdUnpack.Low16(a[b + 1], a[b + 3]);
            m[b + 3] = SimdUnpack.High16(a[b + 1], a[b + 3]);
        }

        for (var h = 0; h < 2; h++)
        {
            for (var s = 0; s < 4; s++)
            {
                // unit (8 bytes) = column k of rows 8h..8h+7: k = 4s, 4s+1 and 4s+2, 4s+3
                a[(8 * h) + (2 * s)] = SimdUnpack.Low32(m[(8 * h) + s], m[(8 * h) + 4 + s]);
                a[(8 * h) + (2 * s) + 1] = SimdUnpack.High32(m[(8 * h) + s], m[(8 * h) + 4 + s]);
            }
        }

        for (var e = 0; e < 8; e++)
        {
            // a[e] holds columns 2e and 2e+1 of rows 0..7, a[8+e] the same of rows 8..15
            m[2 * e] = SimdUnpack.Low64(a[e], a[8 + e]);
            m[(2 * e) + 1] = SimdUnpack.High64(a[e], a[8 + e]);
        }
    }

    /// <summary>Sixteen vectors on the stack.</summary>
    [InlineArray(16)]
    private struct Matrix16
    {
        private Vector128<byte> _row;
    }
}
