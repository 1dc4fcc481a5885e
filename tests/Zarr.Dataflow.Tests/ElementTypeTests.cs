using System.Numerics;
using Zarr.Storage;

namespace Zarr.Dataflow.Tests;

/// <summary>The element-type-independent operations on every Zarr element type (bool, complex, Half, ...), casts between all of them, masks.</summary>
public sealed class ElementTypeTests
{
    /// <summary>An element of each type from a small non-negative integer (so every cast is exact and numpy-compatible).</summary>
    private static T Make<T>(int v) where T : unmanaged
    {
        object o = typeof(T) switch
        {
            var t when t == typeof(bool) => v % 3 != 0,
            var t when t == typeof(Complex) => new Complex(v, v % 4),
            var t when t == typeof(Complex64) => new Complex64(v, v % 4),
            var t when t == typeof(Half) => (Half)v,
            _ => Convert.ChangeType(v, typeof(T), System.Globalization.CultureInfo.InvariantCulture),
        };
        return (T)o;
    }

    private static T[] Data<T>(long count, int seed) where T : unmanaged
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, (int)count).Select(_ => Make<T>(rng.Next(0, 100)))];
    }

    private static async Task CheckGenericOperationsAsync<T>(int grid, Func<T, T> f) where T : unmanaged
    {
        using var dir = new TempDir();
        var store = new DirectoryStore(dir.Path);
        var (shape, chunks) = Support.Grid(grid);
        var i = grid * Support.OptionCombinations().Count();
        foreach (var options in Support.OptionCombinations())
        {
            i++;
            var size = shape.Aggregate(1L, (a, b) => a * b);
            var data = Data<T>(size, i);
            var source = await Support.ArrayAsync(store, $"s{i}", shape, chunks, data);
            var x = Lazy.From(source);
            var expected = data.Select(f).ToArray();

            // Map with a function, stored on the same grid (fused) and on another (rechunk).
            var same = await Support.ArrayAsync<T>(store, $"same{i}", shape, chunks);
            await x.Map(f).StoreAsync(same, options);
            Assert.Equal(expected, await Support.ReadAllAsync(same));
            var otherChunks = chunks.Select(c => c + 1).ToArray();
            var rechunked = await x.Map(f).StoreAsync(store, $"other{i}", new ArrayOptions { Chunks = [.. otherChunks] }, options);
            Assert.Equal(expected, await Support.ReadAllAsync(rechunked));
            Assert.Equal(data, await x.Rechunk(otherChunks).ToArrayAsync(options));

            // MapBlocks sees each chunk with its region.
            var blocks = x.MapBlocks((region, values) =>
            {
                for (var k = 0; k < values.Length; k++)
                {
                    values[k] = f(values[k]);
                }
            });
            Assert.Equal(expected, await blocks.ToArrayAsync(options));

            // A generated array of the type, streamed chunk by chunk.
            var generated = Lazy.Generate<T>(shape, chunks, (region, destination) =>
            {
                for (var k = 0; k < destination.Length; k++)
                {
                    destination[k] = Make<T>((int)((region.Start[0] + k) % 97));
                }
            });
            var streamed = 0L;
            await foreach (var chunk in generated.ToChunksAsync(options))
            {
                using (chunk)
                {
                    for (var k = 0; k < chunk.Values.Length; k++)
                    {
                        Assert.Equal(Make<T>((int)((chunk.Region.Start[0] + k) % 97)), chunk.Values[k]);
                    }

                    streamed += chunk.Values.Length;
                }
            }

            Assert.Equal(size, streamed);
            Assert.Equal(size, await x.CountAsync());

            // Where with a bool mask (on another grid), with a fill and with another array.
            var mask = Lazy.Generate<bool>(shape, otherChunks, (region, destination) =>
            {
                for (var k = 0; k < destination.Length; k++)
                {
                    destination[k] = ((region.Start[^1] + (k % region.Shape[^1])) % 2) == 0;
                }
            });
            var maskValues = await mask.ToArrayAsync(options);
            var fill = Make<T>(42);
            Assert.Equal(data.Select((v, k) => maskValues[k] ? v : fill), await x.Where(mask, fill).ToArrayAsync(options));
            Assert.Equal(data.Select((v, k) => maskValues[k] ? v : f(v)), await x.Where(mask, x.Map(f).Rechunk(otherChunks)).ToArrayAsync(options));
            Assert.Equal(data.Select(v => v.Equals(fill) ? v : fill), await x.Where(v => v.Equals(fill), fill).ToArrayAsync(options));

            // Cast to bool and back.
            var truth = await x.Cast<bool>().ToArrayAsync(options);
            Assert.Equal(data.Select(v => !v.Equals(default(T))), truth);
            var one = typeof(T) == typeof(Complex) ? (T)(object)Complex.One : typeof(T) == typeof(Complex64) ? (T)(object)new Complex64(1, 0) : Make<T>(1);
            Assert.Equal(truth.Select(b => b ? one : default), await x.Cast<bool>().Cast<T>().ToArrayAsync(options));
        }
    }

    public static TheoryData<string, int> GenericTypesAndGrids => Support.TypesAndGrids("bool", "Complex", "Complex64", "Half", "sbyte");

    [Theory]
    [MemberData(nameof(GenericTypesAndGrids))]
    public Task Element_type_independent_operations_work_for_bool_complex_and_half(string type, int grid) => type switch
    {
        "bool" => CheckGenericOperationsAsync<bool>(grid, v => !v),
        "Complex" => CheckGenericOperationsAsync<Complex>(grid, v => (v * v) + 1),
        "Complex64" => CheckGenericOperationsAsync<Complex64>(grid, v => new Complex64(v.Imaginary, v.Real)),
        "Half" => CheckGenericOperationsAsync<Half>(grid, v => v + (Half)1),
        "sbyte" => CheckGenericOperationsAsync<sbyte>(grid, v => (sbyte)(v / 2)),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    private static async Task CheckCastsFromAsync<TIn>(MemoryStore store) where TIn : unmanaged
    {
        var data = Data<TIn>(35, 5);
        var x = Lazy.From(await Support.ArrayAsync(store, typeof(TIn).Name, [7, 5], [3, 2], data));
        await CheckCastAsync<TIn, bool>(x, data);
        await CheckCastAsync<TIn, sbyte>(x, data);
        await CheckCastAsync<TIn, short>(x, data);
        await CheckCastAsync<TIn, int>(x, data);
        await CheckCastAsync<TIn, long>(x, data);
        await CheckCastAsync<TIn, byte>(x, data);
        await CheckCastAsync<TIn, ushort>(x, data);
        await CheckCastAsync<TIn, uint>(x, data);
        await CheckCastAsync<TIn, ulong>(x, data);
        await CheckCastAsync<TIn, Half>(x, data);
        await CheckCastAsync<TIn, float>(x, data);
        await CheckCastAsync<TIn, double>(x, data);
        await CheckCastAsync<TIn, Complex>(x, data);
        await CheckCastAsync<TIn, Complex64>(x, data);
    }

    // numpy's astype on small non-negative values: bool is v != 0, complex to real keeps the real part, real to complex has imaginary 0.
    private static async Task CheckCastAsync<TIn, TOut>(LazyArray<TIn> x, TIn[] data) where TIn : unmanaged where TOut : unmanaged
    {
        static (double Re, double Im) Parts<TX>(TX v) => v switch
        {
            bool b => (b ? 1 : 0, 0),
            Complex c => (c.Real, c.Imaginary),
            Complex64 c => (c.Real, c.Imaginary),
            Half h => ((double)h, 0),
            _ => (Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture), 0),
        };

        var got = await x.Cast<TOut>().ToArrayAsync(PipelineOptions.Uniform(2, 2));
        for (var k = 0; k < data.Length; k++)
        {
            var (re, im) = Parts(data[k]);
            var (gotRe, gotIm) = Parts(got[k]);
            if (typeof(TOut) == typeof(bool))
            {
                Assert.Equal(re != 0 || im != 0, (bool)(object)got[k]);
            }
            else
            {
                Assert.True(re == gotRe, $"{typeof(TIn).Name} {data[k]} → {typeof(TOut).Name} {got[k]}");
                var complexOut = typeof(TOut) == typeof(Complex) || typeof(TOut) == typeof(Complex64);
                Assert.Equal(complexOut ? im : 0, gotIm);
            }
        }
    }

    [Theory]
    [InlineData("bool")]
    [InlineData("sbyte")]
    [InlineData("short")]
    [InlineData("int")]
    [InlineData("long")]
    [InlineData("byte")]
    [InlineData("ushort")]
    [InlineData("uint")]
    [InlineData("ulong")]
    [InlineData("Half")]
    [InlineData("float")]
    [InlineData("double")]
    [InlineData("Complex")]
    [InlineData("Complex64")]
    public Task Casts_between_every_pair_of_element_types_match_numpy_astype(string from)
    {
        var store = new MemoryStore();
        return from switch
        {
            "bool" => CheckCastsFromAsync<bool>(store),
            "sbyte" => CheckCastsFromAsync<sbyte>(store),
            "short" => CheckCastsFromAsync<short>(store),
            "int" => CheckCastsFromAsync<int>(store),
            "long" => CheckCastsFromAsync<long>(store),
            "byte" => CheckCastsFromAsync<byte>(store),
            "ushort" => CheckCastsFromAsync<ushort>(store),
            "uint" => CheckCastsFromAsync<uint>(store),
            "ulong" => CheckCastsFromAsync<ulong>(store),
            "Half" => CheckCastsFromAsync<Half>(store),
            "float" => CheckCastsFromAsync<float>(store),
            "double" => CheckCastsFromAsync<double>(store),
            "Complex" => CheckCastsFromAsync<Complex>(store),
            "Complex64" => CheckCastsFromAsync<Complex64>(store),
            _ => throw new ArgumentOutOfRangeException(nameof(from), from, null),
        };
    }

    [Theory]
    [MemberData(nameof(Support.EachGrid), MemberType = typeof(Support))]
    public async Task Complex_arithmetic_sums_and_means_match_memory(int grid)
    {
        var store = new MemoryStore();
        var (shape, chunks) = Support.Grid(grid);
        var size = shape.Aggregate(1L, (a, b) => a * b);
        var data = Data<Complex>(size, 9);
        var x = Lazy.From(await Support.ArrayAsync(store, "c" + Support.Show(shape), shape, chunks, data));
        var y = x.Rechunk([.. chunks.Select(c => c + 1)]);
        Assert.Equal(data.Select(v => (v * v) - (v / new Complex(2, 1)) + 3), await ((x * y) - (x / new Complex(2, 1)) + new Complex(3, 0)).ToArrayAsync());

        var sum = data.Aggregate(Complex.Zero, (a, b) => a + b);
        Assert.Equal(sum, await x.SumAsync());
        var mean = await x.MeanAsync();
        Assert.True(Complex.Abs(mean - (sum / size)) < 1e-12);

        // Over the first axis: per cell of the others.
        var cells = size / shape[0];
        var sums = new Complex[cells];
        for (var k = 0; k < size; k++)
        {
            sums[k % cells] += data[k];
        }

        Assert.Equal(sums, await x.Sum([0]).ToArrayAsync());
        var means = await x.Mean([0]).ToArrayAsync(PipelineOptions.Uniform(1, 1));
        Assert.All(means.Zip(sums), p => Assert.True(Complex.Abs(p.First - (p.Second / shape[0])) < 1e-12));

        var narrow = x.Cast<Complex64>();
        Assert.Equal(sum, await narrow.SumAsync());
        Assert.Equal(sums, await narrow.Sum([0]).ToArrayAsync());
    }

    [Fact]
    public async Task Masks_from_comparisons_combine_and_count()
    {
        var store = new MemoryStore();
        var data = Support.RandomData<float>(77, 11);
        data[5] = float.NaN;
        var x = Lazy.From(await Support.ArrayAsync(store, "m", [7, 11], [3, 4], data));
        foreach (var options in Support.OptionCombinations())
        {
            Assert.Equal(data.Select(v => v > 0), await x.GreaterThan(0).ToArrayAsync(options));
            Assert.Equal(data.Select(v => v >= 0), await x.GreaterThanOrEqual(0).ToArrayAsync(options));
            Assert.Equal(data.Select(v => v < 10), await x.LessThan(10).ToArrayAsync(options));
            Assert.Equal(data.Select(v => v <= 10), await x.LessThanOrEqual(10).ToArrayAsync(options));
            Assert.Equal(data.Select(v => v == data[0]), await x.EqualTo(data[0]).ToArrayAsync(options));
            Assert.Equal(data.Select(v => v != data[0]), await x.NotEqualTo(data[0]).ToArrayAsync(options));
            Assert.Equal(data.Select(float.IsNaN), await x.IsNaN().ToArrayAsync(options));
            var band = x.GreaterThan(-10) & x.LessThan(10).Rechunk([2, 2]);
            Assert.Equal(data.Select(v => v > -10 && v < 10), await band.ToArrayAsync(options));
            Assert.Equal(data.Select(v => !(v > -10 && v < 10)), await (!band).ToArrayAsync(options));
            Assert.Equal(data.Select(v => v < -10 || v > 10), await (x.LessThan(-10) | x.GreaterThan(10)).ToArrayAsync(options));
            Assert.Equal(data.Select(v => (v > 0) ^ (v > 10)), await (x.GreaterThan(0) ^ x.GreaterThan(10)).ToArrayAsync(options));
            Assert.Equal(data.Count(v => v > -10 && v < 10), await band.CountTrueAsync(options));
            Assert.Equal(data.Select(v => v > -10 && v < 10 ? v : 0), await x.Where(band, 0).ToArrayAsync(options));
            Assert.Equal(data.Select(v => Math.Clamp(v, -5, 5)).Where(v => !float.IsNaN(v)), (await x.Clip(-5, 5).ToArrayAsync(options)).Where(v => !float.IsNaN(v)));
            Assert.True(float.IsNaN((await x.Clip(-5, 5).ToArrayAsync(options))[5]));

            // A numeric mask: non-zero (and NaN) is true, as numpy's truth value.
            Assert.Equal(data.Select(v => v != 0 ? v : -1), await x.Where(x, -1).ToArrayAsync(options));
        }

        Assert.Throws<ArgumentException>(() => x.Where(Lazy.Generate<bool>([7, 10], [3, 4], (_, _) => { }), 0));
        Assert.Throws<ArgumentException>(() => x.GreaterThan(0) & Lazy.Generate<bool>([7, 10], [3, 4], (_, _) => { }));
        Assert.Throws<ArgumentNullException>(() => x.Where((LazyArray<bool>)null!, 0));
    }

    [Fact]
    public async Task Zip_combines_two_arrays_on_different_grids_with_a_span_function()
    {
        var store = new MemoryStore();
        var a = Support.RandomData<int>(60, 1);
        var b = Support.RandomData<int>(60, 2);
        var x = Lazy.From(await Support.ArrayAsync(store, "a", [6, 10], [4, 3], a));
        var y = Lazy.From(await Support.ArrayAsync(store, "b", [6, 10], [5, 7], b));
        var max = x.Zip(y, static (l, r) => System.Numerics.Tensors.TensorPrimitives.Max(l, r, l));
        foreach (var options in Support.OptionCombinations())
        {
            Assert.Equal(a.Zip(b, Math.Max), await max.ToArrayAsync(options));
        }
    }
}
