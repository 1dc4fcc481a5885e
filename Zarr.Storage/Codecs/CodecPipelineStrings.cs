using System.Collections.Immutable;
using Zarr.Storage.Buffers;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Codecs;

/// <summary>
/// The object-element path of a <see cref="CodecPipeline"/>: a chunk of variable-length strings (C order) runs through
/// the same chain as numbers do, with values in the place of bytes until the array→bytes codec: the array→array codecs
/// (only <c>transpose</c> moves objects; the others work on numbers), then <c>vlen-utf8</c>, then the bytes→bytes codecs.
/// </summary>
internal static class CodecPipelineStrings
{
    /// <summary>Encodes a chunk of strings (C order, <paramref name="spec"/>'s shape) into a new buffer the caller owns.</summary>
    /// <exception cref="ZarrException">The chain cannot hold strings (a numeric filter, or an array→bytes codec other than <c>vlen-utf8</c>).</exception>
    /// <exception cref="ZarrCodecException">A codec failed; the exception names it.</exception>
    public static PooledBuffer EncodeStrings(this CodecPipeline pipeline, string?[] values, in ChunkSpec spec)
    {
        var vlen = StringCodec(pipeline);
        var shape = spec.Shape;
        foreach (var codec in pipeline.ArrayToArrayCodecs)
        {
            var order = TransposeOrder(codec);
            values = Permute(values, shape.AsSpan(), order.AsSpan(), inverse: false);
            shape = [.. order.Select(o => shape[o])];
        }

        var buffer = vlen.EncodeStrings(values);
        foreach (var codec in pipeline.BytesToBytesCodecs)
        {
            using var previous = buffer;
            buffer = Run(codec, () => codec.Encode(previous.Span));
        }

        return buffer;
    }

    /// <summary>Decodes a chunk of strings (C order, <paramref name="spec"/>'s shape).</summary>
    /// <exception cref="ZarrException">The chain cannot hold strings.</exception>
    /// <exception cref="ZarrCodecException">The chunk is corrupt; the exception names the codec.</exception>
    public static string[] DecodeStrings(this CodecPipeline pipeline, ReadOnlySpan<byte> encoded, in ChunkSpec spec)
    {
        var vlen = StringCodec(pipeline);
        var count = 1;
        foreach (var length in spec.Shape)
        {
            count = checked(count * length);
        }

        // The shape each transpose receives, in encoding order, to undo them from the last.
        var transposes = pipeline.ArrayToArrayCodecs;
        var orders = new ImmutableArray<int>[transposes.Count];
        var shapes = new ImmutableArray<int>[transposes.Count];
        var shape = spec.Shape;
        for (var i = 0; i < orders.Length; i++)
        {
            orders[i] = TransposeOrder(transposes[i]);
            shapes[i] = shape;
            var order = orders[i];
            shape = [.. order.Select(o => shape[o])];
        }

        PooledBuffer? owned = null;
        try
        {
            var bytes = encoded;
            var compressors = pipeline.BytesToBytesCodecs;
            var limit = VlenUtf8Codec.GetMaxEncodedLength(count); // a bomb is refused at this size, never allocated
            for (var i = compressors.Count - 1; i >= 0; i--)
            {
                var codec = compressors[i];
                var input = bytes;
                var next = DecodeBytes(codec, input, pipeline.DecodeLimitOf(i, limit));
                owned?.Dispose();
                owned = next;
                bytes = next.Span;
            }

            var values = vlen.DecodeStrings(bytes, count);
            for (var i = orders.Length - 1; i >= 0; i--)
            {
                values = Permute(values, shapes[i].AsSpan(), orders[i].AsSpan(), inverse: true);
            }

            return values;
        }
        finally
        {
            owned?.Dispose();
        }
    }

    private static VlenUtf8Codec StringCodec(CodecPipeline pipeline) =>
        pipeline.ArrayToBytesCodec as VlenUtf8Codec
            ?? throw new ZarrException($"variable-length strings through {UserText.Quote(pipeline.ArrayToBytesCodec.Name)} are not supported yet; only 'vlen-utf8' encodes them");

    private static ImmutableArray<int> TransposeOrder(IArrayToArrayCodec codec) =>
        codec is TransposeCodec transpose
            ? transpose.Order
            : throw new ZarrException($"the codec {UserText.Quote(codec.Name)} works on numbers; a variable-length string array can only be transposed before 'vlen-utf8'");

    private static PooledBuffer DecodeBytes(IBytesToBytesCodec codec, ReadOnlySpan<byte> source, int maxLength)
    {
        try
        {
            return codec.Decode(source, -1, maxLength);
        }
        catch (ZarrCodecException ex) when (ex.IsOverDecodeLimit)
        {
            throw ZarrCodecException.OverDecodeLimit(codec.Name, ex.Reason + string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"; a chunk of strings may decode to {VlenUtf8Codec.MaxBytesPerElement} bytes per string on average (at least 1 MiB): raise VlenUtf8Codec.MaxBytesPerElement to read longer strings"));
        }
        catch (Exception ex) when (ex is not ZarrException)
        {
            throw new ZarrCodecException(codec.Name, $"{ex.GetType().Name}: {ex.Message}", ex);
        }
    }

    private static PooledBuffer Run(ICodec codec, Func<PooledBuffer> action)
    {
        try
        {
            return action();
        }
        catch (Exception ex) when (ex is not ZarrException)
        {
            throw new ZarrCodecException(codec.Name, $"{ex.GetType().Name}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The transpose codec over objects: the encoded array (of <paramref name="decodedShape"/> permuted by
    /// <paramref name="order"/>) holds at index e the decoded element at d, where d[order[i]] = e[i].
    /// </summary>
    private static T[] Permute<T>(T[] values, ReadOnlySpan<int> decodedShape, ReadOnlySpan<int> order, bool inverse)
    {
        var rank = decodedShape.Length;
        var decodedStrides = new long[rank];
        long stride = 1;
        for (var d = rank - 1; d >= 0; d--)
        {
            decodedStrides[d] = stride;
            stride *= decodedShape[d];
        }

        var result = new T[values.Length];
        var encodedShape = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            encodedShape[i] = decodedShape[order[i]];
        }

        var index = new int[rank];
        for (long e = 0; e < values.Length; e++)
        {
            long d = 0;
            for (var i = 0; i < rank; i++)
            {
                d += index[i] * decodedStrides[order[i]];
            }

            if (inverse)
            {
                result[d] = values[e];
            }
            else
            {
                result[e] = values[d];
            }

            for (var k = rank - 1; k >= 0 && ++index[k] == encodedShape[k]; k--)
            {
                index[k] = 0;
            }
        }

        return result;
    }
}
