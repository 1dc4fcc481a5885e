using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;

namespace Zarr.Storage.Tests.Codecs;

/// <summary>Shared inputs for the codec tests: data of every type and size, and every bytes→bytes codec.</summary>
internal static class CodecTestData
{
    /// <summary>Element counts: empty, one, odd sizes, and 1 MiB of float64.</summary>
    public static readonly int[] ElementCounts = [0, 1, 7, 1000, 4097, 131072];

    /// <summary>Every bytes→bytes codec for a type, in several configurations.</summary>
    public static IEnumerable<IBytesToBytesCodec> BytesCodecs(ZarrDataType type)
    {
        yield return new BloscCodec(BloscCompressor.Lz4, 5, BloscShuffle.Shuffle, type.ItemSize);
        yield return new BloscCodec(BloscCompressor.Zstd, 3, BloscShuffle.BitShuffle, type.ItemSize);
        yield return new BloscCodec(BloscCompressor.BloscLz, 9, BloscShuffle.NoShuffle, type.ItemSize, 4096);
        yield return new GzipCodec(5);
        yield return new GzipCodec(0);
        yield return new ZlibCodec(1);
        yield return new ZstdCodec(0);
        yield return new ZstdCodec(5, checksum: true);
        yield return new Lz4Codec();
        yield return new Crc32cCodec();
    }

    /// <summary>Deterministic data of <paramref name="elements"/> elements of <paramref name="type"/>: partly smooth (compressible), partly random.</summary>
    public static byte[] Make(ZarrDataType type, int elements, int seed = 1)
    {
        var bytes = new byte[elements * type.ItemSize];
        var random = new Random(seed);
        for (var i = 0; i < elements; i++)
        {
            var element = bytes.AsSpan(i * type.ItemSize, type.ItemSize);
            if (i % 3 == 0)
            {
                random.NextBytes(element);
            }
            else
            {
                BitConverter.TryWriteBytes(element, (long)(i / 7));
            }
        }

        if (type.Kind == DataTypeKind.Bool)
        {
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] &= 1;
            }
        }

        return bytes;
    }

    public static ChunkSpec Spec(ZarrDataType type, params int[] shape) => new([.. shape], type, [.. new byte[type.ItemSize]]);

    public static JsonNode Parse(string json) => JsonNode.Parse(json)!;

    public static IEnumerable<object[]> AllTypes() => ZarrDataType.All.Select(t => new object[] { t.Name });

    public static ZarrDataType Type(string name) => ZarrDataType.Parse(name);
}
