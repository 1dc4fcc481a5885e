using System.Globalization;
using Zarr.Storage.Codecs;

namespace Zarr.Storage;

/// <summary>
/// The sub-byte integers (int2, int4, uint2, uint4) held one per byte: in memory a signed one is sign-extended and an
/// unsigned one zero-extended; stored by the <c>bytes</c> codec, the extension leaves the upper bits arbitrary, so they
/// are ignored when read and a value out of the type's range is refused when written, never cut silently.
/// </summary>
internal static class SubByteValues
{
    /// <summary>True for int2, int4, uint2, uint4.</summary>
    public static bool IsSubByte(ZarrDataType dataType) => dataType.BitWidth < 8;

    /// <summary>Extends each element from its low bits, whatever the upper bits hold.</summary>
    public static void Normalize(Span<byte> elements, ZarrDataType dataType)
    {
        if (!IsSubByte(dataType))
        {
            return;
        }

        var shift = 8 - dataType.BitWidth;
        var signed = dataType.NumpyKind == 'i';
        for (var i = 0; i < elements.Length; i++)
        {
            elements[i] = signed ? (byte)((sbyte)(elements[i] << shift) >> shift) : (byte)(elements[i] & (0xFF >> shift));
        }
    }

    /// <summary>Refuses an element outside the type's range.</summary>
    /// <exception cref="ZarrCodecException">An element is out of range.</exception>
    public static void Check(ReadOnlySpan<byte> elements, ZarrDataType dataType, string codec)
    {
        if (!IsSubByte(dataType))
        {
            return;
        }

        var bits = dataType.BitWidth;
        var signed = dataType.NumpyKind == 'i';
        var min = signed ? -(1 << (bits - 1)) : 0;
        var max = signed ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
        for (var i = 0; i < elements.Length; i++)
        {
            int value = signed ? (sbyte)elements[i] : elements[i];
            if (value < min || value > max)
            {
                throw new ZarrCodecException(codec, string.Create(CultureInfo.InvariantCulture, $"element {i} is {value}, outside the range of {dataType} ({min}..{max})"));
            }
        }
    }
}
