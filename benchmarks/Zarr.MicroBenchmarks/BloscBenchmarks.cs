using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Zarr.Storage.Codecs;
using Zarr.Storage.Native;

namespace Zarr.MicroBenchmarks;

/// <summary>
/// One 4 MiB chunk through c-blosc: a bare DllImport of <c>blosc_*_ctx</c> (the raw library), our P/Invoke layer
/// (<c>BloscNative</c>: header validation and return-code checks), and the codec (<c>BloscCodec</c>: plus a pooled
/// output buffer). The three should be within noise of each other: the wrapper costs per call, not per byte.
/// </summary>
[MemoryDiagnoser]
public unsafe partial class BloscBenchmarks
{
    private byte[] _chunk = [];
    private byte[] _encoded = [];
    private int _encodedLength;
    private byte[] _output = [];
    private byte[] _cname = [];
    private BloscCodec _codec = null!;

    [Params("lz4", "zstd")]
    public string Compressor { get; set; } = "lz4";

    [Params("arange", "real")]
    public string Content { get; set; } = "arange";

    [GlobalSetup]
    public void Setup()
    {
        _chunk = Content == "arange" ? Data.AsRangeChunk() : Data.RealChunk();
        _cname = System.Text.Encoding.ASCII.GetBytes(Compressor + "\0");
        var level = Compressor == "zstd" ? 3 : 5;
        _codec = new BloscCodec(Compressor == "zstd" ? BloscCompressor.Zstd : BloscCompressor.Lz4, level, BloscShuffle.Shuffle, 4);
        _encoded = new byte[_chunk.Length + 16];
        _encodedLength = BloscNative.Compress(level, 1, 4, _chunk, _encoded, _cname, 0);
        _output = new byte[_chunk.Length];
    }

    [Benchmark(Baseline = true)]
    public int DecompressRaw()
    {
        fixed (byte* src = _encoded)
        fixed (byte* dst = _output)
        {
            return blosc_decompress_ctx(src, dst, (nuint)_output.Length, 1);
        }
    }

    [Benchmark]
    public int DecompressPInvoke()
    {
        var span = _encoded.AsSpan(0, _encodedLength);
        BloscNative.Validate(span);
        return BloscNative.Decompress(span, _output);
    }

    [Benchmark]
    public int DecodeCodec()
    {
        using var decoded = _codec.Decode(_encoded.AsSpan(0, _encodedLength), _chunk.Length);
        return decoded.Length;
    }

    [Benchmark]
    public int CompressRaw()
    {
        fixed (byte* src = _chunk)
        fixed (byte* dst = _encoded)
        fixed (byte* cname = _cname)
        {
            return blosc_compress_ctx(Compressor == "zstd" ? 3 : 5, 1, 4, (nuint)_chunk.Length, src, dst, (nuint)_encoded.Length, cname, 0, 1);
        }
    }

    [Benchmark]
    public int CompressPInvoke() => BloscNative.Compress(Compressor == "zstd" ? 3 : 5, 1, 4, _chunk, _encoded, _cname, 0);

    [Benchmark]
    public int EncodeCodec()
    {
        using var encoded = _codec.Encode(_chunk);
        return encoded.Length;
    }

    [DllImport("libblosc.so.1")]
    private static extern int blosc_decompress_ctx(void* src, void* dest, nuint destsize, int numinternalthreads);

    [DllImport("libblosc.so.1")]
    private static extern int blosc_compress_ctx(int clevel, int doshuffle, nuint typesize, nuint nbytes, void* src, void* dest, nuint destsize, byte* compressor, nuint blocksize, int numinternalthreads);
}
