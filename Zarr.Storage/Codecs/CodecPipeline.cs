using System.Globalization;
using Zarr.Storage.Buffers;
using Zarr.Storage.Codecs.ArrayToBytes;

namespace Zarr.Storage.Codecs;

/// <summary>
/// A validated v3 codec chain: array→array codecs, exactly one array→bytes codec, then bytes→bytes codecs.
/// Thread-safe; one pipeline serves every chunk of an array.
/// </summary>
public sealed class CodecPipeline
{
    private readonly IArrayToArrayCodec[] _arrayToArray;
    private readonly IArrayToBytesCodec _arrayToBytes;
    private readonly IBytesToBytesCodec[] _bytesToBytes;

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

        PooledBuffer? array = null;
        var current = chunk;
        var currentSpec = spec;
        try
        {
            foreach (var codec in _arrayToArray)
            {
                // A filter may change the element type (and so the size): each stage is as long as its own spec says.
                var encodedSpec = Run(codec, currentSpec, static (c, s) => c.GetEncodedSpec(s));
                var next = PooledBuffer.Rent(encodedSpec.ByteLength);
                try
                {
                    EncodeArray(codec, current, next.Span, currentSpec);
                }
                catch
                {
                    next.Dispose();
                    throw;
                }

                array?.Dispose();
                array = next;
                current = next.Span;
                currentSpec = encodedSpec;
            }

            // When the bytes codec leaves the chunk as it is (little-endian), the first compressor reads the chunk itself.
            var skipBytesCodec = array is null && _bytesToBytes.Length > 0 && IsIdentity(_arrayToBytes, currentSpec);
            var bytes = skipBytesCodec ? EncodeBytes(_bytesToBytes[0], current) : EncodeBytes(_arrayToBytes, current, currentSpec);
            array?.Dispose();
            array = null;

            foreach (var codec in _bytesToBytes.AsSpan(skipBytesCodec ? 1 : 0))
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

    /// <summary>Decodes an encoded chunk into <paramref name="chunk"/> (exactly <c>spec.ByteLength</c> bytes).</summary>
    /// <exception cref="ZarrCodecException">A codec failed; the exception names it.</exception>
    public void Decode(ReadOnlySpan<byte> encoded, Span<byte> chunk, in ChunkSpec spec)
    {
        var length = spec.ByteLength;
        if (chunk.Length != length)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"the destination is {chunk.Length} bytes; a chunk of shape ({string.Join(", ", spec.Shape)}) and type {spec.DataType} is {length}"), nameof(chunk));
        }

        // The specs of the arrays between the array→array codecs: specs[i] is what codec i decodes to.
        var specs = _arrayToArray.Length == 0 ? null : new ChunkSpec[_arrayToArray.Length + 1];
        var bytesSpec = spec;
        if (specs is not null)
        {
            specs[0] = spec;
            for (var i = 0; i < _arrayToArray.Length; i++)
            {
                specs[i + 1] = Run(_arrayToArray[i], specs[i], static (c, s) => c.GetEncodedSpec(s));
            }

            bytesSpec = specs[^1];
        }

        // When the bytes codec leaves the chunk as it is and the last codec to undo can write anywhere, it writes the chunk.
        var direct = specs is null && _bytesToBytes.Length > 0 && _bytesToBytes[0] is IDecodesInto && IsIdentity(_arrayToBytes, bytesSpec)
            ? (IDecodesInto)_bytesToBytes[0]
            : null;
        PooledBuffer? bytes = null;
        try
        {
            var current = encoded;
            for (var i = _bytesToBytes.Length - 1; i >= (direct is null ? 0 : 1); i--)
            {
                var codec = _bytesToBytes[i];
                var expected = i == 0 ? EncodedLength(_arrayToBytes, bytesSpec) : -1;
                var next = DecodeBytes(codec, current, expected);
                if (expected >= 0 && next.Length != expected)
                {
                    next.Dispose();
                    throw new ZarrCodecException(codec.Name, string.Create(CultureInfo.InvariantCulture, $"decoded {next.Length} bytes; {expected} were expected"));
                }

                bytes?.Dispose();
                bytes = next;
                current = next.Span;
            }

            if (direct is not null)
            {
                DecodeInto(direct, current, chunk);
                return;
            }

            if (specs is null)
            {
                DecodeArray(_arrayToBytes, current, chunk, bytesSpec);
                return;
            }

            var array = PooledBuffer.Rent(bytesSpec.ByteLength);
            try
            {
                DecodeArray(_arrayToBytes, current, array.Span, bytesSpec);
                bytes?.Dispose();
                bytes = null;
                for (var i = _arrayToArray.Length - 1; i >= 0; i--)
                {
                    var codec = _arrayToArray[i];
                    if (i == 0)
                    {
                        DecodeArray(codec, array.Span, chunk, specs[i]);
                    }
                    else
                    {
                        var next = PooledBuffer.Rent(specs[i].ByteLength);
                        try
                        {
                            DecodeArray(codec, array.Span, next.Span, specs[i]);
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
        var current = spec;
        foreach (var codec in _arrayToArray)
        {
            current = Run(codec, current, static (c, s) => c.GetEncodedSpec(s));
        }

        if (_arrayToBytes is ShardingCodec sharding)
        {
            sharding.Validate(current);
        }
    }

    /// <summary>True when the array→bytes codec's output is the chunk's bytes unchanged (see <see cref="BytesCodec.IsIdentityFor"/>).</summary>
    private static bool IsIdentity(IArrayToBytesCodec codec, in ChunkSpec spec) =>
        codec is BytesCodec bytes && bytes.IsIdentityFor(spec.DataType);

    private static void DecodeInto(IDecodesInto codec, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        try
        {
            codec.DecodeInto(source, destination);
        }
        catch (Exception ex) when (ex is not ZarrException)
        {
            throw Wrap((ICodec)codec, ex);
        }
    }

    /// <summary>The exact encoded length of the array→bytes codec's output, where it is fixed (-1 otherwise).</summary>
    private static int EncodedLength(IArrayToBytesCodec codec, in ChunkSpec spec) => codec is BytesCodec ? spec.ByteLength : -1;

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

    private static TResult Run<TCodec, TResult>(TCodec codec, in ChunkSpec spec, Func<TCodec, ChunkSpec, TResult> action)
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

    private static void EncodeArray(IArrayToArrayCodec codec, ReadOnlySpan<byte> source, Span<byte> destination, in ChunkSpec spec)
    {
        try
        {
            codec.Encode(source, destination, spec);
        }
        catch (Exception ex) when (ex is not ZarrException)
        {
            throw Wrap(codec, ex);
        }
    }

    private static void DecodeArray(IArrayToArrayCodec codec, ReadOnlySpan<byte> source, Span<byte> destination, in ChunkSpec spec)
    {
        try
        {
            codec.Decode(source, destination, spec);
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

    private static void DecodeArray(IArrayToBytesCodec codec, ReadOnlySpan<byte> source, Span<byte> destination, in ChunkSpec spec)
    {
        try
        {
            codec.Decode(source, destination, spec);
        }
        catch (Exception ex) when (ex is not ZarrException)
        {
            throw Wrap(codec, ex);
        }
    }

    private static PooledBuffer EncodeBytes(IBytesToBytesCodec codec, ReadOnlySpan<byte> source)
    {
        try
        {
            return codec.Encode(source);
        }
        catch (Exception ex) when (ex is not ZarrException)
        {
            throw Wrap(codec, ex);
        }
    }

    private static PooledBuffer DecodeBytes(IBytesToBytesCodec codec, ReadOnlySpan<byte> source, int expectedLength)
    {
        try
        {
            return codec.Decode(source, expectedLength);
        }
        catch (Exception ex) when (ex is not ZarrException)
        {
            throw Wrap(codec, ex);
        }
    }
}
