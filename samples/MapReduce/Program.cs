// MapReduce: per-column statistics and an anomaly array over a persistent array larger than you'd like to load.
//
//   dotnet run --project samples/MapReduce -- [--path DIR] [--gib N]
//
// Opens DIR/data (or creates it: a generated float32 array of about N GiB, default 2, stored with blosc), computes
// per-column mean and standard deviation and a histogram, and stores the anomaly x - column mean into DIR/anomaly
// with different chunks. A progress bar runs on stderr; each pass's stage report follows it.
using System.Globalization;
using System.Numerics.Tensors;
using Zarr.Dataflow;
using Zarr.Storage;

var path = Path.Combine(Path.GetTempPath(), "zarr-mapreduce");
var gib = 2.0;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--path": path = args[++i]; break;
        case "--gib": gib = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default:
            Console.Error.WriteLine("usage: MapReduce [--path DIR] [--gib N]");
            return 2;
    }
}

var store = new DirectoryStore(path);
const long Columns = 4096;
ZarrArray<float> data;
try
{
    data = await ZarrArray.OpenAsync<float>(store, "data");
    Console.WriteLine($"opened {path}/data: {Describe(data.Shape.ToArray())} float32");
}
catch (ZarrNodeException)
{
    var rows = Math.Max(1, (long)(gib * 1024 * 1024 * 1024 / 4 / Columns));
    data = await ZarrArray.CreateAsync<float>(store, "data", [rows, Columns], new ArrayOptions { Chunks = [1024, 1024] });
    Console.WriteLine($"creating {path}/data: {Describe(data.Shape.ToArray())} float32, {rows * Columns * 4.0 / (1 << 30):F2} GiB, chunks (1024, 1024), blosc");

    // x[i, j] = a smooth signal per column, plus deterministic noise.
    var generated = Lazy.Generate<float>(data.Shape.ToArray(), [1024, 1024], static (region, d) =>
    {
        var width = region.Shape[1];
        for (var r = 0; r < region.Shape[0]; r++)
        {
            var i = region.Start[0] + r;
            var row = d.Slice(r * width, width);
            for (var c = 0; c < width; c++)
            {
                var j = region.Start[1] + c;
                var noise = (uint)(((i * 2654435761L) ^ (j * 40503L)) & 0xFFFF) / 65536f;
                row[c] = (j % 100) + (0.01f * (i % 1000)) + noise;
            }
        }
    });
    await Run("generate", o => generated.StoreAsync(data, o));
}

var x = Lazy.From(data);
Tensor<double>? mean = null, std = null;
await Run("column mean", async o => mean = await x.MeanAsync([0], o));
await Run("column std", async o => std = await x.StdAsync([0], options: o));

// A reduction's result can be stored instead of held in memory (the kept axes of a huge array can be huge too):
// each block of columns is written as soon as its chunks are in.
await Run("column std → array", o => x.Std([0]).StoreAsync(store, "column_std", options: o, overwrite: true));
long[]? histogram = null;
double[] edges = [.. Enumerable.Range(0, 11).Select(k => k * 10.0)];
await Run("histogram", async o => histogram = await x.HistogramAsync(edges, o));

Console.WriteLine($"columns 0..4: mean {string.Join(", ", mean!.ToArray().Take(5).Select(v => v.ToString("F3", CultureInfo.InvariantCulture)))}");
Console.WriteLine($"columns 0..4: std  {string.Join(", ", std!.ToArray().Take(5).Select(v => v.ToString("F3", CultureInfo.InvariantCulture)))}");
Console.WriteLine("histogram:");
for (var b = 0; b < histogram!.Length; b++)
{
    Console.WriteLine($"  [{edges[b],5}, {edges[b + 1],5}{(b == histogram.Length - 1 ? "]" : ")")} {histogram[b],14:N0}");
}

// The anomaly x - column mean, stored with different chunks (tall and thin): each target chunk reads its region.
var columnMeans = mean!.ToArray().Select(v => (float)v).ToArray();
var anomaly = x.MapBlocks((region, values) =>
{
    var width = region.Shape[1];
    var means = columnMeans.AsSpan((int)region.Start[1], width);
    for (var r = 0; r < region.Shape[0]; r++)
    {
        TensorPrimitives.Subtract(values.Slice(r * width, width), means, values.Slice(r * width, width));
    }
});
var target = await ZarrArray.CreateAsync<float>(store, "anomaly", data.Shape.ToArray(), new ArrayOptions { Chunks = [4096, 256] }, overwrite: true);
await Run("anomaly", o => anomaly.StoreAsync(target, o));
var check = await Lazy.From(target).MeanAsync([0]);
Console.WriteLine($"anomaly column means (should be ~0): max |mean| = {check.ToArray().Max(Math.Abs):E2}");
return 0;

static async Task Run(string name, Func<PipelineOptions, Task> pass)
{
    PipelineReport? report = null;
    var options = new PipelineOptions
    {
        Progress = new ProgressBar(name),
        Report = r => report = r,
    };
    await pass(options);
    Console.Error.WriteLine();
    Console.WriteLine($"{name}: {report}");
}

static string Describe(long[] shape) => "(" + string.Join(", ", shape) + ")";

/// <summary>A one-line progress bar on stderr.</summary>
internal sealed class ProgressBar(string name) : IProgress<PipelineProgress>
{
    public void Report(PipelineProgress value)
    {
        const int Width = 30;
        var filled = (int)(value.Fraction * Width);
        var eta = value.EstimatedRemaining is { } t ? $"{t.TotalSeconds,5:F0} s left" : "";
        var mib = (value.BytesRead + value.BytesWritten) / 1048576.0;
        Console.Error.Write($"\r{name,-12} [{new string('#', filled)}{new string('.', Width - filled)}] {value.ChunksDone}/{value.ChunksTotal} chunks  {mib,9:F0} MiB  {value.Elapsed.TotalSeconds,5:F0} s {eta}   ");
    }
}
