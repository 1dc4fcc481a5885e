using System.Buffers;
using System.Globalization;
using Zarr.Storage.Buffers;
using Zarr.Storage.Codecs;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Chunks;

/// <summary>
/// Every step of a chunk's storage life, for one snapshot of one array's metadata (see <see cref="ArraySnapshot"/>):
/// fetch the encoded bytes (or learn the chunk is missing), decode (missing → fill value), encode (to bytes, or an
/// explicit "all fill value"), store or delete under the chunk's lock, and the read-modify-write of a partial update.
/// Every read, write, trim, copy and verify of a chunk goes through here.
/// </summary>
/// <remarks>
/// The steps that order concurrent writers are each one method: <see cref="LockAsync(string, bool, CancellationToken)"/>
/// (the in-process <see cref="ChunkLocks"/>, and for every write on a store that locks keys across processes,
/// <see cref="IKeyLockingStore"/>: the directory store, its lock file's OS lock, under which the stored shape is read
/// again, <see cref="StoredShape"/>), <see cref="PutAsync"/> (a plain set or
/// delete) and, on a store with conditional writes (<see cref="IConditionalStore"/>: the object stores), the
/// compare-and-swap of a partial update on the version it read (<see cref="TryPutAsync"/>), which
/// <see cref="ReadModifyWriteAsync{TChunk, TState}"/> repeats from a fresh read when it lost the race
/// (<see cref="ConflictBackoff"/>). No caller takes a chunk lock itself.
/// </remarks>
internal sealed partial class ChunkIO
{
    private readonly IStore _store;
    private readonly string _path;
    private readonly string _prefix;
    private readonly bool _readOnly;
    private readonly ArraySnapshot _snapshot;
    private readonly ChunkLocks _locks;
    private readonly IConditionalStore? _conditional;
    private readonly IKeyLockingStore? _keyLocking;
    private readonly ArrayState? _state;
    private readonly StoredShape? _storedShape;
    private readonly ShardIndexCache? _indexCache;
    private readonly ISlicedDecodingCodec? _slicedCodec;
    private readonly ShardingCodec? _sharding;

    /// <summary>
    /// The window a chunk decoded in slices goes through (<see cref="DecodeSliced"/>), in bytes: <c>ZARR_SLICE_WINDOW</c>
    /// when set (for measuring), else 256 KiB, the best of 128 KiB–1 MiB on issue 18's read-all (measured
    /// in benchmarks/results/zarrs-suite-2026-12-07.md): small enough to stay in a core's L2 while it is scattered.
    /// </summary>
    internal static readonly int SliceWindowBytes = int.TryParse(Environment.GetEnvironmentVariable("ZARR_SLICE_WINDOW"), NumberStyles.None, CultureInfo.InvariantCulture, out var w) && w > 0 ? w : 256 << 10;

    /// <param name="store">The array's store.</param>
    /// <param name="path">The array's path.</param>
    /// <param name="readOnly">True when the handle may not write.</param>
    /// <param name="snapshot">The metadata snapshot this object serves (it keeps a reference, never changes it).</param>
    /// <param name="state">The array whose snapshot it is, which takes up a shape another process stored (found by a write).</param>
    public ChunkIO(IStore store, string path, bool readOnly, ArraySnapshot snapshot, ArrayState? state = null)
    {
        _store = store;
        _path = path;
        _prefix = NodePaths.Prefix(path);
        _readOnly = readOnly;
        _snapshot = snapshot;
        _locks = ChunkLocks.For(store);
        _conditional = StoreCapabilities.Conditional(store);
        _keyLocking = _conditional is null ? StoreCapabilities.KeyLocking(store) : null;
        _state = state;
        _storedShape = _keyLocking is not null && !readOnly ? new StoredShape(store, path, snapshot.Metadata) : null;
        _indexCache = snapshot.PartialDecoder is not null && StoreCapabilities.VersionedRead(store) is { } versioned ? new ShardIndexCache(versioned) : null;
        var metadata = snapshot.Metadata;
        _slicedCodec = SlicedCodecOf(snapshot);
        _sharding = snapshot.PartialDecoder as ShardingCodec;
        if (!metadata.DataType.IsFixedSize)
        {
            StringFill = metadata.FillValueIsNull ? null : System.Text.Encoding.UTF8.GetString(metadata.FillValue.AsSpan());
            ElementStrides = new long[metadata.Rank];
            long stride = 1;
            for (var d = metadata.Rank - 1; d >= 0; d--)
            {
                ElementStrides[d] = stride;
                stride = checked(stride * metadata.ChunkShape[d]);
            }

            ElementCount = checked((int)stride);
        }
    }

