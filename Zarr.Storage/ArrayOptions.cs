using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;

namespace Zarr.Storage;

/// <summary>How a new array is laid out and encoded. Every property has zarr-python's default.</summary>
public sealed record ArrayOptions
{
    /// <summary>
    /// The format, or null (the default) for the format of the group the array is created in: the nearest group above its
    /// path, or v3 when there is none. <see cref="ZarrGroup"/>'s <c>CreateArrayAsync</c> refuses the other format than
    /// the group's: a hierarchy holds one format.
    /// </summary>
    public ZarrFormat? Format { get; init; }

    /// <summary>The chunk shape; null chooses one as zarr-python does (roughly 256 KiB to 64 MiB per chunk).</summary>
    public ImmutableArray<int>? Chunks { get; init; }

    /// <summary>
    /// A rectilinear chunk grid (v3 only, the registered <c>rectilinear</c> extension): per dimension the chunks' edge
    /// lengths (<see cref="ChunkEdgeList.FromEdges"/>, <see cref="ChunkEdgeList.Regular"/>), which must cover the
    /// shape. Null (the default) for a regular grid of <see cref="Chunks"/>. Given together with <see cref="Chunks"/>,
    /// the array is sharded: the rectilinear chunks are the shards and <see cref="Chunks"/> is the inner chunk shape,
    /// which must divide every edge; <see cref="Shards"/> must then be null. A v2 array cannot have one.
    /// </summary>
    public IReadOnlyList<ChunkEdgeList>? ChunkEdges { get; init; }

    /// <summary>
    /// The shard shape (v3 only), or null for no sharding. With shards, the array's chunk grid is the shard shape, each
    /// shard is one stored value, and <see cref="Chunks"/> is the shape of the inner chunks inside it (null guesses one
    /// that divides the shard shape): the chain becomes one <c>sharding_indexed</c> codec whose inner codecs are
    /// <c>bytes</c> and the <see cref="Compressors"/> and whose index codecs are <c>bytes</c> + <c>crc32c</c> at the end,
    /// as zarr-python 3's <c>create_array(shards=...)</c> writes it.
    /// </summary>
    public ImmutableArray<int>? Shards { get; init; }

    /// <summary>
    /// The bytes→bytes codecs in order (v2: at most one, the compressor). Null means the default compressor,
    /// blosc lz4 clevel 5 with byte shuffle; an empty list means no compression.
    /// </summary>
    public IReadOnlyList<IBytesToBytesCodec>? Compressors { get; init; }

    /// <summary>
    /// Array→array codecs applied before the elements are laid out as bytes: numcodecs' v2 filters (<c>DeltaCodec</c>,
    /// <c>FixedScaleOffsetCodec</c>, <c>AsTypeCodec</c>, <c>QuantizeCodec</c>) in the order numcodecs applies them on encode.
    /// </summary>
    public IReadOnlyList<IArrayToArrayCodec>? Filters { get; init; }

    /// <summary>The byte order of stored elements.</summary>
    public Endian Endian { get; init; } = Endian.Little;

    /// <summary>The element order inside a chunk: 'C' (row-major) or 'F' (v2's order F; v3 writes a <c>transpose</c> codec).</summary>
    public char Order { get; init; } = 'C';

    /// <summary>The chunk key separator; null for the format's default ('/' in v3 keys <c>c/0/1</c>, '.' in v2 keys <c>0.1</c>).</summary>
    public char? ChunkKeySeparator { get; init; }

    /// <summary>
    /// The fill value as JSON (<c>0</c>, <c>1.5</c>, <c>"NaN"</c>, <c>true</c>); null for the type's zero. Typed factories
    /// take it as a value instead. A C# null here is not JSON null: for a v2 array without a fill value set
    /// <see cref="FillValueIsNull"/>.
    /// </summary>
    public JsonNode? FillValue { get; init; }

    /// <summary>
    /// No fill value: zarr-python's <c>fill_value=None</c>, which a v2 <c>.zarray</c> stores as <c>"fill_value": null</c>
    /// (what zarr-python 2 and xarray write for many arrays, xarray's CF-encoded times among them). Missing chunks read as
    /// zeros, and the array's <see cref="ArrayMetadata.FillValueIsNull"/> is true, so that copies keep the null.
    /// </summary>
    /// <remarks>
    /// A v3 array always has a fill value: there this takes the type's default (zero, false, the empty string), as
    /// zarr-python 3 does, and the array's <see cref="ArrayMetadata.FillValueIsNull"/> is false. Setting it together with
    /// <see cref="FillValue"/>, or with a factory that takes the fill value itself (<c>ZerosAsync</c>, <c>OnesAsync</c>,
    /// <c>FullAsync</c>), is a <see cref="ZarrException"/> when the array is created.
    /// </remarks>
    public bool FillValueIsNull { get; init; }

    /// <summary>Attributes to store with the array (copied when it is created).</summary>
    public JsonObject? Attributes { get; init; }

    /// <summary>
    /// The dimension names, one per dimension: v3 <c>dimension_names</c> (where an entry may be null); a v2 array stores
    /// them as xarray does, in the attribute <c>_ARRAY_DIMENSIONS</c>, which needs a name for every dimension (given
    /// there in <see cref="Attributes"/> instead, it gives the names).
    /// </summary>
    public IReadOnlyList<string?>? DimensionNames { get; init; }

    /// <summary>How many chunks a read or write works on at once; null for the processor count.</summary>
    public int? MaxDegreeOfParallelism { get; init; }
}
