using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Zarr.Storage;
using Zarr.Storage.Codecs;

namespace Zarr.Interop.Tests;

/// <summary>
/// Write direction for the types beyond the core: v2 arrays of dates, fixed-length strings, structured types and
/// variable-length strings written by this library, then read by zarr-python 2.13 through check_foreign.sh. The
/// expected hashes are computed here from the values meant to be written, in the corpus's canonical serialization.
/// </summary>
[Collection(ForeignCheckerCollection.Name)]
public sealed class ForeignDataTypeTests
{
    private static readonly long[] Shape = [13, 7];
    private static readonly int[] Chunks = [5, 3];

    [Fact]
    public async Task Zarr_python_reads_every_v2_extension_type_we_write()
    {
        InteropEnvironment.RequireForeignTools();
        using var tmp = new TempFolder("v2-dtypes");
        var entries = new List<JsonObject>();
        var count = (int)(Shape[0] * Shape[1]);

        // datetime64[ns] with NaT, NaT fill and rows left unwritten; timedelta64[10s] big-endian.
        {
            var values = Enumerable.Range(0, count).Select(i => i % 5 == 0 ? long.MinValue : (i * 86_400_000_000_123L) - 10_000_000_000_000_000L).ToArray();
            var store = new DirectoryStore(Path.Combine(tmp.Path, "m8_ns.zarr"));
            var a = (await ZarrArray.CreateAsync(store, "", ZarrDataType.DateTime64(TimeUnit.Nanosecond), Shape, Options(new ZlibCodec(1)) with { FillValue = "NaT" })).As<DateTime64>();
            await a.WriteAsync([Slice.Range(0, 10)], values[..70].Select(v => new DateTime64(v)).ToArray());
            Array.Fill(values, long.MinValue, 70, count - 70);
            entries.Add(Entry("m8_ns.zarr", "<M8[ns]", Longs(values)));

            var deltas = Enumerable.Range(0, count).Select(i => i == 3 ? long.MinValue : (long)i * -7919).ToArray();
            var store2 = new DirectoryStore(Path.Combine(tmp.Path, "m8_10s_big.zarr"));
            var d = (await ZarrArray.CreateAsync(store2, "", ZarrDataType.TimeDelta64(TimeUnit.Second, 10), Shape, Options(null) with { Endian = Endian.Big })).As<TimeDelta64>();
            await d.WriteAsync([], deltas.Select(v => new TimeDelta64(v)).ToArray());
            entries.Add(Entry("m8_10s_big.zarr", ">m8[10s]", Longs(deltas)));
        }

        // Fixed-length unicode, both byte orders, with non-ASCII, astral and empty values and a fill value.
        string[] words = ["", "a", "héllo", "😀é中!", "ΩΩΩΩΩΩ", "ß", "x\ty", "中文字"];
        foreach (var big in new[] { false, true })
        {
            var name = big ? "u6_big.zarr" : "u6.zarr";
            var values = Enumerable.Range(0, count).Select(i => words[i % words.Length]).ToArray();
            var s = await ZarrStringArray.CreateAsync(new DirectoryStore(Path.Combine(tmp.Path, name)), "", Shape, ZarrDataType.FixedUnicode(6), Options(new ZstdCodec(1)) with { Endian = big ? Endian.Big : Endian.Little, FillValue = "fé中" });
            await s.WriteAsync([Slice.Range(0, 10)], values.AsMemory(0, 70)!);
            Array.Fill(values, "fé中", 70, count - 70);
            var canonical = new byte[count * 24];
            for (var i = 0; i < count; i++)
            {
                new UTF32Encoding(false, false).GetBytes(values[i]).CopyTo(canonical, i * 24);
            }

            entries.Add(Entry(name, big ? ">U6" : "<U6", canonical));
        }

        // Fixed-length bytes with high and inner NUL bytes, and a base64 fill value.
        {
            var values = Enumerable.Range(0, count).Select(i => Enumerable.Range(0, i % 9).Select(k => (byte)((i * 31) + k + 1)).ToArray()).ToArray();
            values[4] = [0x41, 0x00, 0x42];
            var s = await ZarrStringArray.CreateAsync(new DirectoryStore(Path.Combine(tmp.Path, "s8.zarr")), "", Shape, ZarrDataType.FixedBytes(8), Options(new GzipCodec(1)) with { FillValue = Convert.ToBase64String("zz"u8) });
            await s.WriteByteStringsAsync([Slice.Range(0, 10)], values.AsMemory(0, 70));
            var canonical = new byte[count * 8];
            for (var i = 0; i < count; i++)
            {
                (i < 70 ? values[i] : "zz"u8.ToArray()).CopyTo(canonical, i * 8);
            }

            entries.Add(Entry("s8.zarr", "|S8", canonical));
        }

        // Structured, with fields of both byte orders, a sub-array, a date and a string field.
        {
            var type = ZarrDataType.Structured(
                new StructField("x", ZarrDataType.Int32),
                new StructField("y", ZarrDataType.Float64, [2], Endian.Big),
                new StructField("t", ZarrDataType.DateTime64(TimeUnit.Second)),
                new StructField("ok", ZarrDataType.Bool),
                new StructField("s", ZarrDataType.FixedBytes(3)));
            Assert.Equal(4 + 16 + 8 + 1 + 3, type.ItemSize);
            var rows = new byte[count * type.ItemSize];
            for (var i = 0; i < count; i++)
            {
                var row = rows.AsSpan(i * type.ItemSize, type.ItemSize);
                BinaryPrimitives.WriteInt32LittleEndian(row, (i * 1_000_003) - 5_000_000);
                BinaryPrimitives.WriteDoubleLittleEndian(row[4..], i / 3.0);
                BinaryPrimitives.WriteDoubleLittleEndian(row[12..], -i * 1e-300);
                BinaryPrimitives.WriteInt64LittleEndian(row[20..], i == 2 ? long.MinValue : 1_700_000_000L + i);
                row[28] = (byte)(i % 2);
                row[29] = (byte)('a' + (i % 26));
            }

            var a = await ZarrArray.CreateAsync(new DirectoryStore(Path.Combine(tmp.Path, "structured.zarr")), "", type, Shape, Options(new ZlibCodec(1)));
            await a.WriteBytesAsync([], rows);
            var descr = new JsonArray(
                new JsonArray("x", "<i4"), new JsonArray("y", ">f8", new JsonArray(2)), new JsonArray("t", "<M8[s]"), new JsonArray("ok", "|b1"), new JsonArray("s", "|S3"));
            entries.Add(Entry("structured.zarr", descr, rows));
        }

        // Variable-length UTF-8 (object dtype with the vlen-utf8 filter), blosc-compressed, order F, chunks missing.
        foreach (var order in new[] { 'C', 'F' })
        {
            var name = order == 'C' ? "vlen_utf8.zarr" : "vlen_utf8_F.zarr";
            var values = Enumerable.Range(0, count).Select(i => i % 6 == 0 ? "" : words[i % words.Length] + new string('z', i % 11)).ToArray();
            var s = await ZarrStringArray.CreateAsync(new DirectoryStore(Path.Combine(tmp.Path, name)), "", Shape, options: new ArrayOptions { Format = ZarrFormat.V2, Chunks = [.. Chunks], Order = order, FillValue = "-" });
            await s.WriteAsync([Slice.Range(0, 10)], values.AsMemory(0, 70)!);
            Array.Fill(values, "-", 70, count - 70);
            using var canonical = new MemoryStream();
            foreach (var v in values)
            {
                var utf8 = Encoding.UTF8.GetBytes(v);
                canonical.Write(BitConverter.GetBytes((uint)utf8.Length));
                canonical.Write(utf8);
            }

            entries.Add(Entry(name, "|O", canonical.ToArray()));
        }

        ForeignChecker.RequireAllPass(tmp.Path, entries, []);
    }

    private static ArrayOptions Options(IBytesToBytesCodec? compressor) =>
        new() { Format = ZarrFormat.V2, Chunks = [.. Chunks], Compressors = compressor is null ? [] : [compressor] };

    private static byte[] Longs(long[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), values[i]);
        }

        return bytes;
    }

    private static JsonObject Entry(string path, JsonNode dtype, byte[] canonical) => new()
    {
        ["path"] = path,
        ["zarr_format"] = 2,
        ["shape"] = new JsonArray(Shape.Select(s => (JsonNode)JsonValue.Create(s)).ToArray()),
        ["dtype"] = dtype,
        ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(canonical)),
    };
}

/// <summary>Tests that run check_foreign.sh, which may install zarrita.js on its first run, never run at once.</summary>
[CollectionDefinition(Name)]
public sealed class ForeignCheckerCollection
{
    public const string Name = "check_foreign.sh";
}
