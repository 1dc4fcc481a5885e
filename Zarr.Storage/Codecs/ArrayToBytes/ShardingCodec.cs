using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Zarr.Storage.Buffers;

namespace Zarr.Storage.Codecs;

/// <summary>
/// The v3 <c>sharding_indexed</c> codec: a chunk of the array (a shard) is cut into inner chunks, each encoded with
/// its own codec chain and stored one after another, with an index of (offset, nbytes) per inner chunk — uint64
/// little-endian, C order of the inner-chunk grid, both 2^64−1 for an empty inner chunk — encoded with the index
/// codecs and placed at the start or the end of the shard.
/// </summary>
/// <remarks>
/// <para>Inner chunks whose every element is the fill value are not stored (index entry 2^64−1 twice), as zarr-python
/// does with <c>write_empty_chunks=False</c>; they decode as the fill value.</para>
/// <para>A read of part of a shard (<c>TryDecodePartialAsync</c>) fetches the index with one ranged read and
/// then only the inner chunks the region touches, coalescing ranges less than 64 KiB apart into one read. On a store
/// with versioned reads (<see cref="IVersionedReadStore"/>) an array keeps the decoded indexes it read, each under its
/// shard's version, and later reads of the shard are one conditional ranged read.</para>
/// <para>Immutable and thread-safe. Large shards are encoded and decoded with their inner chunks in parallel.</para>
/// </remarks>
public sealed partial class ShardingCodec : IPartialDecodingCodec
{
    /// <summary>The registered name, <c>sharding_indexed</c>.</summary>
    public const string CodecName = "sharding_indexed";

    /// <summary>Ranges of inner chunks closer than this are read as one range (the gap is read and dropped).</summary>
    internal const int CoalesceMaxGap = 64 * 1024;

    /// <summary>A coalesced read is not grown beyond this many bytes.</summary>
    internal const int CoalesceMaxBytes = 16 * 1024 * 1024;

    /// <summary>Inner chunks are encoded and decoded in parallel when the shard has at least this many decoded bytes ...</summary>
    internal const int ParallelMinShardBytes = 1024 * 1024;

    /// <summary>... and each inner chunk at least this many (below, the work per task is too small to pay for the task).</summary>
    internal const int ParallelMinInnerBytes = 16 * 1024;

    private readonly int[] _chunkShape;
    private readonly CodecPipeline _inner;
    private readonly ShardIndex _index;
    private readonly ShardPartialDecoder _partial;
    private volatile ShardLayout? _layout;

    /// <summary>Creates the codec.</summary>
    /// <param name="chunkShape">The inner chunk shape; it must divide the shard shape (the array's chunk shape).</param>
    /// <param name="codecs">The inner chunks' codec chain (exactly one array→bytes codec, which may be sharding again).</param>
    /// <param name="indexCodecs">The index's codec chain; null for <c>bytes</c> (little-endian) + <c>crc32c</c>. It must have a
    /// fixed encoded size: the <c>bytes</c> codec, optionally array→array codecs before it and <c>crc32c</c> after it.</param>
    /// <param name="indexLocation">Where the index is stored.</param>
    /// <exception cref="ZarrException">A chain is invalid, the index chain has no fixed size, or a dimension is not positive.</exception>
    public ShardingCodec(int[] chunkShape, IEnumerable<ICodec> codecs, IEnumerable<ICodec>? indexCodecs = null, ShardIndexLocation indexLocation = ShardIndexLocation.End)
    {
        ArgumentNullException.ThrowIfNull(chunkShape);
        ArgumentNullException.ThrowIfNull(codecs);
        foreach (var c in chunkShape)
        {
            if (c <= 0)
            {
                throw new ZarrException($"{CodecName}: the inner chunk shape ({ShardLayout.Join(chunkShape)}) must be positive in every dimension");
            }
        }

        if (indexLocation is not (ShardIndexLocation.End or ShardIndexLocation.Start))
        {
            throw new ArgumentOutOfRangeException(nameof(indexLocation), indexLocation, "the index location is Start or End");
        }

        _chunkShape = (int[])chunkShape.Clone();
        _inner = Pipeline(codecs, "codecs");
        _index = ShardIndex.Create(Pipeline(indexCodecs ?? [new BytesCodec(Endian.Little), new Crc32cCodec()], "index_codecs"), indexLocation);
        _partial = new ShardPartialDecoder(this, _index);
    }

