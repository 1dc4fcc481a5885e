using static Zarr.Storage.Tests.Arrays.SelectionTests;

namespace Zarr.Storage.Tests.Arrays;

/// <summary>
/// Issue 23, item 7: a write racing a shrink must never leave data outside the new shape. A write that began with the
/// old shape either completes before the resize (whose trim then removes what lies outside) or is clipped to the new
/// shape after it; a write that begins after sees the new shape (and is out of bounds). Growing back reads the fill value.
/// </summary>
public class ResizeRaceTests
{
    private const int Trials = 60;
    private const int Before = 1024, After = 512;

    /// <summary>
    /// A writer sets z[1000] (a chunk wholly outside the new shape), z[550] (in the chunk that straddles the new edge) and
    /// z[480..1024] (across the edge) again and again, while the array shrinks from 1024 to 512; then it grows back to
    /// 1024 and everything from 512 on must be the fill value. The writer uses the resizing handle itself or a handle of
    /// its own (on its own store object over the same folder, for a DirectoryStore).
    /// </summary>
    [Theory]
    [InlineData("memory", "same handle", "numbers")]
    [InlineData("memory", "another handle", "numbers")]
    [InlineData("directory", "same handle", "numbers")]
    [InlineData("directory", "another handle", "numbers")]
    [InlineData("memory", "another handle", "strings")]
    [InlineData("directory", "same handle", "strings")]
    public async Task A_write_racing_a_shrink_leaves_nothing_outside_the_shape(string storeKind, string handles, string kind)
    {
        using var tmp = new TempDirectory();
        var resurrected = 0;
        for (var trial = 0; trial < Trials; trial++)
        {
            var folder = tmp.Combine($"t{trial}");
            var memory = new MemoryStore();
            IStore NewStore() => storeKind == "memory" ? memory : new DirectoryStore(folder);

            var options = new ArrayOptions { Chunks = [100], FillValue = kind == "strings" ? "-" : -1 };
            var z = kind == "strings"
                ? (await ZarrStringArray.CreateAsync(NewStore(), "z", [Before], options: options)).Array
                : await ZarrArray.CreateAsync<int>(NewStore(), "z", [Before], options);
            var writer = handles == "same handle" ? z : await ZarrArray.OpenAsync(NewStore(), "z", AccessMode.ReadWrite);
            var write = kind == "strings" ? StringWriter(new ZarrStringArray(writer)) : NumberWriter(writer.As<int>());

            var wrote = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var stop = 0;
            var writing = Task.Run(async () =>
            {
                try
                {
                    while (Volatile.Read(ref stop) == 0)
                    {
                        await write();
                        wrote.TrySetResult();
                    }
                }
                catch (ZarrSelectionException)
                {
                    // The writer's handle has the new shape: its selections are out of bounds.
                }
                finally
                {
                    wrote.TrySetResult();
                }
            });

            try
            {
                await wrote.Task;
                await z.ResizeAsync([After]);
            }
            finally
            {
                Volatile.Write(ref stop, 1);
                await writing;
            }

            await z.ResizeAsync([Before]);
            resurrected += await OutsideIsFillAsync(z, kind) ? 0 : 1;
        }

        Assert.True(resurrected == 0, $"data outside the shrunk shape came back in {resurrected} of {Trials} trials");
    }

    /// <summary>Shrinking a variable-length string array resets the values beyond the new edge in the chunk across it (it used to throw).</summary>
    [Theory]
    [InlineData(ZarrFormat.V2)]
    [InlineData(ZarrFormat.V3)]
    public async Task Shrinking_a_string_array_trims_the_chunk_across_the_edge(ZarrFormat format)
    {
        var store = new MemoryStore();
        var s = await ZarrStringArray.CreateAsync(store, "s", [10], options: new ArrayOptions { Chunks = [4], Format = format, FillValue = "-" });
        await s.WriteAsync([0..10], Enumerable.Range(0, 10).Select(i => $"v{i}").ToArray());
        await s.Array.ResizeAsync([6]);
        await s.Array.ResizeAsync([10]);
        Assert.Equal(new string?[] { "v0", "v1", "v2", "v3", "v4", "v5", "-", "-", "-", "-" }, (await s.ReadAsync([0..10])).Values);
        Assert.False(await store.ExistsAsync(s.Array.GetChunkKey([2])));
    }

    private static Func<Task> NumberWriter(ZarrArray<int> z) => async () =>
    {
        await z[1000..1001].FillAsync(5);
        await z[550..551].FillAsync(6);
        await z[480..1024].FillAsync(7);
    };

    private static Func<Task> StringWriter(ZarrStringArray z) => async () =>
    {
        await z.WriteAsync([1000..1001], new[] { "five" });
        await z.WriteAsync([550..551], new[] { "six" });
        await z.FillAsync([480..1024], "seven");
    };

    private static async Task<bool> OutsideIsFillAsync(ZarrArray z, string kind)
    {
        if (kind == "strings")
        {
            var (values, _) = await new ZarrStringArray(z).ReadAsync([After..Before]);
            return values.All(v => v == "-");
        }

        return ToArray(await z.As<int>()[After..Before]).All(v => v == -1);
    }
}
