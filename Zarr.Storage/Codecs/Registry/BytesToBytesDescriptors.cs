using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Codecs.Registry;

/// <summary><c>blosc</c>: v3 names its shuffle and needs a type size to shuffle; numcodecs numbers the shuffle and takes the type size from the data.</summary>
internal sealed class BloscDescriptor() : CodecDescriptor("blosc", "blosc", typeof(BloscCodec))
{
    private static CodecConfigurationContext Json => CodecConfigurationContext.Default;

    public override ICodec Read(JsonObject? configuration, CodecReadContext context) =>
        context.Format == ZarrFormat.V2
            ? ReadV2(ReadConfiguration(configuration, Json.BloscV2Configuration, context), context)
            : ReadV3(ReadConfiguration(configuration, Json.BloscV3Configuration, context), context);

    public override JsonObject? Write(ICodec codec, ZarrFormat format, CodecRegistry registry)
    {
        var blosc = (BloscCodec)codec;
        var cname = BloscCodec.CompressorName(blosc.Compressor);
        return format == ZarrFormat.V2
            ? WriteConfiguration(new BloscV2Configuration(cname, blosc.Level, (int)blosc.Shuffle, blosc.BlockSize, null), Json.BloscV2Configuration)
            : WriteConfiguration(new BloscV3Configuration(blosc.TypeSize, cname, blosc.Level, BloscCodec.ShuffleName(blosc.Shuffle), blosc.BlockSize), Json.BloscV3Configuration);
    }

    private static BloscCodec ReadV3(BloscV3Configuration configuration, CodecReadContext context)
    {
        var compressor = ParseCompressor(context.Require("cname", configuration.Cname), context);
        var clevel = context.InRange("clevel", context.Require("clevel", configuration.Clevel), 0, 9);
        var shuffleName = configuration.Shuffle ?? "noshuffle";
        var shuffle = shuffleName switch
        {
            "noshuffle" => BloscShuffle.NoShuffle,
            "shuffle" => BloscShuffle.Shuffle,
            "bitshuffle" => BloscShuffle.BitShuffle,
            _ => throw context.Error("shuffle", $"must be \"noshuffle\", \"shuffle\" or \"bitshuffle\"; got {UserText.QuoteJson(shuffleName)}"),
        };
        var typesize = configuration.Typesize is { } given
            ? context.InRange("typesize", given, 1, 255)
            : shuffle == BloscShuffle.NoShuffle
                ? BloscCodec.TypeSizeFor(context.DataType)
                : throw context.Error("typesize", $"is required when shuffle is \"{shuffleName}\"");
        var blocksize = context.InRange("blocksize", configuration.Blocksize, 0, int.MaxValue) ?? 0;
        return new BloscCodec(compressor, clevel, shuffle, typesize, blocksize);
    }

    private static BloscCodec ReadV2(BloscV2Configuration configuration, CodecReadContext context)
    {
        var compressor = ParseCompressor(configuration.Cname ?? "lz4", context);
        var clevel = context.InRange("clevel", configuration.Clevel, 0, 9) ?? 5;
        var shuffleCode = context.InRange("shuffle", configuration.Shuffle, -1, 2) ?? 1;

        // numcodecs' AUTOSHUFFLE (-1): bit shuffle for one-byte types, byte shuffle otherwise.
        var shuffle = shuffleCode == -1
            ? (context.DataType.ItemSize == 1 ? BloscShuffle.BitShuffle : BloscShuffle.Shuffle)
            : (BloscShuffle)shuffleCode;
        var blocksize = context.InRange("blocksize", configuration.Blocksize, 0, int.MaxValue) ?? 0;
        var typesize = context.InRange("typesize", configuration.Typesize, 1, 255) ?? BloscCodec.TypeSizeFor(context.DataType);
        return new BloscCodec(compressor, clevel, shuffle, typesize, blocksize);
    }

    private static BloscCompressor ParseCompressor(string cname, CodecReadContext context)
    {
        if (BloscCodec.TryParseCompressor(cname, out var compressor))
        {
            return compressor;
        }

        throw cname == "snappy"
            ? context.Error("cname", "blosc's snappy compressor is not supported (c-blosc builds often lack it and other Zarr implementations cannot read it); use lz4, lz4hc, blosclz, zlib or zstd")
            : context.Error("cname", $"unknown blosc compressor {UserText.QuoteJson(cname)}; use lz4, lz4hc, blosclz, zlib or zstd");
    }
}

