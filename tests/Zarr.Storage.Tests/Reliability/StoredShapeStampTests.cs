using Xunit.Abstractions;
using Zarr.Storage.Chunks;

namespace Zarr.Storage.Tests.Reliability;

/// <summary>
/// The stored-shape check of a chunk write on a directory store (issue 13's write cost): an unchanged metadata document
/// is known by its stamp (inode, size, times) without being read, once the stamp is older than
/// <see cref="FileStamp.SettledAfter"/>; a changed one is read and parsed; a fresh one is read every time.
/// </summary>
public sealed class StoredShapeStampTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(ZarrFormat.V3)]
    [InlineData(ZarrFormat.V2)]
    public async Task An_unchanged_document_is_stamped_not_read_and_a_resize_is_seen(ZarrFormat format)
    {
        using var folder = new TempDirectory();
        var store = new DirectoryStore(folder.Path);
        var array = await ZarrArray.CreateAsync<int>(store, "a", [10], new ArrayOptions { Chunks = [4], Format = format });
        await Task.Delay(FileStamp.SettledAfter * 2);

        var shape = new StoredShape(store, "a", array.Metadata);
        for (var i = 0; i < 50; i++)
        {
            Assert.Null(await shape.ReadChangedAsync(default));
        }

        var settledReads = shape.DocumentReads;
        Assert.Equal(1, settledReads);

        // Another handle (another process, as far as this check knows) shrinks the array: the next check reads it.
        var other = await ZarrArray.OpenAsync<int>(new DirectoryStore(folder.Path), "a", AccessMode.ReadWrite);
        await other.ResizeAsync([6]);
        var sinceWrite = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(new long[] { 6 }, (await shape.ReadChangedAsync(default))!.Shape.ToArray());
        Assert.Equal(2, shape.DocumentReads);

        // Fresh, the new document's stamp is not trusted: each check reads it (and finds the same shape).
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(new long[] { 6 }, (await shape.ReadChangedAsync(default))!.Shape.ToArray());
        }

        var freshReads = shape.DocumentReads - 2;
        if (sinceWrite.Elapsed < FileStamp.SettledAfter)
        {
            // (A machine that stalled this test longer than that may rightly have trusted the stamp.)
            Assert.True(freshReads == 3, $"a document written a moment ago was trusted by its stamp ({freshReads} reads of 3 checks)");
        }

        // Settled, it is not read again; changed back (same size as at first), it is read again.
        await Task.Delay(FileStamp.SettledAfter * 2);
        Assert.Equal(new long[] { 6 }, (await shape.ReadChangedAsync(default))!.Shape.ToArray());
        var afterSettle = shape.DocumentReads;
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(new long[] { 6 }, (await shape.ReadChangedAsync(default))!.Shape.ToArray());
        }

        Assert.Equal(afterSettle, shape.DocumentReads);
        await other.ResizeAsync([10]);
        Assert.Null(await shape.ReadChangedAsync(default));
        Assert.Equal(afterSettle + 1, shape.DocumentReads);
        ReliabilityFigures.Report(output, $"stored-shape-stamp-{format}", ("checks", 50 + 1 + 3 + 21 + 1), ("document_reads", shape.DocumentReads), ("fresh_reads", freshReads));
    }

    [Fact]
    public async Task A_rewritten_value_has_another_stamp_and_a_missing_one_none()
    {
        using var folder = new TempDirectory();
        IKeyLockingStore store = new DirectoryStore(folder.Path);
        Assert.False(store.TryGetStamp("k", out _));

        await ((IStore)store).SetAsync("k", new byte[] { 1, 2, 3 });
        Assert.True(store.TryGetStamp("k", out var first));
        Assert.True(store.TryGetStamp("k", out var again));
        Assert.Equal(first, again);
        Assert.Equal(3, first.Size);

        // The same bytes written again are a new file (a rename over the old): another inode, or at least other times.
        await ((IStore)store).SetAsync("k", new byte[] { 1, 2, 3 });
        Assert.True(store.TryGetStamp("k", out var second));
        Assert.NotEqual(first, second);

        await ((IStore)store).DeleteAsync("k");
        Assert.False(store.TryGetStamp("k", out _));
    }
}
