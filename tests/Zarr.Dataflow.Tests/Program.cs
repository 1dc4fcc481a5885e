using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using Zarr.Storage;

namespace Zarr.Dataflow.Tests;

/// <summary>
/// The test assembly's own entry point, used as the child process of <see cref="BoundedMemoryTests"/>: it runs under a
/// hard GC heap limit and reduces and stores a generated array many times that limit.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 6 && args[0] == "bounded-memory")
        {
            return await BoundedMemoryAsync(args[1], long.Parse(args[2], CultureInfo.InvariantCulture), long.Parse(args[3], CultureInfo.InvariantCulture), int.Parse(args[4], CultureInfo.InvariantCulture), int.Parse(args[5], CultureInfo.InvariantCulture));
        }

        Console.Error.WriteLine("usage: bounded-memory <dir> <rows> <cols> <chunk-rows> <chunk-cols>");
        return 2;
    }

    /// <summary>x[i, j] = i % 7 + j % 5: a sum with a closed form, and a pattern blosc compresses well.</summary>
    public static LazyArray<float> Pattern(long rows, long cols, int chunkRows, int chunkCols) =>
        Lazy.Generate<float>([rows, cols], [chunkRows, chunkCols], static (region, destination) =>
        {
            var width = region.Shape[1];
            Span<float> columns = width <= 8192 ? stackalloc float[width] : new float[width];
            for (var j = 0; j < width; j++)
            {
                columns[j] = (region.Start[1] + j) % 5;
            }

            for (var i = 0; i < region.Shape[0]; i++)
            {
                TensorPrimitives.Add(columns, (float)((region.Start[0] + i) % 7), destination.Slice(i * width, width));
            }
        });

    /// <summary>Σ over i of (i % 7) and over j of (j % 5), each repeated over the other axis.</summary>
    public static double PatternSum(long rows, long cols)
    {
        static long SumMod(long n, long m) => ((n / m) * (m * (m - 1) / 2)) + ((n % m) * ((n % m) - 1) / 2);
        return ((double)SumMod(rows, 7) * cols) + ((double)SumMod(cols, 5) * rows);
    }

    private static async Task<int> BoundedMemoryAsync(string dir, long rows, long cols, int chunkRows, int chunkCols)
    {
        var clock = Stopwatch.StartNew();
        var x = Pattern(rows, cols, chunkRows, chunkCols);
        var options = new PipelineOptions();
        var sum = await x.SumAsync(options).ConfigureAwait(false);
        var expected = PatternSum(rows, cols);
        Console.WriteLine(FormattableString.Invariant($"sum {sum:R} expected {expected:R} after {clock.Elapsed.TotalSeconds:F1} s"));

        var store = new DirectoryStore(dir);
        var target = await ZarrArray.CreateAsync<float>(store, "half", [rows, cols], new ArrayOptions { Chunks = [chunkRows, chunkCols] }).ConfigureAwait(false);
        var report = await (x * 0.5f).StoreAsync(target, options).ConfigureAwait(false);
        Console.WriteLine(FormattableString.Invariant($"stored {report.Chunks} chunks, {report.BytesWritten} bytes after {clock.Elapsed.TotalSeconds:F1} s"));
        Console.Write(report.ToString());

        var ok = sum == expected;
        long[][] points = [[0, 0], [rows - 1, cols - 1], [rows / 2, cols / 3], [12345 % rows, 67891 % cols]];
        foreach (var p in points)
        {
            var v = await target.GetValueAsync(p).ConfigureAwait(false);
            var want = ((p[0] % 7) + (p[1] % 5)) * 0.5f;
            ok &= v == want;
            Console.WriteLine(FormattableString.Invariant($"x[{p[0]}, {p[1]}] = {v} (want {want})"));
        }

        var info = GC.GetGCMemoryInfo();
        Console.WriteLine(FormattableString.Invariant($"peak working set {Environment.WorkingSet / 1048576} MiB (process peak {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576} MiB), GC heap limit {info.TotalAvailableMemoryBytes / 1048576} MiB, heap {GC.GetTotalMemory(false) / 1048576} MiB, elapsed {clock.Elapsed.TotalSeconds:F1} s"));
        Console.WriteLine(ok ? "OK" : "MISMATCH");
        return ok ? 0 : 1;
    }
}
