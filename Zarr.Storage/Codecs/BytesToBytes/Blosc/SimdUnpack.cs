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
}
