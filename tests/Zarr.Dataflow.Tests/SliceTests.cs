using Zarr.Storage;

namespace Zarr.Dataflow.Tests;

/// <summary>Lazy views of basic selections (<see cref="Lazy.From{T}(ZarrArray{T}, Slice[])"/>, <see cref="LazyArray{T}.Slice"/>) against an in-memory numpy-style selection.</summary>
public sealed class SliceTests
{
    /// <summary>One dimension of a selection, numpy style: an index, or start:stop:step with optional bounds.</summary>
    private readonly record struct Sel(bool IsIndex, long? Start, long? Stop, long Step)
    {
        public static Sel At(long i) => new(true, i, null, 1);

        public static Sel R(long? start, long? stop, long step = 1) => new(false, start, stop, step);

        public Slice ToSlice() => IsIndex ? Slice.At(Start!.Value) : Slice.Range(Start, Stop, Step);

        /// <summary>The selected indices (Python's slice.indices for positive steps).</summary>
        public long[] Indices(long length)
        {
            if (IsIndex)
            {
                return [Start!.Value < 0 ? Start.Value + length : Start.Value];
            }

            long Clamp(long b) => Math.Clamp(b < 0 ? b + length : b, 0, length);
            var start = Start is { } s ? Clamp(s) : 0;
            var stop = Stop is { } e ? Clamp(e) : length;
            var list = new List<long>();
            for (var i = start; i < stop; i += Step)
            {
                list.Add(i);
            }

            return [.. list];
        }
    }

    /// <summary>The selection of a C-order array, computed element by element.</summary>
    private static (double[] Values, long[] Shape) Reference(double[] data, long[] shape, Sel[] selection)
    {
        var rank = shape.Length;
        var sels = Enumerable.Range(0, rank).Select(d => d < selection.Length ? selection[d] : Sel.R(null, null)).ToArray();
        var indices = sels.Select((s, d) => s.Indices(shape[d])).ToArray();
        var outShape = Enumerable.Range(0, rank).Where(d => !sels[d].IsIndex).Select(d => (long)indices[d].Length).ToArray();
        var values = new List<double>();
        var position = new long[rank];
        void Walk(int d)
        {
            if (d == rank)
            {
                long flat = 0;
                for (var k = 0; k < rank; k++)
                {
                    flat = (flat * shape[k]) + position[k];
                }

                values.Add(data[flat]);
                return;
            }

            foreach (var i in indices[d])
            {
                position[d] = i;
                Walk(d + 1);
            }
        }

        Walk(0);
        return ([.. values], outShape);
    }

    private static IEnumerable<(long[] Shape, int[] Chunks, Sel[] Selection)> Cases()
    {
        yield return ([10], [4], [Sel.R(2, 9, 3)]);
        yield return ([10], [4], [Sel.R(-7, -1)]);
        yield return ([10], [4], [Sel.R(4, null)]);
        yield return ([10], [4], [Sel.R(8, 100, 5)]);
        yield return ([10], [4], [Sel.R(5, 2)]);
        yield return ([10], [4], [Sel.At(-1)]);
        yield return ([7, 5], [3, 2], [Sel.R(1, null, 2), Sel.At(3)]);
        yield return ([7, 5], [3, 2], [Sel.At(-2)]);
        yield return ([7, 5], [3, 2], [Sel.R(3, 7), Sel.R(2, 5)]);
        yield return ([7, 5], [3, 2], [Sel.R(-5, null, 4), Sel.R(null, null, 3)]);
        yield return ([4, 5, 6], [3, 2, 4], [Sel.R(1, 4), Sel.At(2), Sel.R(null, null, 2)]);
        yield return ([4, 5, 6], [3, 2, 4], [Sel.At(0), Sel.At(4), Sel.At(5)]);
        yield return ([4, 5, 6], [3, 2, 4], [Sel.R(null, null, 5), Sel.R(1, -1, 2)]);
        yield return ([20, 9], [6, 4], [Sel.R(6, 19), Sel.R(4, null)]);
        yield return ([20, 9], [6, 4], [Sel.R(1, 19, 7), Sel.R(0, 9, 8)]);
    }

    [Fact]
    public async Task ViewsOfStoredArraysMatchNumpySelections()
    {
        var store = new MemoryStore();
        var n = 0;
        foreach (var (shape, chunks, selection) in Cases())
        {
            var data = Support.RandomData<double>(shape.Aggregate(1L, (a, b) => a * b), n);
            var array = await Support.ArrayAsync(store, $"a{n++}", shape, chunks, data);
            var (expected, expectedShape) = Reference(data, shape, selection);
            foreach (var options in Support.OptionCombinations())
            {
                var view = Lazy.From(array, [.. selection.Select(s => s.ToSlice())]);
                Assert.Equal(expectedShape, view.Shape);
                Assert.Equal(expected, await view.ToArrayAsync(options));
            }
        }
    }

