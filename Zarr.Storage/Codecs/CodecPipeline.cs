using System.Globalization;
using Zarr.Storage.Buffers;

namespace Zarr.Storage.Codecs;

/// <summary>
/// A validated v3 codec chain: array→array codecs, exactly one array→bytes codec, then bytes→bytes codecs.
/// Thread-safe; one pipeline serves every chunk of an array.
/// </summary>
public sealed class CodecPipeline
{
    private static readonly SpanStep<IArrayToArrayCodec> FilterEncode =
        static (IArrayToArrayCodec codec, ReadOnlySpan<byte> source, Span<byte> destination, in ChunkSpec spec) => codec.Encode(source, destination, spec);

    private static readonly SpanStep<IArrayToArrayCodec> FilterDecode =
        static (IArrayToArrayCodec codec, ReadOnlySpan<byte> source, Span<byte> destination, in ChunkSpec spec) => codec.Decode(source, destination, spec);

    private static readonly SpanStep<IArrayToBytesCodec> ArrayDecode =
        static (IArrayToBytesCodec codec, ReadOnlySpan<byte> source, Span<byte> destination, in ChunkSpec spec) => codec.Decode(source, destination, spec);

    private readonly IArrayToArrayCodec[] _arrayToArray;
    private readonly IArrayToBytesCodec _arrayToBytes;
    private readonly IBytesToBytesCodec[] _bytesToBytes;
    private volatile PreparedChain? _prepared;

    private CodecPipeline(IReadOnlyList<ICodec> codecs, IArrayToArrayCodec[] arrayToArray, IArrayToBytesCodec arrayToBytes, IBytesToBytesCodec[] bytesToBytes)
    {
        Codecs = codecs;
        _arrayToArray = arrayToArray;
        _arrayToBytes = arrayToBytes;
        _bytesToBytes = bytesToBytes;
    }

    /// <summary>The codecs in encoding order.</summary>
    public IReadOnlyList<ICodec> Codecs { get; }

    /// <summary>The array→array codecs, in encoding order.</summary>
    public IReadOnlyList<IArrayToArrayCodec> ArrayToArrayCodecs => _arrayToArray;

    /// <summary>The one array→bytes codec.</summary>
    public IArrayToBytesCodec ArrayToBytesCodec => _arrayToBytes;

    /// <summary>The bytes→bytes codecs, in encoding order.</summary>
    public IReadOnlyList<IBytesToBytesCodec> BytesToBytesCodecs => _bytesToBytes;

    /// <summary>Validates and builds a chain.</summary>
    /// <exception cref="ZarrException">The codecs are not in the order the specification requires.</exception>
    public static CodecPipeline Create(IEnumerable<ICodec> codecs)
    {
        ArgumentNullException.ThrowIfNull(codecs);
        var all = new List<ICodec>();
        var arrayToArray = new List<IArrayToArrayCodec>();
        var bytesToBytes = new List<IBytesToBytesCodec>();
        IArrayToBytesCodec? arrayToBytes = null;
        foreach (var codec in codecs)
        {
            if (codec is null)
            {
                throw new ZarrException($"codec chain: entry {all.Count} is null");
            }

            var position = all.Count;
            all.Add(codec);
            switch (codec)
            {
                case IArrayToArrayCodec a when arrayToBytes is null:
                    arrayToArray.Add(a);
                    break;
                case IArrayToArrayCodec:
                    throw new ZarrException(ChainError(all, $"the array→array codec '{codec.Name}' at position {position} comes after the array→bytes codec '{arrayToBytes.Name}'; array→array codecs must come first"));
                case IArrayToBytesCodec b when arrayToBytes is null:
                    arrayToBytes = b;
                    break;
                case IArrayToBytesCodec:
                    throw new ZarrException(ChainError(all, $"a second array→bytes codec '{codec.Name}' at position {position}; a chain has exactly one (the first is '{arrayToBytes!.Name}')"));
                case IBytesToBytesCodec c when arrayToBytes is not null:
                    bytesToBytes.Add(c);
                    break;
                case IBytesToBytesCodec:
                    throw new ZarrException(ChainError(all, $"the bytes→bytes codec '{codec.Name}' at position {position} comes before any array→bytes codec (such as 'bytes'); bytes→bytes codecs must follow it"));
                default:
                    throw new ZarrException(ChainError(all, $"the codec '{codec.Name}' at position {position} is neither array→array, array→bytes nor bytes→bytes"));
            }
        }

        if (arrayToBytes is null)
        {
            throw new ZarrException(ChainError(all, "the chain has no array→bytes codec; it needs exactly one (such as 'bytes')"));
        }

        return new CodecPipeline(all.AsReadOnly(), [.. arrayToArray], arrayToBytes, [.. bytesToBytes]);
    }

