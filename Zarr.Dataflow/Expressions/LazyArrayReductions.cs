using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Zarr.Dataflow.Blocks;
using Zarr.Dataflow.Pipelines;

namespace Zarr.Dataflow.Expressions;

/// <summary>Reductions, with numpy's semantics: population variance (ddof 0) unless asked, integer sums in 64 bits, means and variances in double.</summary>
public sealed partial class LazyArray<T>
{
    // ---------------------------------------------------------------- sum

    /// <summary>The sum of all elements, in double (integers are summed exactly in 64 bits first, wrapping as numpy does).</summary>
    public async Task<double> SumAsync(PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        SumValues((await StatsAsync(null, StatFlags.Sum, false, options, cancellationToken).ConfigureAwait(false)).Stats)[0];

    /// <summary>The sums over <paramref name="axes"/>: an array of the other axes' shape (shape [1] when every axis is reduced).</summary>
    public async Task<Tensor<double>> SumAsync(int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (stats, kept) = await StatsAsync(CheckAxes(axes), StatFlags.Sum, false, options, cancellationToken).ConfigureAwait(false);
        return Tensor.Create(SumValues(stats), Lengths(kept));
    }

    /// <summary>The sum of a signed integer array in 64 bits (numpy's <c>sum</c> of int8..int64: wraps on overflow).</summary>
    /// <exception cref="InvalidOperationException">The element type is not a signed integer.</exception>
    public async Task<long> SumInt64Async(PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        (await IntegerSumsAsync(null, true, options, cancellationToken).ConfigureAwait(false))[0];

    /// <summary>Signed integer sums over <paramref name="axes"/> in 64 bits.</summary>
    public async Task<Tensor<long>> SumInt64Async(int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default)
    {
        var checkedAxes = CheckAxes(axes);
        return Tensor.Create(await IntegerSumsAsync(checkedAxes, true, options, cancellationToken).ConfigureAwait(false), Lengths(KeptShape(ReducedMask(checkedAxes))));
    }

    /// <summary>The sum of an unsigned integer array in 64 bits (numpy's <c>sum</c> of uint8..uint64: wraps on overflow).</summary>
    /// <exception cref="InvalidOperationException">The element type is not an unsigned integer.</exception>
    public async Task<ulong> SumUInt64Async(PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        (ulong)(await IntegerSumsAsync(null, false, options, cancellationToken).ConfigureAwait(false))[0];

    /// <summary>The sum skipping NaN (numpy's <c>nansum</c>), in double.</summary>
    public async Task<double> NanSumAsync(PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        SumValues((await StatsAsync(null, StatFlags.Sum, true, options, cancellationToken).ConfigureAwait(false)).Stats)[0];

    /// <summary>Sums skipping NaN over <paramref name="axes"/>.</summary>
    public async Task<Tensor<double>> NanSumAsync(int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (stats, kept) = await StatsAsync(CheckAxes(axes), StatFlags.Sum, true, options, cancellationToken).ConfigureAwait(false);
        return Tensor.Create(SumValues(stats), Lengths(kept));
    }

    // ---------------------------------------------------------------- mean, variance, standard deviation

    /// <summary>The mean, in double (NaN for an empty array).</summary>
    public Task<double> MeanAsync(PipelineOptions? options = null, CancellationToken cancellationToken = default) => MomentAsync(false, -1, false, options, cancellationToken);

    /// <summary>The means over <paramref name="axes"/>.</summary>
    public Task<Tensor<double>> MeanAsync(int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default) => MomentAsync(axes, false, -1, false, options, cancellationToken);

    /// <summary>The mean skipping NaN (numpy's <c>nanmean</c>).</summary>
    public Task<double> NanMeanAsync(PipelineOptions? options = null, CancellationToken cancellationToken = default) => MomentAsync(true, -1, false, options, cancellationToken);

    /// <summary>The means skipping NaN over <paramref name="axes"/>.</summary>
    public Task<Tensor<double>> NanMeanAsync(int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default) => MomentAsync(axes, true, -1, false, options, cancellationToken);

    /// <summary>The variance: M2 / (n − <paramref name="ddof"/>), population variance by default (NaN when n ≤ ddof).</summary>
    public Task<double> VarAsync(int ddof = 0, PipelineOptions? options = null, CancellationToken cancellationToken = default) => MomentAsync(false, CheckDdof(ddof), false, options, cancellationToken);

    /// <summary>The variances over <paramref name="axes"/>.</summary>
    public Task<Tensor<double>> VarAsync(int[] axes, int ddof = 0, PipelineOptions? options = null, CancellationToken cancellationToken = default) => MomentAsync(axes, false, CheckDdof(ddof), false, options, cancellationToken);

    /// <summary>The variance skipping NaN (numpy's <c>nanvar</c>).</summary>
    public Task<double> NanVarAsync(int ddof = 0, PipelineOptions? options = null, CancellationToken cancellationToken = default) => MomentAsync(true, CheckDdof(ddof), false, options, cancellationToken);

    /// <summary>The variances skipping NaN over <paramref name="axes"/>.</summary>
    public Task<Tensor<double>> NanVarAsync(int[] axes, int ddof = 0, PipelineOptions? options = null, CancellationToken cancellationToken = default) => MomentAsync(axes, true, CheckDdof(ddof), false, options, cancellationToken);

    /// <summary>The standard deviation (√ of <see cref="VarAsync(int, PipelineOptions?, CancellationToken)"/>).</summary>
    public Task<double> StdAsync(int ddof = 0, PipelineOptions? options = null, CancellationToken cancellationToken = default) => MomentAsync(false, CheckDdof(ddof), true, options, cancellationToken);

    /// <summary>The standard deviations over <paramref name="axes"/>.</summary>
    public Task<Tensor<double>> StdAsync(int[] axes, int ddof = 0, PipelineOptions? options = null, CancellationToken cancellationToken = default) => MomentAsync(axes, false, CheckDdof(ddof), true, options, cancellationToken);

    /// <summary>The standard deviation skipping NaN (numpy's <c>nanstd</c>).</summary>
    public Task<double> NanStdAsync(int ddof = 0, PipelineOptions? options = null, CancellationToken cancellationToken = default) => MomentAsync(true, CheckDdof(ddof), true, options, cancellationToken);

    /// <summary>The standard deviations skipping NaN over <paramref name="axes"/>.</summary>
    public Task<Tensor<double>> NanStdAsync(int[] axes, int ddof = 0, PipelineOptions? options = null, CancellationToken cancellationToken = default) => MomentAsync(axes, true, CheckDdof(ddof), true, options, cancellationToken);

    private async Task<double> MomentAsync(bool skipNaN, int ddof, bool sqrt, PipelineOptions? options, CancellationToken cancellationToken) =>
        MomentValues((await StatsAsync(null, StatFlags.Moments, skipNaN, options, cancellationToken).ConfigureAwait(false)).Stats, ddof, sqrt)[0];

    private async Task<Tensor<double>> MomentAsync(int[] axes, bool skipNaN, int ddof, bool sqrt, PipelineOptions? options, CancellationToken cancellationToken)
    {
        var (stats, kept) = await StatsAsync(CheckAxes(axes), StatFlags.Moments, skipNaN, options, cancellationToken).ConfigureAwait(false);
        return Tensor.Create(MomentValues(stats, ddof, sqrt), Lengths(kept));
    }

    // ---------------------------------------------------------------- min, max

    /// <summary>The minimum (NaN if any element is NaN, as numpy).</summary>
    /// <exception cref="InvalidOperationException">The array is empty.</exception>
    public async Task<T> MinAsync(PipelineOptions? options = null, CancellationToken cancellationToken = default) => (await ExtremaAsync(null, true, false, options, cancellationToken).ConfigureAwait(false)).Values[0];

    /// <summary>The minima over <paramref name="axes"/>.</summary>
    public async Task<Tensor<T>> MinAsync(int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default) => ToTensor(await ExtremaAsync(CheckAxes(axes), true, false, options, cancellationToken).ConfigureAwait(false));

    /// <summary>The maximum (NaN if any element is NaN, as numpy).</summary>
    /// <exception cref="InvalidOperationException">The array is empty.</exception>
    public async Task<T> MaxAsync(PipelineOptions? options = null, CancellationToken cancellationToken = default) => (await ExtremaAsync(null, false, false, options, cancellationToken).ConfigureAwait(false)).Values[0];

    /// <summary>The maxima over <paramref name="axes"/>.</summary>
    public async Task<Tensor<T>> MaxAsync(int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default) => ToTensor(await ExtremaAsync(CheckAxes(axes), false, false, options, cancellationToken).ConfigureAwait(false));

    /// <summary>The minimum skipping NaN (NaN when every element is NaN).</summary>
    public async Task<T> NanMinAsync(PipelineOptions? options = null, CancellationToken cancellationToken = default) => (await ExtremaAsync(null, true, true, options, cancellationToken).ConfigureAwait(false)).Values[0];

    /// <summary>The minima skipping NaN over <paramref name="axes"/>.</summary>
    public async Task<Tensor<T>> NanMinAsync(int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default) => ToTensor(await ExtremaAsync(CheckAxes(axes), true, true, options, cancellationToken).ConfigureAwait(false));

    /// <summary>The maximum skipping NaN (NaN when every element is NaN).</summary>
    public async Task<T> NanMaxAsync(PipelineOptions? options = null, CancellationToken cancellationToken = default) => (await ExtremaAsync(null, false, true, options, cancellationToken).ConfigureAwait(false)).Values[0];

    /// <summary>The maxima skipping NaN over <paramref name="axes"/>.</summary>
    public async Task<Tensor<T>> NanMaxAsync(int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default) => ToTensor(await ExtremaAsync(CheckAxes(axes), false, true, options, cancellationToken).ConfigureAwait(false));

    private async Task<(T[] Values, long[] Kept)> ExtremaAsync(int[]? axes, bool min, bool skipNaN, PipelineOptions? options, CancellationToken cancellationToken)
    {
        var reducedCount = ReducedCount(ReducedMask(axes));
        if (reducedCount == 0)
        {
            throw new InvalidOperationException($"{(min ? "minimum" : "maximum")} of an empty selection: a zero-size reduction has no identity");
        }

        var (stats, kept) = await StatsAsync(axes, min ? StatFlags.Min : StatFlags.Max, skipNaN, options, cancellationToken).ConfigureAwait(false);
        var values = min ? stats.Min! : stats.Max!;
        for (var c = 0; c < values.Length; c++)
        {
            if (stats.Count[c] == 0)
            {
                values[c] = NaNOrZero();
            }
        }

        return (values, kept);
    }

    // ---------------------------------------------------------------- counts

    /// <summary>The number of elements.</summary>
    public Task<long> CountAsync() => Task.FromResult(Size);

    /// <summary>The number of elements along <paramref name="axes"/>, for each cell of the other axes.</summary>
    public Task<Tensor<long>> CountAsync(int[] axes)
    {
        var reduced = ReducedMask(CheckAxes(axes));
        var kept = KeptShape(reduced);
        var values = new long[Math.Max(1, kept.Aggregate(1L, (a, b) => a * b))];
        Array.Fill(values, ReducedCount(reduced));
        return Task.FromResult(Tensor.Create(values, Lengths(kept)));
    }

    /// <summary>The number of elements that are not NaN.</summary>
    public async Task<long> CountNonNaNAsync(PipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        NumericTraits<T>.IsFloat ? (await StatsAsync(null, StatFlags.None, true, options, cancellationToken).ConfigureAwait(false)).Stats.Count[0] : Size;

    /// <summary>The number of elements that are not NaN along <paramref name="axes"/>.</summary>
    public async Task<Tensor<long>> CountNonNaNAsync(int[] axes, PipelineOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (stats, kept) = await StatsAsync(CheckAxes(axes), StatFlags.None, true, options, cancellationToken).ConfigureAwait(false);
        return Tensor.Create(stats.Count, Lengths(kept));
    }

    // ---------------------------------------------------------------- argmin, argmax, histogram

    /// <summary>The flat (C order) index of the first minimum; of the first NaN if there is one (as numpy).</summary>
    /// <exception cref="InvalidOperationException">The array is empty.</exception>
    public Task<long> ArgMinAsync(PipelineOptions? options = null, CancellationToken cancellationToken = default) => ArgAsync(true, options, cancellationToken);

    /// <summary>The flat (C order) index of the first maximum; of the first NaN if there is one (as numpy).</summary>
    /// <exception cref="InvalidOperationException">The array is empty.</exception>
    public Task<long> ArgMaxAsync(PipelineOptions? options = null, CancellationToken cancellationToken = default) => ArgAsync(false, options, cancellationToken);

    private async Task<long> ArgAsync(bool min, PipelineOptions? options, CancellationToken cancellationToken)
    {
        if (Size == 0)
        {
            throw new InvalidOperationException($"arg{(min ? "min" : "max")} of an empty array");
        }

        var shape = Node.Shape;
        var results = await Planner.ReduceAsync<T, ArgPartial>(
            Node,
            chunk =>
            {
                var values = Dense(chunk);
                var local = min ? TensorPrimitives.IndexOfMin<T>(values) : TensorPrimitives.IndexOfMax<T>(values);
                return new ArgPartial(values[local], GlobalIndex(chunk.Region, local, shape), true);
            },
            (a, b) => ArgPartial.Pick(a, b, min),
            _ => 0,
            options ?? new PipelineOptions(),
            cancellationToken).ConfigureAwait(false);
        return results[0].Partial.Index;
    }

    /// <summary>
    /// numpy's <c>histogram(x, bins=edges)</c>: counts per bin [e₀, e₁), …, [eₙ₋₁, eₙ] (the last bin includes its right
    /// edge); values outside the edges and NaN are not counted.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two edges, or edges not increasing.</exception>
    public async Task<long[]> HistogramAsync(double[] edges, PipelineOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(edges);
        if (edges.Length < 2)
        {
            throw new ArgumentException("a histogram needs at least two bin edges", nameof(edges));
        }

        for (var i = 1; i < edges.Length; i++)
        {
            if (!(edges[i] > edges[i - 1]))
            {
                throw new ArgumentException($"bin edges must increase monotonically (edge {i} is {edges[i]} after {edges[i - 1]})", nameof(edges));
            }
        }

        var e = (double[])edges.Clone();
        var bins = e.Length - 1;
        var results = await Planner.ReduceAsync<T, long[]>(
            Node,
            chunk => HistogramOf(Dense(chunk), e),
            (a, b) =>
            {
                TensorPrimitives.Add<long>(a, b, a);
                return a;
            },
            _ => 0,
            options ?? new PipelineOptions(),
            cancellationToken).ConfigureAwait(false);
        return results.TryGetValue(0, out var r) ? r.Partial : new long[bins];
    }

    private static long[] HistogramOf(ReadOnlySpan<T> values, double[] edges)
    {
        var bins = edges.Length - 1;
        var counts = new long[bins];
        double first = edges[0], last = edges[^1];
        var scale = bins / (last - first);
        var block = ArrayPool<double>.Shared.Rent(4096);
        try
        {
            for (var offset = 0; offset < values.Length; offset += 4096)
            {
                var segment = values.Slice(offset, Math.Min(4096, values.Length - offset));
                var x = block.AsSpan(0, segment.Length);
                TensorPrimitives.ConvertTruncating<T, double>(segment, x);
                foreach (var v in x)
                {
                    if (!(v >= first && v <= last))
                    {
                        continue; // outside, or NaN
                    }

                    var i = Math.Clamp((int)((v - first) * scale), 0, bins - 1);
                    while (i > 0 && v < edges[i])
                    {
                        i--;
                    }

                    while (i < bins - 1 && v >= edges[i + 1])
                    {
                        i++;
                    }

                    counts[i]++;
                }
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(block);
        }

        return counts;
    }

    // ---------------------------------------------------------------- the engine

    private async Task<(CellStats<T> Stats, long[] Kept)> StatsAsync(int[]? axes, StatFlags flags, bool skipNaN, PipelineOptions? options, CancellationToken cancellationToken)
    {
        var reduced = ReducedMask(axes);
        var kept = KeptShape(reduced);
        var totalCells = checked((int)Math.Max(1, kept.Aggregate(1L, (a, b) => a * b)));
        var grid = Node.Grid;
        var results = await Planner.ReduceAsync<T, CellStats<T>>(
            Node,
            chunk =>
            {
                var region = chunk.Region;
                var cells = 1;
                for (var d = 0; d < reduced.Length; d++)
                {
                    cells *= reduced[d] ? 1 : region.Shape[d];
                }

                var partial = new CellStats<T>(cells, flags);
                partial.Accumulate(Dense(chunk), region.Shape, reduced, skipNaN);
                return partial;
            },
            (a, b) => a.Combine(b),
            coordinates =>
            {
                long key = 0;
                for (var d = 0; d < reduced.Length; d++)
                {
                    if (!reduced[d])
                    {
                        key = (key * grid.GridShape[d]) + coordinates[d];
                    }
                }

                return key;
            },
            options ?? new PipelineOptions(),
            cancellationToken).ConfigureAwait(false);

        var global = new CellStats<T>(totalCells, flags);
        foreach (var (partial, region) in results.Values)
        {
            var boxShape = new List<int>();
            var boxStart = new List<long>();
            for (var d = 0; d < reduced.Length; d++)
            {
                if (!reduced[d])
                {
                    boxShape.Add(region.Shape[d]);
                    boxStart.Add(region.Start[d]);
                }
            }

            int[] bs = [.. boxShape];
            long[] st = [.. boxStart];
            Boxes.Scatter<long>(partial.Count, bs, global.Count, kept, st);
            ScatterIf(partial.FSum, global.FSum, bs, kept, st);
            ScatterIf(partial.ISum, global.ISum, bs, kept, st);
            ScatterIf(partial.Mean, global.Mean, bs, kept, st);
            ScatterIf(partial.M2, global.M2, bs, kept, st);
            ScatterIf(partial.Min, global.Min, bs, kept, st);
            ScatterIf(partial.Max, global.Max, bs, kept, st);
        }

        return (global, kept);
    }

    private static void ScatterIf<TX>(TX[]? source, TX[]? destination, int[] boxShape, long[] kept, long[] start)
    {
        if (source is not null && destination is not null)
        {
            Boxes.Scatter<TX>(source, boxShape, destination, kept, start);
        }
    }

    private async Task<long[]> IntegerSumsAsync(int[]? axes, bool signed, PipelineOptions? options, CancellationToken cancellationToken)
    {
        if (NumericTraits<T>.IsFloat || NumericTraits<T>.IsSigned != signed)
        {
            throw new InvalidOperationException($"{(signed ? "SumInt64Async" : "SumUInt64Async")} sums {(signed ? "signed" : "unsigned")} integers; the elements are {typeof(T).Name} (use {(NumericTraits<T>.IsFloat ? "SumAsync" : signed ? "SumUInt64Async" : "SumInt64Async")})");
        }

        return (await StatsAsync(axes, StatFlags.Sum, false, options, cancellationToken).ConfigureAwait(false)).Stats.ISum!;
    }

    private static double[] SumValues(CellStats<T> stats)
    {
        if (stats.FSum is not null)
        {
            return stats.FSum;
        }

        var sums = new double[stats.Cells];
        for (var c = 0; c < sums.Length; c++)
        {
            sums[c] = NumericTraits<T>.IsSigned ? stats.ISum![c] : (ulong)stats.ISum![c];
        }

        return sums;
    }

    private static double[] MomentValues(CellStats<T> stats, int ddof, bool sqrt)
    {
        var values = new double[stats.Cells];
        for (var c = 0; c < values.Length; c++)
        {
            var n = stats.Count[c];
            double v;
            if (ddof < 0)
            {
                v = n == 0 ? double.NaN : stats.Mean![c];
            }
            else
            {
                v = n - ddof <= 0 ? double.NaN : stats.M2![c] / (n - ddof);
                v = sqrt ? Math.Sqrt(v) : v;
            }

            values[c] = v;
        }

        return values;
    }

    private static ReadOnlySpan<T> Dense(DecodedChunk chunk) => MemoryMarshal.Cast<byte, T>(chunk.Buffer.Span)[..(int)chunk.Region.ElementCount];

    private static long GlobalIndex(ChunkRegion region, int local, long[] shape)
    {
        var rank = shape.Length;
        Span<long> index = stackalloc long[Math.Max(rank, 1)];
        long rest = local;
        for (var d = rank - 1; d >= 0; d--)
        {
            var len = region.Shape[d];
            index[d] = region.Start[d] + (rest % len);
            rest /= len;
        }

        long flat = 0;
        for (var d = 0; d < rank; d++)
        {
            flat = (flat * shape[d]) + index[d];
        }

        return flat;
    }

    private static T NaNOrZero() => NumericTraits<T>.IsFloat ? T.CreateTruncating(double.NaN) : T.Zero;

    private static Tensor<T> ToTensor((T[] Values, long[] Kept) r) => Tensor.Create(r.Values, Lengths(r.Kept));

    private static int CheckDdof(int ddof)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ddof);
        return ddof;
    }

    private int[] CheckAxes(int[] axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        var seen = new bool[Rank];
        var normalized = new int[axes.Length];
        for (var i = 0; i < axes.Length; i++)
        {
            var a = axes[i] < 0 ? axes[i] + Rank : axes[i];
            if (a < 0 || a >= Rank)
            {
                throw new ArgumentOutOfRangeException(nameof(axes), axes[i], $"axis {axes[i]} is out of range for an array of {Rank} dimensions");
            }

            if (seen[a])
            {
                throw new ArgumentException($"axis {axes[i]} is repeated", nameof(axes));
            }

            seen[a] = true;
            normalized[i] = a;
        }

        return normalized;
    }

    private bool[] ReducedMask(int[]? axes)
    {
        var reduced = new bool[Rank];
        if (axes is null)
        {
            Array.Fill(reduced, true);
        }
        else
        {
            foreach (var a in axes)
            {
                reduced[a] = true;
            }
        }

        return reduced;
    }

    private long[] KeptShape(bool[] reduced) => [.. Node.Shape.Where((_, d) => !reduced[d])];

    private long ReducedCount(bool[] reduced)
    {
        long n = 1;
        for (var d = 0; d < reduced.Length; d++)
        {
            n *= reduced[d] ? Node.Shape[d] : 1;
        }

        return n;
    }

    private readonly record struct ArgPartial(T Value, long Index, bool Valid)
    {
        public static ArgPartial Pick(ArgPartial a, ArgPartial b, bool min)
        {
            if (!a.Valid)
            {
                return b;
            }

            if (!b.Valid)
            {
                return a;
            }

            bool aNaN = T.IsNaN(a.Value), bNaN = T.IsNaN(b.Value);
            if (aNaN || bNaN)
            {
                return aNaN && bNaN ? (a.Index <= b.Index ? a : b) : aNaN ? a : b;
            }

            if (a.Value == b.Value)
            {
                return a.Index <= b.Index ? a : b;
            }

            return (a.Value < b.Value) == min ? a : b;
        }
    }
}
