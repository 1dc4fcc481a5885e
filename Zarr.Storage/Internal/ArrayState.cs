using Zarr.Storage.Codecs;
using Zarr.Storage.Indexing;
using Zarr.Storage.Metadata;
using Zarr.Storage.Stores;

namespace Zarr.Storage.Internal;

/// <summary>
/// What every handle on one opened array shares. The metadata and everything derived from it form one immutable
/// snapshot that a resize or an attribute change replaces atomically, so a reader never sees half of a change.
/// </summary>
internal sealed class ArrayState
{
    private volatile ArraySnapshot _current;

    public ArrayState(IStore store, string path, ArrayMetadata metadata, bool readOnly, int? parallelism)
    {
        Store = store;
        Path = path;
        ReadOnly = readOnly || store.IsReadOnly;
        if (parallelism is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(parallelism), parallelism, "the degree of parallelism must be at least 1");
        }

        Parallelism = parallelism ?? Math.Max(2, Environment.ProcessorCount);
        _current = new ArraySnapshot(metadata);
    }

    public IStore Store { get; }

    public string Path { get; }

    public bool ReadOnly { get; }

    public int Parallelism { get; }

    public ArraySnapshot Current => _current;

    public void Update(ArrayMetadata metadata) => _current = new ArraySnapshot(metadata);
}

/// <summary>An array's metadata with the grid, codec pipeline and chunk strides made from it.</summary>
internal sealed class ArraySnapshot
{
    public ArraySnapshot(ArrayMetadata metadata)
    {
        Metadata = metadata;
        Grid = new ChunkGrid(metadata.Shape, metadata.ChunkShape);
        Pipeline = CodecPipeline.Create(metadata.Codecs);
        Spec = metadata.ChunkSpec;
        ChunkStrides = new long[metadata.Rank];
        long stride = metadata.DataType.ItemSize;
        for (var d = metadata.Rank - 1; d >= 0; d--)
        {
            ChunkStrides[d] = stride;
            stride = checked(stride * metadata.ChunkShape[d]);
        }

        _ = Spec.ByteLength; // refuses chunks over 2 GiB up front
        Pipeline.Validate(Spec); // sharding: the inner chunk shape divides the shard shape
        PartialDecoder = Pipeline.ArrayToArrayCodecs.Count == 0 && Pipeline.BytesToBytesCodecs.Count == 0
            ? Pipeline.ArrayToBytesCodec as IPartialDecodingCodec
            : null;
    }

    /// <summary>The codec that can decode part of a chunk from ranged reads, when the chain allows it (sharding alone).</summary>
    public IPartialDecodingCodec? PartialDecoder { get; }

    public ArrayMetadata Metadata { get; }

    public ChunkGrid Grid { get; }

    public CodecPipeline Pipeline { get; }

    public ChunkSpec Spec { get; }

    /// <summary>Byte strides of a decoded chunk (C order).</summary>
    public long[] ChunkStrides { get; }
}
