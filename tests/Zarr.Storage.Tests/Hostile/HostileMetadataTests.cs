using System.Buffers.Binary;
using System.Text;
using Xunit.Abstractions;
using Zarr.Storage.Codecs;

namespace Zarr.Storage.Tests.Hostile;

/// <summary>
/// Hostile metadata documents and codec inputs: declared sizes of 2^31, 2^40 and 2^63, negative sizes, shape products
/// that overflow, JSON nested 10,000 deep, 100 MB strings, decompression bombs, and the findings of fuzzing (invalid
/// UTF-8, lone surrogates, repeated names). Each is refused with a typed <see cref="ZarrException"/>, allocating at most
/// the chunk it could decode to plus 1 MiB (documents: plus five times their own length, see <see cref="DocumentCopies"/>).
/// Prints <c>RELIABILITY hostile-inputs refused=N tried=N</c>.
/// </summary>
public sealed class HostileMetadataTests(ITestOutputHelper output)
{
    private const int ChunkBytes = 1 << 14;
    private const long Slack = 1 << 20;

    /// <summary>
    /// What a parser may allocate per document byte: its copy, the parsed tree, and a name read as a UTF-16 string
    /// (a 100 MB dtype costs 4.3 times its size before it is refused; a length cap on names read would bring it to 2).
    /// </summary>
    private const long DocumentCopies = 5;

    private static readonly string[] HugeOrBadSizes =
    [
        "2147483648", "1099511627776", "9223372036854775808", "9223372036854775807", "18446744073709551616", "-1", "-2147483648",
        "-9223372036854775808", "1e308", "3.5", "\"10\"", "null", "[]", "true",
    ];

