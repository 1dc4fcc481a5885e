using System.Collections.Immutable;
using Zarr.Storage;
using Zarr.Storage.Codecs;

namespace Zarr.Fuzz.Targets;

/// <summary>
/// The decoders: every bytes→bytes codec (blosc native and managed, zstd, gzip, zlib, lz4, bz2, crc32c, lzma), vlen-utf8,
/// the numcodecs filters, and zfpy. Each decodes through both entry points the codec pipeline uses: into a chunk-sized destination
/// (the last codec of a chain) and into a pooled buffer bounded by the chunk size (a codec in the middle).
/// </summary>
internal static class CodecTargets
{
    [ThreadStatic]
    private static byte[]? t_destination;

    public static IEnumerable<FuzzTarget> All()
    {
        yield return BytesToBytes("blosc-native", new BloscCodec(implementation: BloscImplementation.Native), BloscSeeds);
        yield return BytesToBytes("blosc-managed", new BloscCodec(implementation: BloscImplementation.Managed), BloscSeeds);
        yield return BytesToBytes("zstd", new ZstdCodec(level: 3, checksum: true), () => Encoded(new ZstdCodec(3, true)).Concat(Encoded(new ZstdCodec(1, false))));
        yield return BytesToBytes("gzip", new GzipCodec(), () => Encoded(new GzipCodec()));
        yield return BytesToBytes("zlib", new ZlibCodec(), () => Encoded(new ZlibCodec()));
        yield return BytesToBytes("lz4", new Lz4Codec(), () => Encoded(new Lz4Codec()));
        yield return BytesToBytesOnce("bz2", new Bz2Codec(), () => Encoded(new Bz2Codec()).Append(Bz2Level9())) with
        {
            // SharpZipLib's decoder allocates its block (a byte and an int per byte of the 100k × level block its header
            // names) for each stream.
            WorkingMemory = input => input.Length >= 4 && input[3] is >= (byte)'1' and <= (byte)'9' ? 5L * 100_000 * (input[3] - '0') : 0,
        };
        yield return BytesToBytes("crc32c", new Crc32cCodec(), () => Encoded(new Crc32cCodec()));
        yield return VlenUtf8();
        yield return Filters();
        yield return BytesToBytes("lzma", new LzmaCodec(), () => Encoded(new LzmaCodec()).Concat(Encoded(new LzmaCodec(LzmaFormat.Xz, LzmaCheck.Sha256, 9))));
        yield return Zfpy();
    }

    /// <summary>
    /// numcodecs' zfpy through libzfp, which does not bounds-check what it reads: whatever bytes it is given, decoded as
    /// a 64×64 float32 chunk (the header must say so; the mode is the header's).
    /// </summary>
    private static FuzzTarget Zfpy()
    {
        var spec = new ChunkSpec([64, 64], ZarrDataType.Float32, new byte[4].ToImmutableArray());
        ZfpyCodec[] modes =
        [
            new(), new(ZfpMode.FixedAccuracy, tolerance: 0.01), new(ZfpMode.FixedRate, rate: 8), new(ZfpMode.FixedPrecision, precision: 16),
        ];
        return new FuzzTarget(
            "zfpy",
            input => modes[0].Decode(input, (t_destination ??= new byte[ChunkPayloads.ChunkBytes]).AsSpan(0, spec.ByteLength), spec),
            FuzzTarget.Made(() => modes.SelectMany(codec => new[] { ChunkPayloads.Smooth(), ChunkPayloads.Arange() }.Select(payload =>
            {
                using var encoded = codec.Encode(payload, spec);
                return encoded.Span.ToArray();
            }))),
            DecodedBytes: ChunkPayloads.ChunkBytes);
    }

    private static FuzzTarget BytesToBytes(string name, IBytesToBytesCodec codec, Func<IEnumerable<byte[]>> seeds) =>
        new(name, input => DecodeBothWays(codec, input), FuzzTarget.Made(seeds), ChunkPayloads.ChunkBytes);

    /// <summary>Into a chunk-sized destination only: bzip2's decoder costs milliseconds per stream, and both entry points share it (StreamCodecHelper).</summary>
    private static FuzzTarget BytesToBytesOnce(string name, IBytesToBytesCodec codec, Func<IEnumerable<byte[]>> seeds) =>
        new(name, input => codec.Decode(input, t_destination ??= new byte[ChunkPayloads.ChunkBytes]), FuzzTarget.Made(seeds), ChunkPayloads.ChunkBytes);

    private static void DecodeBothWays(IBytesToBytesCodec codec, ReadOnlySpan<byte> input)
    {
        var destination = t_destination ??= new byte[ChunkPayloads.ChunkBytes];
        try
        {
            codec.Decode(input, destination);
        }
        catch (ZarrException)
        {
            // Refused one way; the other entry point must refuse (or accept) on its own.
        }

        using var decoded = codec.Decode(input, -1, ChunkPayloads.ChunkBytes);
        if (decoded.Length > ChunkPayloads.ChunkBytes)
        {
            throw new InvalidOperationException($"{codec.Name} decoded {decoded.Length} bytes, more than the {ChunkPayloads.ChunkBytes}-byte limit");
        }
    }

