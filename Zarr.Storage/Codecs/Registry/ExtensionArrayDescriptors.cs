using System.Text.Json;
using System.Text.Json.Nodes;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Codecs.Registry;

/// <summary>Reading of the zarr-extensions array→array codecs, whose texts make any key besides theirs an error.</summary>
internal static class ExtensionConfiguration
{
    /// <summary>The configuration's fields, after checking that it has none but <paramref name="allowed"/>.</summary>
    public static JsonObject Fields(JsonObject? configuration, CodecReadContext context, params string[] allowed)
    {
        var fields = configuration ?? [];
        foreach (var (key, _) in fields)
        {
            if (Array.IndexOf(allowed, key) < 0)
            {
                throw context.Error(key, $"is not a field of this codec (it has {string.Join(", ", allowed)}); the extension makes unknown fields invalid");
            }
        }

        return fields;
    }

    public static string? String(JsonObject fields, string field, CodecReadContext context) => fields[field] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        var other => throw context.Error(field, $"must be a string; got {UserText.Json(other)}"),
    };
}

/// <summary><c>bitround</c>, and its deprecated alias <c>numcodecs.bitround</c> (read, written as <c>bitround</c>).</summary>
internal sealed class BitRoundDescriptor() : CodecDescriptor("bitround", null, typeof(BitRoundCodec))
{
    internal override IReadOnlyList<string> Aliases => ["numcodecs.bitround"];

    public override ICodec Read(JsonObject? configuration, CodecReadContext context)
    {
        var fields = ExtensionConfiguration.Fields(configuration, context, "keepbits");
        if (fields["keepbits"] is not JsonValue v || v.GetValueKind() != JsonValueKind.Number || !v.TryGetValue<int>(out var keep))
        {
            throw fields["keepbits"] is null ? context.Error("keepbits", "is required") : context.Error("keepbits", $"must be an integer; got {UserText.Json(fields["keepbits"])}");
        }

        context.InRange("keepbits", keep, 1, 64);
        return BitRoundCodec.Supports(context.DataType)
            ? new BitRoundCodec(keep)
            : throw context.Error(string.Empty, $"bitround rounds integers, floats, complex numbers, datetime64 and timedelta64; it receives {context.DataType}");
    }

    public override JsonObject? Write(ICodec codec, ZarrFormat format, CodecRegistry registry) =>
        new() { ["keepbits"] = ((BitRoundCodec)codec).KeepBits };
}

/// <summary><c>scale_offset</c>: offset and scale are scalars of the type the codec receives, in its fill value form.</summary>
internal sealed class ScaleOffsetDescriptor() : CodecDescriptor("scale_offset", null, typeof(ScaleOffsetCodec))
{
    public override ICodec Read(JsonObject? configuration, CodecReadContext context)
    {
        var fields = ExtensionConfiguration.Fields(configuration, context, "offset", "scale");
        if (!FilterKernels.IsRealNumber(context.DataType))
        {
            throw context.Error(string.Empty, $"scale_offset works on integer and float types; it receives {context.DataType}");
        }

        var offset = fields["offset"] is { } o ? ScalarJson.Parse(o, context.DataType, context.Document, context.FieldPath("offset")) : null;
        var scale = fields["scale"] is { } s ? ScalarJson.Parse(s, context.DataType, context.Document, context.FieldPath("scale")) : null;
        try
        {
            return new ScaleOffsetCodec(context.DataType, offset, scale);
        }
        catch (ArgumentException ex)
        {
            throw context.Error("scale", ex.Message);
        }
    }

    public override JsonObject? Write(ICodec codec, ZarrFormat format, CodecRegistry registry)
    {
        var c = (ScaleOffsetCodec)codec;
        var json = new JsonObject();
        if (c.OffsetJson is { } offset)
        {
            json["offset"] = offset;
        }

        if (c.ScaleJson is { } scale)
        {
            json["scale"] = scale;
        }

        // The extension lets a codec without offset and scale leave its configuration out.
        return json.Count == 0 ? null : json;
    }
}

