using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;
using Zarr.Storage.DataTypes;

namespace Zarr.Storage.Metadata;

/// <summary>
/// An array's metadata in one model for both formats. For v2 the codec chain is the equivalent v3 chain:
/// <c>transpose</c> for order F, <c>bytes</c> with the type string's byte order, then the compressor.
/// </summary>
public sealed record ArrayMetadata
{
    // The prepared pipeline of each codec list: kept beside the list rather than in the record, so that `with` keeps it
    // when the codecs stay, builds a new one when they change, and record equality is not affected.
    private static readonly ConditionalWeakTable<IReadOnlyList<ICodec>, CodecPipeline> Pipelines = new();

    /// <summary>The format the array is stored in.</summary>
    public required ZarrFormat Format { get; init; }

    /// <summary>The array's shape.</summary>
    public required long[] Shape { get; init; }

    /// <summary>The regular chunk grid's chunk shape (same rank as <see cref="Shape"/>).</summary>
    public required int[] ChunkShape { get; init; }

    /// <summary>The element type.</summary>
    public required ZarrDataType DataType { get; init; }

    /// <summary>The fill value: one element, little-endian, <c>DataType.ItemSize</c> bytes (variable-length strings: its UTF-8 bytes).</summary>
    public required byte[] FillValue { get; init; }

    /// <summary>
    /// v2 only: there is no fill value, <c>"fill_value": null</c> in <c>.zarray</c> (missing chunks read as zeros, which
    /// <see cref="FillValue"/> then holds; written back as null). A v3 array always has one, so this is false for the
    /// metadata of a v3 array read or created, and <see cref="MetadataSerializer.ToV3Json(ArrayMetadata)"/> writes the
    /// zeros of <see cref="FillValue"/>.
    /// </summary>
    public bool FillValueIsNull { get; init; }

    /// <summary>The codec chain in encoding order (validated by <see cref="CodecPipeline.Create"/>; see <see cref="Pipeline"/>).</summary>
    public required IReadOnlyList<ICodec> Codecs { get; init; }

    /// <summary>How chunk coordinates become keys.</summary>
    public required ChunkKeyEncoding ChunkKeyEncoding { get; init; }

    /// <summary>User attributes (v3: <c>attributes</c>; v2: <c>.zattrs</c>).</summary>
    public JsonObject Attributes { get; init; } = [];

    /// <summary>v3 <c>dimension_names</c>, or null.</summary>
    public IReadOnlyList<string?>? DimensionNames { get; init; }

    /// <summary>The number of dimensions.</summary>
    public int Rank => Shape.Length;

    /// <summary>The spec every chunk of this array is encoded with.</summary>
    public ChunkSpec ChunkSpec => new(ChunkShape, DataType, FillValue);

    /// <summary>
    /// <see cref="Codecs"/> as a validated pipeline, prepared once: the metadata readers hand over the one they validated
    /// with, and otherwise it is built on first use and kept for as long as the codec list lives.
    /// </summary>
    /// <exception cref="ZarrException">The chain is not valid (the order the specification requires).</exception>
    internal CodecPipeline Pipeline => PipelineOf(Codecs);

    /// <summary>The prepared pipeline of a codec list (see <see cref="Pipeline"/>).</summary>
    /// <exception cref="ZarrException">The chain is not valid.</exception>
    internal static CodecPipeline PipelineOf(IReadOnlyList<ICodec> codecs)
    {
        ArgumentNullException.ThrowIfNull(codecs);
        return Pipelines.GetValue(codecs, static c => CodecPipeline.Create(c));
    }

    /// <summary>Keeps the pipeline a reader validated <paramref name="codecs"/> with, so that it is not built again.</summary>
    internal static void KeepPipeline(IReadOnlyList<ICodec> codecs, CodecPipeline pipeline) => Pipelines.AddOrUpdate(codecs, pipeline);
}