    /// <summary>The metadata this object works by.</summary>
    public ArrayMetadata Metadata => _snapshot.Metadata;

    /// <summary>The chunk grid.</summary>
    public ChunkGrid Grid => _snapshot.Grid;

    /// <summary>The decoded chunk's spec.</summary>
    public ChunkSpec Spec => _snapshot.Spec;

    /// <summary>Byte strides of a decoded chunk (C order).</summary>
    public long[] ChunkStrides => _snapshot.ChunkStrides;

    /// <summary>The decoded size of one chunk in bytes.</summary>
    public int ByteLength => _snapshot.Spec.ByteLength;

    /// <summary>A variable-length string array's fill value (null: v2's null fill value, or not a string array).</summary>
    public string? StringFill { get; }

    /// <summary>Element strides of a chunk of strings (C order; empty for fixed-size types, see <see cref="ChunkStrides"/>).</summary>
    public long[] ElementStrides { get; } = [];

    /// <summary>The number of elements of a chunk of strings (0 for fixed-size types).</summary>
    public int ElementCount { get; }

    /// <summary>The store key of the chunk at <paramref name="coordinates"/>.</summary>
    public string KeyOf(ReadOnlySpan<long> coordinates) => _prefix + Metadata.ChunkKeyEncoding.Encode(coordinates);

    // ---------------------------------------------------------------- fetch and decode

