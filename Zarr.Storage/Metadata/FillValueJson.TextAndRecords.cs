using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;
using Zarr.Storage.Internal;

namespace Zarr.Storage;

/// <summary>The fill values that are text or records: fixed bytes and unicode, variable-length strings, structured elements.</summary>
static partial class FillValueJson
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static void ParseFixedBytes(JsonElement value, Span<byte> bytes, ZarrDataType dataType, string document, string field, bool v3)
    {
        if (!v3 && value.ValueKind == JsonValueKind.Number && value.GetRawText() == "0")
        {
            return; // zarr-python 2 takes 0 as "all zero bytes"
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw Error(document, field, dataType, value, "expected a base64 string");
        }

        byte[] decoded;
        try
        {
            decoded = Convert.FromBase64String(value.GetString()!);
        }
        catch (FormatException e)
        {
            throw new ZarrMetadataException(document, field, $"{Describe(value)} is not a valid fill value for {dataType}: not base64 ({e.Message})", e);
        }

        if (decoded.Length > bytes.Length)
        {
            throw Error(document, field, dataType, value, $"it is {decoded.Length} bytes; the type holds {bytes.Length}");
        }

        decoded.CopyTo(bytes);
    }

    private static void ParseFixedUnicode(JsonElement value, Span<byte> bytes, ZarrDataType dataType, string document, string field)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw Error(document, field, dataType, value, "expected a string");
        }

        try
        {
            FixedStrings.EncodeUtf32(value.GetString()!, bytes, dataType);
        }
        catch (ZarrException e)
        {
            throw new ZarrMetadataException(document, field, $"{Describe(value)} is not a valid fill value for {dataType}: {e.Message}", e);
        }
    }

    private static byte[] ParseString(JsonElement value, ZarrDataType dataType, string document, string field) => value.ValueKind switch
    {
        JsonValueKind.String => StrictUtf8.GetBytes(value.GetString()!),

        // zarr-python 3 reads a number as its text (zarr-python 2 wrote 0 for object arrays).
        JsonValueKind.Number => StrictUtf8.GetBytes(value.GetRawText()),
        _ => throw Error(document, field, dataType, value, "expected a string"),
    };

    private static void ParseStructured(JsonElement value, Span<byte> bytes, ZarrDataType dataType, string document, string field, bool v3, bool bigEndian)
    {
        if (value.ValueKind == JsonValueKind.Number && value.GetRawText() == "0")
        {
            return; // all fields zero, as numpy casts 0
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            // v2: numpy's raw bytes in the stored byte order, base64; v3 (zarr-python's legacy form): native (little-endian) bytes.
            byte[] raw;
            try
            {
                raw = Convert.FromBase64String(value.GetString()!);
            }
            catch (FormatException e)
            {
                throw new ZarrMetadataException(document, field, $"{Describe(value)} is not a valid fill value for {dataType}: not base64 ({e.Message})", e);
            }

            if (raw.Length != bytes.Length)
            {
                throw Error(document, field, dataType, value, $"it is {raw.Length} bytes; the type is {bytes.Length}");
            }

            raw.CopyTo(bytes);
            SwapStruct(bytes, dataType, v3 ? false : bigEndian);
            return;
        }

        if (v3 && value.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in value.EnumerateObject())
            {
                var f = dataType.Fields.FirstOrDefault(x => x.Name == property.Name)
                    ?? throw Error(document, field, dataType, value, $"the type has no field {UserText.Quote(property.Name)}");
                if (f.ElementCount != 1)
                {
                    throw Error(document, field, dataType, value, $"the field {UserText.Quote(f.Name)} is a sub-array");
                }

                var part = Parse(property.Value, f.DataType, document, $"{field}.{f.Name}", v3: true, bigEndian: false);
                part.CopyTo(bytes.Slice(f.Offset, f.Size));
            }

            return;
        }

        throw Error(document, field, dataType, value, v3 ? "expected an object of field values or a base64 string" : "expected a base64 string of the raw element");
    }

    private static JsonObject FormatStructV3(ReadOnlySpan<byte> fillValue, ZarrDataType dataType)
    {
        var result = new JsonObject();
        foreach (var f in dataType.Fields)
        {
            if (f.ElementCount != 1)
            {
                throw new ZarrException($"the fill value of {dataType} cannot be written as v3: the field {UserText.Quote(f.Name)} is a sub-array");
            }

            result[f.Name] = Format(fillValue.Slice(f.Offset, f.Size), f.DataType, v3: true, bigEndian: false);
        }

        return result;
    }

    /// <summary>A structured element's bytes in the stored order (numpy's raw bytes, as v2 writes the fill value).</summary>
    private static byte[] StoredStructBytes(ReadOnlySpan<byte> fillValue, ZarrDataType dataType, bool bigEndian)
    {
        var copy = fillValue.ToArray();
        SwapStruct(copy, dataType, bigEndian);
        return copy;
    }

    private static void SwapStruct(Span<byte> element, ZarrDataType dataType, bool bigEndian)
    {
        foreach (var (offset, size) in dataType.SwapSegments(bigEndian))
        {
            element.Slice(offset, size).Reverse();
        }
    }
}
