using System.Text.Json.Nodes;
using Zarr.Storage;

namespace Zarr.Storage.Tests;

/// <summary>
/// Issue 12's proof that engine jobs run on object stores: <c>zarr stats</c> and <c>zarr copy</c> with a rechunk, with
/// an object store array as the source, as the target, and as both, each result checked exactly against the same job
/// run on local folders. Two arrays: a v3 float64 one with NaNs (NaN-aware counts, float sums) and a v2 int16 one.
/// The object store's URL scheme and credentials come from the caller (the environment the CLI reads).
/// </summary>
internal static class ObjectStoreEngineJobs
{
    private static readonly (string Name, string Format, string Type, string UpChunks, string AcrossChunks)[] Arrays =
    [
        ("f8", "3", "float64", "64,32", "100,130"),
        ("i2", "2", "int16", "48,130", "240,20"),
    ];

    /// <summary>Runs the jobs for arrays below <paramref name="remoteRoot"/>; returns what differed from the local runs.</summary>
    public static async Task<List<string>> RunAsync(string scratch, string remoteRoot)
    {
        var problems = new List<string>();
        foreach (var (name, format, type, upChunks, acrossChunks) in Arrays)
        {
            var source = Path.Combine(scratch, name + ".source.zarr");
            await WriteSourceAsync(source, format, type);
            var up = $"{remoteRoot}/{name}.up";
            var across = $"{remoteRoot}/{name}.across";
            var back = Path.Combine(scratch, name + ".back.zarr");
            var localUp = Path.Combine(scratch, name + ".up.zarr");
            var localAcross = Path.Combine(scratch, name + ".across.zarr");

            // The same copies on local folders: what each object store result must equal.
            await CliAsync("copy", source, localUp, "--format", format, "--chunks", upChunks);
            await CliAsync("copy", localUp, localAcross, "--format", format, "--chunks", acrossChunks);

            await CliAsync("copy", source, up, "--format", format, "--chunks", upChunks);             // local -> object store
            await CliAsync("copy", up, across, "--format", format, "--chunks", acrossChunks);         // object store -> object store
            await CliAsync("copy", across, back, "--format", format, "--chunks", upChunks);           // object store -> local

            foreach (var (remote, local, chunks) in new[] { (up, localUp, upChunks), (across, localAcross, acrossChunks) })
            {
                var remoteInfo = JsonNode.Parse(await CliAsync("info", remote, "--json"))!;
                var localInfo = JsonNode.Parse(await CliAsync("info", local, "--json"))!;
                if (string.Join(',', remoteInfo["chunks"]!.AsArray().Select(c => (int)c!)) != chunks)
                {
                    problems.Add($"{remote}: chunks {remoteInfo["chunks"]!.ToJsonString()}, not the {chunks} asked");
                }

                foreach (var field in new[] { "shape", "data_type", "chunks", "chunks_initialized", "nbytes_stored" })
                {
                    if (remoteInfo[field]?.ToJsonString() != localInfo[field]?.ToJsonString())
                    {
                        problems.Add($"{remote}: info {field} {remoteInfo[field]?.ToJsonString()} != {localInfo[field]?.ToJsonString()} locally");
                    }
                }

                foreach (var axis in new[] { null, "0", "1" })
                {
                    string[] stats = axis is null ? ["stats", "--json"] : ["stats", "--json", "--axis", axis];
                    var remoteStats = await CliAsync([.. stats, remote]);
                    var localStats = await CliAsync([.. stats, local]);
                    if (remoteStats != localStats || !remoteStats.Contains("\"mean\"", StringComparison.Ordinal))
                    {
                        problems.Add($"{remote}: stats (axis {axis ?? "none"}) {remoteStats} != {localStats} locally");
                    }
                }
            }

            if (await DifferenceAsync(localUp, back) is { } difference)
            {
                problems.Add($"{name}: copied local -> object store -> object store -> local: {difference}");
            }
        }

        return problems;
    }

    // Values with a pattern the rechunks cannot hide: each element differs from its neighbours in both dimensions.
    private static async Task WriteSourceAsync(string path, string format, string type)
    {
        var shape = new long[] { 240, 130 };
        var options = new ArrayOptions { Format = format == "2" ? ZarrFormat.V2 : ZarrFormat.V3, Chunks = [50, 40] };
        var store = new DirectoryStore(path);
        if (type == "float64")
        {
            var values = new double[240 * 130];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = i % 97 == 0 ? double.NaN : Math.Sin(i * 0.37) * (i % 13) / 7.0;
            }

            var array = await ZarrArray.CreateAsync<double>(store, "", shape, options);
            await array.WriteAsync([Slice.All], values);
        }
        else
        {
            var values = new short[240 * 130];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = (short)((i * 7919) % 65536 - 32768);
            }

            var array = await ZarrArray.CreateAsync<short>(store, "", shape, options);
            await array.WriteAsync([Slice.All], values);
        }
    }

    private static async Task<string> CliAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await Zarr.Cli.ZarrCommand.RunAsync(args, stdout, stderr);
        return exit == 0
            ? stdout.ToString().Trim()
            : throw new InvalidOperationException($"zarr {string.Join(' ', args)}: exit {exit}: {stderr.ToString().Trim()}");
    }

    private static async Task<string?> DifferenceAsync(string expectedPath, string actualPath)
    {
        var expected = await ZarrArray.OpenAsync(new DirectoryStore(expectedPath, new DirectoryStoreOptions { ReadOnly = true }));
        var actual = await ZarrArray.OpenAsync(new DirectoryStore(actualPath, new DirectoryStoreOptions { ReadOnly = true }));
        if (!expected.Shape.AsSpan().SequenceEqual(actual.Shape.AsSpan()) || expected.DataType != actual.DataType
            || !expected.Chunks.AsSpan().SequenceEqual(actual.Chunks.AsSpan()))
        {
            return "shape, type or chunks differ";
        }

        var (a, _) = await expected.ReadBytesAsync([Slice.All, Slice.All]);
        var (b, _) = await actual.ReadBytesAsync([Slice.All, Slice.All]);
        return a.AsSpan().SequenceEqual(b) ? null : "the values differ";
    }
}
