using System.Numerics;
using System.Numerics.Tensors;
using Zarr.Dataflow.Blocks;
using Zarr.Storage;

namespace Zarr.Dataflow.Tests;

public sealed class ExpressionTests
{
    private static async Task CheckStoreMapAsync<T>(int grid) where T : unmanaged, INumber<T>
    {
        using var dir = new TempDir();
        var store = new DirectoryStore(dir.Path);
        var (shape, chunks) = Support.Grid(grid);
        var i = grid * Support.OptionCombinations().Count();
        foreach (var options in Support.OptionCombinations())
        {
            i++;
            var size = shape.Aggregate(1L, (a, b) => a * b);
            var data = Support.RandomData<T>(size, i);
            var source = await Support.ArrayAsync(store, $"s{i}", shape, chunks, data);
            var two = T.One + T.One;
            var expected = data.Select(v => (v * two) + T.One).ToArray();

            // Same grid: fused fetch → decode → compute → encode → store.
            var same = await Support.ArrayAsync<T>(store, $"same{i}", shape, chunks);
            var report = await (Lazy.From(source) * two + T.One).StoreAsync(same, options);
            Assert.True(report.Succeeded);
            Assert.Equal(
                options.FuseStages ? ["Fetch", "Decode+Compute+Encode", "Store"] : ["Fetch", "Decode", "Compute", "Encode", "Store"],
                report.Stages.Select(s => s.Name));
            Assert.Equal(expected, await Support.ReadAllAsync(same));

            // Another grid: each target chunk's region is read from the source (a rechunk).
            var otherChunks = chunks.Select(c => c + 1).ToArray();
            var other = await Support.ArrayAsync<T>(store, $"other{i}", shape, otherChunks);
            report = await (Lazy.From(source) * two + T.One).StoreAsync(other, options);
            Assert.Equal(options.FuseStages ? ["Evaluate+Encode", "Store"] : ["Evaluate", "Encode", "Store"], report.Stages.Select(s => s.Name));
            Assert.Equal(expected, await Support.ReadAllAsync(other));

            // Streaming and gathering.
            Assert.Equal(expected, await (Lazy.From(source) * two + T.One).ToArrayAsync(options));
        }
    }

    public static TheoryData<string, int> NumericTypesAndGrids => Support.TypesAndGrids("float", "double", "Half", "sbyte", "short", "int", "long", "byte", "ushort", "uint", "ulong");