    private static IEnumerable<byte[]> Encoded(IBytesToBytesCodec codec)
    {
        foreach (var payload in ChunkPayloads.All())
        {
            using var encoded = codec.Encode(payload);
            yield return encoded.Span.ToArray();
        }
    }

    /// <summary>One stream with the largest block size (the rest are numcodecs' default level 1: fast runs).</summary>
    private static byte[] Bz2Level9()
    {
        using var encoded = new Bz2Codec(9).Encode("zarr"u8);
        return encoded.Span.ToArray();
    }

    private static IEnumerable<byte[]> BloscSeeds()
    {
        byte[][] payloads = [ChunkPayloads.Arange(), ChunkPayloads.Smooth()];
        foreach (var compressor in Enum.GetValues<BloscCompressor>())
        {
            foreach (var shuffle in Enum.GetValues<BloscShuffle>())
            {
                var codec = new BloscCodec(compressor, 5, shuffle, typeSize: 4, implementation: BloscImplementation.Managed);
                foreach (var payload in payloads)
                {
                    using var encoded = codec.Encode(payload);
                    yield return encoded.Span.ToArray();
                }
            }
        }

        // Small blocks: many streams and blocks in one frame.
        var blocks = new BloscCodec(BloscCompressor.Lz4, 9, BloscShuffle.BitShuffle, typeSize: 8, blockSize: 4096, implementation: BloscImplementation.Managed);
        using var small = blocks.Encode(ChunkPayloads.Smooth());
        yield return small.Span.ToArray();

        // Incompressible: stored as it is (the memcpyed flag).
        using var stored = new BloscCodec(implementation: BloscImplementation.Managed).Encode(ChunkPayloads.Noise());
        yield return stored.Span.ToArray();
    }

    /// <summary>vlen-utf8 chunks of 16 strings, as zarr-python writes an object array of str.</summary>
    private static FuzzTarget VlenUtf8()
    {
        const int Count = 16;
        return new FuzzTarget(
            "vlen-utf8",
            input => _ = VlenUtf8Codec.Instance.DecodeStrings(input, Count),
            FuzzTarget.Made(() =>
            {
                string?[] words = ["", "a", "zarr", "Ünïcödé", "日本語", "🦆", new string('x', 300), "nul\0inside", "a/b", "..", "end", "", "x", "y", "z", "w"];
                using var encoded = VlenUtf8Codec.Instance.EncodeStrings(words);
                return [encoded.Span.ToArray()];
            }),
            // 16 strings of at most the input's length, as UTF-16.
            DecodedBytes: 0,
            BytesPerInputByte: 4);
    }

    /// <summary>The numcodecs filters and transpose, decoding whatever bytes they are given as a chunk of 64 float64 or int32.</summary>
    private static FuzzTarget Filters()
    {
        var float64 = new ChunkSpec([8, 8], ZarrDataType.Float64, new byte[8].ToImmutableArray());
        var int32 = new ChunkSpec([8, 8], ZarrDataType.Int32, new byte[4].ToImmutableArray());
        (IArrayToArrayCodec Codec, ChunkSpec Spec)[] filters =
        [
            (new DeltaCodec(new NumpyDType(ZarrDataType.Int32)), int32),
            (new DeltaCodec(new NumpyDType(ZarrDataType.Float64), new NumpyDType(ZarrDataType.Float32)), float64),
            (new FixedScaleOffsetCodec(280, 100, new NumpyDType(ZarrDataType.Float64), new NumpyDType(ZarrDataType.Int16)), float64),
            (new QuantizeCodec(3, new NumpyDType(ZarrDataType.Float64)), float64),
            (new AsTypeCodec(new NumpyDType(ZarrDataType.UInt8), new NumpyDType(ZarrDataType.Float64)), float64),
            (new TransposeCodec([1, 0]), int32),
        ];
        return new FuzzTarget(
            "filters",
            input =>
            {
                var decoded = t_destination ??= new byte[ChunkPayloads.ChunkBytes];
                Span<byte> encoded = stackalloc byte[512];
                foreach (var (codec, spec) in filters)
                {
                    var encodedLength = codec.GetEncodedSpec(spec).ByteLength;
                    encoded.Clear();
                    input[..Math.Min(input.Length, encodedLength)].CopyTo(encoded);
                    codec.Decode(encoded[..encodedLength], decoded.AsSpan(0, spec.ByteLength), spec);
                }
            },
            FuzzTarget.Made(() => [ChunkPayloads.Smooth()[..512], ChunkPayloads.Arange()[..512], new byte[512]]),
            DecodedBytes: 512);
    }
}
