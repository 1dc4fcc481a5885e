using System.Collections.Concurrent;
using System.Diagnostics;
using Zarr.Storage.Buffers;
using Zarr.Storage.Codecs;
using Zarr.Tests.Shared;
using static Zarr.Storage.Tests.Arrays.SelectionTests;

namespace Zarr.Storage.Tests.Codecs;

/// <summary>A store with versioned reads that records every read of a value: plain, versioned, or conditional on a version.</summary>
internal sealed class CountingVersionedStore(IStore inner) : IStore, IVersionedReadStore
{
    private readonly IVersionedReadStore _versioned = StoreCapabilities.VersionedRead(inner) ?? throw new ArgumentException("no versioned reads", nameof(inner));

    public ConcurrentQueue<(string Kind, ByteRange? Range, bool Found)> Reads { get; } = new();

    public bool IsReadOnly => inner.IsReadOnly;

    public bool CanReadVersioned => true;

    public int Count(string kind) => Reads.Count(r => r.Kind == kind);

    public void Reset() => Reads.Clear();

    public async ValueTask<PooledBuffer?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        var value = await inner.GetAsync(key, range, cancellationToken);
        Reads.Enqueue(("get", range, value is not null));
        return value;
    }

    public async ValueTask<VersionedValue> GetVersionedRangeAsync(string key, ByteRange range, CancellationToken cancellationToken = default)
    {
        var value = await _versioned.GetVersionedRangeAsync(key, range, cancellationToken);
        Reads.Enqueue(("versioned", range, value.Value is not null));
        return value;
    }

    public async ValueTask<PooledBuffer?> GetRangeIfVersionAsync(string key, ByteRange range, StoreVersion expected, CancellationToken cancellationToken = default)
    {
        var value = await _versioned.GetRangeIfVersionAsync(key, range, expected, cancellationToken);
        Reads.Enqueue(("if-version", range, value is not null));
        return value;
    }

    public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => inner.ExistsAsync(key, cancellationToken);

    public ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default) => inner.GetSizeAsync(key, cancellationToken);

    public ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) => inner.SetAsync(key, value, cancellationToken);

    public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

    public ValueTask DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default) => inner.DeletePrefixAsync(prefix, cancellationToken);

    public IAsyncEnumerable<StoreEntry> ListPrefixAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListPrefixAsync(prefix, cancellationToken);

    public IAsyncEnumerable<string> ListDirectoryAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListDirectoryAsync(prefix, cancellationToken);

    public override string ToString() => "CountingVersionedStore";
}

/// <summary>A clock that shows the time it is set to.</summary>
internal sealed class HeldClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>
/// Issue 18: a sharded array on a store with versioned reads keeps each shard's decoded index under the shard's version
/// (<see cref="ShardIndexCache"/>): a second read of a shard's inner chunks is one conditional ranged read, a shard
/// replaced in between (same size, same modification time, another index) is never read through its old index, the
/// index of a shard whose stamp is still fresh is not kept, a whole-shard read keeps the index it decoded, and the cache
/// stays within its bytes.
/// </summary>
public sealed class ShardIndexCacheTests
{
    private static readonly int[] Ones = Enumerable.Repeat(1, 8).ToArray();
    private static readonly int[] Noise = Enumerable.Range(0, 8).Select(i => (int)(0x9E3779B9u * (uint)(i + 1))).ToArray();

    private static async Task<ZarrArray<int>> CreateAsync(IStore store, string path = "a") =>
        (await ZarrArray.CreateFromMetadataAsync(store, path, TestMetadata.Create([64], [32]) with
        {
            FillValue = [.. BitConverter.GetBytes(0)],
            Codecs = [new ShardingCodec([8], [new BytesCodec(Endian.Little), new ZstdCodec(3)])],
        })).As<int>();

    public static TheoryData<string> Kinds() => ["memory", "directory", "prefix-directory"];

