using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;
using Zarr.Storage.Tests.Arrays;

namespace Zarr.Storage.Tests.Codecs;

/// <summary>
/// <c>shuffle</c>, <c>crc32</c> and <c>adler32</c> against Debian's zarr-python 2.13 / numcodecs 0.11 both ways, in one
/// python run: it reads the v2 arrays we write (shuffle as a filter before a compressor, checksums as the compressor or
/// a filter) and writes its own of the same values, which we read; the deterministic chunks are compared byte for byte.
/// </summary>
public class ShuffleAndChecksumInteropTests
{
    private sealed record Case(string Name, ZarrDataType Type, long[] Shape, int[] Chunks, IBytesToBytesCodec[] Codecs, string Python, bool SameBytes);

    private static readonly Case[] Cases =
    [
        new("shuffle_zlib", ZarrDataType.Int32, [7, 9], [4, 4], [new ShuffleCodec(4), new ZlibCodec(1)],
            "filters=[numcodecs.Shuffle(elementsize=4)], compressor=numcodecs.Zlib(level=1)", SameBytes: false),
        new("crc32", ZarrDataType.Float64, [45], [20], [new Crc32Codec()], "filters=None, compressor=numcodecs.CRC32()", SameBytes: true),
        new("shuffle_adler32", ZarrDataType.UInt16, [45], [20], [new ShuffleCodec(2), new Adler32Codec()],
            "filters=[numcodecs.Shuffle(elementsize=2)], compressor=numcodecs.Adler32()", SameBytes: true),
        new("shuffle3_crc32_filters", ZarrDataType.UInt8, [30], [12], [new ShuffleCodec(3), new Crc32Codec(), new Adler32Codec()],
            "filters=[numcodecs.Shuffle(elementsize=3), numcodecs.CRC32()], compressor=numcodecs.Adler32()", SameBytes: true),
    ];

    [Fact]
    public async Task Zarr_python_2_reads_our_arrays_and_we_read_its_byte_for_byte()
    {
        using var dir = new TempDirectory();
        var script = new System.Text.StringBuilder("""
            import sys, os, zarr, numcodecs, numpy as np
            root = sys.argv[1]
            def values(dtype, shape):
                n = int(np.prod(shape))
                i = np.arange(n, dtype='int64')
                if dtype == 'float64': v = i * 0.25 - 3
                else: v = (i * 40503 + 7) % (256 if dtype == 'uint8' else 65536 if dtype == 'uint16' else 2**31) - (2**30 if dtype == 'int32' else 0)
                return v.astype(dtype).reshape(shape)

            """);
        foreach (var c in Cases)
        {
            var options = new ArrayOptions { Format = ZarrFormat.V2, Chunks = [.. c.Chunks], Compressors = c.Codecs };
            var store = new DirectoryStore(dir.Combine("ours", c.Name));
            await (Values(c.Type, c.Shape) switch
            {
                double[] v => (Task)ZarrArray.FromDataAsync<double>(store, "", v, c.Shape, options),
                byte[] v => ZarrArray.FromDataAsync<byte>(store, "", v, c.Shape, options),
                ushort[] v => ZarrArray.FromDataAsync<ushort>(store, "", v, c.Shape, options),
                int[] v => ZarrArray.FromDataAsync<int>(store, "", v, c.Shape, options),
                _ => throw new InvalidOperationException(),
            });
            var numpyType = c.Type.ToString().ToLowerInvariant();
            var shape = $"({string.Join(", ", c.Shape)},)";
            var chunks = $"({string.Join(", ", c.Chunks)},)";
            script.Append($"""
                a = zarr.open(os.path.join(root, 'ours', '{c.Name}'), mode='r')
                assert a.dtype == np.dtype('{numpyType}'), a.dtype
                assert (a[...] == values('{numpyType}', {shape})).all(), '{c.Name}: values differ'
                b = zarr.open(os.path.join(root, 'theirs', '{c.Name}'), mode='w', shape={shape}, chunks={chunks}, dtype='{numpyType}', {c.Python})
                b[...] = values('{numpyType}', {shape})
                print('OK {c.Name}', a.filters, a.compressor)

                """);
        }

        var output = PythonPeer.Run("zarr-python 2.13 could not read our shuffle/checksum arrays", "-c", script.ToString(), dir.Path);
        foreach (var c in Cases)
        {
            Assert.Contains($"OK {c.Name}", output, StringComparison.Ordinal);
            var theirs = dir.Combine("theirs", c.Name);
            var zarray = JsonNode.Parse(File.ReadAllText(Path.Combine(theirs, ".zarray")))!;
            var ours = JsonNode.Parse(File.ReadAllText(Path.Combine(dir.Combine("ours", c.Name), ".zarray")))!;
            Assert.Equal(zarray["filters"]?.ToJsonString() ?? "null", ours["filters"]?.ToJsonString() ?? "null");
            Assert.Equal(zarray["compressor"]!.ToJsonString(), ours["compressor"]!.ToJsonString());

            var array = await ZarrArray.OpenAsync(new DirectoryStore(theirs), "");
            Assert.Equal(c.Codecs.Select(x => x.GetType()), array.Metadata.Codecs.SkipWhile(x => x is not BytesCodec).Skip(1).Select(x => x.GetType()));
            Assert.Equal(Values(c.Type, c.Shape), await ReadAll(new DirectoryStore(theirs), c.Type));
            if (c.SameBytes)
            {
                foreach (var file in Directory.GetFiles(theirs).Where(f => !Path.GetFileName(f).StartsWith('.')))
                {
                    Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(dir.Combine("ours", c.Name), Path.GetFileName(file))));
                }
            }
        }
    }

    private static Array Values(ZarrDataType type, long[] shape)
    {
        var n = (int)shape.Aggregate(1L, (a, b) => a * b);
        var i = Enumerable.Range(0, n).Select(x => (long)x).ToArray();
        return type == ZarrDataType.Float64 ? i.Select(x => (x * 0.25) - 3).ToArray()
            : type == ZarrDataType.UInt8 ? i.Select(x => (byte)(((x * 40503) + 7) % 256)).ToArray()
            : type == ZarrDataType.UInt16 ? i.Select(x => (ushort)(((x * 40503) + 7) % 65536)).ToArray()
            : i.Select(x => (int)((((x * 40503) + 7) % (1L << 31)) - (1L << 30))).ToArray();
    }

    private static async Task<Array> ReadAll(DirectoryStore store, ZarrDataType type) =>
        type == ZarrDataType.Float64 ? SelectionTests.ToArray(await (await ZarrArray.OpenAsync<double>(store))[..])
        : type == ZarrDataType.UInt8 ? SelectionTests.ToArray(await (await ZarrArray.OpenAsync<byte>(store))[..])
        : type == ZarrDataType.UInt16 ? SelectionTests.ToArray(await (await ZarrArray.OpenAsync<ushort>(store))[..])
        : SelectionTests.ToArray(await (await ZarrArray.OpenAsync<int>(store))[..]);
}
