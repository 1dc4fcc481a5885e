using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Zarr.Storage.Buffers;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Codecs;

/// <summary>
/// What a codec is told about the chunk it works on: its shape, its element type and its fill value.
/// The decoded representation of a chunk is always C order, little-endian, <c>Shape</c>'s product × item size bytes.
/// Two specs are equal when their shapes, types, fill values and parallelism are equal element by element.
/// </summary>
/// <param name="Shape">The chunk's shape (the full chunk grid shape, also for edge chunks).</param>
/// <param name="DataType">The element type.</param>
/// <param name="FillValue">The fill value, one element, little-endian.</param>
public readonly record struct ChunkSpec(ImmutableArray<int> Shape, ZarrDataType DataType, ImmutableArray<byte> FillValue)
{
    /// <summary>
    /// The most threads a codec may use for this one chunk (sharding's inner chunks): 1 keeps all of its work on the
    /// calling thread, as a pipeline that runs many chunks at once wants; 0, the default, lets the codec choose
    /// (see <see cref="CodecPipeline.GetRecommendedConcurrency"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _maxDegreeOfParallelism = value;
        }
    }

    private readonly int _maxDegreeOfParallelism;

    /// <summary>True when both specs have the same shape, type, fill value bytes and parallelism (by value, not by reference).</summary>
    public bool Equals(ChunkSpec other) =>
        Shape.AsSpan().SequenceEqual(other.Shape.AsSpan())
        && EqualityComparer<ZarrDataType>.Default.Equals(DataType, other.DataType)
        && FillValue.AsSpan().SequenceEqual(other.FillValue.AsSpan())
        && _maxDegreeOfParallelism == other._maxDegreeOfParallelism;

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (var extent in Shape.AsSpan())
        {
            hash.Add(extent);
        }

        hash.Add(DataType);
        hash.AddBytes(FillValue.AsSpan());
        hash.Add(_maxDegreeOfParallelism);
        return hash.ToHashCode();
    }

    /// <summary>The number of elements.</summary>
    /// <exception cref="ZarrException">The shape has more elements than a 64-bit count holds.</exception>
    public long ElementCount
    {
        get
        {
            var n = Sizes.Product(Shape.AsSpan());
            return n <= long.MaxValue
                ? (long)n
                : throw new ZarrException($"a chunk of shape ({Sizes.Dims(Shape)}) has {Sizes.Count(n)} elements, more than a 64-bit count holds");
        }
    }

    /// <summary>The size of the decoded chunk in bytes.</summary>
    /// <exception cref="ZarrException">The chunk is larger than one buffer can be (2,147,483,591 bytes, the largest .NET array), so no codec can hold it.</exception>
    public int ByteLength
    {
        get
        {
            var bytes = Sizes.Multiply(Sizes.Product(Shape.AsSpan()), (ulong)DataType.ItemSize);
            return bytes <= (ulong)Sizes.MaxChunkBytes
                ? (int)bytes
                : throw new ZarrException($"a chunk of shape ({Sizes.Dims(Shape)}) and type {DataType} is {Sizes.Bytes(bytes)}; a chunk is decoded into one buffer of at most {Sizes.MaxChunkBytes} bytes (the largest .NET array)");
        }
    }
}

/// <summary>A codec of the Zarr v3 codec chain. Implementations are immutable and thread-safe: one instance serves every chunk of an array at once.</summary>
public interface ICodec
{
    /// <summary>The codec's registered v3 name (<c>bytes</c>, <c>blosc</c>, <c>gzip</c>, ...).</summary>
    string Name { get; }

    /// <summary>The codec's v3 metadata: <c>{"name": ..., "configuration": {...}}</c>.</summary>
    JsonObject ToV3Json();
}

/// <summary>A codec that can also be written as a Zarr v2 compressor (numcodecs' <c>{"id": ...}</c> form).</summary>
public interface IV2Compressor
{
    /// <summary>The numcodecs configuration: <c>{"id": "blosc", "cname": ..., ...}</c>.</summary>
    JsonObject ToV2Json();
}

