using System.Numerics;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;
using static Zarr.Storage.Tests.Arrays.SelectionTests;

namespace Zarr.Storage.Tests.Arrays;

public class ArrayTests
{
    public static TheoryData<ZarrFormat> Formats => new() { ZarrFormat.V3, ZarrFormat.V2 };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Every_data_type_round_trips_through_a_directory_store(ZarrFormat format)
    {
        using var tmp = new TempDirectory();
        var store = new DirectoryStore(tmp.Path);
        await RoundTrip(store, format, i => i % 3 == 0);
        await RoundTrip(store, format, i => (sbyte)(i - 50));
        await RoundTrip(store, format, i => (short)(i * -300));
        await RoundTrip(store, format, i => i * 100_000);
        await RoundTrip(store, format, i => (long)i * long.MaxValue / 1000);
        await RoundTrip(store, format, i => (byte)i);
        await RoundTrip(store, format, i => (ushort)(i * 600));
        await RoundTrip(store, format, i => (uint)i * 40_000_000u);
        await RoundTrip(store, format, i => (ulong)i * (ulong.MaxValue / 1000));
        await RoundTrip(store, format, i => (Half)(i / 8.0));
        await RoundTrip(store, format, i => i == 7 ? float.NaN : i / 3f);
        await RoundTrip(store, format, i => i == 9 ? double.NegativeInfinity : i / 7.0);
        await RoundTrip(store, format, i => new Complex64(i, -i / 2f));
        await RoundTrip(store, format, i => new Complex(i / 3.0, -i));
    }

