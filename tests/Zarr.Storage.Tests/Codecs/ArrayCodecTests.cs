using Zarr.Storage.Codecs;
using static Zarr.Storage.Tests.Codecs.CodecTestData;

namespace Zarr.Storage.Tests.Codecs;

public class BytesCodecTests
{
    [Theory]
    [MemberData(nameof(AllTypes), MemberType = typeof(CodecTestData))]
    public void Big_endian_reverses_each_scalar_component(string typeName)
    {
        var type = Type(typeName);
        var codec = new BytesCodec(Endian.Big);
        foreach (var count in ElementCounts)
        {
            var spec = Spec(type, count);
            var data = Make(type, count);
            using var encoded = codec.Encode(data, spec);

            // Naive reference: reverse every component's bytes one by one.
            var expected = (byte[])data.Clone();
            var component = type.ComponentSize;
            for (var offset = 0; offset < expected.Length; offset += component)
            {
                Array.Reverse(expected, offset, component);
            }

            Assert.Equal(expected, encoded.Span.ToArray());
            var decoded = new byte[data.Length];
            codec.Decode(encoded.Span, decoded, spec);
            Assert.Equal(data, decoded);
        }
    }

    [Theory]
    [MemberData(nameof(AllTypes), MemberType = typeof(CodecTestData))]
    public void Little_endian_is_a_copy(string typeName)
    {
        var type = Type(typeName);
        var data = Make(type, 1001);
        var spec = Spec(type, 7, 11, 13);
        using var encoded = new BytesCodec(Endian.Little).Encode(data, spec);
        Assert.Equal(data, encoded.Span.ToArray());
    }

    [Fact]
    public void Complex_parts_are_swapped_separately()
    {
        var data = new byte[16];
        BitConverter.TryWriteBytes(data, 1.5f);
        BitConverter.TryWriteBytes(data.AsSpan(4), -2f);
        BitConverter.TryWriteBytes(data.AsSpan(8), 3f);
        BitConverter.TryWriteBytes(data.AsSpan(12), 4.25f);
        using var encoded = new BytesCodec(Endian.Big).Encode(data, Spec(ZarrDataType.Complex64, 2));
        Assert.Equal("3FC00000C000000040400000" + "40880000", Convert.ToHexString(encoded.Span));
    }

    [Fact]
    public void Wrong_sizes_and_missing_endian_are_codec_errors()
    {
        var spec = Spec(ZarrDataType.Int32, 10);
        var codec = new BytesCodec();
        var ex = Assert.Throws<ZarrCodecException>(() => codec.Decode(new byte[39], new byte[40], spec));
        Assert.Equal("bytes", ex.Codec);
        Assert.Throws<ZarrCodecException>(() => new BytesCodec(null).Encode(new byte[40], spec).Dispose());
        using var oneByte = new BytesCodec(null).Encode(new byte[10], Spec(ZarrDataType.UInt8, 10));
        Assert.Equal(10, oneByte.Length);
    }

    [Fact]
    public void Json_is_what_zarr_python_writes()
    {
        Assert.Equal("""{"name":"bytes","configuration":{"endian":"little"}}""", new BytesCodec().ToV3Json().ToJsonString());
        Assert.Equal("""{"name":"bytes","configuration":{"endian":"big"}}""", new BytesCodec(Endian.Big).ToV3Json().ToJsonString());
        Assert.Equal("""{"name":"bytes"}""", new BytesCodec(null).ToV3Json().ToJsonString());
        Assert.Null(BytesCodec.For(ZarrDataType.UInt8).Endian);
        Assert.Equal(Endian.Little, BytesCodec.For(ZarrDataType.Float32).Endian);
    }
}

public class TransposeCodecTests
{
    public static IEnumerable<object[]> Permutations()
    {
        for (var rank = 1; rank <= 4; rank++)
        {
            foreach (var p in Permute(Enumerable.Range(0, rank).ToArray(), 0))
            {
                yield return [p];
            }
        }
    }