/// <summary>
/// A codec that turns an array into another array (<c>transpose</c>; the numcodecs filters <c>delta</c>,
/// <c>fixedscaleoffset</c>, <c>astype</c>, <c>quantize</c>, which may change the element type and so the size).
/// </summary>
public interface IArrayToArrayCodec : ICodec
{
    /// <summary>The spec of the array this codec produces from one of <paramref name="decoded"/>.</summary>
    ChunkSpec GetEncodedSpec(in ChunkSpec decoded);

    /// <summary>
    /// Encodes <paramref name="decoded"/> (laid out as <paramref name="decodedSpec"/>) into <paramref name="encoded"/>
    /// (laid out as <c>GetEncodedSpec(decodedSpec)</c>: the same length unless the codec changes the element type).
    /// </summary>
    void Encode(ReadOnlySpan<byte> decoded, Span<byte> encoded, in ChunkSpec decodedSpec);

    /// <summary>The inverse of <see cref="Encode"/>.</summary>
    void Decode(ReadOnlySpan<byte> encoded, Span<byte> decoded, in ChunkSpec decodedSpec);
}

/// <summary>The one codec of a chain that turns an array into bytes (<c>bytes</c>, later <c>sharding_indexed</c>).</summary>
public interface IArrayToBytesCodec : ICodec
{
    /// <summary>Encodes a chunk into a new buffer, which the caller owns.</summary>
    PooledBuffer Encode(ReadOnlySpan<byte> chunk, in ChunkSpec spec);

    /// <summary>Decodes <paramref name="encoded"/> into <paramref name="chunk"/>, which is exactly <c>spec.ByteLength</c> bytes.</summary>
    /// <exception cref="ZarrCodecException">The encoded bytes are not a valid encoding of such a chunk.</exception>
    void Decode(ReadOnlySpan<byte> encoded, Span<byte> chunk, in ChunkSpec spec);
}

/// <summary>
/// A codec that turns bytes into bytes: compressors and checksums. Each writes into a destination the caller gives
/// (<see cref="TryEncode"/>, <see cref="Decode(ReadOnlySpan{byte}, Span{byte})"/>) and bounds what it decodes: data that
/// would decode to more than the caller's limit is refused without allocating for it (a decompression bomb).
/// </summary>
/// <remarks>
/// The members with bodies are fallbacks over <see cref="Encode"/> and <see cref="Decode(ReadOnlySpan{byte}, int)"/>
/// for codecs written before them; they copy once and cannot refuse a bomb before decoding it. Every built-in codec
/// implements them directly.
/// </remarks>
public interface IBytesToBytesCodec : ICodec
{
    /// <summary>Encodes into a new buffer, which the caller owns.</summary>
    PooledBuffer Encode(ReadOnlySpan<byte> decoded);

    /// <summary>
    /// Decodes into a new buffer, which the caller owns. <paramref name="expectedLength"/> is the exact decoded length
    /// when the chain knows it (-1 otherwise); a codec whose framing declares another length refuses the data before
    /// allocating for it.
    /// </summary>
    /// <exception cref="ZarrCodecException">The data is corrupt, truncated or of an unexpected size.</exception>
    PooledBuffer Decode(ReadOnlySpan<byte> encoded, int expectedLength);

    /// <summary>
    /// The most bytes <see cref="Encode"/> writes for <paramref name="decodedLength"/> bytes (compressors' worst case),
    /// which is also the most an encoded value of that many bytes may be. <see cref="Array.MaxLength"/> when unknown.
    /// </summary>
    long GetMaxEncodedLength(int decodedLength) => Array.MaxLength;

    /// <summary>
    /// Encodes into <paramref name="destination"/>; false, with <paramref name="written"/> 0, when the output does not
    /// fit (a destination of <see cref="GetMaxEncodedLength"/> bytes always fits).
    /// </summary>
    /// <exception cref="ZarrCodecException">The codec cannot encode the data.</exception>
    bool TryEncode(ReadOnlySpan<byte> decoded, Span<byte> destination, out int written)
    {
        using var encoded = Encode(decoded);
        if (encoded.Length > destination.Length)
        {
            written = 0;
            return false;
        }

        encoded.Span.CopyTo(destination);
        written = encoded.Length;
        return true;
    }