    /// <summary>Encodes a decoded chunk (C order, little-endian, <c>spec.ByteLength</c> bytes) into a new buffer the caller owns.</summary>
    /// <exception cref="ZarrCodecException">A codec failed; the exception names it.</exception>
    public PooledBuffer Encode(ReadOnlySpan<byte> chunk, in ChunkSpec spec)
    {
        var length = spec.ByteLength;
        if (chunk.Length != length)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"the chunk is {chunk.Length} bytes; a chunk of shape ({string.Join(", ", spec.Shape)}) and type {spec.DataType} is {length}"), nameof(chunk));
        }

        var prepared = Prepare(spec);
        PooledBuffer? array = null;
        var current = chunk;
        try
        {
            for (var i = 0; i < _arrayToArray.Length; i++)
            {
                // A filter may change the element type (and so the size): each stage is as long as its own spec says.
                var next = PooledBuffer.Rent(prepared.Specs[i + 1].ByteLength);
                try
                {
                    Guard(_arrayToArray[i], FilterEncode, current, next.Span, prepared.Specs[i]);
                }
                catch
                {
                    next.Dispose();
                    throw;
                }

                array?.Dispose();
                array = next;
                current = next.Span;
            }

            // When the bytes codec leaves the chunk as it is (little-endian), the first compressor reads the chunk itself.
            var bytes = prepared.BytesCodecIsIdentity && _bytesToBytes.Length > 0
                ? EncodeBytes(_bytesToBytes[0], current)
                : EncodeBytes(_arrayToBytes, current, prepared.BytesSpecFor(spec));
            array?.Dispose();
            array = null;

            foreach (var codec in _bytesToBytes.AsSpan(prepared.BytesCodecIsIdentity && _bytesToBytes.Length > 0 ? 1 : 0))
            {
                PooledBuffer next;
                try
                {
                    next = EncodeBytes(codec, bytes.Span);
                }
                finally
                {
                    bytes.Dispose();
                }

                bytes = next;
            }

            return bytes;
        }
        finally
        {
            array?.Dispose();
        }
    }

    /// <summary>
    /// Decodes an encoded chunk into <paramref name="chunk"/> (exactly <c>spec.ByteLength</c> bytes). Every codec's
    /// output is bounded by what the chunk can legitimately decode to (its size, or the worst case of the codecs inside),
    /// so a decompression bomb is refused without allocating what it declares.
    /// </summary>
    /// <exception cref="ZarrCodecException">A codec failed or its data would decode to more than the chunk can; the exception names it.</exception>
    public void Decode(ReadOnlySpan<byte> encoded, Span<byte> chunk, in ChunkSpec spec)
    {
        var length = spec.ByteLength;
        if (chunk.Length != length)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"the destination is {chunk.Length} bytes; a chunk of shape ({string.Join(", ", spec.Shape)}) and type {spec.DataType} is {length}"), nameof(chunk));
        }

        var prepared = Prepare(spec);
        var bytesSpec = prepared.BytesSpecFor(spec);
        PooledBuffer? bytes = null;
        try
        {
            var current = encoded;
            for (var i = _bytesToBytes.Length - 1; i >= 0; i--)
            {
                var codec = _bytesToBytes[i];
                if (i == 0 && prepared.ArrayBytesLength >= 0 && prepared.BytesCodecIsIdentity)
                {
                    // The last codec to undo writes the chunk itself: the bytes codec leaves it as it is and no filter follows.
                    DecodeExactly(codec, current, chunk);
                    return;
                }

                PooledBuffer next;
                if (i == 0 && prepared.ArrayBytesLength >= 0)
                {
                    next = PooledBuffer.Rent(prepared.ArrayBytesLength);
                    try
                    {
                        DecodeExactly(codec, current, next.Span);
                    }
                    catch
                    {
                        next.Dispose();
                        throw;
                    }
                }
                else
                {
                    next = DecodeBytes(codec, current, prepared.DecodeLimits[i]);
                }

                bytes?.Dispose();
                bytes = next;
                current = next.Span;
            }

            if (_arrayToArray.Length == 0)
            {
                Guard(_arrayToBytes, ArrayDecode, current, chunk, bytesSpec);
                return;
            }

            var array = PooledBuffer.Rent(bytesSpec.ByteLength);
            try
            {
                Guard(_arrayToBytes, ArrayDecode, current, array.Span, bytesSpec);
                bytes?.Dispose();
                bytes = null;
                for (var i = _arrayToArray.Length - 1; i >= 0; i--)
                {
                    var codec = _arrayToArray[i];
                    if (i == 0)
                    {
                        Guard(codec, FilterDecode, array.Span, chunk, prepared.Specs[i]);
                    }
                    else
                    {
                        var next = PooledBuffer.Rent(prepared.Specs[i].ByteLength);
                        try
                        {
                            Guard(codec, FilterDecode, array.Span, next.Span, prepared.Specs[i]);
                        }
                        catch
                        {
                            next.Dispose();
                            throw;
                        }

                        array.Dispose();
                        array = next;
                    }
                }
            }
            finally
            {
                array.Dispose();
            }
        }
        finally
        {
            bytes?.Dispose();
        }
    }

    /// <summary>
    /// Checks that the chain can encode chunks of <paramref name="spec"/>: the array→array codecs accept it, and a
    /// <c>sharding_indexed</c> codec's inner chunk shape divides the shape it receives (nested sharding included).
    /// </summary>
    /// <exception cref="ZarrCodecException">It cannot; the exception names the codec and the shapes.</exception>
    public void Validate(in ChunkSpec spec)
    {
        var prepared = Prepare(spec);
        if (_arrayToBytes is ShardingCodec sharding)
        {
            sharding.Validate(prepared.BytesSpecFor(spec));
        }
    }

    /// <summary>
    /// How many threads the chain would use for one chunk of <paramref name="spec"/> (as zarrs' <c>recommended_concurrency</c>):
    /// more than 1 only for a <c>sharding_indexed</c> codec that decodes its inner chunks in parallel. A pipeline that
    /// decodes many chunks at once divides its workers by it, or sets <see cref="ChunkSpec.MaxDegreeOfParallelism"/>.
    /// </summary>
    /// <exception cref="ZarrCodecException">The chain cannot encode chunks of <paramref name="spec"/>.</exception>
    public int GetRecommendedConcurrency(in ChunkSpec spec) =>
        _arrayToBytes is ShardingCodec sharding ? sharding.GetRecommendedConcurrency(Prepare(spec).BytesSpecFor(spec)) : 1;

    /// <summary>
    /// The most bytes an encoded chunk of <paramref name="spec"/> can be: the worst case of every codec in turn
    /// (<see cref="Array.MaxLength"/> when a codec's is unknown). Decoding refuses data that claims more.
    /// </summary>
    /// <exception cref="ZarrCodecException">The chain cannot encode chunks of <paramref name="spec"/>.</exception>
    public long GetMaxEncodedLength(in ChunkSpec spec) => DecodeLimitOf(_bytesToBytes.Length, Prepare(spec).ArrayBytesLimit);

    /// <summary>
    /// The most bytes bytes→bytes codec <paramref name="index"/> may decode to, when what the array→bytes codec wrote
    /// is at most <paramref name="arrayBytesLimit"/> bytes (for chains whose array→bytes codec has no fixed size, as
    /// variable-length strings).
    /// </summary>
    internal int DecodeLimitOf(int index, long arrayBytesLimit)
    {
        var limit = DecodeLimit.Clamp(arrayBytesLimit);
        for (var i = 0; i < index; i++)
        {
            limit = DecodeLimit.Clamp(_bytesToBytes[i].GetMaxEncodedLength(limit));
        }

        return limit;
    }

    // The specs and limits of chunks of one shape, computed once and reused for every chunk of that shape
    // (a pipeline serves one array, so one shape but for sharding's index and inner chunks, which have pipelines of their own).
    private PreparedChain Prepare(in ChunkSpec spec)
    {
        var prepared = _prepared;
        if (prepared is not null && prepared.Matches(spec))
        {
            return prepared;
        }

        prepared = new PreparedChain(this, spec);
        _prepared = prepared;
        return prepared;
    }

    /// <summary>True when the array→bytes codec's output is the chunk's bytes unchanged (see <see cref="BytesCodec.IsIdentityFor"/>).</summary>
    internal static bool IsIdentity(IArrayToBytesCodec codec, in ChunkSpec spec) =>
        codec is BytesCodec bytes && bytes.IsIdentityFor(spec.DataType);

    // Decodes into exactly the destination: data that decodes to less is refused here, to more by the codec.
    private static void DecodeExactly(IBytesToBytesCodec codec, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int written;
        try
        {
            written = codec.Decode(source, destination);
        }
        catch (Exception ex) when (ex is not ZarrException)
        {
            throw Wrap(codec, ex);
        }

        if (written != destination.Length)
        {
            throw new ZarrCodecException(codec.Name, string.Create(CultureInfo.InvariantCulture, $"decoded {written} bytes; {destination.Length} were expected"));
        }
    }

    // Encodes into a buffer of the codec's worst case where it is known and fits one buffer, else as the codec sizes it.
    private static PooledBuffer EncodeBytes(IBytesToBytesCodec codec, ReadOnlySpan<byte> source)
    {
        try
        {
            var bound = codec.GetMaxEncodedLength(source.Length);
            if (bound >= Array.MaxLength)
            {
                return codec.Encode(source);
            }

            var buffer = PooledBuffer.Rent((int)bound);
            try
            {
                if (codec.TryEncode(source, buffer.Span, out var written))
                {
                    buffer.SetLength(written);
                    return buffer;
                }
            }
            catch
            {
                buffer.Dispose();
                throw;
            }

            buffer.Dispose();
            return codec.Encode(source);
        }
        catch (Exception ex) when (ex is not ZarrException)
        {
            throw Wrap(codec, ex);
        }
    }

    private static PooledBuffer DecodeBytes(IBytesToBytesCodec codec, ReadOnlySpan<byte> source, int maxLength)
    {
        try
        {
            return codec.Decode(source, -1, maxLength);
        }
        catch (Exception ex) when (ex is not ZarrException)
        {
            throw Wrap(codec, ex);
        }
    }

    private static string ChainError(List<ICodec> codecs, string message)
    {
        var names = new string[codecs.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = codecs[i].Name;
        }

        return $"invalid codec chain [{string.Join(", ", names)}]: {message}";
    }

    private static ZarrCodecException Wrap(ICodec codec, Exception exception) =>
        new(codec.Name, $"{exception.GetType().Name}: {exception.Message}", exception);

    internal static TResult Run<TCodec, TResult>(TCodec codec, in ChunkSpec spec, Func<TCodec, ChunkSpec, TResult> action)
        where TCodec : ICodec
    {
        try
        {
            return action(codec, spec);
        }
        catch (Exception ex) when (ex is not ZarrException)
        {
            throw Wrap(codec, ex);
        }
    }

    // One span-to-span step of a codec, under the one wrapping of a codec's non-Zarr exceptions; the steps are static
    // lambdas (cached, so a chunk allocates nothing for them).
    private static void Guard<TCodec>(TCodec codec, SpanStep<TCodec> step, ReadOnlySpan<byte> source, Span<byte> destination, in ChunkSpec spec)
        where TCodec : ICodec
    {
        try
        {
            step(codec, source, destination, spec);
        }
        catch (Exception ex) when (ex is not ZarrException)
        {
            throw Wrap(codec, ex);
        }
    }

    private static PooledBuffer EncodeBytes(IArrayToBytesCodec codec, ReadOnlySpan<byte> source, in ChunkSpec spec)
    {
        try
        {
            return codec.Encode(source, spec);
        }
        catch (Exception ex) when (ex is not ZarrException)
        {
            throw Wrap(codec, ex);
        }
    }
}

/// <summary>One codec step from a source span into a destination span (a filter's encode or decode, an array→bytes decode).</summary>
internal delegate void SpanStep<in TCodec>(TCodec codec, ReadOnlySpan<byte> source, Span<byte> destination, in ChunkSpec spec);
