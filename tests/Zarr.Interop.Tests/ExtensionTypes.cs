using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;
using Zarr.Storage;

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

    /// <summary>True when the manifest's dtype (v2) or data_type (v3) names <paramref name="type"/>.</summary>
    public static bool Matches(ZarrDataType type, bool bigEndian, JsonNode entry, int format)
    {
        if (format != 2)
        {
            return entry["data_type"] is JsonObject named && type == FromV3(named, bigEndian);
        }

        return entry["dtype"] switch
        {
            JsonArray descr => type == FromDescr(descr),
            JsonValue v => type.ToNumpyTypeString(bigEndian) == v.GetValue<string>(),
            _ => false,
        };
    }

    /// <summary>A structured type from a numpy descr list; a field of a byte order other than its neighbours' keeps it.</summary>
    public static ZarrDataType FromDescr(JsonArray descr) =>
        ZarrDataType.Structured(descr.Select(item =>
        {
            var f = item!.AsArray();
            var typeString = f[1] is JsonValue v ? v.GetValue<string>() : null;
            var type = f[1] is JsonArray nested ? FromDescr(nested) : ZarrDataType.Parse(typeString!);
            int[]? shape = f.Count == 3 ? [.. f[2]!.AsArray().Select(n => (int)n!)] : null;
            Endian? order = typeString?.StartsWith('>') == true ? Endian.Big : null;
            return new StructField(f[0]!.GetValue<string>(), type, shape, order);
        }));

    /// <summary>
    /// A v3 extension data type from its JSON as zarr-python 3 writes it (zarr-extensions): numpy.datetime64 and
    /// numpy.timedelta64 {unit, scale_factor}, fixed_length_utf32 and null_terminated_bytes {length_bytes}, struct
    /// {fields: [{name, data_type}]} and the older structured {fields: [[name, data_type]]}. Built through numpy's type
    /// strings, so the library's own v3 parser is not what is tested against itself.
    /// </summary>
    public static ZarrDataType FromV3(JsonNode dataType, bool bigEndian)
    {
        if (dataType is JsonValue core)
        {
            var name = core.GetValue<string>();
            var kind = Canonical.V3Names.Single(p => p.Value == name).Key;
            return ZarrDataType.Parse(Canonical.V2Dtype(kind, bigEndian: false));
        }

        var config = dataType["configuration"]!;
        var order = bigEndian ? ">" : "<";
        switch ((string)dataType["name"]!)
        {
            case "numpy.datetime64" or "numpy.timedelta64":
                var scale = (long)config["scale_factor"]!;
                var code = (string)dataType["name"]! == "numpy.datetime64" ? "M8" : "m8";
                return ZarrDataType.Parse($"{order}{code}[{(scale == 1 ? "" : scale.ToString(System.Globalization.CultureInfo.InvariantCulture))}{(string)config["unit"]!}]");
            case "fixed_length_utf32":
                return ZarrDataType.Parse($"{order}U{(int)config["length_bytes"]! / 4}");
            case "null_terminated_bytes":
                return ZarrDataType.Parse($"|S{(int)config["length_bytes"]!}");
            case "struct":
                return ZarrDataType.Structured(config["fields"]!.AsArray().Select(f => new StructField((string)f!["name"]!, FromV3(f["data_type"]!, bigEndian))));
            case "structured":
                return ZarrDataType.Structured(config["fields"]!.AsArray().Select(f => new StructField((string)f![0]!, FromV3(f[1]!, bigEndian))));
            default:
                throw new InvalidOperationException($"no independent reading of the v3 data type {dataType.ToJsonString()}");
        }
    }

    /// <summary>The canonical bytes of variable-length strings: per element a uint32 little-endian byte length, then UTF-8.</summary>
    public static byte[] CanonicalStrings(IEnumerable<string?> values)
    {
        using var bytes = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        foreach (var value in values)
        {
            var utf8 = Encoding.UTF8.GetBytes(value ?? "");
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)utf8.Length);
            bytes.Write(length);
            bytes.Write(utf8);
        }

        return bytes.ToArray();
    }

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

    /// <summary>
    /// The canonical bytes of a fill value of <paramref name="type"/> (null reads as zeros), or null for a v3 struct's
    /// fill written as a JSON object, which this reads no further.
    /// </summary>
    public static byte[]? FillValueBytes(JsonNode? fill, ZarrDataType type)
    {
        var bytes = new byte[type.ItemSize];
        if (fill is null)
        {
            return bytes;
        }

        if (fill is JsonObject)
        {
            return null;
        }

        switch (type.Kind)
        {
            case DataTypeKind.DateTime64 or DataTypeKind.TimeDelta64:
                BinaryPrimitives.WriteInt64LittleEndian(bytes, fill.GetValueKind() == System.Text.Json.JsonValueKind.String ? long.MinValue : fill.GetValue<long>());
                break;
            case DataTypeKind.FixedUnicode:
                new UTF32Encoding(bigEndian: false, byteOrderMark: false).GetBytes(fill.GetValue<string>()).CopyTo(bytes, 0);
                break;
            case DataTypeKind.FixedBytes:
                Convert.FromBase64String(fill.GetValue<string>()).CopyTo(bytes, 0);
                break;
            case DataTypeKind.Structured:
                // numpy's bytes of one element, each field in its stored byte order; canonical values are little-endian.
                Convert.FromBase64String(fill.GetValue<string>()).CopyTo(bytes, 0);
                foreach (var field in type.Fields.Where(f => f.ByteOrder == Endian.Big && Canonical.NumpyCodes.Values.Contains(f.DataType.Kind)))
                {
                    var size = field.DataType.IsComplex ? field.DataType.ItemSize / 2 : field.DataType.ItemSize;
                    for (var at = field.Offset; at < field.Offset + field.Size; at += size)
                    {
                        bytes.AsSpan(at, size).Reverse();
                    }
                }

                bytes = Canonicalize(bytes, type);
                break;
        }

        return bytes;
    }
}
