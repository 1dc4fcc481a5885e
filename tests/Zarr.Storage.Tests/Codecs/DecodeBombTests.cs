using System.Buffers.Binary;
using System.IO.Compression;
using K4os.Compression.LZ4;
using Zarr.Storage.Codecs;
using static Zarr.Storage.Tests.Codecs.CodecTestData;

namespace Zarr.Storage.Tests.Codecs;

/// <summary>
/// Decompression bombs (issue 23 item 3): a small stored value that inflates, or declares it inflates, far beyond what
/// its chunk can decode to. Each is refused with a <see cref="ZarrCodecException"/> naming the codec, after less than
/// 64 MiB of allocation (the bombs inflate to 256 MiB), measured process-wide: so the class runs alone.
/// </summary>
[Collection(Zarr.Storage.Tests.Stores.AllocationMeasuredCollection.Name)]
public class DecodeBombTests
{
    private const int BombBytes = 256 << 20;
    private const long AllocationLimit = 64L << 20;

    // A 4000-byte chunk; the bomb is the stored value of a chain with a checksum inside the compressor, so the
    // compressor's decoded size is not known exactly, only bounded (as in any chain of two bytes→bytes codecs).
    private static readonly ChunkSpec Chunk = Spec(ZarrDataType.Int32, 1000);

    private static readonly Lazy<byte[]> Zeros = new(() => new byte[BombBytes]);

    public static TheoryData<string> Bombs() => ["gzip", "zlib", "zstd-streamed", "zstd-declared", "lz4", "blosc", "bz2"];

    [Theory]
    [MemberData(nameof(Bombs))]
    public void A_bomb_in_the_outer_codec_of_a_chain_is_refused_before_it_inflates(string kind)
    {
        var (codec, bomb) = Make(kind);
        var pipeline = CodecPipeline.Create([new BytesCodec(), new Crc32cCodec(), codec]);
        var destination = new byte[Chunk.ByteLength];
        using (var good = pipeline.Encode(destination, Chunk))
        {
            pipeline.Decode(good.Span, destination, Chunk); // warms the pools and the code
        }

        var ex = Refused(() => pipeline.Decode(bomb, destination, Chunk));
        Assert.Equal(codec.Name, ex.Codec);
        Assert.Contains("4004", ex.Reason, StringComparison.Ordinal); // the limit: 4000 bytes and their checksum
    }

    [Theory]
    [MemberData(nameof(Bombs))]
    public void A_bomb_in_the_only_codec_is_refused_at_the_chunk_size(string kind)
    {
        var (codec, bomb) = Make(kind);
        var pipeline = CodecPipeline.Create([new BytesCodec(), codec]);
        var destination = new byte[Chunk.ByteLength];
        var ex = Refused(() => pipeline.Decode(bomb, destination, Chunk));
        Assert.Equal(codec.Name, ex.Codec);
    }