    /// <summary>Fetch: the encoded bytes of a chunk, or null when it was never written. The caller owns the buffer.</summary>
    /// <exception cref="ZarrStoreException">The store failed; the exception names the array, the chunk key and the store.</exception>
    public async ValueTask<PooledBuffer?> FetchAsync(long[] coordinates, CancellationToken cancellationToken)
    {
        var key = KeyOf(coordinates);
        try
        {
            // With a shard index cache, the read keeps the shard's index in hand for later inner-chunk reads.
            return _indexCache is null
                ? await _store.GetAsync(key, null, cancellationToken).ConfigureAwait(false)
                : await _snapshot.PartialDecoder!.FetchWholeAsync(_store, _indexCache, key, SpecAt(coordinates), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (StoreFailures.IsUntyped(e))
        {
            throw StoreFailure(key, "read", e);
        }
    }

    /// <summary>
    /// The decoded chunk's spec with the codecs' own threads for one chunk bounded to <paramref name="codecParallelism"/>
    /// (<see cref="ChunkSpec.MaxDegreeOfParallelism"/>: 0 lets the codec choose, 1 keeps its work on the calling thread).
    /// </summary>
    private ChunkSpec SpecWith(int codecParallelism) =>
        codecParallelism == _snapshot.Spec.MaxDegreeOfParallelism ? _snapshot.Spec : _snapshot.Spec with { MaxDegreeOfParallelism = codecParallelism };

    /// <summary>The decoded spec of the chunk at <paramref name="coordinates"/>: a rectilinear edge chunk's own shape.</summary>
    private ChunkSpec SpecAt(ReadOnlySpan<long> coordinates) =>
        Grid.IsFullShape(coordinates) ? _snapshot.Spec : _snapshot.Spec with { Shape = [.. Grid.ChunkShapeAt(coordinates)] };

    /// <summary>Decode: fills <paramref name="chunk"/> (exactly <see cref="ByteLength"/>) from encoded bytes, the codecs using at most <paramref name="codecParallelism"/> threads (0: their choice).</summary>
    /// <exception cref="ZarrCodecException">The chunk is corrupt; the exception names the array, the chunk key and the codec.</exception>
    public void Decode(ReadOnlySpan<byte> encoded, ReadOnlySpan<long> coordinates, Span<byte> chunk, int codecParallelism = 0)
    {
        try
        {
            if (Grid.IsFullShape(coordinates))
            {
                _snapshot.Pipeline.Decode(encoded, chunk, SpecWith(codecParallelism));
                return;
            }

            // A rectilinear chunk smaller than the buffer: decoded in its own layout at the front, then spread out.
            var spec = SpecWith(codecParallelism) with { Shape = [.. Grid.ChunkShapeAt(coordinates)] };
            _snapshot.Pipeline.Decode(encoded, chunk[..spec.ByteLength], spec);
            ChunkPadding.Expand(chunk, spec.Shape.AsSpan(), Grid.ChunkShape.AsSpan(), Metadata.DataType.ItemSize);
        }
        catch (ZarrCodecException e)
        {
            throw e.WithChunk(_path, KeyOf(coordinates));
        }
    }

    /// <summary>
    /// True when a whole chunk can be decoded a window at a time into a sink (<see cref="DecodeSliced"/>): the chain is
    /// the <c>bytes</c> codec in the decoded form's own order (little-endian or single-byte components; no sub-byte type)
    /// followed by exactly one codec that decodes in slices (zstd over the native library), and the array has at least
    /// one dimension. A big-endian <c>bytes</c> codec, any filter or second compressor keeps the whole-chunk decode.
    /// </summary>
    public bool DecodesSliced => _slicedCodec is not null;

    /// <summary>
    /// Decode in slices (<see cref="DecodesSliced"/> only): the chunk's decoded bytes go to <paramref name="sink"/> one
    /// window of <see cref="SliceWindowBytes"/> (whole elements) at a time, in order, through a pooled window; the chunk
    /// must have the grid's full chunk shape. Data found corrupt part way throws after the sink took the slices before it.
    /// </summary>
    /// <exception cref="ZarrCodecException">The chunk is corrupt; the exception names the array, the chunk key and the codec.</exception>
    public void DecodeSliced<TSink>(ReadOnlySpan<byte> encoded, ReadOnlySpan<long> coordinates, ref TSink sink)
        where TSink : IDecodedSliceSink, allows ref struct
    {
        var codec = _slicedCodec ?? throw new InvalidOperationException("the array's chain does not decode in slices");
        var itemSize = Metadata.DataType.ItemSize;
        var length = Math.Max(itemSize, SliceWindowBytes / itemSize * itemSize);
        var window = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            codec.DecodeSliced(encoded, ByteLength, itemSize, window.AsSpan(0, length), ref sink);
        }
        catch (ZarrCodecException e)
        {
            throw e.WithChunk(_path, KeyOf(coordinates));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(window);
        }
    }

    // The chain's one compressor when the chain decodes in slices (see DecodesSliced), else null.
    private static ISlicedDecodingCodec? SlicedCodecOf(ArraySnapshot snapshot)
    {
        var pipeline = snapshot.Pipeline;
        var dataType = snapshot.Metadata.DataType;
        return pipeline.ArrayToArrayCodecs.Count == 0
            && pipeline.BytesToBytesCodecs is [ISlicedDecodingCodec { CanDecodeSliced: true } codec]
            && dataType.IsFixedSize
            && !SubByteValues.IsSubByte(dataType)
            && snapshot.Metadata.Rank > 0
            && CodecPipeline.IsIdentity(pipeline.ArrayToBytesCodec, snapshot.Spec)
            ? codec
            : null;
    }

    /// <summary>Decode of a missing chunk: fills <paramref name="chunk"/> with the fill value.</summary>
    public void DecodeMissing(Span<byte> chunk) => StridedCopy.FillPattern(chunk, Metadata.FillValue.AsSpan());

    /// <summary>
    /// Fetch and decode for a read: the whole chunk, or, when <paramref name="region"/> is given and the chain can
    /// (sharding alone), only what the region needs, through ranged reads. Null when the chunk was never written. The
    /// caller owns the buffer: the whole decoded chunk's layout (<see cref="ChunkStrides"/>), or for a region the codec
    /// decodes compactly (inside one inner chunk of a shard) a smaller buffer with the strides returned beside it; outside
    /// a partial region, contents are undefined. The codecs use at most <paramref name="codecParallelism"/> threads for
    /// the chunk (0: their choice).
    /// </summary>
    public async ValueTask<(PooledBuffer? Decoded, long[] Strides)> FetchDecodedAsync(long[] coordinates, ChunkRegion? region, int codecParallelism, CancellationToken cancellationToken)
    {
        if (region is { } part && _snapshot.PartialDecoder is { } partial)
        {
            var key = KeyOf(coordinates);
            PooledBuffer? buffer = null;
            try
            {
                // A rectilinear chunk smaller than the buffer: decoded at its own shape at the front, then spread out.
                var spec = SpecWith(codecParallelism);
                var full = Grid.IsFullShape(coordinates);
                if (full && partial.TryGetCompactLayout(part, spec, out var strides, out var compactLength))
                {
                    buffer = PooledBuffer.RentDecoded(compactLength);
                    if (await partial.TryDecodeCompactAsync(_store, _indexCache, key, part, buffer.Memory, spec, cancellationToken).ConfigureAwait(false))
                    {
                        return (buffer, strides);
                    }
                }
                else
                {
                    buffer = PooledBuffer.RentDecoded(ByteLength);
                    if (!full)
                    {
                        spec = spec with { Shape = [.. Grid.ChunkShapeAt(coordinates)] };
                    }

                    if (await partial.TryDecodePartialAsync(_store, _indexCache, key, part, buffer.Memory[..spec.ByteLength], spec, cancellationToken).ConfigureAwait(false))
                    {
                        if (!full)
                        {
                            ChunkPadding.Expand(buffer.Span, spec.Shape.AsSpan(), Grid.ChunkShape.AsSpan(), Metadata.DataType.ItemSize);
                        }

                        return (buffer, ChunkStrides);
                    }
                }
            }
            catch (ZarrCodecException e)
            {
                buffer?.Dispose();
                throw e.WithChunk(_path, key);
            }
            catch (Exception e) when (StoreFailures.IsUntyped(e))
            {
                buffer?.Dispose();
                throw StoreFailure(key, "read", e);
            }
            catch
            {
                buffer?.Dispose();
                throw;
            }

            buffer.Dispose();
            return (null, ChunkStrides);
        }

        using var encoded = await FetchAsync(coordinates, cancellationToken).ConfigureAwait(false);
        if (encoded is null)
        {
            return (null, ChunkStrides);
        }

        var decoded = PooledBuffer.RentDecoded(ByteLength);
        try
        {
            Decode(encoded.Span, coordinates, decoded.Span, codecParallelism);
            return (decoded, ChunkStrides);
        }
        catch
        {
            decoded.Dispose();
            throw;
        }
    }

    /// <summary>Fetch and decode of a chunk of variable-length strings; null when it was never written.</summary>
    public async ValueTask<string[]?> FetchStringsAsync(long[] coordinates, CancellationToken cancellationToken)
    {
        using var encoded = await FetchAsync(coordinates, cancellationToken).ConfigureAwait(false);
        return encoded is null ? null : DecodeStrings(encoded.Span, coordinates);
    }

    /// <summary>Decode of a chunk of variable-length strings through the codec pipeline's object path (the codecs using at most <paramref name="codecParallelism"/> threads; 0: their choice).</summary>
    public string[] DecodeStrings(ReadOnlySpan<byte> encoded, ReadOnlySpan<long> coordinates, int codecParallelism = 0)
    {
        try
        {
            return _snapshot.Pipeline.DecodeStrings(encoded, SpecWith(codecParallelism));
        }
        catch (ZarrCodecException e)
        {
            throw e.WithChunk(_path, KeyOf(coordinates));
        }
    }

    // ---------------------------------------------------------------- encode

    /// <summary>
    /// Encode: the encoded bytes of a decoded chunk, or <see cref="ChunkEncoding.AllFill"/> when every element is the
    /// fill value by <paramref name="comparison"/>; the codecs use at most <paramref name="codecParallelism"/> threads (0: their choice).
    /// </summary>
    public ChunkEncoding Encode(ReadOnlySpan<byte> chunk, ReadOnlySpan<long> coordinates, FillComparison comparison = FillComparison.Value, int codecParallelism = 0)
    {
        if (!Grid.IsFullShape(coordinates))
        {
            // A rectilinear chunk smaller than the buffer: gathered into its own layout and encoded at its own shape.
            var spec = SpecWith(codecParallelism) with { Shape = [.. Grid.ChunkShapeAt(coordinates)] };
            using var tight = PooledBuffer.RentDecoded(spec.ByteLength);
            ChunkPadding.Compact(chunk, spec.Shape.AsSpan(), Grid.ChunkShape.AsSpan(), Metadata.DataType.ItemSize, tight.Span);
            return EncodeAt(tight.Span, coordinates, comparison, spec);
        }

        return EncodeAt(chunk, coordinates, comparison, SpecWith(codecParallelism));
    }

    /// <summary>
    /// Encode taking the decoded chunk: when the chain stores a whole chunk's bytes unchanged (only the <c>bytes</c> codec,
    /// little-endian or single-byte, no sub-byte type: <see cref="StoresDecodedAsIs"/>), the encoded chunk is
    /// <paramref name="chunk"/> itself, handed over with no copy (<paramref name="taken"/> true: the caller no longer owns
    /// it); otherwise as <see cref="Encode"/>, and the caller keeps <paramref name="chunk"/>.
    /// </summary>
    public ChunkEncoding EncodeTaking(PooledBuffer chunk, ReadOnlySpan<long> coordinates, out bool taken, FillComparison comparison = FillComparison.Value, int codecParallelism = 0)
    {
        taken = false;
        if (!StoresDecodedAsIs || chunk.Length != ByteLength || !Grid.IsFullShape(coordinates))
        {
            return Encode(chunk.Span, coordinates, comparison, codecParallelism);
        }

        if (IsAllFill(chunk.Span, comparison))
        {
            return ChunkEncoding.AllFill;
        }

        taken = true;
        return ChunkEncoding.Of(chunk);
    }

    /// <summary>True when a whole chunk's encoded bytes are its decoded bytes: the chain is the <c>bytes</c> codec alone, and
    /// it copies this data type unchanged (little-endian or single-byte components) and checks nothing (no sub-byte type).</summary>
    public bool StoresDecodedAsIs =>
        _snapshot.Pipeline.ArrayToArrayCodecs.Count == 0
        && _snapshot.Pipeline.BytesToBytesCodecs.Count == 0
        && CodecPipeline.IsIdentity(_snapshot.Pipeline.ArrayToBytesCodec, Spec)
        && !SubByteValues.IsSubByte(Metadata.DataType);

    // Encode of a chunk laid out at exactly spec's shape.
    private ChunkEncoding EncodeAt(ReadOnlySpan<byte> chunk, ReadOnlySpan<long> coordinates, FillComparison comparison, ChunkSpec spec)
    {
        var allFill = IsAllFill(chunk, comparison);
        if (allFill)
        {
            return ChunkEncoding.AllFill;
        }

        try
        {
            return ChunkEncoding.Of(_snapshot.Pipeline.Encode(chunk, spec));
        }
        catch (ZarrCodecException e)
        {
            throw e.WithChunk(_path, KeyOf(coordinates));
        }
    }

    // Whether the chunk counts as all fill value by the comparison (then it is not stored).
    private bool IsAllFill(ReadOnlySpan<byte> chunk, FillComparison comparison)
    {
        var fill = Metadata.FillValue;
        return comparison switch
        {
            FillComparison.Value => FillValues.IsAllFill(chunk, fill.AsSpan(), Metadata.DataType),
            FillComparison.Bits => FillValues.IsAllSameBytes(chunk, fill.AsSpan()),
            _ => false,
        };
    }

    /// <summary>
    /// Encode of a chunk of strings; all fill when every value is the fill value (never for v2's null fill, nor with
    /// <paramref name="keepAllFill"/>).
    /// </summary>
    public ChunkEncoding EncodeStrings(string?[] values, ReadOnlySpan<long> coordinates, int codecParallelism = 0, bool keepAllFill = false)
    {
        if (!keepAllFill && StringFill is { } fill && Array.TrueForAll(values, v => v == fill))
        {
            return ChunkEncoding.AllFill;
        }

        try
        {
            return ChunkEncoding.Of(_snapshot.Pipeline.EncodeStrings(values, SpecWith(codecParallelism)));
        }
        catch (ZarrCodecException e)
        {
            throw e.WithChunk(_path, KeyOf(coordinates));
        }
    }
}
