using System.Globalization;
using System.Text.Json.Nodes;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Codecs.Registry;

/// <summary>
/// numcodecs' <c>shuffle</c> (v3 <c>numcodecs.shuffle</c>): numcodecs defaults the element size to 4; zarr-python 3
/// fills a missing one in from the data type, so in v3 it defaults to the item size of the type the codec receives.
/// </summary>
internal sealed class ShuffleDescriptor() : CodecDescriptor<ShuffleCodec, ShuffleConfiguration>("numcodecs.shuffle", "shuffle", CodecConfigurationContext.Default.ShuffleConfiguration)
{
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
    : CodecDescriptor<TCodec, ChecksumConfiguration>("numcodecs." + id, id, CodecConfigurationContext.Default.ChecksumConfiguration)
    where TCodec : Checksum32Codec
{
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
internal sealed class JenkinsLookup3Descriptor() : CodecDescriptor<JenkinsLookup3Codec, JenkinsLookup3Configuration>("numcodecs.jenkins_lookup3", "jenkins_lookup3", CodecConfigurationContext.Default.JenkinsLookup3Configuration)
{
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