/// <summary><c>cast_value</c>: the target type in its v3 form, a rounding mode, an out-of-range rule and a scalar map.</summary>
internal sealed class CastValueDescriptor() : CodecDescriptor("cast_value", null, typeof(CastValueCodec))
{
    public override ICodec Read(JsonObject? configuration, CodecReadContext context)
    {
        var fields = ExtensionConfiguration.Fields(configuration, context, "data_type", "rounding", "out_of_range", "scalar_map");
        if (fields["data_type"] is not { } typeNode)
        {
            throw context.Error("data_type", "is required");
        }

        ZarrDataType target;
        using (var json = JsonDocument.Parse(typeNode.ToJsonString()))
        {
            target = DataTypeJson.ParseV3(json.RootElement, context.Document, context.FieldPath("data_type"));
        }

        var roundingName = ExtensionConfiguration.String(fields, "rounding", context) ?? "nearest-even";
        var rounding = roundingName switch
        {
            "nearest-even" => CastRounding.NearestEven,
            "towards-zero" => CastRounding.TowardsZero,
            "towards-positive" => CastRounding.TowardsPositive,
            "towards-negative" => CastRounding.TowardsNegative,
            "nearest-away" => CastRounding.NearestAway,
            _ => throw context.Error("rounding", $"must be \"nearest-even\", \"towards-zero\", \"towards-positive\", \"towards-negative\" or \"nearest-away\"; got {UserText.QuoteJson(roundingName)}"),
        };
        var outOfRange = ExtensionConfiguration.String(fields, "out_of_range", context) switch
        {
            null => CastOutOfRange.Error,
            "clamp" => CastOutOfRange.Clamp,
            "wrap" => CastOutOfRange.Wrap,
            var other => throw context.Error("out_of_range", $"must be \"clamp\" or \"wrap\"; got {UserText.QuoteJson(other)}"),
        };
        var scalarMap = fields["scalar_map"] switch
        {
            null => null,
            JsonObject map => map,
            var other => throw context.Error("scalar_map", $"must be an object with \"encode\" and/or \"decode\"; got {UserText.Json(other)}"),
        };
        try
        {
            return new CastValueCodec(context.DataType, target, rounding, outOfRange, scalarMap);
        }
        catch (ArgumentException ex)
        {
            throw context.Error(ex.Message.Contains("scalar_map", StringComparison.Ordinal) ? "scalar_map" : ex.ParamName == "outOfRange" ? "out_of_range" : "data_type", ex.Message);
        }
    }

    public override JsonObject? Write(ICodec codec, ZarrFormat format, CodecRegistry registry)
    {
        var c = (CastValueCodec)codec;
        var json = new JsonObject { ["data_type"] = DataTypeJson.ToV3(c.EncodedType) };
        if (c.Rounding != CastRounding.NearestEven)
        {
            json["rounding"] = CastValueCodec.RoundingName(c.Rounding);
        }

        if (c.OutOfRange != CastOutOfRange.Error)
        {
            json["out_of_range"] = c.OutOfRange == CastOutOfRange.Clamp ? "clamp" : "wrap";
        }

        if (c.ScalarMap is { } map)
        {
            json["scalar_map"] = map.DeepClone();
        }

        return json;
    }
}

/// <summary><c>packbits</c>: the padding encoding and an optional bit range (null or absent: the whole component).</summary>
internal sealed class PackBitsDescriptor() : CodecDescriptor("packbits", null, typeof(PackBitsCodec))
{
    public override ICodec Read(JsonObject? configuration, CodecReadContext context)
    {
        var fields = ExtensionConfiguration.Fields(configuration, context, "padding_encoding", "first_bit", "last_bit");
        var padding = ExtensionConfiguration.String(fields, "padding_encoding", context) switch
        {
            null or "none" => PackBitsPadding.None,
            "first_byte" => PackBitsPadding.FirstByte,
            "last_byte" => PackBitsPadding.LastByte,
            var other => throw context.Error("padding_encoding", $"must be \"none\", \"first_byte\" or \"last_byte\"; got {UserText.QuoteJson(other)}"),
        };
        var first = Bit(fields, "first_bit", context);
        var last = Bit(fields, "last_bit", context);
        if (first is { } f && last is { } l && l < f)
        {
            throw context.Error("last_bit", $"{l} is below first_bit {f}");
        }

        var codec = new PackBitsCodec(padding, first, last);
        try
        {
            codec.Validate(context.DataType);
        }
        catch (ZarrCodecException ex)
        {
            throw context.Error(string.Empty, ex.Reason);
        }

        return codec;
    }

    public override JsonObject? Write(ICodec codec, ZarrFormat format, CodecRegistry registry)
    {
        var c = (PackBitsCodec)codec;
        var json = new JsonObject
        {
            ["padding_encoding"] = c.Padding switch { PackBitsPadding.FirstByte => "first_byte", PackBitsPadding.LastByte => "last_byte", _ => "none" },
        };
        if (c.FirstBit is { } first)
        {
            json["first_bit"] = first;
        }

        if (c.LastBit is { } last)
        {
            json["last_bit"] = last;
        }

        return json;
    }

    private static int? Bit(JsonObject fields, string field, CodecReadContext context) => fields[field] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var bit) => context.InRange(field, bit, 0, 127),
        var other => throw context.Error(field, $"must be a non-negative integer or null; got {UserText.Json(other)}"),
    };
}
