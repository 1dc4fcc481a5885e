using Zarr.Storage.Chunks;
using Zarr.Storage.Codecs;

namespace Zarr.Storage.Internal;

/// <summary>
/// What every handle on one opened array shares. The metadata and everything derived from it form one immutable
/// snapshot that a resize or an attribute change replaces atomically, so a reader never sees half of a change. A change
/// made through another handle in this process (on any store object at the same location) is taken up from the node's
/// <see cref="NodeState.Published"/> metadata when <see cref="Current"/> is next read.
/// </summary>
internal sealed class ArrayState
{
    private ArraySnapshot _current;

    /// <param name="store">The store.</param>
    /// <param name="path">The array's path.</param>
    /// <param name="metadata">The metadata as read or written.</param>
    /// <param name="readOnly">Opened in mode r.</param>
    /// <param name="parallelism">The degree of parallelism, or null for the default.</param>
    /// <param name="node">The node's shared state.</param>
    /// <param name="version">The node's <see cref="NodeState.Version"/> read before <paramref name="metadata"/> was read or written.</param>
    public ArrayState(IStore store, string path, ArrayMetadata metadata, bool readOnly, int? parallelism, NodeState node, long version)
    {
        Store = store;
        Path = path;
        ReadOnly = readOnly || store.IsReadOnly;
        if (parallelism is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(parallelism), parallelism, "the degree of parallelism must be at least 1");
        }

        Parallelism = parallelism ?? Math.Max(2, Environment.ProcessorCount);
        Node = node;
        _current = new ArraySnapshot(this, metadata, version);
    }

    public IStore Store { get; }

    public string Path { get; }

    public bool ReadOnly { get; }

    public int Parallelism { get; }

    /// <summary>The state every handle on the node shares: its lock and its newest metadata.</summary>
    public NodeState Node { get; }

    /// <summary>The current snapshot: this handle's, or a newer one published for the node in this process.</summary>
    public ArraySnapshot Current
    {
        get
        {
            var current = Volatile.Read(ref _current);
            var published = Node.Published;
            return published.Version > current.Version ? TakeUp(current, published) : current;
        }
    }

    /// <summary>Replaces the snapshot with metadata just written (or read) under the node's exclusive lock, at its <paramref name="version"/>.</summary>
    public void Update(ArrayMetadata metadata, long version) => Volatile.Write(ref _current, new ArraySnapshot(this, metadata, version));

    /// <summary>
    /// Takes up metadata another process stored (a resize a chunk write found under the chunk's lock), when this handle
    /// still holds the metadata <paramref name="seen"/> it replaces; a handle that moved on meanwhile keeps its own.
    /// </summary>
    public void AdoptStored(ArrayMetadata metadata, ArrayMetadata seen)
    {
        while (true)
        {
            var current = Volatile.Read(ref _current);
            if (!ReferenceEquals(current.Metadata, seen)
                || ReferenceEquals(Interlocked.CompareExchange(ref _current, new ArraySnapshot(this, metadata, current.Version), current), current))
            {
                return;
            }
        }
    }

    // A newer publication: its metadata when it is of the same data type (a resize or an attribute change; a handle never
    // changes its element type), else this handle's metadata, marked as seen.
    private ArraySnapshot TakeUp(ArraySnapshot current, NodeState.Publication published)
    {
        while (true)
        {
            var next = published.Metadata is ArrayMetadata metadata && metadata.DataType == current.Metadata.DataType
                ? new ArraySnapshot(this, metadata, published.Version)
                : current.WithVersion(published.Version);
            var seen = Interlocked.CompareExchange(ref _current, next, current);
            if (ReferenceEquals(seen, current) || seen.Version >= next.Version)
            {
                return ReferenceEquals(seen, current) ? next : seen;
            }

            current = seen;
        }
    }
}

/// <summary>An array's metadata with the grid, codec pipeline, chunk strides and chunk I/O made from it.</summary>
internal sealed class ArraySnapshot
{
    /// <param name="state">The array the snapshot is of (its store, path and access).</param>
    /// <param name="metadata">The metadata.</param>
    /// <param name="version">The node's version the metadata is as new as.</param>
    public ArraySnapshot(ArrayState state, ArrayMetadata metadata, long version)
    {
        Version = version;
        Metadata = metadata;
        Grid = metadata.CreateGrid();
        Pipeline = metadata.Pipeline;
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
        if (!Grid.IsRegular)
        {
            RectilinearRules.Validate(metadata, Pipeline, Spec);
        }

        // A rectilinear chunk is partially decoded at its own shape (ChunkIO spreads it to the buffer's layout).
        PartialDecoder = Pipeline.ArrayToArrayCodecs.Count == 0 && Pipeline.BytesToBytesCodecs.Count == 0
            ? Pipeline.ArrayToBytesCodec as IPartialDecodingCodec
            : null;
        ChunkIO = new ChunkIO(state.Store, state.Path, state.ReadOnly, this, state);
    }

    private ArraySnapshot(ArraySnapshot other, long version)
    {
        Version = version;
        Metadata = other.Metadata;
        Grid = other.Grid;
        Pipeline = other.Pipeline;
        Spec = other.Spec;
        ChunkStrides = other.ChunkStrides;
        PartialDecoder = other.PartialDecoder;
        ChunkIO = other.ChunkIO;
    }

    /// <summary>The node's <see cref="NodeState.Version"/> this snapshot is as new as.</summary>
    public long Version { get; }

    /// <summary>The codec that can decode part of a chunk from ranged reads, when the chain allows it (sharding alone).</summary>
    public IPartialDecodingCodec? PartialDecoder { get; }

    public ArrayMetadata Metadata { get; }

    public ChunkGrid Grid { get; }

    public CodecPipeline Pipeline { get; }

    public ChunkSpec Spec { get; }

    /// <summary>Byte strides of a decoded chunk (C order).</summary>
    public long[] ChunkStrides { get; }

    /// <summary>Every step of a chunk's storage life, by this snapshot's metadata.</summary>
    public ChunkIO ChunkIO { get; }

    /// <summary>This snapshot, marked as new as <paramref name="version"/>.</summary>
    public ArraySnapshot WithVersion(long version) => new(this, version);
}