    [Fact]
    public async Task ViewsOfExpressionsAndViewsOfViewsMatch()
    {
        long[] shape = [9, 11];
        var data = Support.RandomData<double>(99, 3);
        var generated = Lazy.Generate<double>(shape, [4, 3], (region, destination) =>
        {
            var k = 0;
            for (var i = 0; i < region.Shape[0]; i++)
            {
                for (var j = 0; j < region.Shape[1]; j++)
                {
                    destination[k++] = data[((region.Start[0] + i) * 11) + region.Start[1] + j];
                }
            }
        });
        var doubled = generated * 2.0;
        Sel[] outer = [Sel.R(1, null, 2), Sel.R(-9, 10, 3)];
        var (expected, expectedShape) = Reference(data, shape, outer);
        var view = doubled.Slice([.. outer.Select(s => s.ToSlice())]);
        Assert.Equal(expectedShape, view.Shape);
        Assert.Equal(expected.Select(v => v * 2), await view.ToArrayAsync());

        // A view of a view: (1::2, -9:10:3) then (1:, 1) is the same as selecting rows 3, 5, 7 of column 5.
        var inner = view.Slice(Slice.Range(1, null), Slice.At(1));
        var (expected2, shape2) = Reference(expected, expectedShape, [Sel.R(1, null), Sel.At(1)]);
        Assert.Equal(shape2, inner.Shape);
        Assert.Equal(expected2.Select(v => v * 2), await inner.ToArrayAsync());

        var store = new MemoryStore();
        var array = await Support.ArrayAsync(store, "a", shape, [4, 3], data);
        var stored = Lazy.From(array, Slice.Range(1, null, 2), Slice.Range(-9, 10, 3)).Slice(Slice.Range(1, null), Slice.At(1));
        Assert.Equal(expected2, await stored.ToArrayAsync());
    }

    [Fact]
    public async Task ReductionsOverViews()
    {
        var store = new MemoryStore();
        long[] shape = [13, 8, 6];
        var data = Support.RandomData<double>(13 * 8 * 6, 11);
        var array = await Support.ArrayAsync(store, "a", shape, [4, 3, 4], data);
        Sel[] selection = [Sel.R(1, -1, 2), Sel.At(5), Sel.R(null, null, 1)];
        var (values, viewShape) = Reference(data, shape, selection);
        var view = Lazy.From(array, [.. selection.Select(s => s.ToSlice())]);
        Assert.Equal(values.Sum(), await view.SumAsync(), 9);
        Assert.Equal(values.Average(), await view.MeanAsync(), 9);
        Assert.Equal(values.Min(), await view.MinAsync());

        // Per column (axis 0 reduced): the view is 6 × 6.
        var sums = (await view.SumAsync([0])).ToArray();
        for (var j = 0; j < viewShape[1]; j++)
        {
            var column = Enumerable.Range(0, (int)viewShape[0]).Select(i => values[(i * viewShape[1]) + j]).ToArray();
            Assert.Equal(column.Sum(), sums[j], 9);
        }

        var stats = await view.StatisticsAsync([1]);
        for (var i = 0; i < viewShape[0]; i++)
        {
            var row = values.Skip((int)(i * viewShape[1])).Take((int)viewShape[1]).ToArray();
            var mean = row.Average();
            Assert.Equal(mean, stats.Mean[i], 9);
            Assert.Equal(row.Select(v => (v - mean) * (v - mean)).Sum() / row.Length, stats.Variance[i], 9);
            Assert.Equal(row.Max(), stats.Max[i]);
        }
    }

    [Fact]
    public async Task StoreAViewAndAnAlignedViewKeepsTheFusedPath()
    {
        var store = new MemoryStore();
        long[] shape = [20, 9];
        var data = Support.RandomData<int>(180, 5);
        var array = await Support.ArrayAsync(store, "a", shape, [6, 4], data);
        var asDouble = data.Select(v => (double)v).ToArray();

        // A strided view with a dropped-free shape, stored into a new array on other chunks.
        Sel[] strided = [Sel.R(1, 19, 7), Sel.R(-8, null, 2)];
        var (expected, expectedShape) = Reference(asDouble, shape, strided);
        var target = await Lazy.From(array, [.. strided.Select(s => s.ToSlice())]).StoreAsync(store, "strided", new ArrayOptions { Chunks = [2, 3] });
        Assert.Equal(expectedShape, target.Shape);
        Assert.Equal(expected, (await Support.ReadAllAsync(target)).Select(v => (double)v));

        // Chunk-aligned: rows 6.., columns 4..; stored chunks, so fetch → decode runs (no region evaluation).
        var aligned = Lazy.From(array, Slice.Range(6, null), Slice.Range(4, 9));
        Assert.Equal([6, 4], aligned.Chunks.ToArray());
        var (expected2, shape2) = Reference(asDouble, shape, [Sel.R(6, null), Sel.R(4, 9)]);
        var copy = await ZarrArray.CreateAsync<int>(store, "aligned", shape2, new ArrayOptions { Chunks = [6, 4] });
        var report = await (aligned + 1).StoreAsync(copy);
        Assert.Contains(report.Stages, s => s.Name == "Fetch");
        Assert.DoesNotContain(report.Stages, s => s.Name == "Evaluate");
        Assert.Equal(expected2.Select(v => v + 1), (await Support.ReadAllAsync(copy)).Select(v => (double)v));
        Assert.Equal(expected2.Sum(), await aligned.SumAsync());
        foreach (var options in Support.OptionCombinations())
        {
            Assert.Equal(expected2.Select(v => (int)v), await aligned.ToArrayAsync(options));
        }
    }

    [Fact]
    public void BadSelectionsThrow()
    {
        var array = Lazy.Generate<double>([4, 5], [2, 2], (_, d) => d.Clear());
        Assert.Throws<ArgumentException>(() => array.Slice(Slice.All, Slice.All, Slice.All));
        Assert.Throws<ZarrSelectionException>(() => array.Slice(Slice.At(4)));
        Assert.Throws<ZarrSelectionException>(() => array.Slice(Slice.At(-5)));
        Assert.Same(array, array.Slice(Slice.All));
    }
}
