using System.Collections.Immutable;
using Zarr.Storage.Codecs;

namespace Zarr.Storage;

/// <summary>
/// An array's metadata in one model for both formats. For v2 the codec chain is the equivalent v3 chain:
/// <c>transpose</c> for order F, <c>bytes</c> with the type string's byte order, then the compressor.
/// </summary>
public sealed partial record ArrayMetadata
{
    // The pipeline prepared for a codec list. `with` copies it; it is used only while Codecs is still that list.
    private Prepared _prepared = Prepared.None;

    // Immutable in fact: a caller holding the metadata cannot change the shape under the chunk grid built from it.
    private readonly ImmutableArray<long> _shape;
    private readonly ImmutableArray<int> _chunkShape;
    private readonly ImmutableArray<byte> _fillValue;

    /// <summary>The format the array is stored in.</summary>
    public required ZarrFormat Format { get; init; }

    /// <summary>The array's shape.</summary>
    /// <exception cref="ArgumentException">The value is a default (uninitialised) <see cref="ImmutableArray{T}"/>.</exception>
    public required ImmutableArray<long> Shape { get => _shape; init => _shape = Initialised(value, nameof(Shape)); }

    /// <summary>The regular chunk grid's chunk shape (same rank as <see cref="Shape"/>).</summary>
    /// <exception cref="ArgumentException">The value is a default (uninitialised) <see cref="ImmutableArray{T}"/>.</exception>
    public required ImmutableArray<int> ChunkShape { get => _chunkShape; init => _chunkShape = Initialised(value, nameof(ChunkShape)); }

    /// <summary>
    /// A rectilinear chunk grid (the registered v3 extension <c>rectilinear</c>): per dimension the chunks' edge lengths;
    /// default (<see cref="ImmutableArray{T}.IsDefault"/>) for a regular grid. With it, <see cref="ChunkShape"/> is the
    /// longest edge per dimension (the buffer a decoded chunk is held in). v3 only.
    /// </summary>
    public ImmutableArray<ChunkEdgeList> RectilinearChunks { get; init; }

    /// <summary>The element type.</summary>
    public required ZarrDataType DataType { get; init; }

    /// <summary>The fill value: one element, little-endian, <c>DataType.ItemSize</c> bytes (variable-length strings: its UTF-8 bytes).</summary>
    /// <exception cref="ArgumentException">The value is a default (uninitialised) <see cref="ImmutableArray{T}"/>.</exception>
    public required ImmutableArray<byte> FillValue { get => _fillValue; init => _fillValue = Initialised(value, nameof(FillValue)); }

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

    /// <summary>User attributes (v3: <c>attributes</c>; v2: <c>.zattrs</c>, with xarray's <c>_ARRAY_DIMENSIONS</c> when the array has dimension names).</summary>
    public AttributeDictionary Attributes { get; init; } = AttributeDictionary.Empty;

    /// <summary>
    /// The dimension names (an entry may be null), or null when the array has none: v3 <c>dimension_names</c>; v2 keeps
    /// them, as xarray does, in the attribute <c>_ARRAY_DIMENSIONS</c> (a list of one string per dimension), which is
    /// written from these names and read into them (so a v2 array's names are never null entries).
    /// </summary>
    public IReadOnlyList<string?>? DimensionNames { get; init; }

    /// <summary>
    /// The v3 extensions this library ignored when it read the document (top-level fields and storage transformers
    /// declaring <c>"must_understand": false</c>), as the JSON text of one object, or null: written back unchanged when
    /// the document is rewritten (a resize, an attributes update), so another implementation that understands them
    /// does not lose them to us. A string, so that two reads of one document compare equal.
    /// </summary>
    internal string? IgnoredExtensions { get; init; }

    /// <summary>The number of dimensions.</summary>
    public int Rank => Shape.Length;

    /// <summary>The chunk grid over <see cref="Shape"/>: regular by <see cref="ChunkShape"/>, or rectilinear by <see cref="RectilinearChunks"/>.</summary>
    /// <exception cref="ZarrException">The shapes or edges do not make a grid (see <see cref="ChunkGrid"/>).</exception>
    public ChunkGrid CreateGrid() => RectilinearChunks.IsDefault ? new ChunkGrid(Shape, ChunkShape) : new ChunkGrid(Shape, RectilinearChunks);

    /// <summary>
    /// This metadata at a new shape (a resize). A rectilinear axis whose edges no longer cover its new length gets one
    /// more chunk, exactly as long as the part they miss (an append along time adds one chunk of what was appended); the
    /// integer form covers any length. Edges past a shrunk length are kept, as the extension permits.
    /// </summary>
    internal ArrayMetadata Resized(ImmutableArray<long> shape)
    {
        if (RectilinearChunks.IsDefault || shape.Length != RectilinearChunks.Length)
        {
            return this with { Shape = shape };
        }

        var edges = RectilinearChunks.ToBuilder();
        for (var d = 0; d < edges.Count; d++)
        {
            var axis = edges[d];
            if (axis.Repeating is null && axis.Length < shape[d])
            {
                var missing = shape[d] - axis.Length;
                edges[d] = axis.Append(missing <= int.MaxValue ? (int)missing : throw new ZarrException($"cannot grow axis {d} of a rectilinear grid by {missing} elements in one chunk (more than {int.MaxValue}); resize with explicit chunk edges"));
            }
        }

        var grown = edges.MoveToImmutable();
        return this with { Shape = shape, RectilinearChunks = grown, ChunkShape = [.. grown.Select(e => e.MaxEdge)] };
    }

    /// <summary>The spec every chunk of this array is encoded with (a rectilinear grid's: the largest chunk's; each chunk has its own shape).</summary>
    public ChunkSpec ChunkSpec => new(ChunkShape, DataType, FillValue);

    /// <summary>
    /// <see cref="Codecs"/> as a validated pipeline, prepared once: the metadata readers hand over the one they validated
    /// with, and otherwise it is built on first use and kept (also by copies made with <c>with</c> that keep the codecs).
    /// </summary>
    /// <exception cref="ZarrException">The chain is not valid (the order the specification requires).</exception>
    internal CodecPipeline Pipeline
    {
        get
        {
            var prepared = _prepared;
            if (!ReferenceEquals(prepared.Codecs, Codecs))
            {
                // Two threads may both build it; either result is the same pipeline.
                prepared = new Prepared(Codecs, CodecPipeline.Create(Codecs));
                _prepared = prepared;
            }

            return prepared.Pipeline;
        }
    }

    // A default ImmutableArray throws on every use; refuse it where it is set rather than where it is first read.
    private static ImmutableArray<T> Initialised<T>(ImmutableArray<T> value, string property) =>
        value.IsDefault ? throw new ArgumentException("a default (uninitialised) ImmutableArray is not a value; use [] for an empty one", property) : value;

    /// <summary>Keeps the pipeline a reader validated <see cref="Codecs"/> with, so that it is not built again.</summary>
    internal ArrayMetadata KeepPipeline(CodecPipeline pipeline)
    {
        _prepared = new Prepared(Codecs, pipeline);
        return this;
    }

    /// <summary>A codec list with its pipeline. Equal to any other, so that record equality looks only at the metadata.</summary>
    private sealed class Prepared(IReadOnlyList<ICodec>? codecs, CodecPipeline? pipeline)
    {
        public static readonly Prepared None = new(null, null);

        public IReadOnlyList<ICodec>? Codecs { get; } = codecs;

        public CodecPipeline Pipeline { get; } = pipeline!;

        public override bool Equals(object? obj) => obj is Prepared;

        public override int GetHashCode() => 0;
    }
}
