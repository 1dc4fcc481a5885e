using Zarr.Storage.Buffers;

namespace Zarr.Storage.Tests.Arrays;

/// <summary>
/// Issue 23, item 10: a group 1,000 levels deep took 27 s to create on a directory store (1,500: over a minute), as each
/// ancestor was checked and written and each write walked every folder from the root. zarr-python has no depth limit,
/// and neither has this library: the work is linear in the depth.
/// </summary>
public class DeepHierarchyTests
{
    private const int Depth = 1000;

    private static string DeepPath(int depth) => string.Join('/', Enumerable.Repeat("a", depth));

    [Theory]
    [InlineData(ZarrFormat.V3)]
    [InlineData(ZarrFormat.V2)]
    public async Task Creating_and_opening_deep_nodes_costs_a_few_store_operations_per_level(ZarrFormat format)
    {
        var store = new OperationCountingStore(new MemoryStore());
        var group = await ZarrGroup.CreateAsync(store, DeepPath(Depth), format);
        Assert.Equal(Depth * 2 - 1, group.Path.Length);
        var created = store.Count;

        // Each ancestor is looked at (three reads at most) and written (two writes at most for v2: .zattrs, .zgroup).
        Assert.InRange(created, Depth, (Depth + 1) * 5);

        store.Reset();
        var array = await ZarrArray.CreateAsync<int>(store, DeepPath(Depth + 1), [4]);
        Assert.InRange(store.Count, Depth, (Depth + 2) * 5);

        // Opening a deep node costs the same few reads whatever its depth.
        store.Reset();
        var opened = await ZarrArray.OpenAsync<int>(store, array.Path, AccessMode.ReadWrite);
        await ZarrGroup.OpenAsync(store, group.Path, AccessMode.ReadWrite);
        Assert.InRange(store.Count, 1, 10);

        await opened[..].FillAsync(5);
        Assert.Equal(new[] { 5, 5, 5, 5 }, SelectionTests.ToArray(await opened[..]));
    }

    [Fact]
    public async Task A_group_1000_levels_deep_on_a_directory_store_is_created_with_work_linear_in_its_depth()
    {
        using var tmp = new TempDirectory();
        var store = new DirectoryStore(tmp.Path);

        var group = await ZarrGroup.CreateAsync(store, DeepPath(Depth));

        // Each write opens a level or two of folders (on Linux one openat2 from the root's handle), not every level from
        // the root in user code (500,500 folders for these 1,000 writes before, which took 27 s on an idle machine). The
        // bound is this count; how long it takes is for benchmarks/, not for a test on a shared machine.
        Assert.InRange(store.FoldersLookedAt, Depth, 3 * Depth);

        var array = await group.CreateArrayAsync<byte>("leaf", [3]);
        await array[..].FillAsync(9);
        var reopened = await ZarrArray.OpenAsync<byte>(store, array.Path);
        Assert.Equal(new byte[] { 9, 9, 9 }, SelectionTests.ToArray(await reopened[..]));
        Assert.Equal(Depth + 2, Directory.EnumerateFiles(tmp.Path, "zarr.json", SearchOption.AllDirectories).Count());
    }

    /// <summary>A store that counts every call made to it.</summary>
    private sealed class OperationCountingStore(IStore inner) : IStore
    {
        private int _count;

        public int Count => _count;

        public bool IsReadOnly => inner.IsReadOnly;

        public void Reset() => _count = 0;

        public ValueTask<PooledBuffer?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
        {
            Tick();
            return inner.GetAsync(key, range, cancellationToken);
        }

        public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
        {
            Tick();
            return inner.ExistsAsync(key, cancellationToken);
        }

        public ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default)
        {
            Tick();
            return inner.GetSizeAsync(key, cancellationToken);
        }

        public ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
        {
            Tick();
            return inner.SetAsync(key, value, cancellationToken);
        }

        public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default)
        {
            Tick();
            return inner.DeleteAsync(key, cancellationToken);
        }

        public ValueTask DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default)
        {
            Tick();
            return inner.DeletePrefixAsync(prefix, cancellationToken);
        }

        public IAsyncEnumerable<StoreEntry> ListPrefixAsync(string prefix, CancellationToken cancellationToken = default)
        {
            Tick();
            return inner.ListPrefixAsync(prefix, cancellationToken);
        }

        public IAsyncEnumerable<string> ListDirectoryAsync(string prefix, CancellationToken cancellationToken = default)
        {
            Tick();
            return inner.ListDirectoryAsync(prefix, cancellationToken);
        }

        private void Tick() => Interlocked.Increment(ref _count);
    }
}