    public static IEnumerable<(string Name, byte[] Document, Func<byte[], object> Parse)> Documents()
    {
        foreach (var size in HugeOrBadSizes)
        {
            // A chunk of a bad size: none of these is a chunk any buffer holds.
            yield return ($"v2 chunks [{size}]", V2Array("[4]", $"[{size}]", "\"<f8\""), ParseV2);
            yield return ($"v2 chunks [2, {size}]", V2Array("[4, 4]", $"[2, {size}]", "\"<i4\""), ParseV2);
            yield return ($"v3 chunk_shape [{size}]", V3Array("[4]", $"[{size}]", "\"float64\""), ParseV3);
            yield return ($"v3 chunk_shape [{size}, 2]", V3Array("[4, 4]", $"[{size}, 2]", "\"int32\""), ParseV3);
            if (size.StartsWith('-') || !char.IsDigit(size[0]) || size.Contains('.') || size.Contains('e') || size == "18446744073709551616")
            {
                // Shapes that are no shape at all (huge ones are valid: an array may be far larger than memory).
                yield return ($"v2 shape [{size}]", V2Array($"[{size}]", "[2]", "\"<f8\""), ParseV2);
                yield return ($"v3 shape [{size}]", V3Array($"[{size}]", "[2]", "\"float64\""), ParseV3);
            }

            // Sharding with inner chunks of a bad size, and blosc with a bad block size / type size.
            yield return ($"v3 sharding chunk_shape [{size}]", V3Array("[64]", "[64]", "\"int16\"", $"[{{\"name\": \"sharding_indexed\", \"configuration\": {{\"chunk_shape\": [{size}], \"codecs\": [{{\"name\": \"bytes\", \"configuration\": {{\"endian\": \"little\"}}}}], \"index_codecs\": [{{\"name\": \"bytes\", \"configuration\": {{\"endian\": \"little\"}}}}]}}}}]"), ParseV3);
            if (size == "null")
            {
                // null is numcodecs' "the default" for a codec's parameters: not hostile there.
                continue;
            }

            yield return ($"v2 blosc blocksize {size}", V2Array("[4]", "[2]", "\"<f8\"", $"{{\"id\": \"blosc\", \"cname\": \"lz4\", \"clevel\": 5, \"shuffle\": 1, \"blocksize\": {size}}}"), ParseV2);
            yield return ($"v2 zlib level {size}", V2Array("[4]", "[2]", "\"<f8\"", $"{{\"id\": \"zlib\", \"level\": {size}}}"), ParseV2);
            yield return ($"v2 dtype <U{size}", V2Array("[4]", "[2]", $"\"<U{size}\""), ParseV2);
            yield return ($"v2 dtype |S{size}", V2Array("[4]", "[2]", $"\"|S{size}\""), ParseV2);
            yield return ($"v3 fixed_length_utf32 length {size}", V3Array("[4]", "[2]", $"{{\"name\": \"fixed_length_utf32\", \"configuration\": {{\"length_bytes\": {size}}}}}"), ParseV3);
            yield return ($"v2 zarr_format {size}", Encoding.UTF8.GetBytes($"{{\"zarr_format\": {size}}}"), ParseV2Group);
        }

        // Shape × chunk products past 2^63 elements and past the largest buffer.
        foreach (var (shape, chunks) in new[]
        {
            ("[4294967296, 4294967296, 4294967296]", "[4294967296, 4294967296, 4294967296]"),
            ("[1099511627776, 1099511627776]", "[1099511627776, 1099511627776]"),
            ("[65536, 65536]", "[65536, 65536]"),
            ("[2147483647, 2]", "[2147483647, 2]"),
            ("[9223372036854775807]", "[9223372036854775807]"),
            ("[3037000500, 3037000500]", "[3037000500, 3037000500]"),
        })
        {
            yield return ($"v2 shape {shape} chunks {chunks}", V2Array(shape, chunks, "\"<f8\""), ParseV2);
            yield return ($"v3 shape {shape} chunks {chunks}", V3Array(shape, chunks, "\"float64\""), ParseV3);
        }

        // JSON nested 10,000 deep, where each reader meets it.
        var deep = new string('[', 10_000) + new string(']', 10_000);
        var deepObject = string.Concat(Enumerable.Repeat("{\"a\": ", 10_000)) + "1" + new string('}', 10_000);
        foreach (var nested in new[] { deep, deepObject })
        {
            yield return ("v2 .zattrs nested 10,000 deep", Encoding.UTF8.GetBytes($"{{\"x\": {nested}}}"), ParseV2Attrs);
            yield return ("v2 .zarray nested 10,000 deep", V2Array("[4]", "[2]", nested), ParseV2);
            yield return ("v3 attributes nested 10,000 deep", Encoding.UTF8.GetBytes($"{{\"zarr_format\": 3, \"node_type\": \"group\", \"attributes\": {{\"x\": {nested}}}}}"), ParseV3Group);
            yield return ("v3 codec configuration nested 10,000 deep", V3Array("[4]", "[2]", "\"int32\"", $"[{{\"name\": \"bytes\", \"configuration\": {nested}}}]"), ParseV3);
            yield return ("document nested 10,000 deep", Encoding.UTF8.GetBytes(nested), ParseV3);
            yield return (".zmetadata nested 10,000 deep", Encoding.UTF8.GetBytes($"{{\"metadata\": {nested}, \"zarr_consolidated_format\": 1}}"), ParseConsolidatedV2);
        }

        // 100 MB strings where a name belongs.
        var huge = new string('x', 100_000_000);
        yield return ("v2 dtype of 100 MB", V2Array("[4]", "[2]", $"\"{huge}\""), ParseV2);
        yield return ("v3 data_type of 100 MB", V3Array("[4]", "[2]", $"\"{huge}\""), ParseV3);
        yield return ("v3 codec name of 100 MB", V3Array("[4]", "[2]", "\"int32\"", $"[{{\"name\": \"{huge}\"}}]"), ParseV3);

        // What fuzzing found.
        yield return ("invalid UTF-8 in .zarray", [.. V2Array("[4]", "[2]", "\"<f8\"").SkipLast(1), 0xFF, (byte)'}'], ParseV2);
        yield return ("invalid UTF-8 in a string", Encoding.UTF8.GetBytes("{\"zarr_format\": 2, \"s\": \"a\u00e9\"}").Select(b => b == 0xA9 ? (byte)0xFF : b).ToArray(), ParseV2Group);
        yield return ("lone surrogate escape in .zattrs", Encoding.UTF8.GetBytes("{\"name\": \"\\ud800\"}"), ParseV2Attrs);
        yield return ("lone low surrogate escape in zarr.json", Encoding.UTF8.GetBytes("{\"zarr_format\": 3, \"node_type\": \"group\", \"attributes\": {\"\\udc00\": 1}}"), ParseV3Group);
        yield return ("repeated name in .zattrs", Encoding.UTF8.GetBytes("{\"a\": 1, \"a\": 2}"), ParseV2Attrs);
        yield return ("repeated name in .zmetadata", Encoding.UTF8.GetBytes("{\"metadata\": {\".zgroup\": {\"zarr_format\": 2, \"zarr_format\": 2}}, \"zarr_consolidated_format\": 1}"), ParseConsolidatedV2);
        yield return ("consolidated format Infinity", Encoding.UTF8.GetBytes("{\"metadata\": {}, \"zarr_consolidated_format\": Infinity}"), ParseConsolidatedV2);
    }

