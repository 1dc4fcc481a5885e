using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Zarr.Storage.Codecs.Registry;

// The configuration records of the built-in codecs: each property is a JSON field (snake_case), in the order
// zarr-python and numcodecs write them; null is "absent" when read and is left out when written.

internal sealed record BytesConfiguration(string? Endian);

internal sealed record TransposeConfiguration(int[]? Order);

internal sealed record LevelConfiguration(int? Level);

internal sealed record ZstdConfiguration(int? Level, bool? Checksum);

internal sealed record Lz4Configuration(int? Acceleration);

internal sealed record BloscV3Configuration(int? Typesize, string? Cname, int? Clevel, string? Shuffle, int? Blocksize);

internal sealed record BloscV2Configuration(string? Cname, int? Clevel, int? Shuffle, int? Blocksize, int? Typesize);

internal sealed record DeltaConfiguration(string? Dtype, string? Astype);

internal sealed record FixedScaleOffsetConfiguration(JsonNode? Scale, JsonNode? Offset, string? Dtype, string? Astype);

internal sealed record AsTypeConfiguration(string? EncodeDtype, string? DecodeDtype);

internal sealed record QuantizeConfiguration(int? Digits, string? Dtype, string? Astype);

internal sealed record ShuffleConfiguration(int? Elementsize);

internal sealed record ChecksumConfiguration(string? Location);

internal sealed record JenkinsLookup3Configuration(long? Initval, JsonNode? Prefix);

internal sealed record LzmaConfiguration(int? Format, int? Check, long? Preset, JsonNode? Filters);

internal sealed record ZfpyConfiguration(int? Mode, JsonNode? CompressionKwargs, JsonNode? Tolerance, JsonNode? Rate, int? Precision);

internal sealed record ShardingConfiguration(int[]? ChunkShape, JsonNode? Codecs, JsonNode? IndexCodecs, string? IndexLocation);

/// <summary>The source-generated readers and writers of the built-in codecs' configurations.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(WholeNumberInt32Converter)])]
[JsonSerializable(typeof(BytesConfiguration))]
[JsonSerializable(typeof(TransposeConfiguration))]
[JsonSerializable(typeof(LevelConfiguration))]
[JsonSerializable(typeof(ZstdConfiguration))]
[JsonSerializable(typeof(Lz4Configuration))]
[JsonSerializable(typeof(BloscV3Configuration))]
[JsonSerializable(typeof(BloscV2Configuration))]
[JsonSerializable(typeof(DeltaConfiguration))]
[JsonSerializable(typeof(FixedScaleOffsetConfiguration))]
[JsonSerializable(typeof(AsTypeConfiguration))]
[JsonSerializable(typeof(QuantizeConfiguration))]
[JsonSerializable(typeof(ShardingConfiguration))]
[JsonSerializable(typeof(ShuffleConfiguration))]
[JsonSerializable(typeof(ChecksumConfiguration))]
[JsonSerializable(typeof(JenkinsLookup3Configuration))]
[JsonSerializable(typeof(LzmaConfiguration))]
[JsonSerializable(typeof(ZfpyConfiguration))]
internal sealed partial class CodecConfigurationContext : JsonSerializerContext;
