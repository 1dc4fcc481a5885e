using BenchmarkDotNet.Attributes;
using Zarr.Storage.Buffers;
using Zarr.Storage.Codecs;
using Zarr.Storage;

namespace Zarr.MicroBenchmarks;

/// <summary>Every bytes→bytes codec, and the bytes codec (little- and big-endian), on one 4 MiB int32 chunk of arange.</summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private byte[] _chunk = [];
    private PooledBuffer _encoded = null!;
    private IBytesToBytesCodec _codec = null!;

    [Params("blosc-lz4", "blosc-zstd3", "zstd", "gzip", "zlib", "lz4", "crc32c")]
    public string Codec { get; set; } = "blosc-lz4";

    [GlobalSetup]
    public void Setup()
    {
        _chunk = Data.AsRangeChunk();
        _codec = Codec switch
        {
            "blosc-lz4" => new BloscCodec(BloscCompressor.Lz4, 5, BloscShuffle.Shuffle, 4),
            "blosc-zstd3" => new BloscCodec(BloscCompressor.Zstd, 3, BloscShuffle.Shuffle, 4),
            "zstd" => new ZstdCodec(3),
            "gzip" => new GzipCodec(5),
            "zlib" => new ZlibCodec(1),
            "lz4" => new Lz4Codec(),
            _ => new Crc32cCodec(),
        };
        _encoded = _codec.Encode(_chunk);
    }

    [GlobalCleanup]
    public void Cleanup() => _encoded.Dispose();

    [Benchmark]
    public int Encode()
    {
        using var e = _codec.Encode(_chunk);
        return e.Length;
    }

    [Benchmark]
    public int Decode()
    {
        using var d = _codec.Decode(_encoded.Span, _chunk.Length);
        return d.Length;
    }
}

/// <summary>The array→bytes step: the identity (little-endian) and the byte swap (big-endian) of a 4 MiB int32 chunk.</summary>
[MemoryDiagnoser]
public class BytesCodecBenchmarks
{
    private byte[] _chunk = [];
    private byte[] _output = [];
    private BytesCodec _codec = null!;
    private ChunkSpec _spec;

    [Params(Endian.Little, Endian.Big)]
    public Endian Endian { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _chunk = Data.AsRangeChunk();
        _output = new byte[_chunk.Length];
        _codec = new BytesCodec(Endian);
        _spec = new ChunkSpec([1024, 1024], ZarrDataType.Int32, [0, 0, 0, 0]);
    }

    [Benchmark]
    public int Encode()
    {
        using var e = _codec.Encode(_chunk, _spec);
        return e.Length;
    }

    [Benchmark]
    public void Decode() => _codec.Decode(_chunk, _output, _spec);
}
