using System.Runtime.InteropServices;

namespace Zarr.Storage.Tests;

/// <summary>
/// The corpora's canonical serialization (tests/fixtures/python/canonical.py) of little-endian values of the core
/// types: every float NaN, complex parts included, made the quiet NaN with sign 0. Other types are their bytes.
/// </summary>
internal static class CanonicalValues
{
    public static byte[] Of(ReadOnlySpan<byte> data, ZarrDataType type)
    {
        var copy = data.ToArray();
        switch (type.Kind)
        {
            case DataTypeKind.Float16:
                foreach (ref var h in MemoryMarshal.Cast<byte, Half>(copy.AsSpan()))
                {
                    h = Half.IsNaN(h) ? BitConverter.UInt16BitsToHalf(0x7E00) : h;
                }

                break;
            case DataTypeKind.Float32 or DataTypeKind.Complex64:
                foreach (ref var f in MemoryMarshal.Cast<byte, float>(copy.AsSpan()))
                {
                    f = float.IsNaN(f) ? BitConverter.Int32BitsToSingle(0x7FC00000) : f;
                }

                break;
            case DataTypeKind.Float64 or DataTypeKind.Complex128:
                foreach (ref var d in MemoryMarshal.Cast<byte, double>(copy.AsSpan()))
                {
                    d = double.IsNaN(d) ? BitConverter.Int64BitsToDouble(0x7FF8000000000000) : d;
                }

                break;
        }

        return copy;
    }
}