    [Theory]
    [MemberData(nameof(NumericTypesAndGrids))]
    public Task Map_store_matches_memory_for_every_numeric_type(string type, int grid) => type switch
    {
        "float" => CheckStoreMapAsync<float>(grid),
        "double" => CheckStoreMapAsync<double>(grid),
        "Half" => CheckStoreMapAsync<Half>(grid),
        "sbyte" => CheckStoreMapAsync<sbyte>(grid),
        "short" => CheckStoreMapAsync<short>(grid),
        "int" => CheckStoreMapAsync<int>(grid),
        "long" => CheckStoreMapAsync<long>(grid),
        "byte" => CheckStoreMapAsync<byte>(grid),
        "ushort" => CheckStoreMapAsync<ushort>(grid),
        "uint" => CheckStoreMapAsync<uint>(grid),
        "ulong" => CheckStoreMapAsync<ulong>(grid),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    [Fact]
    public async Task Edge_chunks_are_stored_with_the_fill_value_outside_the_array()
    {
        var store = new MemoryStore();
        var target = await ZarrArray.CreateAsync<int>(store, "t", [5, 5], new ArrayOptions { Chunks = [4, 4], FillValue = 7, Compressors = [] });
        await Lazy.Generate<int>([5, 5], [4, 4], (_, d) => d.Fill(1)).StoreAsync(target);
        using var chunk = await target.ChunkStorage.FetchAsync([1, 1]);
        var decoded = new byte[target.ChunkByteLength];
        target.ChunkStorage.Decode(chunk!.Span, [1, 1], decoded);
        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(decoded).ToArray();
        Assert.Equal([1, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7], values);
    }

    [Fact]
    public async Task Arithmetic_and_math_functions_match_memory()
    {
        var store = new MemoryStore();
        var data = Support.RandomData<double>(63, 3).Select(Math.Abs).Select(v => v + 0.5).ToArray();
        var x = Lazy.From(await Support.ArrayAsync(store, "x", [7, 9], [3, 4], data));
        async Task Check(LazyArray<double> e, Func<double, double> f)
        {
            var got = await e.ToArrayAsync();
            var want = data.Select(f).ToArray();
            for (var k = 0; k < want.Length; k++)
            {
                Assert.Equal(want[k], got[k], Math.Abs(want[k]) * 1e-14);
            }
        }

        await Check(x + 2.5, v => v + 2.5);
        await Check(x - 2.5, v => v - 2.5);
        await Check(2.5 - x, v => 2.5 - v);
        await Check(x * 3, v => v * 3);
        await Check(x / 4, v => v / 4);
        await Check(1 / x, v => 1 / v);
        await Check(-x, v => -v);
        await Check((-x).Abs(), Math.Abs);
        await Check(x.Sqrt(), Math.Sqrt);
        await Check(x.Exp(), Math.Exp);
        await Check(x.Log(), Math.Log);
        await Check(x.Map(v => (v * v) + 1), v => (v * v) + 1);
        await Check(x.Map(new AddOne()), v => v + 1);
        await Check(x.Where(v => v > 10, -1), v => v > 10 ? v : -1);
        await Check(x.Rechunk([2, 2]) * 2, v => v * 2);
    }

    private readonly struct AddOne : IElementOperator<double>
    {
        public double Invoke(double value) => value + 1;

        public Vector<double> Invoke(Vector<double> values) => values + Vector<double>.One;
    }

    [Fact]
    public async Task Binary_operations_read_the_other_array_on_its_own_grid()
    {
        var store = new MemoryStore();
        var a = Support.RandomData<float>(11 * 13, 1);
        var b = Support.RandomData<float>(11 * 13, 2).Select(v => v == 0 ? 1 : v).ToArray();
        var x = Lazy.From(await Support.ArrayAsync(store, "a", [11, 13], [4, 5], a));
        var y = Lazy.From(await Support.ArrayAsync(store, "b", [11, 13], [3, 7], b));
        var g = Lazy.Generate<float>([11, 13], [6, 6], (region, d) =>
        {
            for (var i = 0; i < d.Length; i++)
            {
                d[i] = region.Start[0] + (i / region.Shape[1]);
            }
        });
        var n = 0;
        foreach (var options in Support.OptionCombinations())
        {
            n++;
            Assert.Equal(a.Zip(b, (p, q) => p + q), await (x + y).ToArrayAsync(options));
            Assert.Equal(a.Zip(b, (p, q) => p - q), await (x - y).ToArrayAsync(options));
            Assert.Equal(a.Zip(b, (p, q) => p * q), await (x * y).ToArrayAsync(options));
            Assert.Equal(a.Zip(b, (p, q) => p / q), await (x / y).ToArrayAsync(options));
            Assert.Equal(a.Select((p, k) => p + (k / 13)), await (x + g).ToArrayAsync(options));
            Assert.Equal(a.Select((p, k) => (k / 13) + p), await (g + x).ToArrayAsync(options));

            var target = await Support.ArrayAsync<float>(store, $"t{n}", [11, 13], [5, 2]);
            await (y * x + 1).StoreAsync(target, options);
            Assert.Equal(b.Zip(a, (q, p) => (q * p) + 1), await Support.ReadAllAsync(target));
        }

        Assert.Throws<ArgumentException>(() => x + Lazy.Generate<float>([11, 12], [4, 4], (_, _) => { }));
    }

    [Fact]
    public async Task Where_cast_and_map_blocks_match_memory()
    {
        var store = new MemoryStore();
        var data = Support.RandomData<int>(9 * 10, 5);
        var x = Lazy.From(await Support.ArrayAsync(store, "x", [9, 10], [4, 3], data));
        var mask = Lazy.Generate<byte>([9, 10], [5, 5], (region, d) =>
        {
            for (var k = 0; k < d.Length; k++)
            {
                d[k] = (byte)((region.Start[1] + (k % region.Shape[1])) % 2);
            }
        });
        Assert.Equal(data.Select((v, k) => k % 10 % 2 == 1 ? v : -99), await x.Where(mask, -99).ToArrayAsync());
        Assert.Equal(data.Select(v => v / 2.0), await x.Cast<double>().Divide(2).ToArrayAsync());
        Assert.Equal(data.Select(v => (byte)v), await x.Cast<byte>().ToArrayAsync());
        var flat = await x.MapBlocks((region, values) =>
        {
            for (var k = 0; k < values.Length; k++)
            {
                var row = region.Start[0] + (k / region.Shape[1]);
                var col = region.Start[1] + (k % region.Shape[1]);
                values[k] = (int)((row * 10) + col);
            }
        }).ToArrayAsync();
        Assert.Equal(Enumerable.Range(0, 90), flat);
    }

    [Fact]
    public async Task In_place_update_reads_each_chunk_before_writing_it()
    {
        using var dir = new TempDir();
        var store = new DirectoryStore(dir.Path);
        var data = Support.RandomData<double>(20 * 30, 9);
        var x = await Support.ArrayAsync(store, "x", [20, 30], [6, 7], data);
        await (Lazy.From(x) * 3 + Lazy.From(x)).StoreAsync(x, PipelineOptions.Uniform(3, 2));
        Assert.Equal(data.Select(v => (v * 3) + v), await Support.ReadAllAsync(x));
    }

    [Fact]
    public async Task Concurrent_pipelines_writing_overlapping_regions_lose_nothing()
    {
        using var dir = new TempDir();
        var store = new DirectoryStore(dir.Path);
        var target = await Support.ArrayAsync<int>(store, "t", [30, 30], [7, 7]);
        long[][] offsets = [[0, 0], [5, 5], [10, 10], [3, 12], [20, 0], [15, 18]];
        var writes = offsets.Select((o, k) =>
            Lazy.Generate<int>([10, 12], [3, 5], (_, d) => d.Fill(k + 1)).StoreAsync(target, o, PipelineOptions.Uniform(2, 2)));
        await Task.WhenAll(writes);
        var result = await Support.ReadAllAsync(target);
        for (var r = 0; r < 30; r++)
        {
            for (var c = 0; c < 30; c++)
            {
                var writers = offsets.Select((o, k) => (o, k)).Where(t => r >= t.o[0] && r < t.o[0] + 10 && c >= t.o[1] && c < t.o[1] + 12).Select(t => t.k + 1).ToList();
                var v = result[(r * 30) + c];
                if (writers.Count == 0)
                {
                    Assert.Equal(0, v);
                }
                else
                {
                    Assert.Contains(v, writers);
                }
            }
        }
    }

    [Fact]
    public async Task Concurrent_whole_array_stores_into_disjoint_arrays_and_one_array()
    {
        using var dir = new TempDir();
        var store = new DirectoryStore(dir.Path);
        var one = await Support.ArrayAsync<float>(store, "one", [40, 40], [8, 8]);
        var jobs = Enumerable.Range(0, 4).Select(k => Lazy.Generate<float>([40, 40], [8, 8], (_, d) => d.Fill(k + 1)).StoreAsync(one)).ToArray();
        await Task.WhenAll(jobs);
        var result = await Support.ReadAllAsync(one);
        // Every chunk is whole: one writer's values throughout each chunk.
        for (var cr = 0; cr < 5; cr++)
        {
            for (var cc = 0; cc < 5; cc++)
            {
                var first = result[(cr * 8 * 40) + (cc * 8)];
                Assert.InRange(first, 1, 4);
                for (var r = 0; r < 8; r++)
                {
                    for (var c = 0; c < 8; c++)
                    {
                        Assert.Equal(first, result[(((cr * 8) + r) * 40) + (cc * 8) + c]);
                    }
                }
            }
        }
    }

    [Fact]
    public async Task Chunks_stream_out_one_by_one_and_stopping_early_cancels_the_run()
    {
        var x = Lazy.Generate<long>([50, 20], [7, 6], (region, d) =>
        {
            for (var k = 0; k < d.Length; k++)
            {
                d[k] = ((region.Start[0] + (k / region.Shape[1])) * 20) + region.Start[1] + (k % region.Shape[1]);
            }
        });
        var seen = new long[1000];
        var count = 0;
        await foreach (var chunk in x.ToChunksAsync(PipelineOptions.Uniform(2, 2)))
        {
            using (chunk)
            {
                count++;
                Boxes(chunk, seen);
            }
        }

        Assert.Equal(x.ChunkCount, count);
        Assert.Equal(Enumerable.Range(0, 1000).Select(v => (long)v), seen);

        var taken = 0;
        await foreach (var chunk in x.ToChunksAsync())
        {
            chunk.Dispose();
            if (++taken == 3)
            {
                break;
            }
        }

        Assert.Equal(3, taken);
        using var cts = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var chunk in x.ToChunksAsync(cancellationToken: cts.Token))
            {
                chunk.Dispose();
                await cts.CancelAsync();
            }
        });
    }

    private static void Boxes(ChunkResult<long> chunk, long[] into)
    {
        var region = chunk.Region;
        var values = chunk.Values;
        for (var k = 0; k < values.Length; k++)
        {
            var r = region.Start[0] + (k / region.Shape[1]);
            var c = region.Start[1] + (k % region.Shape[1]);
            into[(r * 20) + c] = values[k];
        }
    }

    [Fact]
    public async Task Store_into_a_new_array_with_other_format_codecs_and_chunks()
    {
        using var dir = new TempDir();
        var store = new DirectoryStore(dir.Path);
        var x = Lazy.Generate<short>([33, 17], [10, 10], (region, d) =>
        {
            for (var k = 0; k < d.Length; k++)
            {
                d[k] = (short)(region.Start[0] + (k / region.Shape[1]) - region.Start[1] - (k % region.Shape[1]));
            }
        });
        var v2 = await x.StoreAsync(store, "v2", new ArrayOptions { Format = Zarr.Storage.ZarrFormat.V2, Chunks = [7, 17], Compressors = [new Zarr.Storage.Codecs.ZstdCodec()] });
        Assert.Equal(await x.ToArrayAsync(), await Support.ReadAllAsync(v2));
        var reopened = await ZarrArray.OpenAsync<short>(store, "v2");
        Assert.Equal([7, 17], reopened.Chunks.ToArray());
        Assert.Equal(await x.ToArrayAsync(), await Support.ReadAllAsync(reopened));
        var tensor = await x.ToTensorAsync();
        Assert.Equal(2, tensor.Rank);
    }
}