    /// <summary>Codec inputs: (name, codec, encoded).</summary>
    public static IEnumerable<(string Name, IBytesToBytesCodec Codec, byte[] Encoded)> CodecInputs()
    {
        uint[] declared = [int.MaxValue, 1u << 31, uint.MaxValue, ChunkBytes + 1, 1 << 30];
        foreach (var implementation in new[] { BloscImplementation.Managed, BloscImplementation.Native })
        {
            var blosc = new BloscCodec(implementation: implementation);
            using var valid = blosc.Encode(new byte[ChunkBytes]);
            foreach (var size in declared)
            {
                foreach (var field in new[] { 4, 8, 12 })
                {
                    // nbytes (4), blocksize (8), cbytes (12) of the 16-byte header.
                    var frame = valid.Span.ToArray();
                    BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(field), size);
                    yield return ($"blosc {implementation} header field {field} = {size}", blosc, frame);
                }
            }

            var bomb = new BloscCodec(BloscCompressor.Zstd, 9, BloscShuffle.NoShuffle, implementation: BloscImplementation.Managed);
            using var big = bomb.Encode(new byte[1 << 30 >> 2]);
            yield return ($"blosc {implementation} bomb of 256 MiB", blosc, big.Span.ToArray());
        }

        IBytesToBytesCodec[] compressors = [new ZstdCodec(3), new GzipCodec(), new ZlibCodec(), new Lz4Codec(), new Bz2Codec()];
        var zeros = new byte[64 << 20];
        foreach (var codec in compressors)
        {
            using var bomb = codec.Encode(zeros);
            yield return ($"{codec.Name} bomb of 64 MiB", codec, bomb.Span.ToArray());
            using var small = codec.Encode(new byte[100]);
            yield return ($"{codec.Name} truncated", codec, small.Span[..(small.Length / 2)].ToArray());
        }

        // Declared sizes: lz4's 4-byte prefix, zstd's frame content size, gzip's ISIZE trailer.
        var lz4 = new Lz4Codec();
        using (var encoded = lz4.Encode(new byte[100]))
        {
            foreach (var size in declared)
            {
                var bytes = encoded.Span.ToArray();
                BinaryPrimitives.WriteUInt32LittleEndian(bytes, size);
                yield return ($"lz4 declares {size}", lz4, bytes);
            }
        }

        var zstd = new ZstdCodec(3);
        // (2^64 − 1 is zstd's "size unknown", not a size.)
        foreach (var size in new ulong[] { 1UL << 31, 1UL << 40, 1UL << 50, 1UL << 63 })
        {
            // A frame header with an 8-byte content size (descriptor 0xC0: FCS 8 bytes, single segment off), then an empty raw last block.
            var frame = new List<byte> { 0x28, 0xB5, 0x2F, 0xFD, 0xC0, 0x50 };
            var fcs = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(fcs, size);
            frame.AddRange(fcs);
            frame.AddRange([0x01, 0x00, 0x00]);
            yield return ($"zstd declares {size}", zstd, [.. frame]);
        }

