using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Zarr.Storage.DataTypes;

namespace Zarr.Interop.Tests;

/// <summary>
/// The corpus's canonical serialization (CORPUS.md) for the types beyond the core: datetime64/timedelta64 as the
/// int64 count, |S n as n raw bytes, &lt;U n as n UTF-32LE code units, structured as its fields packed in order, each
/// by its own rule (float NaNs made canonical). Written from the corpus's description, not from the library.
/// </summary>
public static class ExtensionTypes
{
    public static bool IsExtension(ZarrDataType type) =>
        type.Kind is DataTypeKind.DateTime64 or DataTypeKind.TimeDelta64 or DataTypeKind.FixedBytes or DataTypeKind.FixedUnicode or DataTypeKind.Structured;

    /// <summary>True when the manifest's dtype (v2) names <paramref name="type"/>.</summary>
    public static bool Matches(ZarrDataType type, bool bigEndian, JsonNode entry, int format)
    {
        if (format != 2)
        {
            return false; // the v3 corpus has no extension types
        }

        return entry["dtype"] switch
        {
            JsonArray descr => type == FromDescr(descr),
            JsonValue v => type.ToNumpyTypeString(bigEndian) == v.GetValue<string>(),
            _ => false,
        };
    }

    /// <summary>A structured type from a numpy descr list of one byte order.</summary>
    public static ZarrDataType FromDescr(JsonArray descr) =>
        ZarrDataType.Structured(descr.Select(item =>
        {
            var f = item!.AsArray();
            var type = f[1] is JsonArray nested ? FromDescr(nested) : ZarrDataType.Parse(f[1]!.GetValue<string>());
            int[]? shape = f.Count == 3 ? [.. f[2]!.AsArray().Select(n => (int)n!)] : null;
            return new StructField(f[0]!.GetValue<string>(), type, shape);
        }));

    /// <summary>The canonical bytes of little-endian elements of <paramref name="type"/> (a copy).</summary>
    public static byte[] Canonicalize(ReadOnlySpan<byte> data, ZarrDataType type)
    {
        var copy = data.ToArray();
        if (type.Kind == DataTypeKind.Structured)
        {
            for (var e = 0; e + type.ItemSize <= copy.Length; e += type.ItemSize)
            {
                CanonicalizeFields(copy.AsSpan(e, type.ItemSize), type);
            }
        }

        return copy;
    }

    private static void CanonicalizeFields(Span<byte> element, ZarrDataType type)
    {
        foreach (var f in type.Fields)
        {
            var part = element.Slice(f.Offset, f.Size);
            if (f.DataType.Kind == DataTypeKind.Structured)
            {
                for (var i = 0; i < f.ElementCount; i++)
                {
                    CanonicalizeFields(part.Slice(i * f.DataType.ItemSize, f.DataType.ItemSize), f.DataType);
                }
            }
            else if (Canonical.NumpyCodes.Values.Contains(f.DataType.Kind))
            {
                Canonical.Canonicalize(part, f.DataType.Kind).CopyTo(part);
            }
        }
    }

    /// <summary>The canonical bytes of a v2 fill value of <paramref name="type"/>; null reads as zeros.</summary>
    public static byte[] FillValueBytes(JsonNode? fill, ZarrDataType type)
    {
        var bytes = new byte[type.ItemSize];
        if (fill is null)
        {
            return bytes;
        }

        switch (type.Kind)
        {
            case DataTypeKind.DateTime64 or DataTypeKind.TimeDelta64:
                BinaryPrimitives.WriteInt64LittleEndian(bytes, fill.GetValue<long>());
                break;
            case DataTypeKind.FixedUnicode:
                new UTF32Encoding(bigEndian: false, byteOrderMark: false).GetBytes(fill.GetValue<string>()).CopyTo(bytes, 0);
                break;
            case DataTypeKind.FixedBytes or DataTypeKind.Structured:
                Convert.FromBase64String(fill.GetValue<string>()).CopyTo(bytes, 0);
                break;
        }

        return bytes;
    }
}
