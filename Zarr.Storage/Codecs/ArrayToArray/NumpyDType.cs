
namespace Zarr.Storage.Codecs;

/// <summary>
/// A numpy type string as numcodecs writes a filter's types: an element type and a byte order
/// (<c>&lt;i4</c>, <c>&gt;f8</c>, <c>|u1</c>). One-byte types have no byte order.
/// </summary>
public readonly record struct NumpyDType
{
    /// <summary>Creates a type; <paramref name="bigEndian"/> is ignored for one-byte types.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="dataType"/> is null.</exception>
    public NumpyDType(ZarrDataType dataType, bool bigEndian = false)
    {
        ArgumentNullException.ThrowIfNull(dataType);
        DataType = dataType;
        BigEndian = bigEndian && dataType.ItemSize > 1;
    }

    /// <summary>The element type.</summary>
    public ZarrDataType DataType { get; }

    /// <summary>
    /// A little-endian type (numpy's <c>&lt;f8</c> for <see cref="ZarrDataType.Float64"/>), so that a filter reads as
    /// numcodecs' does: <c>new FixedScaleOffsetCodec(offset: 20, scale: 100, dtype: ZarrDataType.Float64, astype: ZarrDataType.UInt16)</c>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="dataType"/> is null.</exception>
    public static implicit operator NumpyDType(ZarrDataType dataType) => new(dataType);

    /// <summary>The same as the implicit conversion: a little-endian type.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="dataType"/> is null.</exception>
    public static NumpyDType FromZarrDataType(ZarrDataType dataType) => new(dataType);

    /// <summary>True for a multi-byte type stored big-endian (<c>&gt;</c>).</summary>
    public bool BigEndian { get; }

    /// <summary>The byte order for a <c>bytes</c> codec: null for one-byte types.</summary>
    public Endian? Endian => DataType.ItemSize == 1 ? null : BigEndian ? Codecs.Endian.Big : Codecs.Endian.Little;

    /// <summary>
    /// Parses a numpy type string (<c>&lt;i4</c>, <c>&gt;f8</c>, <c>|u1</c>, <c>=i2</c>) or a numpy name (<c>int32</c>, <c>float64</c>,
    /// as zarr-python 3 writes a numcodecs filter's default dtype). No prefix, <c>=</c> and <c>|</c> mean little-endian, the
    /// byte order of every machine this library runs on.
    /// </summary>
    public static bool TryParse(string? text, out NumpyDType dtype)
    {
        dtype = default;
        if (string.IsNullOrEmpty(text) || !ZarrDataType.TryParse(text, out var dataType))
        {
            return false;
        }

        dtype = new NumpyDType(dataType, text[0] == '>');
        return true;
    }

    /// <summary>numpy's <c>dtype.str</c>: <c>&lt;i4</c>, <c>&gt;f8</c>, <c>|u1</c>.</summary>
    public override string ToString() => DataType is null ? string.Empty : DataType.ToNumpyTypeString(BigEndian);
}