    private static async Task RoundTrip<T>(IStore store, ZarrFormat format, Func<int, T> value) where T : unmanaged
    {
        var name = $"{format}/{typeof(T).Name}";
        var data = Enumerable.Range(0, 13 * 11).Select(value).ToArray();
        var z = await ZarrArray.FromDataAsync<T>(store, name, data, [13, 11], new ArrayOptions { Chunks = [4, 5], Format = format });
        var reopened = await ZarrArray.OpenAsync<T>(store, name);
        Assert.Equal(format, reopened.Format);
        Assert.Equal(ZarrDataType.Of<T>(), reopened.DataType);
        Assert.Equal(data, ToArray(await reopened[..]));
        Assert.Equal(data.Skip(11 * 12).Take(3), ToArray(await reopened[12, 0..3]));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Codecs_orders_and_byte_orders_round_trip(ZarrFormat format)
    {
        var store = new MemoryStore();
        var data = Enumerable.Range(0, 30 * 20).Select(i => i * 1.25).ToArray();
        var variants = new List<ArrayOptions>
        {
            new() { Compressors = [] },
            new() { Compressors = [new GzipCodec(6)] },
            new() { Compressors = [new ZstdCodec(3)] },
            new() { Compressors = [new BloscCodec(BloscCompressor.Zstd, 3, BloscShuffle.BitShuffle, 8)] },
            new() { Order = 'F' },
            new() { Endian = Zarr.Storage.Codecs.Endian.Big },
            new() { ChunkKeySeparator = format == ZarrFormat.V2 ? '/' : '.' },
        };
        if (format == ZarrFormat.V2)
        {
            variants.Add(new() { Compressors = [new ZlibCodec(1)] });
            variants.Add(new() { Compressors = [new Lz4Codec(1)] });
        }
        else
        {
            variants.Add(new() { Compressors = [new ZstdCodec(1), new Crc32cCodec()] });
        }

        for (var i = 0; i < variants.Count; i++)
        {
            var options = variants[i] with { Format = format, Chunks = [7, 6] };
            var z = await ZarrArray.FromDataAsync<double>(store, $"v{i}", data, [30, 20], options);
            var reopened = await ZarrArray.OpenAsync<double>(store, $"v{i}");
            Assert.Equal(data, ToArray(await reopened[..]));
            Assert.Equal(data.Skip(20 * 5).Take(20), ToArray(await reopened[5]));
        }
    }

    [Fact]
    public async Task Chunk_keys_follow_the_format()
    {
        var store = new MemoryStore();
        var v3 = await ZarrArray.FromDataAsync<int>(store, "v3", new int[] { 1, 2, 3, 4 }, [2, 2], new ArrayOptions { Chunks = [1, 1] });
        var v2 = await ZarrArray.FromDataAsync<int>(store, "v2", new int[] { 1, 2, 3, 4 }, [2, 2], new ArrayOptions { Chunks = [1, 1], Format = ZarrFormat.V2 });
        var v2slash = await ZarrArray.FromDataAsync<int>(store, "v2s", new int[] { 1, 2, 3, 4 }, [2, 2], new ArrayOptions { Chunks = [1, 1], Format = ZarrFormat.V2, ChunkKeySeparator = '/' });
        Assert.True(await store.ExistsAsync("v3/c/1/0"));
        Assert.True(await store.ExistsAsync("v3/zarr.json"));
        Assert.True(await store.ExistsAsync("v2/1.0"));
        Assert.True(await store.ExistsAsync("v2/.zarray"));
        Assert.True(await store.ExistsAsync("v2s/1/0"));
        Assert.Equal("v3/c/1/0", v3.GetChunkKey([1, 0]));
        Assert.Equal("v2/1.0", v2.GetChunkKey([1, 0]));
        Assert.Equal("v2s/1/0", v2slash.GetChunkKey([1, 0]));
    }

    [Fact]
    public async Task Fill_value_chunks_are_not_stored_and_are_deleted_when_overwritten_with_fill()
    {
        var store = new MemoryStore();
        var z = await ZarrArray.FullAsync<float>(store, "f", [10, 10], float.NaN, new ArrayOptions { Chunks = [5, 5] });
        Assert.All(ToArray(await z[..]), v => Assert.True(float.IsNaN(v)));
        Assert.Equal(0, (await z.GetInfoAsync()).ChunksInitialized);
        using (var json = await store.GetAsync("f/zarr.json"))
        {
            Assert.Contains("\"fill_value\": \"NaN\"", System.Text.Encoding.UTF8.GetString(json!.Span));
        }

        await z[0..5, 0..5].FillAsync(1f);
        await z[5..10, 5..10].FillAsync(float.NaN);
        var info = await z.GetInfoAsync();
        Assert.Equal(1, info.ChunksInitialized);
        Assert.True(await store.ExistsAsync("f/c/0/0"));

        await z[0..5, 0..5].FillAsync(float.NaN);
        Assert.False(await store.ExistsAsync("f/c/0/0"));
        Assert.Equal(0, (await z.GetInfoAsync()).ChunksInitialized);

        var ones = await ZarrArray.OnesAsync<int>(store, "ones", [3, 3]);
        Assert.All(ToArray(await ones[..]), v => Assert.Equal(1, v));
        var zeros = await ZarrArray.ZerosAsync<ulong>(store, "zeros", [3, 3]);
        Assert.All(ToArray(await zeros[..]), v => Assert.Equal(0UL, v));
    }

    [Fact]
    public async Task Edge_chunks_and_chunks_bigger_than_the_shape()
    {
        var store = new MemoryStore();
        var z = await ZarrArray.FromDataAsync<int>(store, "big", Enumerable.Range(0, 15).ToArray(), [3, 5], new ArrayOptions { Chunks = [10, 10] });
        Assert.Equal(Enumerable.Range(0, 15), ToArray(await z[..]));
        Assert.Equal(1, (await z.GetInfoAsync()).ChunksInitialized);

        var zero = await ZarrArray.FromDataAsync<int>(store, "zero", Array.Empty<int>(), [0, 5], new ArrayOptions { Chunks = [2, 2] });
        Assert.Empty(ToArray(await zero[..]));

        var scalar = await ZarrArray.FromDataAsync<double>(store, "scalar", new double[] { 42.5 }, [], new ArrayOptions { Chunks = [] });
        Assert.Equal(new[] { 42.5 }, ToArray(await scalar[..]));
        Assert.Equal(42.5, await scalar.GetValueAsync([]));
        Assert.Equal(7, await z.GetValueAsync([1, 2]));
        Assert.Equal(14, await z.GetValueAsync([-1, -1]));
    }

    [Fact]
    public async Task Lazy_petabyte_array_costs_only_its_metadata()
    {
        using var tmp = new TempDirectory();
        var store = new DirectoryStore(tmp.Path);
        var z = await ZarrArray.OpenOrCreateAsync<int>(store, "big.zarr", AccessMode.Write, [100_000_000, 10_000_000], new ArrayOptions { Chunks = [1000, 1000] });
        var info = await z.GetInfoAsync();
        Assert.Equal(1_000_000_000, info.ChunksTotal);
        Assert.Equal(0, info.ChunksInitialized);
        Assert.Equal(4_000_000_000_000_000, info.NBytes);
        Assert.Contains("nbytes: 3.6P", info.ToString());
        // Only metadata: the array's, and the root group's that zarr-python would also create above a nested array.
        Assert.Equal(
            new[] { "big.zarr/zarr.json", "zarr.json" },
            Directory.EnumerateFiles(tmp.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(tmp.Path, f).Replace('\\', '/')).Order());

        await z[99_999_999, 9_999_998..].WriteAsync(new[] { 7, 8 });
        Assert.Equal(new[] { 0, 7, 8 }, ToArray(await z[99_999_999, 9_999_997..]));
        Assert.Equal(1, (await z.GetInfoAsync()).ChunksInitialized);
    }

    [Fact]
    public async Task Shapes_that_overflow_64_bits_are_refused()
    {
        var e = await Assert.ThrowsAnyAsync<ZarrException>(() => ZarrArray.CreateAsync<long>(new MemoryStore(), "", [long.MaxValue, long.MaxValue], new ArrayOptions { Chunks = [1, 1] }));
        Assert.Contains("64", e.Message + e.InnerException?.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Resize_keeps_data_inside_deletes_chunks_outside_and_forgets_cut_off_values(ZarrFormat format)
    {
        var store = new MemoryStore();
        var data = Enumerable.Range(1, 100).ToArray();
        var z = await ZarrArray.FromDataAsync<int>(store, "r", data, [10, 10], new ArrayOptions { Chunks = [4, 4], Format = format });
        Assert.Equal(9, (await z.GetInfoAsync()).ChunksInitialized);

        await z.ResizeAsync([6, 10]);
        Assert.Equal([6L, 10L], z.Shape.ToArray());
        Assert.Equal(data.Take(60), ToArray(await z[..]));
        Assert.Equal(6, (await z.GetInfoAsync()).ChunksInitialized);

        var reopened = await ZarrArray.OpenAsync<int>(store, "r", AccessMode.ReadWrite);
        Assert.Equal([6L, 10L], reopened.Shape.ToArray());

        // Growing again shows the fill value where data was cut off, never the old values.
        await reopened.ResizeAsync([10, 12]);
        var grown = ToArray(await reopened[..]);
        for (var r = 0; r < 10; r++)
        {
            for (var c = 0; c < 12; c++)
            {
                Assert.Equal(r < 6 && c < 10 ? data[(r * 10) + c] : 0, grown[(r * 12) + c]);
            }
        }
    }

    [Fact]
    public async Task Append_along_any_axis_as_in_the_seed()
    {
        var store = new MemoryStore();
        var a = Enumerable.Range(0, 20 * 10).ToArray();
        var z = await ZarrArray.FromDataAsync<int>(store, "", a, [20, 10], new ArrayOptions { Chunks = [7, 3] });
        await z.AppendAsync(a.Select(v => v * 2).ToArray(), [20, 10]);
        Assert.Equal([40L, 10L], z.Shape.ToArray());
        Assert.Equal(a.Concat(a.Select(v => v * 2)), ToArray(await z[..]));

        var twice = a.Concat(a).ToArray();
        await z.AppendAsync(twice, [40, 10], axis: 1);
        Assert.Equal([40L, 20L], z.Shape.ToArray());
        var all = ToArray(await z[..]);
        for (var r = 0; r < 40; r++)
        {
            Assert.Equal(twice[(r * 10)..((r * 10) + 10)], all[((r * 20) + 10)..((r * 20) + 20)]);
        }

        await Assert.ThrowsAsync<ZarrSelectionException>(() => z.AppendAsync(new int[30], [3, 10], axis: 0));
        await Assert.ThrowsAsync<ZarrSelectionException>(() => z.AppendAsync(new int[30], [3, 10], axis: 2));
    }

    [Fact]
    public async Task Modes_behave_as_zarr_pythons()
    {
        using var tmp = new TempDirectory();
        var store = new DirectoryStore(tmp.Path);
        await Assert.ThrowsAsync<ZarrNodeException>(() => ZarrArray.OpenAsync(store, "x"));
        var created = await ZarrArray.OpenOrCreateAsync<int>(store, "x", AccessMode.WriteNew, [4], new ArrayOptions { Chunks = [2] });
        await created[..].WriteAsync(new[] { 1, 2, 3, 4 });
        await Assert.ThrowsAsync<ZarrNodeException>(() => ZarrArray.OpenOrCreateAsync<int>(store, "x", AccessMode.WriteNew, [4]));

        var appended = await ZarrArray.OpenOrCreateAsync<int>(store, "x", AccessMode.Append, [99]);
        Assert.Equal([4L], appended.Shape.ToArray());
        Assert.Equal(new[] { 1, 2, 3, 4 }, ToArray(await appended[..]));

        var readOnly = await ZarrArray.OpenAsync<int>(store, "x", AccessMode.Read);
        var e = await Assert.ThrowsAsync<ZarrException>(() => readOnly[..].FillAsync(0));
        Assert.Contains("read-only", e.Message);

        var replaced = await ZarrArray.OpenOrCreateAsync<int>(store, "x", AccessMode.Write, [3], new ArrayOptions { Chunks = [3] });
        Assert.Equal(new[] { 0, 0, 0 }, ToArray(await replaced[..]));
        Assert.False(File.Exists(Path.Combine(tmp.Path, "x", "c", "0")) && File.Exists(Path.Combine(tmp.Path, "x", "c", "1")));
        Assert.Equal(AccessMode.ReadWrite, AccessModes.Parse("r+"));
        Assert.Throws<ArgumentException>(() => AccessModes.Parse("rw"));
    }

    [Fact]
    public async Task Wrong_element_type_names_both_types()
    {
        var store = new MemoryStore();
        await ZarrArray.CreateAsync<int>(store, "i", [3]);
        var e = await Assert.ThrowsAsync<ZarrTypeMismatchException>(() => ZarrArray.OpenAsync<float>(store, "i"));
        Assert.Contains("int32", e.Message);
        Assert.Contains("Single", e.Message);
    }

    [Fact]
    public async Task A_corrupt_chunk_names_the_array_the_key_and_the_codec()
    {
        var store = new MemoryStore();
        var z = await ZarrArray.FromDataAsync<int>(store, "g/arr", Enumerable.Range(0, 100).ToArray(), [100], new ArrayOptions { Chunks = [50] });
        await store.SetAsync("g/arr/c/1", new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19 });
        var e = await Assert.ThrowsAsync<ZarrCodecException>(() => z[..].ReadAsync());
        Assert.Equal("g/arr/c/1", e.ChunkKey);
        Assert.Equal("blosc", e.Codec);
        Assert.Contains("/g/arr", e.Message);
        Assert.Equal(Enumerable.Range(0, 50), ToArray(await z[..50]));
    }

    [Fact]
    public async Task Summary_reads_like_the_seeds()
    {
        var store = new MemoryStore();
        var z = await ZarrArray.CreateAsync<int>(store, "", [10000, 1000], new ArrayOptions { Chunks = [1000, 100] });
        var empty = (await z.GetInfoAsync()).ToString();
        Assert.Contains("(10000, 1000) int32, chunks=(1000, 100)", empty);
        Assert.Contains("nbytes: 38.1M", empty);
        Assert.Contains("initialized: 0/100", empty);
        Assert.Contains("blosc(", empty);
        Assert.Contains("cname=lz4, clevel=5, shuffle=shuffle", empty);

        await z[..].WriteAsync(Enumerable.Range(0, 10_000_000).ToArray());
        var info = await z.GetInfoAsync();
        Assert.Equal(100, info.ChunksInitialized);
        Assert.True(info.Ratio > 5, info.ToString());
        Assert.Contains("initialized: 100/100", info.ToString());
        Assert.Contains("MemoryStore", info.ToString());
        Assert.Contains("(10000, 1000) int32", z.ToString());
    }

    [Fact]
    public async Task Attributes_persist_in_both_formats()
    {
        var store = new MemoryStore();
        foreach (var format in new[] { ZarrFormat.V2, ZarrFormat.V3 })
        {
            var z = await ZarrArray.CreateAsync<byte>(store, $"a{format}", [2], new ArrayOptions { Format = format, Attributes = new JsonObject { ["units"] = "m" } });
            await z.SetAttributesAsync(new JsonObject { ["units"] = "km", ["scale"] = 2.5 });
            var reopened = await ZarrArray.OpenAsync(store, $"a{format}");
            Assert.Equal("km", (string?)reopened.Attributes["units"]);
            Assert.Equal(2.5, (double?)reopened.Attributes["scale"]);
        }
    }

    [Fact]
    public async Task Dimension_names_are_exposed_and_persist()
    {
        var store = new MemoryStore();
        await ZarrArray.CreateAsync<float>(store, "t", [4, 5], new ArrayOptions { DimensionNames = ["time", null] });
        var reopened = await ZarrArray.OpenAsync(store, "t");
        Assert.Equal(new[] { "time", null }, reopened.DimensionNames);
        Assert.Null((await ZarrArray.CreateAsync<float>(store, "u", [4])).DimensionNames);
    }

    [Fact]
    public async Task Untyped_handle_reads_and_writes_bytes()
    {
        var store = new MemoryStore();
        await ZarrArray.FromDataAsync<ushort>(store, "u", new ushort[] { 1, 2, 3, 65535 }, [2, 2]);
        var z = await ZarrArray.OpenAsync(store, "u", AccessMode.ReadWrite);
        Assert.Equal(ZarrDataType.UInt16, z.DataType);
        var (data, shape) = await z.ReadBytesAsync([1]);
        Assert.Equal([2L], shape);
        Assert.Equal(new byte[] { 3, 0, 255, 255 }, data);
        await z.WriteBytesAsync([0, 0], new byte[] { 9, 0 });
        Assert.Equal(new ushort[] { 9, 2, 3, 65535 }, ToArray(await z.As<ushort>()[..]));

        var untyped = await ZarrArray.CreateAsync(store, "f", ZarrDataType.Float32, [3], new ArrayOptions { FillValue = JsonValue.Create("NaN") });
        Assert.All(ToArray(await untyped.As<float>()[..]), v => Assert.True(float.IsNaN(v)));
    }
}

public class FilterOptionTests
{
    [Theory]
    [InlineData(ZarrFormat.V2)]
    [InlineData(ZarrFormat.V3)]
    public async Task Arrays_with_filters_are_created_through_options(ZarrFormat format)
    {
        var store = new MemoryStore();
        var f8 = new Zarr.Storage.Codecs.NumpyDType(ZarrDataType.Float64);
        var u2 = new Zarr.Storage.Codecs.NumpyDType(ZarrDataType.UInt16);
        var options = new ArrayOptions
        {
            Format = format,
            Chunks = [10],
            Filters = [new Zarr.Storage.Codecs.FixedScaleOffsetCodec(1000, 10, f8, u2)],
        };
        var values = Enumerable.Range(0, 25).Select(i => 1000 + (i * 0.1)).ToArray();
        await ZarrArray.FromDataAsync<double>(store, "f", values, [25], options);
        var reopened = await ZarrArray.OpenAsync<double>(store, "f");
        var read = ToArray(await reopened[..]);
        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal(values[i], read[i], 9);
        }

        // The stored elements are the filter's 2-byte output: blosc's typesize follows it.
        Assert.Contains(reopened.Metadata.Codecs, c => c is BloscCodec { TypeSize: 2 });
    }
}