/// <summary><c>gzip</c>: v3 requires the level; numcodecs defaults it to 1.</summary>
internal sealed class GzipDescriptor() : CodecDescriptor<GzipCodec, LevelConfiguration>("gzip", "gzip")
{
    private protected override JsonTypeInfo<LevelConfiguration> LoadTypeInfo() => CodecConfigurationContext.Default.LevelConfiguration;

    protected override GzipCodec Create(LevelConfiguration configuration, CodecReadContext context) =>
        new(context.Format == ZarrFormat.V2
            ? context.InRange("level", configuration.Level, 0, 9) ?? 1
            : context.InRange("level", context.Require("level", configuration.Level), 0, 9));

    protected override LevelConfiguration Describe(GzipCodec codec, ZarrFormat format) => new(codec.Level);
}

/// <summary>
/// <c>zstd</c>: the level defaults to 0 in v3 and to 1 in numcodecs. The v2 form leaves the checksum out: numcodecs
/// before 0.13 (Debian's zarr-python 2 stack) refuses the field, and every zstd reader verifies a checksum a frame carries.
/// </summary>
internal sealed class ZstdDescriptor() : CodecDescriptor<ZstdCodec, ZstdConfiguration>("zstd", "zstd")
{
    private protected override JsonTypeInfo<ZstdConfiguration> LoadTypeInfo() => CodecConfigurationContext.Default.ZstdConfiguration;

    protected override ZstdCodec Create(ZstdConfiguration configuration, CodecReadContext context) =>
        new(context.InRange("level", configuration.Level, -131072, 22) ?? (context.Format == ZarrFormat.V2 ? 1 : 0), configuration.Checksum ?? false);

    protected override ZstdConfiguration Describe(ZstdCodec codec, ZarrFormat format) =>
        new(codec.Level, format == ZarrFormat.V2 ? null : codec.Checksum);
}

/// <summary><c>crc32c</c>: v3 only, without configuration.</summary>
internal sealed class Crc32cDescriptor() : CodecDescriptor("crc32c", null, typeof(Crc32cCodec))
{
    public override ICodec Read(JsonObject? configuration, CodecReadContext context) => new Crc32cCodec();

    public override JsonObject? Write(ICodec codec, ZarrFormat format, CodecRegistry registry) => null;
}

/// <summary>numcodecs' <c>zlib</c> (v3 <c>numcodecs.zlib</c>): level 0 to 9, 1 by default.</summary>
internal sealed class ZlibDescriptor() : CodecDescriptor<ZlibCodec, LevelConfiguration>("numcodecs.zlib", "zlib")
{
    private protected override JsonTypeInfo<LevelConfiguration> LoadTypeInfo() => CodecConfigurationContext.Default.LevelConfiguration;

    protected override ZlibCodec Create(LevelConfiguration configuration, CodecReadContext context) =>
        new(context.InRange("level", configuration.Level, 0, 9) ?? 1);

    protected override LevelConfiguration Describe(ZlibCodec codec, ZarrFormat format) => new(codec.Level);
}

/// <summary>numcodecs' <c>lz4</c> (v3 <c>numcodecs.lz4</c>): acceleration at least 1, 1 by default.</summary>
internal sealed class Lz4Descriptor() : CodecDescriptor<Lz4Codec, Lz4Configuration>("numcodecs.lz4", "lz4")
{
    private protected override JsonTypeInfo<Lz4Configuration> LoadTypeInfo() => CodecConfigurationContext.Default.Lz4Configuration;

    protected override Lz4Codec Create(Lz4Configuration configuration, CodecReadContext context) =>
        new(context.InRange("acceleration", configuration.Acceleration, 1, int.MaxValue) ?? 1);

    protected override Lz4Configuration Describe(Lz4Codec codec, ZarrFormat format) => new(codec.Acceleration);
}

/// <summary>numcodecs' <c>bz2</c> (v3 <c>numcodecs.bz2</c>): level 1 to 9, 1 by default.</summary>
internal sealed class Bz2Descriptor() : CodecDescriptor<Bz2Codec, LevelConfiguration>("numcodecs.bz2", "bz2")
{
    private protected override JsonTypeInfo<LevelConfiguration> LoadTypeInfo() => CodecConfigurationContext.Default.LevelConfiguration;

    protected override Bz2Codec Create(LevelConfiguration configuration, CodecReadContext context) =>
        new(context.InRange("level", configuration.Level, 1, 9) ?? 1);

    protected override LevelConfiguration Describe(Bz2Codec codec, ZarrFormat format) => new(codec.Level);
}
