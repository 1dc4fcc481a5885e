using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Zarr.Storage;

namespace Zarr.Interop.Tests;

/// <summary>
/// The corpus's canonical serialization (CORPUS.md): C order, little-endian, bool as 0/1, complex as real then
/// imaginary, every NaN replaced by the quiet NaN with sign 0. Written here from the corpus's description, not
/// from the library, so that the library is checked against it.
/// </summary>
public static class Canonical
{
    public const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>The element kind a numpy type code (without byte order: <c>i4</c>, <c>b1</c>, <c>c16</c>) stands for.</summary>
    public static readonly IReadOnlyDictionary<string, DataTypeKind> NumpyCodes = new Dictionary<string, DataTypeKind>
    {
        ["b1"] = DataTypeKind.Bool,
        ["i1"] = DataTypeKind.Int8,
        ["i2"] = DataTypeKind.Int16,
        ["i4"] = DataTypeKind.Int32,
        ["i8"] = DataTypeKind.Int64,
        ["u1"] = DataTypeKind.UInt8,
        ["u2"] = DataTypeKind.UInt16,
        ["u4"] = DataTypeKind.UInt32,
        ["u8"] = DataTypeKind.UInt64,
        ["f2"] = DataTypeKind.Float16,
        ["f4"] = DataTypeKind.Float32,
        ["f8"] = DataTypeKind.Float64,
        ["c8"] = DataTypeKind.Complex64,
        ["c16"] = DataTypeKind.Complex128,
    };

    /// <summary>The v3 data type name of each kind.</summary>
    public static readonly IReadOnlyDictionary<DataTypeKind, string> V3Names = new Dictionary<DataTypeKind, string>
    {
        [DataTypeKind.Bool] = "bool",
        [DataTypeKind.Int8] = "int8",
        [DataTypeKind.Int16] = "int16",
        [DataTypeKind.Int32] = "int32",
        [DataTypeKind.Int64] = "int64",
        [DataTypeKind.UInt8] = "uint8",
        [DataTypeKind.UInt16] = "uint16",
        [DataTypeKind.UInt32] = "uint32",
        [DataTypeKind.UInt64] = "uint64",
        [DataTypeKind.Float16] = "float16",
        [DataTypeKind.Float32] = "float32",
        [DataTypeKind.Float64] = "float64",
        [DataTypeKind.Complex64] = "complex64",
        [DataTypeKind.Complex128] = "complex128",
    };

    public static string NumpyCode(DataTypeKind kind) => NumpyCodes.Single(p => p.Value == kind).Key;

    public static int ItemSize(DataTypeKind kind) => int.Parse(NumpyCode(kind)[1..], CultureInfo.InvariantCulture);

    /// <summary>The v2 dtype string: <c>|b1</c>, <c>&lt;i4</c>, <c>&gt;f8</c>.</summary>
    public static string V2Dtype(DataTypeKind kind, bool bigEndian) =>
        (ItemSize(kind) == 1 ? "|" : bigEndian ? ">" : "<") + NumpyCode(kind);

    /// <summary>Replaces every NaN of little-endian elements of <paramref name="kind"/> by the canonical NaN (a copy).</summary>
    public static byte[] Canonicalize(ReadOnlySpan<byte> data, DataTypeKind kind)
    {
        var copy = data.ToArray();
        switch (kind)
        {
            case DataTypeKind.Float16:
                foreach (ref var h in MemoryMarshal.Cast<byte, ushort>(copy.AsSpan()))
                {
                    if ((h & 0x7C00) == 0x7C00 && (h & 0x03FF) != 0)
                    {
                        h = 0x7E00;
                    }
                }

                break;
            case DataTypeKind.Float32 or DataTypeKind.Complex64:
                foreach (ref var f in MemoryMarshal.Cast<byte, uint>(copy.AsSpan()))
                {
                    if ((f & 0x7F800000) == 0x7F800000 && (f & 0x007FFFFF) != 0)
                    {
                        f = 0x7FC00000;
                    }
                }

                break;
            case DataTypeKind.Float64 or DataTypeKind.Complex128:
                foreach (ref var d in MemoryMarshal.Cast<byte, ulong>(copy.AsSpan()))
                {
                    if ((d & 0x7FF0000000000000) == 0x7FF0000000000000 && (d & 0x000FFFFFFFFFFFFF) != 0)
                    {
                        d = 0x7FF8000000000000;
                    }
                }

                break;
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("the canonical serialization is computed on little-endian machines only");
        }

        return copy;
    }