    /// <inheritdoc />
    public string Name => CodecName;

    /// <summary>The inner chunk shape.</summary>
    public ImmutableArray<int> ChunkShape => ImmutableArray.Create(_chunkShape);

    /// <summary>The inner chunks' codec chain.</summary>
    public CodecPipeline Codecs => _inner;

    /// <summary>The index's codec chain.</summary>
    public CodecPipeline IndexCodecs => _index.Codecs;

    /// <summary>Where the index is stored.</summary>
    public ShardIndexLocation IndexLocation => _index.Location;

    /// <summary>For tests: true or false forces inner chunks to be encoded and decoded in parallel or one by one; null decides by size.</summary>
    internal bool? ParallelInnerChunks { get; init; }

    /// <summary>
    /// The codec zarr-python 3's <c>create_array(shards=...)</c> writes: inner chunks of <paramref name="chunkShape"/>
    /// encoded with <paramref name="arrayCodecs"/> (such as <c>bytes</c>, or <c>transpose</c> + <c>bytes</c>) and the
    /// <paramref name="compressors"/>, the index encoded with <c>bytes</c> + <c>crc32c</c> at the end.
    /// </summary>
    public static ShardingCodec For(int[] chunkShape, IEnumerable<ICodec> arrayCodecs, IEnumerable<IBytesToBytesCodec> compressors)
    {
        ArgumentNullException.ThrowIfNull(arrayCodecs);
        ArgumentNullException.ThrowIfNull(compressors);
        return new ShardingCodec(chunkShape, [.. arrayCodecs, .. compressors]);
    }

    /// <inheritdoc />
    /// <remarks>As zarr-python 3 writes it: <c>chunk_shape</c>, <c>codecs</c>, <c>index_codecs</c>, <c>index_location</c>.</remarks>
    public JsonObject ToV3Json() => CodecRegistry.Default.WriteV3(this);

    /// <summary>
    /// Checks that shards of <paramref name="spec"/> can be cut into inner chunks (same rank, inner chunk shape divides
    /// the shard shape), and the same for nested sharding codecs.
    /// </summary>
    /// <exception cref="ZarrCodecException">It cannot; the message names both shapes.</exception>
    public void Validate(in ChunkSpec spec)
    {
        var layout = GetLayout(spec);
        _inner.Validate(layout.InnerSpec);
    }

    /// <summary>The encoded size of the index for shards of <paramref name="spec"/>: 16 bytes per inner chunk plus the index codecs' overhead.</summary>
    public int GetIndexSize(in ChunkSpec spec) => GetLayout(spec).IndexEncodedLength;

    /// <summary>
    /// The most bytes a shard of <paramref name="spec"/> can be encoded to: its index and every inner chunk at the
    /// inner chain's worst case (the limit a bytes→bytes codec around the sharding codec decodes to).
    /// </summary>
    public long GetMaxEncodedLength(in ChunkSpec spec)
    {
        var layout = GetLayout(spec);
        var inner = _inner.GetMaxEncodedLength(layout.InnerSpec);
        return Math.Min(layout.IndexEncodedLength + (inner * layout.ChunkCount), Array.MaxLength);
    }

    /// <summary>
    /// How many inner chunks of a shard of <paramref name="spec"/> this codec would encode or decode at once (as zarrs'
    /// <c>recommended_concurrency</c>): the inner-chunk count where parallel work pays (compressed inner chunks of at
    /// least 16 KiB, shards of at least 1 MiB, 4 cores or more), 1 otherwise. A caller bounds it with
    /// <see cref="ChunkSpec.MaxDegreeOfParallelism"/>.
    /// </summary>
    public int GetRecommendedConcurrency(in ChunkSpec spec)
    {
        var layout = GetLayout(spec);
        return UseParallel(layout, layout.ChunkCount, 0) ? layout.ChunkCount : 1;
    }

