using Zarr.Tests;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Xunit.Abstractions;
using Zarr.PartialWriter;

namespace Zarr.Storage.Tests.Reliability;

/// <summary>
/// Issue 13's crash proof: a writer process (tests/Zarr.PartialWriter chaos: whole and partial writes, resizes, attribute
/// changes, Fsync on) is killed with SIGKILL at a random moment, again and again on one array. After each kill: every
/// chunk decodes (none torn), the metadata reads, every write the writer acknowledged is there (the one in flight may or
/// may not be), and once the folder is opened for writing again no temporary file is left. 20 kills by default;
/// ZARR_KILL_RUNS=100 runs the 100.
/// </summary>
public sealed class KillTests(ITestOutputHelper output)
{
    private static int Runs =>
        int.TryParse(Environment.GetEnvironmentVariable("ZARR_KILL_RUNS"), NumberStyles.None, CultureInfo.InvariantCulture, out var runs) && runs > 0 ? runs : 20;

    [Fact]
    [Trait(SlowTests.Category, SlowTests.Slow)]
    public async Task Killed_writers_leave_no_torn_chunk_no_lost_acknowledged_write_and_no_temporary_file()
    {
        using var folder = new TempDirectory();
        const int length = ChaosWriter.Length;
        await ZarrArray.CreateAsync<int>(new DirectoryStore(folder.Path), "a", [length], new ArrayOptions { Chunks = [ChaosWriter.ChunkLength], FillValue = 0 });
        var model = new int[length];
        int? lastAttribute = null;
        var random = new Random(13);
        int torn = 0, lost = 0, acknowledged = 0, leftBehind = 0, leftAfterOpen = 0, killedMidOperation = 0;
        var stopwatch = Stopwatch.StartNew();
        for (var run = 0; run < Runs; run++)
        {
            var lines = await RunAndKillAsync(folder.Path, first: (run + 1) * 1_000_000L, seed: run, killAfterMilliseconds: random.Next(50, 800));
            var (acked, inFlight) = Parse(lines);
            acknowledged += acked.Count;
            killedMidOperation += inFlight is null ? 0 : 1;
            foreach (var operation in acked)
            {
                Apply(operation, model, ref lastAttribute);
            }

            // A reader after the kill: the metadata reads, every chunk decodes, acknowledged values are there.
            var array = await ZarrArray.OpenAsync<int>(new DirectoryStore(folder.Path, new DirectoryStoreOptions { ReadOnly = true }), "a");
            for (var chunk = 0; chunk < length / ChaosWriter.ChunkLength; chunk++)
            {
                int[] values;
                try
                {
                    values = (await array.ReadAsync([Slice.Range(chunk * ChaosWriter.ChunkLength, (chunk + 1) * ChaosWriter.ChunkLength)])).ToArray();
                }
                catch (ZarrCodecException)
                {
                    torn++;
                    continue;
                }

                for (var i = 0; i < values.Length; i++)
                {
                    var element = (chunk * ChaosWriter.ChunkLength) + i;
                    if (values[i] != model[element] && !(inFlight is { } op && Touches(op, element) && values[i] == op.Value))
                    {
                        lost++;
                    }

                    model[element] = values[i];
                }
            }

            var attribute = array.Attributes.TryGetValue("last", out var last) && last is not null ? (int?)(int)last : null;
            if (attribute != lastAttribute && !(inFlight is { Kind: "attributes" } a && attribute == a.Value))
            {
                lost++;
            }

            lastAttribute = attribute;

            // The next writer to open the folder sweeps what the killed one left.
            leftBehind += TemporaryFiles(folder.Path);
            var writer = await ZarrArray.OpenAsync<int>(new DirectoryStore(folder.Path), "a", AccessMode.ReadWrite);
            await writer.UpdateAttributesAsync(new JsonObject { ["checked"] = run });
            leftAfterOpen += TemporaryFiles(folder.Path);
        }

        ReliabilityFigures.Report(output, "kill", ("kills", Runs), ("killed_mid_operation", killedMidOperation), ("acknowledged", acknowledged), ("torn", torn),
            ("lost", lost), ("temporary_files_left_by_kills", leftBehind), ("temporary_files_after_next_open", leftAfterOpen), ("seconds", stopwatch.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)));
        Assert.Equal(0, torn);
        Assert.Equal(0, lost);
        Assert.Equal(0, leftAfterOpen);
        Assert.True(acknowledged > 0, "no writer acknowledged any operation before it was killed: the test proved nothing");
    }

    // Starts the chaos writer, kills it (SIGKILL) the given time after its first operation began, returns what it printed.
    private static async Task<List<string>> RunAndKillAsync(string folder, long first, int seed, int killAfterMilliseconds)
    {
        using var process = PartialWriterProcesses.Start(["chaos", folder, "a", PartialWriterProcesses.Text(first), PartialWriterProcesses.Text(seed)], redirectOutput: true);
        var lines = new List<string>();
        var started = new TaskCompletionSource();
        var reading = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lines.Add(line);
                started.TrySetResult();
            }

            started.TrySetResult();
        });
        var errors = process.StandardError.ReadToEndAsync();
        await started.Task.WaitAsync(TimeSpan.FromMinutes(2));
        await Task.Delay(killAfterMilliseconds);
        var exitedByItself = process.HasExited;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        await reading;
        Assert.False(exitedByItself, $"the chaos writer stopped before it was killed: {await errors}");
        return lines;
    }

    private static (List<Operation> Acknowledged, Operation? InFlight) Parse(List<string> lines)
    {
        var acknowledged = new List<Operation>();
        Operation? current = null;
        foreach (var line in lines)
        {
            var parts = line.Split(' ');
            if (parts[0] == "START" && parts.Length == 4)
            {
                current = new Operation(parts[1], long.Parse(parts[2], CultureInfo.InvariantCulture), int.Parse(parts[3], CultureInfo.InvariantCulture));
            }
            else if (parts[0] == "ACK" && current is not null)
            {
                acknowledged.Add(current);
                current = null;
            }
        }

        return (acknowledged, current);
    }

    private static void Apply(Operation operation, int[] model, ref int? lastAttribute)
    {
        for (var element = 0; element < model.Length; element++)
        {
            if (Touches(operation, element))
            {
                model[element] = operation.Value;
            }
        }

        if (operation.Kind == "attributes")
        {
            lastAttribute = operation.Value;
        }
    }

    private static bool Touches(Operation operation, int element) => operation.Kind switch
    {
        "whole" => element / ChaosWriter.ChunkLength == operation.Argument,
        "partial" => element == operation.Argument,
        _ => false,
    };

    // Temporary and lock files (the reserved form .name.<16 hex>.tmp) anywhere in the folder, but the store's own lock file.
    private static int TemporaryFiles(string folder) => LeftoverFiles.In(folder).Count;

    private sealed record Operation(string Kind, long Argument, int Value);
}
