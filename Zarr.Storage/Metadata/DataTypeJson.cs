using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;
using Zarr.Storage.Internal;

namespace Zarr.Storage;

/// <summary>
/// The JSON forms of data types: v2 numpy type strings and structured <c>descr</c> lists as numpy / zarr-python 2.13
/// write them; v3 names as the Zarr core spec and zarr-extensions register them, in zarr-python 3's form.
/// </summary>
internal static class DataTypeJson
{
    // ---------------------------------------------------------------- v3

    /// <summary>Parses a v3 <c>data_type</c>.</summary>
    public static ZarrDataType ParseV3(JsonElement value, string document, string field = "data_type")
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            var name = value.GetString()!;
            return ParseV3Name(name) ?? throw new ZarrMetadataException(document, field, UnknownV3Name(name));
        }

        if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty("name", out var n) || n.ValueKind != JsonValueKind.String)
        {
            throw new ZarrMetadataException(document, field, $"expected a data type name or an object with a \"name\", found {Describe(value)}");
        }

        var typeName = n.GetString()!;
        value.TryGetProperty("configuration", out var configuration);
        switch (typeName)
        {
            case "numpy.datetime64":
            case "numpy.timedelta64":
            {
                var unitText = RequireConfig(configuration, "unit", JsonValueKind.String, document, field).GetString()!;
                if (!TimeUnits.TryParse(unitText, out var unit))
                {
                    throw new ZarrMetadataException(document, field + ".configuration.unit", $"{UserText.Quote(unitText)} is not a numpy time unit (Y M W D h m s ms us ns ps fs as generic)");
                }

                var scaleElement = RequireConfig(configuration, "scale_factor", JsonValueKind.Number, document, field);
                if (!scaleElement.TryGetInt32(out var scale) || scale < 1)
                {
                    throw new ZarrMetadataException(document, field + ".configuration.scale_factor", $"{Describe(scaleElement)} is not an integer in [1, 2147483647]");
                }

                return typeName == "numpy.datetime64" ? ZarrDataType.DateTime64(unit, scale) : ZarrDataType.TimeDelta64(unit, scale);
            }

            case "null_terminated_bytes":
            case "fixed_length_utf32":
            {
                var lengthElement = RequireConfig(configuration, "length_bytes", JsonValueKind.Number, document, field);
                var unicode = typeName == "fixed_length_utf32";
                if (!lengthElement.TryGetInt32(out var length) || length < 1 || (unicode && length % 4 != 0))
                {
                    throw new ZarrMetadataException(document, field + ".configuration.length_bytes",
                        $"{Describe(lengthElement)} is not a valid length ({(unicode ? "a positive multiple of 4" : "a positive integer")})");
                }

                return unicode ? ZarrDataType.FixedUnicode(length / 4) : ZarrDataType.FixedBytes(length);
            }

            case "struct":
            case "structured":
                return ParseStructV3(configuration, document, field);

            default:
                // A type without configuration may be written as an object too ({"name": "float64"}; the struct text allows
                // it for field types), read as its name.
                if (configuration.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null
                    || (configuration.ValueKind == JsonValueKind.Object && !configuration.EnumerateObject().Any()))
                {
                    return ParseV3Name(typeName) ?? throw new ZarrMetadataException(document, field, UnknownV3Name(typeName) + V3MetadataReader.MustUnderstandNote(value, "data type"));
                }

                throw new ZarrMetadataException(document, field, $"data type {UserText.Quote(typeName)} is not supported yet{V3MetadataReader.MustUnderstandNote(value, "data type")}");
        }
    }

    /// <summary>The data type a v3 short-hand name gives, or null when the name is not one this library knows.</summary>
    private static ZarrDataType? ParseV3Name(string name)
    {
        foreach (var t in ZarrDataType.All)
        {
            if (t.Name == name)
            {
                return t;
            }
        }

        if (name == "string")
        {
            return ZarrDataType.String;
        }

        foreach (var t in ZarrDataType.Extensions)
        {
            if (t.Name == name)
            {
                return t;
            }
        }

        return null;
    }

    private static string UnknownV3Name(string name) =>
        name is "bytes" || name.StartsWith('r') || name.StartsWith("numpy.", StringComparison.Ordinal)
            ? $"data type {UserText.Quote(name)} is not supported yet"
            : $"{UserText.Quote(name)} is not a Zarr v3 data type (expected one of {string.Join(", ", ZarrDataType.All.Select(t => t.Name))}, string, or an object such as {{\"name\": \"numpy.datetime64\", \"configuration\": {{...}}}})";

    private static ZarrDataType ParseStructV3(JsonElement configuration, string document, string field)
    {
        var fieldsElement = RequireConfig(configuration, "fields", JsonValueKind.Array, document, field);
        var fields = new List<StructField>();
        var i = 0;
        foreach (var item in fieldsElement.EnumerateArray())
        {
            var where = $"{field}.configuration.fields[{i++}]";
            string? name;
            JsonElement type;
            if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("name", out var fn) && item.TryGetProperty("data_type", out type))
            {
                name = fn.ValueKind == JsonValueKind.String ? fn.GetString() : null;
            }
            else if (item.ValueKind == JsonValueKind.Array && item.GetArrayLength() == 2)
            {
                // zarr-python 3's legacy "structured" form: [name, data_type].
                name = item[0].ValueKind == JsonValueKind.String ? item[0].GetString() : null;
                type = item[1];
            }
            else
            {
                throw new ZarrMetadataException(document, where, $"expected {{\"name\": ..., \"data_type\": ...}}, found {Describe(item)}");
            }

            if (string.IsNullOrEmpty(name))
            {
                throw new ZarrMetadataException(document, where, "a field needs a non-empty string name");
            }

            var fieldType = ParseV3(type, document, where + ".data_type");
            fields.Add(MakeField(name, fieldType, null, null, document, where));
        }

        return MakeStructured(fields, document, field);
    }

    /// <summary>The v3 <c>data_type</c> of <paramref name="dataType"/>, as zarr-python 3 writes it.</summary>
    /// <exception cref="ZarrException">A structured type with sub-array fields or fields of their own byte order (v3 has no form for them).</exception>
    public static JsonNode ToV3(ZarrDataType dataType)
    {
        switch (dataType.Kind)
        {
            case DataTypeKind.DateTime64:
            case DataTypeKind.TimeDelta64:
                return new JsonObject
                {
                    ["name"] = dataType.Name,
                    ["configuration"] = new JsonObject { ["unit"] = TimeUnits.Code(dataType.TimeUnit), ["scale_factor"] = dataType.TimeScale },
                };
            case DataTypeKind.FixedBytes:
            case DataTypeKind.FixedUnicode:
                return new JsonObject
                {
                    ["name"] = dataType.Name,
                    ["configuration"] = new JsonObject { ["length_bytes"] = dataType.ItemSize },
                };
            case DataTypeKind.Structured:
                var fields = new JsonArray();
                foreach (var f in dataType.Fields)
                {
                    if (f.ElementCount != 1 || f.ShapeSpan.Length > 0)
                    {
                        throw new ZarrException($"the structured type {dataType} cannot be written as v3: the field {UserText.Quote(f.Name)} is a sub-array of shape ({string.Join(", ", f.Shape)}), which the v3 'struct' data type cannot describe (write it as v2)");
                    }

                    if (f.ByteOrder is not null)
                    {
                        throw new ZarrException($"the structured type {dataType} cannot be written as v3: the field {UserText.Quote(f.Name)} has its own byte order; in v3 the 'bytes' codec alone sets the byte order (write it as v2)");
                    }

                    fields.Add(new JsonObject { ["name"] = f.Name, ["data_type"] = ToV3(f.DataType) });
                }

                return new JsonObject { ["name"] = dataType.Name, ["configuration"] = new JsonObject { ["fields"] = fields } };
            default:
                return JsonValue.Create(dataType.Name);
        }
    }

    // ---------------------------------------------------------------- v2

    /// <summary>
    /// Parses a v2 <c>dtype</c>: a numpy type string, or a structured <c>descr</c> list. The byte order is null for
    /// types without multi-byte components; a structured type whose fields share one order gives it here (and its
    /// fields none); one whose fields differ gives little-endian here and marks its big-endian fields.
    /// </summary>
    public static (ZarrDataType DataType, Endian? Endian) ParseV2(JsonElement value, string document, string field = "dtype")
    {
        if (value.ValueKind == JsonValueKind.Array)
        {
            var explicitType = ParseDescr(value, document, field);
            var orders = new HashSet<Endian>();
            CollectOrders(explicitType, orders);
            if (orders.Count <= 1)
            {
                return (StripOrders(explicitType, null), orders.Count == 0 ? null : orders.First());
            }

            // Mixed: the bytes codec is little-endian and only the big-endian fields say so themselves.
            return (StripOrders(explicitType, Endian.Little), Endian.Little);
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw new ZarrMetadataException(document, field, $"expected a numpy type string such as \"<i4\" or a structured list such as [[\"x\", \"<i4\"]], found {Describe(value)}");
        }

        return ParseTypeString(value.GetString()!, document, field);
    }

    private static (ZarrDataType DataType, Endian? Endian) ParseTypeString(string s, string document, string field)
    {
        var byteOrder = s.Length > 0 && s[0] is '<' or '>' or '|' or '=' ? s[0] : '\0';
        var code = byteOrder == '\0' ? s : s[1..];
        ZarrDataType? dataType;
        if (code == "O")
        {
            dataType = ZarrDataType.String; // an object array: the caller checks that its object codec is vlen-utf8
        }
        else if (code.Length > 0 && code[0] is 'M' or 'm' or 'S' or 'U' or 'a')
        {
            if (!ZarrDataType.TryParseParameterised(code, out dataType))
            {
                throw new ZarrMetadataException(document, field, $"{UserText.Quote(s)} is not a valid numpy type string (expected e.g. \"<M8[ns]\", \"<m8[10s]\", \"|S8\", \"<U6\")");
            }
        }
        else if (code.Length > 0 && code[0] is 'V')
        {
            throw new ZarrMetadataException(document, field, $"data type {UserText.Quote(s)} (raw void bytes) is not supported yet");
        }
        else
        {
            dataType = code == "?" ? ZarrDataType.Bool : ZarrDataType.All.FirstOrDefault(t => t.NumpyTypeCode == code);
            if (dataType is null)
            {
                throw new ZarrMetadataException(document, field, $"{UserText.Quote(s)} is not a supported numpy type string (expected e.g. \"<i4\", \">f8\", \"|u1\", \"|b1\", \"<c16\", \"<M8[ns]\", \"|S8\", \"<U6\")");
            }
        }

        if (!dataType.NeedsByteOrder)
        {
            return (dataType, null);
        }

        return byteOrder switch
        {
            '>' => (dataType, Endian.Big),
            '<' or '=' or '\0' => (dataType, Endian.Little),
            _ => throw new ZarrMetadataException(document, field, $"{UserText.Quote(s)}: byte order '|' is only for types without multi-byte components; {dataType} needs '<' or '>'"),
        };
    }

    private static ZarrDataType ParseDescr(JsonElement list, string document, string field)
    {
        var fields = new List<StructField>();
        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            var where = $"{field}[{i++}]";
            if (item.ValueKind != JsonValueKind.Array || item.GetArrayLength() is not (2 or 3) || item[0].ValueKind != JsonValueKind.String)
            {
                throw new ZarrMetadataException(document, where, $"expected [name, type] or [name, type, shape], found {Describe(item)}");
            }

            var name = item[0].GetString()!;
            if (name.Length == 0)
            {
                throw new ZarrMetadataException(document, where, "a field without a name (numpy's padding) is not supported yet");
            }

            ZarrDataType type;
            Endian? order = null;
            if (item[1].ValueKind == JsonValueKind.Array)
            {
                type = ParseDescr(item[1], document, where);
            }
            else if (item[1].ValueKind == JsonValueKind.String)
            {
                (type, order) = ParseTypeString(item[1].GetString()!, document, where);
                if (!type.IsFixedSize)
                {
                    throw new ZarrMetadataException(document, where, $"the field {UserText.Quote(name)} is an object field; structured types with object fields are not supported");
                }
            }
            else
            {
                throw new ZarrMetadataException(document, where, $"the field {UserText.Quote(name)} has type {Describe(item[1])}, not a type string or a list of fields");
            }

            int[]? shape = null;
            if (item.GetArrayLength() == 3)
            {
                var s = item[2];
                if (s.ValueKind == JsonValueKind.Number && s.TryGetInt32(out var n1))
                {
                    shape = [n1];
                }
                else if (s.ValueKind == JsonValueKind.Array && s.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out _)))
                {
                    shape = [.. s.EnumerateArray().Select(e => e.GetInt32())];
                }
                else
                {
                    throw new ZarrMetadataException(document, where, $"the field {UserText.Quote(name)} has shape {Describe(s)}, not a list of integers");
                }
            }

            fields.Add(MakeField(name, type, shape, order, document, where));
        }

        return MakeStructured(fields, document, field);
    }

    private static StructField MakeField(string name, ZarrDataType type, int[]? shape, Endian? order, string document, string where)
    {
        try
        {
            return new StructField(name, type, shape, order);
        }
        catch (Exception e) when (e is ArgumentException or OverflowException)
        {
            throw new ZarrMetadataException(document, where, e.Message, e);
        }
    }

    private static ZarrDataType MakeStructured(List<StructField> fields, string document, string where)
    {
        try
        {
            return ZarrDataType.Structured(fields);
        }
        catch (Exception e) when (e is ArgumentException or OverflowException)
        {
            throw new ZarrMetadataException(document, where, e.Message, e);
        }
    }

    private static void CollectOrders(ZarrDataType type, HashSet<Endian> orders)
    {
        foreach (var f in type.Fields)
        {
            if (f.ByteOrder is { } order)
            {
                orders.Add(order);
            }

            CollectOrders(f.DataType, orders);
        }
    }

    /// <summary>Drops the fields' own byte orders (every one, or only those equal to <paramref name="only"/>), nested fields included.</summary>
    private static ZarrDataType StripOrders(ZarrDataType type, Endian? only) =>
        type.Kind != DataTypeKind.Structured
            ? type
            : ZarrDataType.Structured(type.Fields.Select(f => new StructField(
                f.Name, StripOrders(f.DataType, only), [.. f.Shape], only is null || f.ByteOrder == only ? null : f.ByteOrder)));

    /// <summary>The v2 <c>dtype</c> of <paramref name="dataType"/> stored in <paramref name="bigEndian"/> order: a type string, or a <c>descr</c> list.</summary>
    public static JsonNode ToV2(ZarrDataType dataType, bool bigEndian)
    {
        if (dataType.IsV3Only)
        {
            throw new ZarrException($"the data type {dataType} has no v2 form (numpy has no such type without ml_dtypes); write the array as v3");
        }

        if (dataType.Kind != DataTypeKind.Structured)
        {
            return JsonValue.Create(dataType.ToNumpyTypeString(bigEndian));
        }

        var list = new JsonArray();
        foreach (var f in dataType.Fields)
        {
            var big = f.ByteOrder is { } order ? order == Endian.Big : bigEndian;
            var entry = new JsonArray(JsonValue.Create(f.Name), ToV2(f.DataType, big));
            if (f.ShapeSpan.Length > 0)
            {
                var shape = new JsonArray();
                foreach (var s in f.ShapeSpan)
                {
                    shape.Add(s);
                }

                entry.Add(shape);
            }

            list.Add(entry);
        }

        return list;
    }

    // ---------------------------------------------------------------- helpers

    private static JsonElement RequireConfig(JsonElement configuration, string name, JsonValueKind kind, string document, string field)
    {
        if (configuration.ValueKind != JsonValueKind.Object)
        {
            throw new ZarrMetadataException(document, field + ".configuration", "required object is missing");
        }

        if (!configuration.TryGetProperty(name, out var value) || value.ValueKind != kind)
        {
            throw new ZarrMetadataException(document, $"{field}.configuration.{name}",
                value.ValueKind == JsonValueKind.Undefined ? "required field is missing" : $"expected a {kind.ToString().ToLower(CultureInfo.InvariantCulture)}, found {Describe(value)}");
        }

        return value;
    }

    private static string Describe(JsonElement value) => UserText.Json(value);
}