        var gzip = new GzipCodec();
        using (var encoded = gzip.Encode(new byte[100]))
        {
            var bytes = encoded.Span.ToArray();
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), uint.MaxValue);
            yield return ("gzip ISIZE 2^32-1", gzip, bytes);
        }

        yield return ("crc32c shorter than its checksum", new Crc32cCodec(), [1, 2, 3]);
    }

    [Fact]
    public void Every_hostile_document_and_codec_input_is_a_typed_error_within_its_allocation_bound()
    {
        var tried = 0;
        var refused = 0;
        var failures = new List<string>();
        foreach (var (name, document, parse) in Documents())
        {
            tried++;
            var bound = Slack + (DocumentCopies * document.Length);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var error = Record.Exception(() => parse(document));
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (error is not ZarrException)
            {
                failures.Add($"{name}: {(error is null ? "accepted" : error.GetType().Name + ": " + error.Message)}");
            }
            else if (allocated > bound)
            {
                failures.Add($"{name}: allocated {allocated} bytes, more than {bound}");
            }
            else
            {
                refused++;
            }
        }

        foreach (var (name, codec, encoded) in CodecInputs())
        {
            if (codec is BloscCodec { Implementation: BloscImplementation.Native } && !BloscRuntime.IsNativeAvailable)
            {
                continue;
            }

            tried++;
            var destination = new byte[ChunkBytes];
            var before = GC.GetAllocatedBytesForCurrentThread();
            var intoDestination = Record.Exception(() => codec.Decode(encoded, destination));
            var intoPool = Record.Exception(() => codec.Decode(encoded, ChunkBytes, ChunkBytes).Dispose());
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            // bzip2's decoder holds its block, as its header names it (level 1 here: 500 KB per stream, two streams).
            var bound = ChunkBytes + Slack + (codec is Bz2Codec ? 2 * 500_000 : 0);
            if (intoDestination is not ZarrCodecException || intoPool is not ZarrCodecException)
            {
                failures.Add($"{name}: into a chunk {intoDestination?.GetType().Name ?? "accepted"} {intoDestination?.Message}; pooled {intoPool?.GetType().Name ?? "accepted"} {intoPool?.Message}");
            }
            else if (allocated > bound)
            {
                failures.Add($"{name}: allocated {allocated} bytes, more than {bound}");
            }
            else
            {
                refused++;
            }
        }

        output.WriteLine($"RELIABILITY hostile-inputs refused={refused} tried={tried}");
        Console.WriteLine($"RELIABILITY hostile-inputs refused={refused} tried={tried}");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(tried >= 200, $"only {tried} hostile inputs tried");
    }

    private static byte[] V2Array(string shape, string chunks, string dtype, string compressor = "null") =>
        Encoding.UTF8.GetBytes($"{{\"zarr_format\": 2, \"shape\": {shape}, \"chunks\": {chunks}, \"dtype\": {dtype}, \"fill_value\": 0, \"order\": \"C\", \"compressor\": {compressor}, \"filters\": null}}");

    private static byte[] V3Array(string shape, string chunks, string dataType, string codecs = "[{\"name\": \"bytes\", \"configuration\": {\"endian\": \"little\"}}]") =>
        Encoding.UTF8.GetBytes($"{{\"zarr_format\": 3, \"node_type\": \"array\", \"shape\": {shape}, \"data_type\": {dataType}, \"chunk_grid\": {{\"name\": \"regular\", \"configuration\": {{\"chunk_shape\": {chunks}}}}}, \"chunk_key_encoding\": {{\"name\": \"default\", \"configuration\": {{\"separator\": \"/\"}}}}, \"fill_value\": 0, \"codecs\": {codecs}}}");

    private static object ParseV2(byte[] json) => MetadataSerializer.ParseArrayV2(json, default, ".zarray");

    private static object ParseV2Group(byte[] json) => MetadataSerializer.ParseGroupV2(json, default, ".zgroup");

    private static object ParseV2Attrs(byte[] json) => MetadataSerializer.ParseGroupV2("{\"zarr_format\": 2}"u8, json, ".zgroup");

    private static object ParseV3(byte[] json) => MetadataSerializer.ParseArrayV3(json, "zarr.json");

    private static object ParseV3Group(byte[] json) => MetadataSerializer.ParseGroupV3(json, "zarr.json");

    private static object ParseConsolidatedV2(byte[] json) => ConsolidatedMetadata.ParseV2(new MemoryStore(), "", ".zmetadata", json);
}