    [Theory]
    [MemberData(nameof(Bombs))]
    public void A_codec_asked_for_at_most_n_bytes_refuses_more_whether_it_allocates_or_writes_into_the_caller(string kind)
    {
        var (codec, bomb) = Make(kind);
        var ex = Refused(() => codec.Decode(bomb, -1, 1 << 20).Dispose());
        Assert.Contains("1048576", ex.Reason, StringComparison.Ordinal);
        var into = new byte[1 << 20];
        ex = Refused(() => codec.Decode(bomb, into));
        Assert.Contains("1048576", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bomb_in_an_array_chunk_names_the_codec_and_the_chunk_key()
    {
        var store = new MemoryStore();
        var array = await ZarrArray.CreateAsync<int>(store, "a", [2000], new ArrayOptions { Chunks = [1000], Compressors = [new Crc32cCodec(), new ZlibCodec()] });
        var (_, bomb) = Make("zlib");
        await store.SetAsync("a/c/1", bomb);
        var ex = await RefusedAsync(async () => await array[..].ReadAsync());
        Assert.Equal("numcodecs.zlib", ex.Codec);
        Assert.Equal("a/c/1", ex.ChunkKey);
    }

    [Theory]
    [InlineData("zlib")]
    [InlineData("gzip")]
    [InlineData("zstd-streamed")]
    [InlineData("blosc")]
    public async Task A_bomb_in_a_string_chunk_is_refused_at_a_limit_per_string(string kind)
    {
        // v2 object arrays: nothing but the element count bounds what a chunk decodes to.
        var store = new MemoryStore();
        var (codec, bomb) = Make(kind);
        var strings = await ZarrStringArray.CreateAsync(store, "s", [200], options: new ArrayOptions { Format = ZarrFormat.V2, Chunks = [100], Compressors = [codec] });
        await strings.WriteAsync([Slice.Range(0, 100)], Enumerable.Range(0, 100).Select(i => $"s{i}").ToArray());
        await store.SetAsync("s/1", bomb);
        var ex = await RefusedAsync(async () => await strings.ReadAsync([Slice.All]));
        Assert.Equal(codec.Name, ex.Codec);
        Assert.Equal("s/1", ex.ChunkKey);
        Assert.Contains(VlenUtf8Codec.GetMaxEncodedLength(100).ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chunks_of_long_strings_are_read_after_raising_the_limit_the_error_names()
    {
        // 100 strings of 20,000 characters: 2 MB in one chunk, over the default limit of 4 KiB per string (410 KB, floored
        // at 1 MiB). The refusal says how to raise it; raised, the same chunk reads back exactly.
        var store = new MemoryStore();
        var strings = await ZarrStringArray.CreateAsync(store, "s", [100], options: new ArrayOptions { Format = ZarrFormat.V2, Chunks = [100], Compressors = [new ZlibCodec()] });
        var values = Enumerable.Range(0, 100).Select(i => new string((char)('a' + (i % 26)), 20_000)).ToArray();
        await strings.WriteAsync([Slice.All], values);

        var ex = await RefusedAsync(async () => await strings.ReadAsync([Slice.All]));
        Assert.Contains("VlenUtf8Codec.MaxBytesPerElement", ex.Reason, StringComparison.Ordinal);
        Assert.Equal("s/0", ex.ChunkKey);
        Assert.Throws<ArgumentOutOfRangeException>(() => VlenUtf8Codec.MaxBytesPerElement = 0);

        VlenUtf8Codec.MaxBytesPerElement = 32_768;
        try
        {
            Assert.Equal(4 + (100L * (4 + 32_768)), VlenUtf8Codec.GetMaxEncodedLength(100));
            Assert.Equal(values, (await strings.ReadAsync([Slice.All])).Values);
        }
        finally
        {
            VlenUtf8Codec.MaxBytesPerElement = VlenUtf8Codec.DefaultMaxBytesPerElement;
        }
    }

    [Fact]
    public void The_string_limit_is_a_multiple_of_the_element_count_with_a_floor()
    {
        Assert.Equal(1L << 20, VlenUtf8Codec.GetMaxEncodedLength(10));
        Assert.Equal(4 + (1000L * (4 + VlenUtf8Codec.DefaultMaxBytesPerElement)), VlenUtf8Codec.GetMaxEncodedLength(1000));
        Assert.Equal(4 + (100_000L * 104), VlenUtf8Codec.GetMaxEncodedLength(100_000, 100));
        Assert.Equal(Array.MaxLength, VlenUtf8Codec.GetMaxEncodedLength(int.MaxValue));
    }

    private static ZarrCodecException Refused(Action decode)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<ZarrCodecException>(decode);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < AllocationLimit, $"{allocated} bytes were allocated before the bomb was refused: {ex.Message}");
        return ex;
    }

    private static async Task<ZarrCodecException> RefusedAsync(Func<Task> decode)
    {
        // The array reads on pool threads: the whole process's allocation is measured.
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var ex = await Assert.ThrowsAsync<ZarrCodecException>(decode);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.True(allocated < AllocationLimit, $"{allocated} bytes were allocated before the bomb was refused: {ex.Message}");
        return ex;
    }

    private static readonly Dictionary<string, (IBytesToBytesCodec Codec, byte[] Bomb)> Made = [];

    // 256 MiB of zeros compressed by each codec (built once per kind; the building is not measured).
    private static (IBytesToBytesCodec Codec, byte[] Bomb) Make(string kind)
    {
        lock (Made)
        {
            if (!Made.TryGetValue(kind, out var made))
            {
                made = kind switch
                {
                    "gzip" => (new GzipCodec(), Deflate(sink => new GZipStream(sink, CompressionLevel.SmallestSize, leaveOpen: true))),
                    "zlib" => (new ZlibCodec(), Deflate(sink => new ZLibStream(sink, CompressionLevel.SmallestSize, leaveOpen: true))),
                    "zstd-streamed" => (new ZstdCodec(), ZstdStreamed()),
                    "zstd-declared" => (new ZstdCodec(), new ZstdSharp.Compressor(1).Wrap(Zeros.Value).ToArray()),
                    "lz4" => (new Lz4Codec(), Lz4()),
                    "blosc" => (new BloscCodec(BloscCompressor.Zstd, 9, BloscShuffle.NoShuffle, 4), Blosc()),
                    "bz2" => (new Bz2Codec(9), Bz2()),
                    _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
                };
                Made[kind] = made;
            }

            return made;
        }
    }

    private static byte[] Deflate(Func<Stream, Stream> open)
    {
        using var sink = new MemoryStream();
        using (var stream = open(sink))
        {
            stream.Write(Zeros.Value);
        }

        return sink.ToArray();
    }

    // A zstd frame without a content size (as a streaming writer leaves it): only streaming can find its size.
    private static byte[] ZstdStreamed()
    {
        using var sink = new MemoryStream();
        using (var stream = new ZstdSharp.CompressionStream(sink, 1))
        {
            for (var i = 0; i < BombBytes / (1 << 20); i++)
            {
                stream.Write(Zeros.Value.AsSpan(0, 1 << 20));
            }
        }

        return sink.ToArray();
    }

    // numcodecs' lz4: the size header (256 MiB) and one LZ4 block of the zeros.
    private static byte[] Lz4()
    {
        var block = new byte[LZ4Codec.MaximumOutputSize(BombBytes)];
        var written = LZ4Codec.Encode(Zeros.Value, block, LZ4Level.L00_FAST);
        var bomb = new byte[4 + written];
        BinaryPrimitives.WriteInt32LittleEndian(bomb, BombBytes);
        block.AsSpan(0, written).CopyTo(bomb.AsSpan(4));
        return bomb;
    }

    private static byte[] Blosc()
    {
        using var frame = new BloscCodec(BloscCompressor.Zstd, 9, BloscShuffle.NoShuffle, 4).Encode(Zeros.Value);
        return frame.Span.ToArray();
    }

    private static byte[] Bz2()
    {
        using var sink = new MemoryStream();
        using (var stream = new ICSharpCode.SharpZipLib.BZip2.BZip2OutputStream(sink, 9) { IsStreamOwner = false })
        {
            // bzip2 run-length encodes first: 32 MiB of zeros stand for many times that in a few hundred bytes.
            stream.Write(Zeros.Value.AsSpan(0, 32 << 20));
        }

        return sink.ToArray();
    }
}
