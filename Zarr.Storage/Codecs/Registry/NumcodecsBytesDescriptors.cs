using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Codecs.Registry;

/// <summary>
/// numcodecs' <c>shuffle</c> (v3 <c>numcodecs.shuffle</c>): numcodecs defaults the element size to 4; zarr-python 3
/// fills a missing one in from the data type, so in v3 it defaults to the item size of the type the codec receives.
/// </summary>
internal sealed class ShuffleDescriptor() : CodecDescriptor<ShuffleCodec, ShuffleConfiguration>("numcodecs.shuffle", "shuffle")
{
    private protected override JsonTypeInfo<ShuffleConfiguration> LoadTypeInfo() => CodecConfigurationContext.Default.ShuffleConfiguration;

    protected override ShuffleCodec Create(ShuffleConfiguration configuration, CodecReadContext context) =>
        new(context.InRange("elementsize", configuration.Elementsize, 0, int.MaxValue)
            ?? (context.Format == ZarrFormat.V2 ? 4 : context.DataType.ItemSize));

    protected override ShuffleConfiguration Describe(ShuffleCodec codec, ZarrFormat format) => new(codec.ElementSize);
}

/// <summary>
/// numcodecs' <c>crc32</c>, <c>adler32</c> and <c>crc32c</c>: an optional <c>location</c>, <c>"start"</c> or
/// <c>"end"</c> (numcodecs 0.13 on). It is written only when it is not the codec's default, which numcodecs before
/// 0.13 (Debian's zarr-python 2 stack, whose constructors take no argument) can then still read.
/// </summary>
internal sealed class ChecksumDescriptor<TCodec>(string id, ChecksumLocation defaultLocation, Func<ChecksumLocation, TCodec> create)
    : CodecDescriptor<TCodec, ChecksumConfiguration>("numcodecs." + id, id)
    where TCodec : Checksum32Codec
{
    private protected override JsonTypeInfo<ChecksumConfiguration> LoadTypeInfo() => CodecConfigurationContext.Default.ChecksumConfiguration;

    protected override TCodec Create(ChecksumConfiguration configuration, CodecReadContext context) =>
        create(configuration.Location switch
        {
            null => defaultLocation,
            "start" => ChecksumLocation.Start,
            "end" => ChecksumLocation.End,
            var other => throw context.Error("location", $"must be \"start\" or \"end\"; got {UserText.QuoteJson(other)}"),
        });

    protected override ChecksumConfiguration Describe(TCodec codec, ZarrFormat format) =>
        new(codec.Location == defaultLocation ? null : codec.Location == ChecksumLocation.Start ? "start" : "end");
}

/// <summary>numcodecs' <c>fletcher32</c>: no parameters.</summary>
internal sealed class Fletcher32Descriptor() : CodecDescriptor("numcodecs.fletcher32", "fletcher32", typeof(Fletcher32Codec))
{
    public override ICodec Read(JsonObject? configuration, CodecReadContext context)
    {
        foreach (var (key, _) in configuration ?? [])
        {
            if (!(context.Format == ZarrFormat.V2 && key == "id"))
            {
                throw context.Error(key, "is not a parameter of fletcher32 (it has none)");
            }
        }

        return new Fletcher32Codec();
    }

    public override JsonObject? Write(ICodec codec, ZarrFormat format, CodecRegistry registry) => format == ZarrFormat.V3 ? [] : null;
}

/// <summary>
/// numcodecs' <c>jenkins_lookup3</c>: <c>initval</c>, an unsigned 32-bit seed. numcodecs takes its <c>prefix</c> as
/// bytes, which JSON cannot hold (its <c>get_config</c> of a codec with one cannot be serialised, and a list of numbers
/// is refused by <c>np.frombuffer</c>): a prefix is only null in metadata, and a codec with one cannot be written.
/// </summary>
internal sealed class JenkinsLookup3Descriptor() : CodecDescriptor<JenkinsLookup3Codec, JenkinsLookup3Configuration>("numcodecs.jenkins_lookup3", "jenkins_lookup3")
{
    private protected override JsonTypeInfo<JenkinsLookup3Configuration> LoadTypeInfo() => CodecConfigurationContext.Default.JenkinsLookup3Configuration;

    protected override JenkinsLookup3Codec Create(JenkinsLookup3Configuration configuration, CodecReadContext context)
    {
        if (configuration.Prefix is { } prefix && prefix.GetValueKind() != System.Text.Json.JsonValueKind.Null)
        {
            throw context.Error("prefix", $"a prefix in metadata is not supported (numcodecs takes bytes, which JSON cannot hold); got {UserText.Json(prefix)}");
        }

        var initval = configuration.Initval ?? 0;
        return initval is >= 0 and <= uint.MaxValue
            ? new JenkinsLookup3Codec((uint)initval)
            : throw context.Error("initval", string.Create(CultureInfo.InvariantCulture, $"must be between 0 and {uint.MaxValue}; got {initval}"));
    }

