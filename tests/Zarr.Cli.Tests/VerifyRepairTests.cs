using System.Diagnostics;
using System.Globalization;
using Zarr.Storage;

namespace Zarr.Cli.Tests;

/// <summary>
/// <c>zarr verify --repair</c> (issue 13): deletes the temporary files killed writers left in the folder, never a running
/// writer's, says how many, then verifies as <c>verify</c> does.
/// </summary>
public sealed class VerifyRepairTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Repair_sweeps_the_temporary_files_of_killed_writers_only()
    {
        var path = _temp.Combine("data.zarr");
        var array = await ZarrArray.CreateAsync<int>(new DirectoryStore(path), "", [16], new ArrayOptions { Chunks = [4] });
        await array.WriteAsync([Slice.All], Enumerable.Range(0, 16).ToArray());

        // What a writer killed mid-write leaves (its process id in the name), and a running writer's file.
        using var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await gone.WaitForExitAsync();
        using var running = Process.Start(new ProcessStartInfo("sleep", "120") { UseShellExecute = false })!;
        try
        {
            var killed = Path.Combine(path, "c", TemporaryName("0", gone.Id));
            var live = Path.Combine(path, "c", TemporaryName("1", running.Id));
            await File.WriteAllBytesAsync(killed, [1, 2]);
            await File.WriteAllBytesAsync(live, [3, 4]);

            var result = await Cli.RunExpectingAsync(0, "verify", path, "--repair", "--json");

            Assert.Equal(1, (int)result.Json["swept"]!);
            Assert.Equal(4, (long)result.Json["chunks"]!);
            Assert.False(File.Exists(killed));
            Assert.True(File.Exists(live));
        }
        finally
        {
            running.Kill();
            await running.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Repair_of_something_that_is_not_a_folder_is_a_usage_error()
    {
        var result = await Cli.RunAsync("verify", _temp.Combine("missing.zarr"), "--repair");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--repair", result.Stderr, StringComparison.Ordinal);
    }

    private static string TemporaryName(string name, int processId) =>
        string.Create(CultureInfo.InvariantCulture, $".{name}.{(uint)processId:x8}0123abcd.tmp");
}
