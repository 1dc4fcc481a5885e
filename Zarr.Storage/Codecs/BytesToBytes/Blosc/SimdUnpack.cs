using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Zarr.Storage.Codecs;

/// <summary>
/// The interleaving primitives the shuffle kernels are built from: x86's <c>punpckl*</c>/<c>punpckh*</c> and Arm64's
/// <c>zip1</c>/<c>zip2</c>, which do the same thing. <c>Low(a, b)</c> interleaves the low halves of two vectors in units
/// of 1, 2, 4 or 8 bytes (a's first unit, b's first unit, a's second, ...), <c>High</c> the high halves. The kernels
/// use them only when <see cref="IsSupported"/>; otherwise they run their scalar loops.
/// </summary>
internal static class SimdUnpack
{
    /// <summary>Whether the hardware interleaves (SSE2 or Arm64 AdvSIMD).</summary>
    public static bool IsSupported => Sse2.IsSupported || AdvSimd.Arm64.IsSupported;

    /// <summary>Interleaves the low 8 bytes of <paramref name="a"/> and <paramref name="b"/> byte by byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Low8(Vector128<byte> a, Vector128<byte> b) =>
        Sse2.IsSupported ? Sse2.UnpackLow(a, b) : AdvSimd.Arm64.ZipLow(a, b);

    /// <summary>Interleaves the high 8 bytes of <paramref name="a"/> and <paramref name="b"/> byte by byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> High8(Vector128<byte> a, Vector128<byte> b) =>
        Sse2.IsSupported ? Sse2.UnpackHigh(a, b) : AdvSimd.Arm64.ZipHigh(a, b);

    /// <summary>Interleaves the low halves in units of 2 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Low16(Vector128<byte> a, Vector128<byte> b) =>
        (Sse2.IsSupported ? Sse2.UnpackLow(a.AsUInt16(), b.AsUInt16()) : AdvSimd.Arm64.ZipLow(a.AsUInt16(), b.AsUInt16())).AsByte();

    /// <summary>Interleaves the high halves in units of 2 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> High16(Vector128<byte> a, Vector128<byte> b) =>
        (Sse2.IsSupported ? Sse2.UnpackHigh(a.AsUInt16(), b.AsUInt16()) : AdvSimd.Arm64.ZipHigh(a.AsUInt16(), b.AsUInt16())).AsByte();

    /// <summary>Interleaves the low halves in units of 4 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Low32(Vector128<byte> a, Vector128<byte> b) =>
        (Sse2.IsSupported ? Sse2.UnpackLow(a.AsUInt32(), b.AsUInt32()) : AdvSimd.Arm64.ZipLow(a.AsUInt32(), b.AsUInt32())).AsByte();

    /// <summary>Interleaves the high halves in units of 4 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> High32(Vector128<byte> a, Vector128<byte> b) =>
        (Sse2.IsSupported ? Sse2.UnpackHigh(a.AsUInt32(), b.AsUInt32()) : AdvSimd.Arm64.ZipHigh(a.AsUInt32(), b.AsUInt32())).AsByte();

    /// <summary>The low 8 bytes of <paramref name="a"/>, then the low 8 bytes of <paramref name="b"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Low64(Vector128<byte> a, Vector128<byte> b) =>
        (Sse2.IsSupported ? Sse2.UnpackLow(a.AsUInt64(), b.AsUInt64()) : AdvSimd.Arm64.ZipLow(a.AsUInt64(), b.AsUInt64())).AsByte();

    /// <summary>The high 8 bytes of <paramref name="a"/>, then the high 8 bytes of <paramref name="b"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> High64(Vector128<byte> a, Vector128<byte> b) =>
        (Sse2.IsSupported ? Sse2.UnpackHigh(a.AsUInt64(), b.AsUInt64()) : AdvSimd.Arm64.ZipHigh(a.AsUInt64(), b.AsUInt64())).AsByte();

    /// <summary>
    /// The 4×16 → 16×4 byte transpose an unshuffle of 4-byte elements ends in: stores 64 bytes at
    /// <paramref name="offset"/>, unit i (4 bytes) holding byte i of <paramref name="r0"/> to <paramref name="r3"/> in turn.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreTransposed4(Vector128<byte> r0, Vector128<byte> r1, Vector128<byte> r2, Vector128<byte> r3, ref byte destination, nuint offset)
    {
        var u0 = Low8(r0, r1);   // bytes 0-1 of units 0..7
        var u1 = High8(r0, r1);  // bytes 0-1 of units 8..15
        var u2 = Low8(r2, r3);   // bytes 2-3 of units 0..7
        var u3 = High8(r2, r3);  // bytes 2-3 of units 8..15
        Low16(u0, u2).StoreUnsafe(ref destination, offset);
        High16(u0, u2).StoreUnsafe(ref destination, offset + 16);
        Low16(u1, u3).StoreUnsafe(ref destination, offset + 32);
        High16(u1, u3).StoreUnsafe(ref destination, offset + 48);
    }

    /// <summary>
    /// The 8×16 → 16×8 byte transpose an unshuffle of 8-byte elements (and a bit unshuffle's regrouping) ends in:
    /// stores 128 bytes at <paramref name="offset"/>, unit i (8 bytes) holding byte i of <paramref name="r0"/> to
    /// <paramref name="r7"/> in turn.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreTransposed8(
        Vector128<byte> r0, Vector128<byte> r1, Vector128<byte> r2, Vector128<byte> r3,
        Vector128<byte> r4, Vector128<byte> r5, Vector128<byte> r6, Vector128<byte> r7,
        ref byte destination, nuint offset)
    {
        var a0 = Low8(r0, r1);   // bytes 0-1 of units 0..7
        var a1 = High8(r0, r1);  // bytes 0-1 of units 8..15
        var b0 = Low8(r2, r3);   // bytes 2-3
        var b1 = High8(r2, r3);
        var c0 = Low8(r4, r5);   // bytes 4-5
        var c1 = High8(r4, r5);
        var d0 = Low8(r6, r7);   // bytes 6-7
        var d1 = High8(r6, r7);
        var e0 = Low16(a0, b0);  // bytes 0-3 of units 0..3
        var e1 = High16(a0, b0); // units 4..7
        var e2 = Low16(a1, b1);  // units 8..11
        var e3 = High16(a1, b1); // units 12..15
        var f0 = Low16(c0, d0);  // bytes 4-7 of the same
        var f1 = High16(c0, d0);
        var f2 = Low16(c1, d1);
        var f3 = High16(c1, d1);
        Low32(e0, f0).StoreUnsafe(ref destination, offset);
        High32(e0, f0).StoreUnsafe(ref destination, offset + 16);
        Low32(e1, f1).StoreUnsafe(ref destination, offset + 32);
        High32(e1, f1).StoreUnsafe(ref destination, offset + 48);
        Low32(e2, f2).StoreUnsafe(ref destination, offset + 64);
        High32(e2, f2).StoreUnsafe(ref destination, offset + 80);
        Low32(e3, f3).StoreUnsafe(ref destination, offset + 96);
        High32(e3, f3).StoreUnsafe(ref destination, offset + 112);
    }
}