    protected override JenkinsLookup3Configuration Describe(JenkinsLookup3Codec codec, ZarrFormat format) =>
        codec.Prefix.IsEmpty
            ? new(codec.InitialValue == 0 ? null : codec.InitialValue, null)
            : throw new ZarrException("a jenkins_lookup3 codec with a prefix cannot be written to metadata: numcodecs takes the prefix as bytes, which JSON cannot hold");
}

/// <summary>
/// numcodecs' <c>lzma</c>: <c>format</c>, <c>check</c>, <c>preset</c> and <c>filters</c> as Python's lzma module takes
/// them (a filter is an object of integers, its <c>id</c> first); the combinations Python refuses are refused naming
/// the field, and so is a filter this library does not run, by its id.
/// </summary>
internal sealed class LzmaDescriptor() : CodecDescriptor<LzmaCodec, LzmaConfiguration>("numcodecs.lzma", "lzma")
{
    private protected override JsonTypeInfo<LzmaConfiguration> LoadTypeInfo() => CodecConfigurationContext.Default.LzmaConfiguration;

    protected override LzmaCodec Create(LzmaConfiguration configuration, CodecReadContext context)
    {
        var format = context.InRange("format", configuration.Format, 0, 3) ?? 1;
        var check = configuration.Check ?? -1;
        if (check is not (-1 or 0 or 1 or 4 or 10))
        {
            throw context.Error("check", string.Create(CultureInfo.InvariantCulture, $"must be -1 (default), 0 (none), 1 (CRC32), 4 (CRC64) or 10 (SHA-256); got {check}"));
        }

        uint? preset = configuration.Preset switch
        {
            null => null,
            var p when (p & ~(long)LzmaCodec.PresetExtreme) is >= 0 and <= 9 && p <= uint.MaxValue => (uint)p,
            var p => throw context.Error("preset", string.Create(CultureInfo.InvariantCulture, $"must be 0 to 9, possibly or-ed with PRESET_EXTREME (2147483648); got {p}")),
        };
        var filters = ReadFilters(configuration.Filters, context);
        try
        {
            return new LzmaCodec((LzmaFormat)format, (LzmaCheck)check, preset, filters);
        }
        catch (ArgumentException ex)
        {
            throw context.Error(ex.ParamName switch { "preset" => "preset", "check" => "check", "filters" => "filters", _ => string.Empty }, ex.Message.Split(" (Parameter", 2)[0]);
        }
    }

    protected override LzmaConfiguration Describe(LzmaCodec codec, ZarrFormat format) =>
        new((int)codec.Format, (int)codec.Check, codec.Preset, codec.Filters.IsDefault ? null : new JsonArray([.. codec.Filters.Select(WriteFilter)]));

    private static List<LzmaFilter>? ReadFilters(JsonNode? node, CodecReadContext context)
    {
        if (node is null || node.GetValueKind() == System.Text.Json.JsonValueKind.Null)
        {
            return null;
        }

        if (node is not JsonArray array)
        {
            throw context.Error("filters", $"must be a list of filter objects or null; got {UserText.Json(node)}");
        }

        var filters = new List<LzmaFilter>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            var field = string.Create(CultureInfo.InvariantCulture, $"filters[{i}]");
            if (array[i] is not JsonObject entry)
            {
                throw context.Error(field, $"must be an object with an integer 'id'; got {UserText.Json(array[i])}");
            }

            long? id = null;
            var options = new List<KeyValuePair<string, long>>();
            foreach (var (key, value) in entry)
            {
                if (value is not JsonValue v || !v.TryGetValue<long>(out var number))
                {
                    throw context.Error($"{field}.{key}", $"must be an integer; got {UserText.Json(value)}");
                }

                if (key == "id")
                {
                    id = number;
                }
                else
                {
                    options.Add(new(key, number));
                }
            }

            try
            {
                filters.Add(new LzmaFilter(id ?? throw context.Error(field, "needs an integer 'id'"), options));
            }
            catch (ArgumentException ex)
            {
                throw context.Error(field, ex.Message.Split(" (Parameter", 2)[0]);
            }
        }

        return filters;
    }

    private static JsonNode WriteFilter(LzmaFilter filter)
    {
        var json = new JsonObject { ["id"] = filter.Id };
        foreach (var (key, value) in filter.Options)
        {
            json[key] = value;
        }

        return json;
    }
}