    [Theory]
    [MemberData(nameof(Permutations))]
    public void Matches_a_naive_transpose_for_every_type(int[] order)
    {
        int[][] shapes = order.Length switch
        {
            1 => [[1], [17]],
            2 => [[1, 1], [3, 5], [33, 70], [64, 64]],
            3 => [[2, 3, 4], [5, 1, 7], [9, 10, 11]],
            _ => [[2, 3, 4, 5], [3, 1, 2, 7], [4, 4, 4, 4]],
        };
        var codec = new TransposeCodec(order);
        // Beyond the core types, elements of sizes no scalar has: fixed strings and a structured type (3, 24, 48 bytes).
        var structured = ZarrDataType.Structured(new StructField("x", ZarrDataType.Int32), new StructField("y", ZarrDataType.Float64, [5]), new StructField("s", ZarrDataType.FixedBytes(4)));
        foreach (var type in ZarrDataType.All.Concat([ZarrDataType.FixedBytes(3), ZarrDataType.FixedUnicode(6), structured]))
        {
            foreach (var shape in shapes)
            {
                var spec = Spec(type, shape);
                var data = Make(type, (int)spec.ElementCount, seed: shape.Sum());
                var encoded = new byte[data.Length];
                codec.Encode(data, encoded, spec);
                Assert.Equal(NaiveTranspose(data, shape, order, type.ItemSize), encoded);
                Assert.Equal(order.Select(o => shape[o]).ToArray(), codec.GetEncodedSpec(spec).Shape);
                var decoded = new byte[data.Length];
                codec.Decode(encoded, decoded, spec);
                Assert.Equal(data, decoded);
            }
        }
    }

    [Fact]
    public void Empty_chunks_and_bad_permutations()
    {
        var codec = new TransposeCodec([1, 0]);
        codec.Encode([], [], Spec(ZarrDataType.Int32, 0, 5));
        Assert.Throws<ArgumentException>(() => new TransposeCodec([0, 0]));
        Assert.Throws<ArgumentException>(() => new TransposeCodec([1, 2]));
        Assert.Throws<ArgumentException>(() => new TransposeCodec([]));
        Assert.Throws<ArgumentException>(() => new TransposeCodec([-1, 0]));
        var ex = Assert.Throws<ZarrCodecException>(() => codec.Encode(new byte[24], new byte[24], Spec(ZarrDataType.Int32, 2, 3, 1)));
        Assert.Equal("transpose", ex.Codec);
    }

    [Fact]
    public void Json_is_what_zarr_python_writes()
    {
        Assert.Equal("""{"name":"transpose","configuration":{"order":[2,0,1]}}""", new TransposeCodec([2, 0, 1]).ToV3Json().ToJsonString());
        Assert.Equal([2, 1, 0], TransposeCodec.FortranOrder(3).Order.ToArray());
    }

    private static byte[] NaiveTranspose(byte[] data, int[] shape, int[] order, int itemSize)
    {
        var rank = shape.Length;
        var encodedShape = order.Select(o => shape[o]).ToArray();
        var result = new byte[data.Length];
        var count = data.Length / itemSize;
        var decodedIndex = new int[rank];
        for (var linear = 0; linear < count; linear++)
        {
            // Unravel the encoded C-order index, map each encoded axis i to decoded axis order[i], ravel.
            var rest = linear;
            for (var i = rank - 1; i >= 0; i--)
            {
                decodedIndex[order[i]] = rest % encodedShape[i];
                rest /= encodedShape[i];
            }

            var source = 0;
            for (var d = 0; d < rank; d++)
            {
                source = (source * shape[d]) + decodedIndex[d];
            }

            Array.Copy(data, source * itemSize, result, linear * itemSize, itemSize);
        }

        return result;
    }

    private static IEnumerable<int[]> Permute(int[] items, int start)
    {
        if (start == items.Length)
        {
            yield return (int[])items.Clone();
            yield break;
        }

        for (var i = start; i < items.Length; i++)
        {
            (items[start], items[i]) = (items[i], items[start]);
            foreach (var p in Permute(items, start + 1))
            {
                yield return p;
            }

            (items[start], items[i]) = (items[i], items[start]);
        }
    }
}
