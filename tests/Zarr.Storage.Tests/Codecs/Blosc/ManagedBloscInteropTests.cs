using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;

namespace Zarr.Storage.Tests.Codecs.Blosc;

/// <summary>
/// What the managed blosc writes, read by c-blosc: frames of every compressor, shuffle, level, type size and block
/// size decoded by numcodecs, python-blosc and the native path; Zarr v2 arrays written with the managed blosc read
/// whole by zarr-python 2 and chunk by chunk by the native path.
/// </summary>
public sealed class ManagedBloscInteropTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Frames_and_arrays_the_managed_blosc_writes_are_read_exactly_by_c_blosc()
    {
        var frames = WriteFrames();
        var arrays = await WriteArraysAsync();
        File.WriteAllText(_temp.Combine("frames.json"), frames.ToJsonString());
        File.WriteAllText(_temp.Combine("arrays.json"), arrays.ToJsonString());
        var output = PythonPeer.Run("c-blosc could not read what the managed blosc wrote", Path.Combine(BloscCorpusTests.ScriptFolder(), "check_managed.py"), _temp.Path);
        Assert.Contains($"OK {frames.Count} frames, {arrays.Count} arrays", output, StringComparison.Ordinal);
    }

    /// <summary>Frames of every combination, each checked against the native decoder here and listed for python.</summary>
    private JsonArray WriteFrames()
    {
        Directory.CreateDirectory(_temp.Combine("frames"));
        var random = new Random(42);
        var native = new BloscCodec(implementation: BloscImplementation.Native);
        var cases = new JsonArray();
        var i = 0;
        foreach (var compressor in Enum.GetValues<BloscCompressor>())
        {
            foreach (var shuffle in Enum.GetValues<BloscShuffle>())
            {
                foreach (var typeSize in new[] { 1, 2, 3, 4, 5, 7, 8, 12, 16, 24, 255 })
                {
                    var level = i % 10;
                    var blockSize = new[] { 0, 0, 0, 1000, 4097, 333, 65543 }[i % 7];
                    var length = new[] { 70000, 1000, 300001, 4099, 100, 20000, 200000 }[i % 7] + (i % 3 == 0 ? typeSize / 2 : 0);
                    if (compressor is BloscCompressor.Zstd or BloscCompressor.Lz4Hc && level >= 7)
                    {
                        length = Math.Min(length, 70000);
                    }

                    var kind = BloscTestData.Kinds[i % BloscTestData.Kinds.Length];
                    var data = BloscTestData.Make(kind, length, typeSize, random);
                    var codec = new BloscCodec(compressor, level, shuffle, typeSize, blockSize, BloscImplementation.Managed);
                    using var encoded = codec.Encode(data);
                    using var back = native.Decode(encoded.Span, data.Length);
                    Assert.True(data.AsSpan().SequenceEqual(back.Span), $"c-blosc misread the managed frame of {codec} typesize {typeSize}, {kind}, {length} bytes");
                    var name = $"frames/{i:D4}";
                    File.WriteAllBytes(_temp.Combine(name + ".blosc"), encoded.Span.ToArray());
                    File.WriteAllBytes(_temp.Combine(name + ".raw"), data);
                    cases.Add(new JsonObject { ["file"] = name + ".blosc", ["raw"] = name + ".raw" });
                    i++;
                }
            }
        }

        return cases;
    }

    /// <summary>Zarr v2 arrays written with the managed blosc, each chunk checked against the native decoder here.</summary>
    private async Task<JsonArray> WriteArraysAsync()
    {
        var random = new Random(7);
        var cases = new JsonArray();
        (string Name, string Type, Endian Endian, int[] Shape, int[] Chunks, BloscCompressor Compressor, int Level, BloscShuffle Shuffle, int BlockSize)[] arrays =
        [
            ("f4_lz4_shuffle", "float32", Endian.Little, [300, 200], [128, 128], BloscCompressor.Lz4, 5, BloscShuffle.Shuffle, 0),
            ("i4_zstd_bitshuffle", "int32", Endian.Little, [300, 200], [128, 100], BloscCompressor.Zstd, 3, BloscShuffle.BitShuffle, 0),
            ("f8_blosclz_shuffle", "float64", Endian.Little, [5000], [1500], BloscCompressor.BloscLz, 9, BloscShuffle.Shuffle, 0),
            ("u1_lz4hc_bitshuffle", "uint8", Endian.Little, [400, 300], [200, 200], BloscCompressor.Lz4Hc, 5, BloscShuffle.BitShuffle, 0),
            ("i2_zlib_noshuffle_clevel0", "int16", Endian.Little, [2000], [700], BloscCompressor.Zlib, 0, BloscShuffle.NoShuffle, 0),
            ("c16_zstd_shuffle_blocksize1000", "complex128", Endian.Little, [40, 30], [16, 16], BloscCompressor.Zstd, 5, BloscShuffle.Shuffle, 1000),
            ("be_i8_lz4_shuffle", "int64", Endian.Big, [3000], [1000], BloscCompressor.Lz4, 5, BloscShuffle.Shuffle, 0),
            ("be_f4_zstd_bitshuffle", "float32", Endian.Big, [100, 100], [64, 64], BloscCompressor.Zstd, 1, BloscShuffle.BitShuffle, 0),
            ("s5_blosclz_shuffle", "|S5", Endian.Little, [900], [256], BloscCompressor.BloscLz, 5, BloscShuffle.Shuffle, 0),
            ("f2_lz4_bitshuffle_blocksize333", "float16", Endian.Little, [5000], [2000], BloscCompressor.Lz4, 9, BloscShuffle.BitShuffle, 333),
        ];
        foreach (var a in arrays)
        {
            var type = ZarrDataType.Parse(a.Type);
            var codec = new BloscCodec(a.Compressor, a.Level, a.Shuffle, BloscCodec.TypeSizeFor(type), a.BlockSize, BloscImplementation.Managed);
            var path = _temp.Combine("arrays", a.Name);
            var array = await ZarrArray.CreateAsync(new DirectoryStore(path), "", type, [.. a.Shape.Select(s => (long)s)], new ArrayOptions
            {
                Format = ZarrFormat.V2,
                Chunks = [.. a.Chunks],
                Compressors = [codec],
                Endian = a.Endian,
            });
            var count = a.Shape.Aggregate(1, (x, y) => x * y);
            var data = BloscTestData.Make(a.Type is "float32" or "float64" ? "noisy-float" : "arange", count * type.ItemSize, type.ItemSize, random);
            if (type.Kind == DataTypeKind.Float16)
            {
                data = [.. Enumerable.Range(0, count).SelectMany(k => BitConverter.GetBytes((Half)(k % 1000 / 8.0)))];
            }

            await array.WriteBytesAsync([.. a.Shape.Select(_ => Slice.All)], data);
            File.WriteAllBytes(path + ".raw", data);
            var native = new BloscCodec(implementation: BloscImplementation.Native);
            foreach (var chunk in Directory.EnumerateFiles(path).Where(f => !Path.GetFileName(f).StartsWith('.')))
            {
                var frame = File.ReadAllBytes(chunk);
                using var byNative = native.Decode(frame, -1);
                using var byManaged = codec.Decode(frame, byNative.Length);
                Assert.True(byNative.Span.SequenceEqual(byManaged.Span), $"{chunk}: c-blosc reads other bytes than the managed blosc wrote");
            }

            var dtype = (a.Endian == Endian.Big ? ">" : type.ItemSize == 1 || type.Kind == DataTypeKind.FixedBytes ? "|" : "<") + type.NumpyTypeCode;
            cases.Add(new JsonObject { ["path"] = "arrays/" + a.Name, ["raw"] = "arrays/" + a.Name + ".raw", ["dtype"] = dtype });
        }

        return cases;
    }
}
