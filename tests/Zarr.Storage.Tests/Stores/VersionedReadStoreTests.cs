using System.Diagnostics;
using Zarr.Storage.Buffers;

namespace Zarr.Storage.Tests.Stores;

/// <summary>
/// Issue 18: <see cref="IVersionedReadStore"/> of every local store kind (memory, directory, and a prefix view over
/// either): a ranged read with the version it came from, and a ranged read only on that version, which refuses a value
/// replaced or deleted since, including a file replaced by a rename from another process with the same size and the
/// same modification time.
/// </summary>
public sealed class VersionedReadStoreTests
{
    public static TheoryData<string> Kinds() => ["memory", "directory", "prefix-directory", "prefix-memory"];

    private static (IStore Store, IVersionedReadStore Versioned, TempDirectory? Folder) Open(string kind)
    {
        var folder = kind.EndsWith("directory", StringComparison.Ordinal) ? new TempDirectory() : null;
        IStore store = kind switch
        {
            "memory" => new MemoryStore(),
            "directory" => new DirectoryStore(folder!.Path),
            "prefix-directory" => new PrefixStore(new DirectoryStore(folder!.Path), "p"),
            "prefix-memory" => new PrefixStore(new MemoryStore(), "p"),
            _ => throw new ArgumentException(kind),
        };
        var versioned = StoreCapabilities.VersionedRead(store);
        Assert.NotNull(versioned);
        return (store, versioned!, folder);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_range_is_read_with_its_version_and_again_only_while_the_value_is_that_version(string kind)
    {
        var (store, versioned, folder) = Open(kind);
        using var _ = folder;
        var first = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        await store.SetAsync("a/k", first);

        using var read = await versioned.GetVersionedRangeAsync("a/k", ByteRange.Suffix(10));
        Assert.Equal(first[90..], read.Value!.Span.ToArray());
        Assert.False(read.Version.IsAbsent);

        using (var again = await versioned.GetRangeIfVersionAsync("a/k", ByteRange.Slice(5, 3), read.Version))
        {
            Assert.Equal(new byte[] { 5, 6, 7 }, again!.Span.ToArray());
        }

        // The same length, other bytes: another version.
        await store.SetAsync("a/k", first.Select(b => (byte)(b ^ 0xFF)).ToArray());
        Assert.Null(await versioned.GetRangeIfVersionAsync("a/k", ByteRange.Slice(5, 3), read.Version));
        using (var newer = await versioned.GetVersionedRangeAsync("a/k", ByteRange.Slice(0, 1)))
        {
            Assert.NotEqual(read.Version, newer.Version);
            Assert.Equal(new byte[] { 0xFF }, newer.Value!.Span.ToArray());
            await store.DeleteAsync("a/k");
            Assert.Null(await versioned.GetRangeIfVersionAsync("a/k", ByteRange.Slice(0, 1), newer.Version));
        }

        using var missing = await versioned.GetVersionedRangeAsync("a/k", ByteRange.Slice(0, 1));
        Assert.Null(missing.Value);
        Assert.True(missing.Version.IsAbsent);
        Assert.Null(await versioned.GetRangeIfVersionAsync("a/k", ByteRange.Slice(0, 1), StoreVersion.Absent));
        await Assert.ThrowsAsync<ZarrStoreException>(async () => await versioned.GetVersionedRangeAsync("../k", ByteRange.Slice(0, 1)));
    }

    [Fact]
    public async Task A_file_replaced_by_another_process_with_the_same_size_and_modification_time_is_another_version()
    {
        using var folder = new TempDirectory();
        var store = new DirectoryStore(folder.Path);
        await store.SetAsync("k", new byte[4096]);
        var path = Path.Combine(folder.Path, "k");
        using var read = await store.GetVersionedRangeAsync("k", ByteRange.Slice(0, 16));

        // Written beside it, given the very same modification time, and renamed over it by mv, another process.
        var replacement = Path.Combine(folder.Path, "replacement");
        await File.WriteAllBytesAsync(replacement, Enumerable.Repeat((byte)1, 4096).ToArray());
        File.SetLastWriteTimeUtc(replacement, File.GetLastWriteTimeUtc(path));
        Assert.Equal(File.GetLastWriteTimeUtc(path), File.GetLastWriteTimeUtc(replacement));
        await RunAsync("/bin/mv", replacement, path);

        Assert.Null(await store.GetRangeIfVersionAsync("k", ByteRange.Slice(0, 16), read.Version));
        using var fresh = await store.GetVersionedRangeAsync("k", ByteRange.Slice(0, 16));
        Assert.Equal(Enumerable.Repeat((byte)1, 16), fresh.Value!.Span.ToArray());

        // Changed in place through another handle, the modification time put back: the change time still differs.
        await using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            stream.Write([2, 2, 2, 2]);
        }

        File.SetLastWriteTimeUtc(path, File.GetLastWriteTimeUtc(path));
        Assert.Null(await store.GetRangeIfVersionAsync("k", ByteRange.Slice(0, 16), fresh.Version));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_directory_stores_version_is_lasting_only_once_the_files_times_are_settled(bool prefixed)
    {
        using var folder = new TempDirectory();
        var clock = new Codecs.HeldClock(DateTimeOffset.UtcNow);
        var directory = new DirectoryStore(folder.Path) { Clock = clock };
        IStore store = prefixed ? new PrefixStore(directory, "p") : directory;
        var versioned = StoreCapabilities.VersionedRead(store)!;
        await store.SetAsync("k", new byte[64]);

        // Read at the moment of the write: a version to read by at once, not to keep.
        using var fresh = await versioned.GetVersionedRangeAsync("k", ByteRange.Slice(0, 8));
        Assert.False(fresh.IsLasting);
        using (var again = await versioned.GetRangeIfVersionAsync("k", ByteRange.Slice(8, 8), fresh.Version))
        {
            Assert.Equal(new byte[8], again!.Span.ToArray());
        }

        // The same file read once its times lie the settle time in the past: the same version, now lasting.
        await Codecs.ShardIndexCacheTests.SettleAsync();
        clock.Now = DateTimeOffset.UtcNow;
        using var settled = await versioned.GetVersionedRangeAsync("k", ByteRange.Suffix(8));
        Assert.True(settled.IsLasting);
        Assert.Equal(fresh.Version, settled.Version);

        // A file changed since is fresh again; a missing key's absent version is never lasting.
        await store.SetAsync("k", new byte[64]);
        using var changed = await versioned.GetVersionedRangeAsync("k", ByteRange.Suffix(8));
        Assert.False(changed.IsLasting);
        Assert.NotEqual(settled.Version, changed.Version);
        using var missing = await versioned.GetVersionedRangeAsync("missing", ByteRange.Suffix(8));
        Assert.False(missing.IsLasting);
    }

    [Fact]
    public async Task A_memory_stores_generation_is_lasting()
    {
        var store = new PrefixStore(new MemoryStore(), "p");
        await store.SetAsync("k", new byte[] { 1, 2, 3 });
        using var read = await StoreCapabilities.VersionedRead(store)!.GetVersionedRangeAsync("k", ByteRange.Suffix(2));
        Assert.True(read.IsLasting);
        Assert.Equal(new byte[] { 2, 3 }, read.Value!.Span.ToArray());
    }

    [Fact]
    public void Stores_without_versioned_reads_have_none_through_views()
    {
        var plain = new Codecs.CountingStore(new MemoryStore());
        Assert.Null(StoreCapabilities.VersionedRead(plain));
        Assert.Null(StoreCapabilities.VersionedRead(new PrefixStore(plain, "p")));
        Assert.NotNull(StoreCapabilities.VersionedRead(new PrefixStore(new PrefixStore(new MemoryStore(), "a"), "b")));
    }

    private static async Task RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true })!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} failed: {error}");
    }
}