    private static IStore Open(string kind, string folder) => kind switch
    {
        "memory" => new MemoryStore(),
        "directory" => new DirectoryStore(folder),
        "prefix-directory" => new PrefixStore(new DirectoryStore(folder), "p"),
        _ => throw new ArgumentException(kind),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_second_read_of_a_shard_is_one_conditional_ranged_read(string kind)
    {
        using var folder = new TempDirectory();
        var store = new CountingVersionedStore(Open(kind, folder.Path));
        var z = await CreateAsync(store);
        var all = Enumerable.Range(1, 64).ToArray();
        await z[..].WriteAsync(all);
        await SettleAsync(); // a directory store's stamp is lasting, and the index kept, only once its times are settled
        var cache = z.ChunkIO.IndexCache!;
        Assert.NotNull(cache);

        store.Reset();
        Assert.Equal(all[8..16], ToArray(await z[8..16]));
        Assert.Equal(["versioned", "if-version"], store.Reads.Select(r => r.Kind));
        Assert.Equal((0, 1), (cache.Hits, cache.Misses));

        store.Reset();
        Assert.Equal(all[16..24], ToArray(await z[16..24]));
        Assert.Equal(all[3..5], ToArray(await z[3..5]));
        Assert.Equal(["if-version", "if-version"], store.Reads.Select(r => r.Kind));
        Assert.Equal((2, 1), (cache.Hits, cache.Misses));

        // Three neighbouring inner chunks of one selection: one coalesced read.
        store.Reset();
        Assert.Equal(all[6..18], ToArray(await z[6..18]));
        var read = Assert.Single(store.Reads);
        Assert.Equal(("if-version", true), (read.Kind, read.Found));

        // The other shard has its own entry; a rewrite of the first through the array is another version: read again.
        Assert.Equal(all[40..41], ToArray(await z[40..41]));
        Assert.Equal(2, cache.Count);
        await z[..32].WriteAsync(all[32..].Reverse().ToArray());
        store.Reset();
        Assert.Equal(all[32..].Reverse().ToArray()[8..16], ToArray(await z[8..16]));
        Assert.Equal(["if-version", "versioned", "if-version"], store.Reads.Select(r => r.Kind));

        // A shard deleted since its index was kept reads as the fill value.
        await store.DeleteAsync(z.GetChunkKey([0]));
        Assert.Equal(new int[8], ToArray(await z[8..16]));
    }

    [Fact]
    public async Task A_shard_renamed_over_by_another_process_with_the_same_size_and_time_is_read_through_its_new_index()
    {
        using var folder = new TempDirectory();
        using var other = new TempDirectory();
        var store = new CountingVersionedStore(new DirectoryStore(folder.Path));
        var z = await CreateAsync(store);

        // Inner chunks 0 and 1 swapped: the same bytes, so the same size, but another index.
        await z[..16].WriteAsync([.. Ones, .. Noise]);
        var swapped = await CreateAsync(new DirectoryStore(other.Path));
        await swapped[..16].WriteAsync([.. Noise, .. Ones]);
        await SettleAsync();

        Assert.Equal(Noise, ToArray(await z[8..16]));
        var cache = z.ChunkIO.IndexCache!;
        var shard = Path.Combine(folder.Path, "a", "c", "0");
        var replacement = Path.Combine(other.Path, "a", "c", "0");
        Assert.Equal(new FileInfo(shard).Length, new FileInfo(replacement).Length);
        Assert.NotEqual(await File.ReadAllBytesAsync(shard), await File.ReadAllBytesAsync(replacement));

        var staged = Path.Combine(folder.Path, "a", "c", "staged");
        File.Copy(replacement, staged);
        File.SetLastWriteTimeUtc(staged, File.GetLastWriteTimeUtc(shard));
        await RunAsync("/bin/mv", staged, shard);
        await SettleAsync(); // the rename gave the file a new change time

        store.Reset();
        Assert.Equal(Ones, ToArray(await z[8..16]));
        Assert.Equal(Noise, ToArray(await z[0..8]));
        Assert.Equal(["if-version", "versioned", "if-version", "if-version"], store.Reads.Select(r => r.Kind));
        Assert.Equal([false, true, true, true], store.Reads.Select(r => r.Found));
        Assert.Equal((2, 2), (cache.Hits, cache.Misses));
    }

    [Fact]
    public async Task Without_versioned_reads_every_partial_read_reads_the_index()
    {
        var store = new CountingStore(new MemoryStore());
        var z = await CreateAsync(store);
        await z[..].WriteAsync(Enumerable.Range(1, 64).ToArray());
        Assert.Null(z.ChunkIO.IndexCache);
        store.Reset();
        _ = await z[8..16];
        _ = await z[8..16];
        Assert.Equal(4, store.Reads.Count);
    }

    [Fact]
    public void The_cache_keeps_the_most_recently_used_indexes_within_its_bytes()
    {
        var cache = new ShardIndexCache(new MemoryStore(), maxBytes: 3 * 400);
        var entries = new byte[200];
        for (var i = 0; i < 5; i++)
        {
            cache.Add("c/" + i, StoreVersion.Of("v" + i), lasting: true, entries);
            Assert.True(cache.Bytes <= cache.MaxBytes);
        }

        Assert.Equal(3, cache.Count);
        Assert.False(cache.TryGet("c/0", 200, out _));
        Assert.True(cache.TryGet("c/2", 200, out var kept));
        Assert.Equal(StoreVersion.Of("v2"), kept.Version);

        // c/2 was just used: the next entry pushes out c/3, the least recently used.
        cache.Add("c/5", StoreVersion.Of("v5"), lasting: true, entries);
        Assert.False(cache.TryGet("c/3", 200, out _));
        Assert.True(cache.TryGet("c/2", 200, out _));

        // Dropped only for the version it was kept at; an entry of another layout's length is not served.
        cache.Remove("c/2", StoreVersion.Of("v-other"));
        Assert.True(cache.TryGet("c/2", 200, out _));
        Assert.False(cache.TryGet("c/2", 16, out _));
        cache.Remove("c/2", StoreVersion.Of("v2"));
        Assert.False(cache.TryGet("c/2", 200, out _));
        Assert.Equal((3L, 4L), (cache.Hits, cache.Misses));

        // An index larger than the whole bound is not kept, nor one of a version that is not lasting (it is still given
        // back, to read by once).
        cache.Add("big", StoreVersion.Of("b"), lasting: true, new byte[4096]);
        Assert.False(cache.TryGet("big", 4096, out _));
        var fresh = cache.Add("c/6", StoreVersion.Of("v6"), lasting: false, entries);
        Assert.Equal((StoreVersion.Of("v6"), 200), (fresh.Version, fresh.Entries.Length));
        Assert.False(cache.TryGet("c/6", 200, out _));
        Assert.Equal(2, cache.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_freshly_written_shard_is_read_right_and_its_index_kept_only_once_its_stamp_is_settled(bool prefixed)
    {
        using var folder = new TempDirectory();

        // The clock the store judges a stamp's age by, held at the moment before the writes: the stamps read are fresh
        // however slowly the machine runs.
        var clock = new HeldClock(DateTimeOffset.UtcNow);
        var directory = new DirectoryStore(folder.Path) { Clock = clock };
        var store = new CountingVersionedStore(prefixed ? new PrefixStore(directory, "p") : directory);
        var z = await CreateAsync(store);
        var all = Enumerable.Range(1, 64).ToArray();
        await z[..].WriteAsync(all);
        var cache = z.ChunkIO.IndexCache!;

        store.Reset();
        Assert.Equal(all[8..16], ToArray(await z[8..16]));
        Assert.Equal(all[16..24], ToArray(await z[16..24]));
        Assert.Equal(["versioned", "if-version", "versioned", "if-version"], store.Reads.Select(r => r.Kind));
        Assert.Equal((0L, 2L, 0), (cache.Hits, cache.Misses, cache.Count));

        // Rewritten while fresh, inner chunks in another order: each read goes by the index it read itself.
        var reversed = all.Reverse().ToArray();
        await z[..32].WriteAsync(reversed[..32]);
        Assert.Equal(reversed[8..16], ToArray(await z[8..16]));
        Assert.Equal(0, cache.Count);

        // Once the times lie the settle time in the past, the index read is kept and the next read is one ranged read.
        await SettleAsync();
        clock.Now = DateTimeOffset.UtcNow;
        store.Reset();
        Assert.Equal(reversed[0..8], ToArray(await z[0..8]));
        Assert.Equal(reversed[24..32], ToArray(await z[24..32]));
        Assert.Equal(["versioned", "if-version", "if-version"], store.Reads.Select(r => r.Kind));
        Assert.Equal((1L, 4L, 1), (cache.Hits, cache.Misses, cache.Count));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_whole_shard_read_keeps_its_index_so_a_later_inner_chunk_read_is_one_ranged_read(string kind)
    {
        using var folder = new TempDirectory();
        var store = new CountingVersionedStore(Open(kind, folder.Path));
        var z = await CreateAsync(store);
        var all = Enumerable.Range(1, 64).ToArray();
        await z[..].WriteAsync(all);
        await SettleAsync();
        var cache = z.ChunkIO.IndexCache!;

        store.Reset();
        Assert.Equal(all[..32], ToArray(await z[..32]));
        Assert.Equal(["versioned"], store.Reads.Select(r => r.Kind));
        Assert.Equal(1, cache.Count);

        store.Reset();
        Assert.Equal(all[8..16], ToArray(await z[8..16]));
        Assert.Equal(all[24..26], ToArray(await z[24..26]));
        Assert.Equal(["if-version", "if-version"], store.Reads.Select(r => r.Kind));
        Assert.Equal((2L, 0L), (cache.Hits, cache.Misses));

        // Rewritten, and read by a region that touches every inner chunk (so the shard is read whole): the index kept is
        // the new version's, and the next inner read goes by it.
        var reversed = all.Reverse().ToArray();
        await z[..32].WriteAsync(reversed[..32]);
        await SettleAsync();
        store.Reset();
        Assert.Equal(reversed[1..31], ToArray(await z[1..31]));
        Assert.Equal(["versioned"], store.Reads.Select(r => r.Kind));
        store.Reset();
        Assert.Equal(reversed[8..16], ToArray(await z[8..16]));
        Assert.Equal(["if-version"], store.Reads.Select(r => r.Kind));
        Assert.Equal((3L, 0L, 1), (cache.Hits, cache.Misses, cache.Count));
    }

    [Fact]
    public async Task A_whole_shard_read_at_a_fresh_stamp_keeps_nothing()
    {
        using var folder = new TempDirectory();
        var clock = new HeldClock(DateTimeOffset.UtcNow);
        var store = new CountingVersionedStore(new DirectoryStore(folder.Path) { Clock = clock });
        var z = await CreateAsync(store);
        var all = Enumerable.Range(1, 64).ToArray();
        await z[..].WriteAsync(all);
        var cache = z.ChunkIO.IndexCache!;

        Assert.Equal(all[..32], ToArray(await z[..32]));
        Assert.Equal(0, cache.Count);
        store.Reset();
        Assert.Equal(all[8..16], ToArray(await z[8..16]));
        Assert.Equal(["versioned", "if-version"], store.Reads.Select(r => r.Kind));
    }

    /// <summary>Waits until what was written before lies past the settle time (twice it, as the file times' clock ticks coarsely).</summary>
    internal static Task SettleAsync() => Task.Delay(FileStamp.SettledAfter * 2);

    private static async Task RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true })!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} failed: {error}");
    }
}