    /// <summary>
    /// Decodes into <paramref name="destination"/> and returns how many bytes were written. The destination's length
    /// is the limit: data that decodes (or declares it decodes) to more is refused.
    /// </summary>
    /// <exception cref="ZarrCodecException">The data is corrupt, truncated, or decodes to more than the destination holds.</exception>
    int Decode(ReadOnlySpan<byte> encoded, Span<byte> destination)
    {
        using var decoded = Decode(encoded, -1, destination.Length);
        decoded.Span.CopyTo(destination);
        return decoded.Length;
    }

    /// <summary>
    /// Decodes into a new buffer, which the caller owns, of at most <paramref name="maxLength"/> bytes: data that
    /// decodes (or declares it decodes) to more is refused before more is allocated. <paramref name="expectedLength"/>
    /// is the exact length when known (-1 otherwise).
    /// </summary>
    /// <exception cref="ZarrCodecException">The data is corrupt, truncated, of an unexpected size, or larger than the limit.</exception>
    PooledBuffer Decode(ReadOnlySpan<byte> encoded, int expectedLength, int maxLength)
    {
        var decoded = Decode(encoded, expectedLength);
        if (decoded.Length > maxLength)
        {
            decoded.Dispose();
            throw DecodeLimit.Exceeded(Name, maxLength);
        }

        return decoded;
    }
}

/// <summary>The refusal of data that decodes to more than a chunk can, shared by every codec.</summary>
internal static class DecodeLimit
{
    /// <summary>The error for data that decodes, or declares it decodes, to more than <paramref name="maxLength"/> bytes.</summary>
    public static ZarrCodecException Exceeded(string codec, long maxLength, long? declared = null) =>
        ZarrCodecException.OverDecodeLimit(codec, declared is { } d
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the data declares {d} decoded bytes, more than the {maxLength} this chunk can decode to; refused before decoding (a corrupt or hostile chunk)")
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the data decodes to more than the {maxLength} bytes this chunk can decode to; refused (a corrupt or hostile chunk)"));

    /// <summary>A limit as a buffer length: at most <see cref="Array.MaxLength"/>.</summary>
    public static int Clamp(long length) => (int)Math.Clamp(length, 0, Array.MaxLength);
}

/// <summary>
/// The part of a chunk a read needs, in chunk-local element coordinates: per dimension, <c>Count</c> elements from
/// <c>Start</c> every <c>Step</c>.
/// </summary>
/// <param name="Start">The first element per dimension.</param>
/// <param name="Step">The step per dimension (at least 1).</param>
/// <param name="Count">The number of elements per dimension.</param>
internal readonly record struct ChunkRegion(ImmutableArray<int> Start, ImmutableArray<int> Step, ImmutableArray<int> Count)
{
    /// <summary>A region over arrays the caller has just filled and lets go of (no copy): the planners' per-chunk path.</summary>
    internal static ChunkRegion Over(int[] start, int[] step, int[] count) =>
        new(ImmutableCollectionsMarshal.AsImmutableArray(start), ImmutableCollectionsMarshal.AsImmutableArray(step), ImmutableCollectionsMarshal.AsImmutableArray(count));
}

/// <summary>
/// An array→bytes codec that can decode part of a chunk by reading only parts of the stored value (ranged reads), as
/// <c>sharding_indexed</c> reads only a shard's index and the inner chunks a selection needs. The array uses it for
/// reads that do not cover a whole chunk when the chain has no other codec around it.
/// </summary>
internal interface IPartialDecodingCodec : IArrayToBytesCodec
{
    /// <summary>
    /// Decodes at least the elements of <paramref name="region"/> into <paramref name="chunk"/> (the whole decoded chunk's
    /// layout: C order, little-endian, <c>spec.ByteLength</c> bytes); elements outside the region may be left untouched.
    /// Returns false, touching nothing, when the store has no value at <paramref name="key"/>.
    /// </summary>
    /// <exception cref="ZarrCodecException">What was read is corrupt.</exception>
    ValueTask<bool> TryDecodePartialAsync(Zarr.Storage.IReadableStore store, string key, ChunkRegion region, Memory<byte> chunk, ChunkSpec spec, CancellationToken cancellationToken = default);