    public static string Sha256(ReadOnlySpan<byte> canonical) => Convert.ToHexStringLower(SHA256.HashData(canonical));

    /// <summary>The canonical hash of typed values (the values meant to be written).</summary>
    public static string Sha256Of<T>(ReadOnlySpan<T> values, DataTypeKind kind) where T : unmanaged =>
        Sha256(Canonicalize(MemoryMarshal.AsBytes(values), kind));

    /// <summary>
    /// The canonical bytes of one element given as a Zarr fill value in JSON (v2 or v3): numbers, booleans,
    /// "NaN"/"Infinity"/"-Infinity", v3 hex strings "0x...", complex [re, im]; null reads as zero.
    /// </summary>
    public static byte[] FillValueBytes(JsonNode? fill, DataTypeKind kind)
    {
        var size = ItemSize(kind);
        var bytes = new byte[size];
        if (fill is null)
        {
            return bytes;
        }

        switch (kind)
        {
            case DataTypeKind.Bool:
                bytes[0] = fill.GetValue<bool>() ? (byte)1 : (byte)0;
                break;
            case DataTypeKind.Int8 or DataTypeKind.Int16 or DataTypeKind.Int32 or DataTypeKind.Int64:
            {
                var v = BigInteger.Parse(fill.ToJsonString(), CultureInfo.InvariantCulture);
                WriteInteger(bytes, (long)v);
                break;
            }

            case DataTypeKind.UInt8 or DataTypeKind.UInt16 or DataTypeKind.UInt32 or DataTypeKind.UInt64:
            {
                var v = BigInteger.Parse(fill.ToJsonString(), CultureInfo.InvariantCulture);
                WriteInteger(bytes, unchecked((long)(ulong)v));
                break;
            }

            case DataTypeKind.Float16 or DataTypeKind.Float32 or DataTypeKind.Float64:
                WriteFloat(bytes, fill, size);
                break;
            case DataTypeKind.Complex64 or DataTypeKind.Complex128:
            {
                var parts = fill.AsArray();
                WriteFloat(bytes.AsSpan(0, size / 2), parts[0], size / 2);
                WriteFloat(bytes.AsSpan(size / 2), parts[1], size / 2);
                break;
            }
        }

        return Canonicalize(bytes, kind);
    }

    private static void WriteInteger(Span<byte> bytes, long value)
    {
        Span<byte> all = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(all, value);
        all[..bytes.Length].CopyTo(bytes);
    }

    private static void WriteFloat(Span<byte> bytes, JsonNode? node, int size)
    {
        if (node is JsonValue v && v.TryGetValue<string>(out var s))
        {
            if (s.StartsWith("0x", StringComparison.Ordinal))
            {
                var raw = ulong.Parse(s.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                WriteInteger(bytes, unchecked((long)raw));
                return;
            }

            var special = s switch
            {
                "NaN" => double.NaN,
                "Infinity" => double.PositiveInfinity,
                "-Infinity" => double.NegativeInfinity,
                _ => throw new FormatException($"not a float fill value: \"{s}\""),
            };
            WriteDouble(bytes, special, size);
            return;
        }

        WriteDouble(bytes, double.Parse(node!.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture), size);
    }

    private static void WriteDouble(Span<byte> bytes, double value, int size)
    {
        switch (size)
        {
            case 2:
                BinaryPrimitives.WriteHalfLittleEndian(bytes, (Half)value);
                break;
            case 4:
                BinaryPrimitives.WriteSingleLittleEndian(bytes, (float)value);
                break;
            default:
                BinaryPrimitives.WriteDoubleLittleEndian(bytes, value);
                break;
        }
    }
}