    // ---------------------------------------------------------------- decode

    /// <inheritdoc />
    public void Decode(ReadOnlySpan<byte> encoded, Span<byte> chunk, in ChunkSpec spec)
    {
        var layout = GetLayout(spec);
        if (chunk.Length != spec.ByteLength)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"the destination is {chunk.Length} bytes; the shard is {spec.ByteLength}"), nameof(chunk));
        }

        var (index, dataStart, dataEnd, present) = ReadIndex(encoded, layout);
        using var indexBuffer = index;
        var maxDegree = spec.MaxDegreeOfParallelism;
        if (!UseParallel(layout, present, maxDegree))
        {
            for (var i = 0; i < layout.ChunkCount; i++)
            {
                DecodeEntry(encoded, index.Span, chunk, layout, i, dataStart, dataEnd, maxDegree);
            }

            return;
        }

        DecodeParallel(encoded, index, chunk, layout, dataStart, dataEnd, maxDegree);
    }

    /// <summary>
    /// The shard's index decoded, where its inner chunks' data may lie, and how many entries point at a stored inner
    /// chunk: every entry is checked here, before anything is decoded. The caller disposes the index.
    /// </summary>
    private (PooledBuffer Index, int DataStart, int DataEnd, int Present) ReadIndex(ReadOnlySpan<byte> encoded, ShardLayout layout)
    {
        var index = _index.Decode(_index.Slice(encoded, layout), layout);
        try
        {
            var dataStart = _index.DataStart(layout);
            var dataEnd = _index.DataEnd(layout, encoded.Length);
            var present = 0;
            for (var i = 0; i < layout.ChunkCount; i++)
            {
                if (ShardIndex.Locate(index.Span, i, layout, dataStart, dataEnd, out _, out _))
                {
                    present++;
                }
            }

            return (index, dataStart, dataEnd, present);
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    private unsafe void DecodeParallel(ReadOnlySpan<byte> encoded, PooledBuffer index, Span<byte> chunk, ShardLayout layout, int dataStart, int dataEnd, int maxDegree)
    {
        fixed (byte* source = encoded)
        fixed (byte* destination = chunk)
        {
            var src = (nint)source;
            var srcLength = encoded.Length;
            var dst = (nint)destination;
            var dstLength = chunk.Length;
            RunParallel(layout.ChunkCount, maxDegree, i => DecodeEntry(
                new ReadOnlySpan<byte>((void*)src, srcLength),
                index.Span,
                new Span<byte>((void*)dst, dstLength),
                layout,
                i,
                dataStart,
                dataEnd,
                1));
        }
    }

    // Decodes inner chunk i from a whole shard's bytes into its place, or fills it.
    private void DecodeEntry(ReadOnlySpan<byte> encoded, ReadOnlySpan<byte> index, Span<byte> shard, ShardLayout layout, int i, long dataStart, long dataEnd, int maxDegree)
    {
        if (ShardIndex.Locate(index, i, layout, dataStart, dataEnd, out var offset, out var length))
        {
            DecodeInner(encoded.Slice((int)offset, (int)length), shard, layout, i, maxDegree);
        }
        else
        {
            layout.Fill(shard, i);
        }
    }

    /// <summary>Decodes one inner chunk's bytes into its place in the decoded shard (nested sharding gets at most <paramref name="maxDegree"/>).</summary>
    internal void DecodeInner(ReadOnlySpan<byte> encoded, Span<byte> shard, ShardLayout layout, int index, int maxDegree)
    {
        var spec = InnerSpec(layout, maxDegree);
        try
        {
            if (layout.InnerIsContiguous)
            {
                _inner.Decode(encoded, shard.Slice((int)layout.OriginOf(index), layout.InnerByteLength), spec);
                return;
            }

            using var inner = PooledBuffer.Rent(layout.InnerByteLength);
            _inner.Decode(encoded, inner.Span, spec);
            layout.CopyIn(inner.Span, shard, index);
        }
        catch (ZarrCodecException e)
        {
            throw new ZarrCodecException(Name, $"inner chunk {layout.Describe(index)}: {e.Message}", e);
        }
    }

    /// <summary>Decodes one inner chunk's bytes into <paramref name="inner"/>, a contiguous buffer of its decoded size.</summary>
    internal void DecodeInnerInto(ReadOnlySpan<byte> encoded, Span<byte> inner, ShardLayout layout, int index, int maxDegree)
    {
        try
        {
            _inner.Decode(encoded, inner, InnerSpec(layout, maxDegree));
        }
        catch (ZarrCodecException e)
        {
            throw new ZarrCodecException(Name, $"inner chunk {layout.Describe(index)}: {e.Message}", e);
        }
    }

    // ---------------------------------------------------------------- partial decode

    /// <inheritdoc />
    /// <remarks>
    /// Reads the index (a prefix or suffix range) and then only the inner chunks <paramref name="region"/> touches, as
    /// ranged reads, coalescing ranges less than 64 KiB apart; when the region touches every inner chunk the shard is
    /// read whole, once. Empty inner chunks are filled with the fill value.
    /// </remarks>
    ValueTask<bool> IPartialDecodingCodec.TryDecodePartialAsync(IReadableStore store, string key, ChunkRegion region, Memory<byte> chunk, ChunkSpec spec, CancellationToken cancellationToken) =>
        ((IPartialDecodingCodec)this).TryDecodePartialAsync(store, null, key, region, chunk, spec, cancellationToken);

    /// <inheritdoc />
    /// <remarks>With an index cache, a shard whose index is kept is read with one ranged read conditional on the version
    /// the index was read at (a replaced shard drops it and is read again from a fresh index).</remarks>
    ValueTask<bool> IPartialDecodingCodec.TryDecodePartialAsync(IReadableStore store, ShardIndexCache? indexCache, string key, ChunkRegion region, Memory<byte> chunk, ChunkSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(key);
        var layout = GetLayout(spec);
        if (chunk.Length != spec.ByteLength)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"the destination is {chunk.Length} bytes; the shard is {spec.ByteLength}"), nameof(chunk));
        }

        return _partial.TryDecodeAsync(store, indexCache, key, region, chunk, spec, layout, ShardPartialDecoder.Placement.Shard, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>A region inside one inner chunk of a shard of several: the inner chunk's strides, over a buffer reaching
    /// to the end of that inner chunk in them (<see cref="ShardLayout.CompactOriginOf"/>).</remarks>
    bool IPartialDecodingCodec.TryGetCompactLayout(ChunkRegion region, in ChunkSpec spec, out long[] strides, out int byteLength)
    {
        var layout = GetLayout(spec);
        var touched = layout.ChunkCount > 1 ? layout.ChunksTouched(region) : [];
        if (touched.Length != 1)
        {
            strides = [];
            byteLength = 0;
            return false;
        }

        strides = Array.ConvertAll(layout.InnerSteps, s => (long)s);
        byteLength = checked((int)(layout.CompactOriginOf(touched[0]) + layout.InnerByteLength));
        return true;
    }

    /// <inheritdoc />
    ValueTask<bool> IPartialDecodingCodec.TryDecodeCompactAsync(IReadableStore store, ShardIndexCache? indexCache, string key, ChunkRegion region, Memory<byte> buffer, ChunkSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(key);
        var layout = GetLayout(spec);
        return _partial.TryDecodeAsync(store, indexCache, key, region, buffer, spec, layout, ShardPartialDecoder.Placement.Compact, cancellationToken);
    }

    /// <inheritdoc />
    bool IPartialDecodingCodec.TryGetInnerChunk(ChunkRegion region, in ChunkSpec spec, out int[] start, out int[] shape)
    {
        var layout = GetLayout(spec);
        var touched = layout.ChunkCount > 1 ? layout.ChunksTouched(region) : [];
        if (touched.Length != 1)
        {
            start = shape = [];
            return false;
        }

        start = layout.InnerStartOf(touched[0]);
        shape = layout.InnerShape;
        return true;
    }

    /// <inheritdoc />
    ValueTask<bool> IPartialDecodingCodec.TryDecodeInnerIntoAsync(IReadableStore store, ShardIndexCache? indexCache, string key, ChunkRegion region, Memory<byte> inner, ChunkSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(key);
        var layout = GetLayout(spec);
        if (inner.Length != layout.InnerByteLength)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"the destination is {inner.Length} bytes; an inner chunk is {layout.InnerByteLength}"), nameof(inner));
        }

        return _partial.TryDecodeAsync(store, indexCache, key, region, inner, spec, layout, ShardPartialDecoder.Placement.Alone, cancellationToken);
    }

    /// <summary>
    /// Reads the inner chunks <paramref name="region"/> of the shard at <paramref name="key"/> touches (ranged reads, as
    /// <c>TryDecodePartialAsync</c>; the shard whole when it touches every one) and hands each, decoded into a small
    /// pooled buffer, to <paramref name="sink"/>; an inner chunk not stored goes as the fill value. False, touching
    /// nothing, when there is no shard.
    /// </summary>
    /// <exception cref="ZarrCodecException">The index or an inner chunk is corrupt, or the shard changed under the read.</exception>
    internal ValueTask<bool> TryDecodeInnerChunksAsync(IReadableStore store, ShardIndexCache? indexCache, string key, ChunkRegion region, ChunkSpec spec, IInnerChunkSink sink, CancellationToken cancellationToken) =>
        _partial.TryDecodeAsync(store, indexCache, key, region, Memory<byte>.Empty, spec, GetLayout(spec), ShardPartialDecoder.Placement.Sink, cancellationToken, sink);

    /// <inheritdoc />
    ValueTask<PooledBuffer?> IPartialDecodingCodec.FetchWholeAsync(IReadableStore store, ShardIndexCache indexCache, string key, ChunkSpec spec, CancellationToken cancellationToken) =>
        _partial.FetchWholeAsync(indexCache, key, GetLayout(spec), cancellationToken);

    // ---------------------------------------------------------------- helpers

    private ShardLayout GetLayout(in ChunkSpec spec)
    {
        var layout = _layout;
        if (layout is not null && layout.Matches(spec))
        {
            return layout;
        }

        layout = ShardLayout.Create(spec, _chunkShape, _index.Overhead);
        _layout = layout;
        return layout;
    }

    // Measured on 2 cores (1–4 MiB int32 shards of 16–256 KiB inner chunks, bytes / zstd / blosc): no reliable gain,
    // and a loss for uncompressed inner chunks (copy-bound), so inner chunks go in parallel only where there is
    // compression work to share, on 4 cores or more; the array already works on many shards at once.
    // A caller's limit of 1 keeps every inner chunk on the calling thread.
    private bool UseParallel(ShardLayout layout, int chunks, int maxDegree) =>
        chunks > 1 && maxDegree != 1 && (ParallelInnerChunks ?? (
            _inner.BytesToBytesCodecs.Count > 0
            && layout.InnerByteLength >= ParallelMinInnerBytes
            && (long)layout.InnerByteLength * chunks >= ParallelMinShardBytes
            && Environment.ProcessorCount >= 4));

    // The inner chunks' spec, carrying the parallelism left for nested sharding (none when this level runs in parallel).
    private static ChunkSpec InnerSpec(ShardLayout layout, int maxDegree) =>
        maxDegree == layout.InnerSpec.MaxDegreeOfParallelism ? layout.InnerSpec : layout.InnerSpec with { MaxDegreeOfParallelism = maxDegree };

    // Parallel.For bounded by the caller's degree (0: the runtime's default, as before), rethrowing the first failure
    // itself rather than an AggregateException.
    private static void RunParallel(int count, int maxDegree, Action<int> body)
    {
        try
        {
            var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegree > 0 ? maxDegree : -1 };
            Parallel.For(0, count, options, body);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }
    }

    private static CodecPipeline Pipeline(IEnumerable<ICodec> codecs, string field)
    {
        try
        {
            return CodecPipeline.Create(codecs);
        }
        catch (ZarrException e) when (e is not ZarrMetadataException)
        {
            throw new ZarrException($"{CodecName} {field}: {e.Message}", e);
        }
    }
}