    /// <summary>
    /// As <see cref="TryDecodePartialAsync(IReadableStore, string, ChunkRegion, Memory{byte}, ChunkSpec, CancellationToken)"/>,
    /// keeping what it derives from a stored value (a shard's index) in <paramref name="indexCache"/>, one array's cache
    /// over a store with versioned reads (null: none). A codec that keeps nothing ignores it.
    /// </summary>
    ValueTask<bool> TryDecodePartialAsync(Zarr.Storage.IReadableStore store, ShardIndexCache? indexCache, string key, ChunkRegion region, Memory<byte> chunk, ChunkSpec spec, CancellationToken cancellationToken = default) =>
        TryDecodePartialAsync(store, key, region, chunk, spec, cancellationToken);

    /// <summary>
    /// True when <paramref name="region"/> can be decoded into a buffer smaller than the chunk's, with its own byte
    /// <paramref name="strides"/> over the chunk's element coordinates (every element of the region at
    /// Σ coordinate × stride, inside <paramref name="byteLength"/> bytes): for sharding, a region inside one inner chunk,
    /// decoded straight into place. False (the default): decode into the whole chunk's layout.
    /// </summary>
    bool TryGetCompactLayout(ChunkRegion region, in ChunkSpec spec, out long[] strides, out int byteLength)
    {
        strides = [];
        byteLength = 0;
        return false;
    }

    /// <summary>
    /// Decodes at least <paramref name="region"/> into <paramref name="buffer"/>, laid out as
    /// <see cref="TryGetCompactLayout"/> said; false, touching nothing, when the store has no value at <paramref name="key"/>.
    /// </summary>
    /// <exception cref="ZarrCodecException">What was read is corrupt.</exception>
    ValueTask<bool> TryDecodeCompactAsync(Zarr.Storage.IReadableStore store, ShardIndexCache? indexCache, string key, ChunkRegion region, Memory<byte> buffer, ChunkSpec spec, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"{Name} has no compact layout");

    /// <summary>
    /// True when <paramref name="region"/> lies in one inner chunk of a shard of several: its box in the chunk
    /// (<paramref name="start"/>, <paramref name="shape"/>), which <see cref="TryDecodeInnerIntoAsync"/> decodes into a
    /// buffer of its own in C order. False (the default) for a codec without inner chunks.
    /// </summary>
    bool TryGetInnerChunk(ChunkRegion region, in ChunkSpec spec, out int[] start, out int[] shape)
    {
        start = shape = [];
        return false;
    }

    /// <summary>
    /// Decodes the one inner chunk <paramref name="region"/> lies in into <paramref name="inner"/> (its decoded size, C
    /// order; the fill value for an empty inner chunk); false, touching nothing, when the store has no value at
    /// <paramref name="key"/>.
    /// </summary>
    /// <exception cref="ZarrCodecException">What was read is corrupt.</exception>
    ValueTask<bool> TryDecodeInnerIntoAsync(Zarr.Storage.IReadableStore store, ShardIndexCache? indexCache, string key, ChunkRegion region, Memory<byte> inner, ChunkSpec spec, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"{Name} has no inner chunks");

    /// <summary>
    /// The whole stored value at <paramref name="key"/> (null when there is none), read so that what
    /// <paramref name="indexCache"/> can keep from it (a shard's index, when the read's version is lasting) is kept. The
    /// caller owns the buffer. The default, for a codec that keeps nothing, is a plain read.
    /// </summary>
    ValueTask<Zarr.Storage.Buffers.PooledBuffer?> FetchWholeAsync(Zarr.Storage.IReadableStore store, ShardIndexCache indexCache, string key, ChunkSpec spec, CancellationToken cancellationToken = default) =>
        store.GetAsync(key, null, cancellationToken);
}
