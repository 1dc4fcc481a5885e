using Zarr.Storage;
using Zarr.Storage.Codecs;

namespace Zarr.Tests.Shared;

/// <summary>
/// Issue 18: what every store with versioned reads (<see cref="IVersionedReadStore"/>) must do, checked on an object
/// store with two store objects over the same values (what two machines hold): ranges read with their version, read
/// again only on it, refused once the other handle replaced or deleted the value; and a sharded array whose cached
/// shard index is never used after another handle rewrote the shard with the same size and another index.
/// </summary>
internal static class VersionedReadChecks
{
    public static async Task ContractAsync(IStore store, IStore other)
    {
        var versioned = StoreCapabilities.VersionedRead(store) ?? throw new InvalidOperationException($"{store} has no versioned reads");
        var first = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        await store.SetAsync("a/k", first);

        using var suffix = await versioned.GetVersionedRangeAsync("a/k", ByteRange.Suffix(10));
        Assert.Equal(first[90..], suffix.Value!.Span.ToArray());
        using var slice = await versioned.GetVersionedRangeAsync("a/k", ByteRange.Slice(20, 5));
        Assert.Equal(first[20..25], slice.Value!.Span.ToArray());
        Assert.Equal(suffix.Version, slice.Version);

        using (var again = await versioned.GetRangeIfVersionAsync("a/k", ByteRange.Slice(5, 3), suffix.Version))
        {
            Assert.Equal(first[5..8], again!.Span.ToArray());
        }

        using (var again = await versioned.GetRangeIfVersionAsync("a/k", ByteRange.Suffix(4), suffix.Version))
        {
            Assert.Equal(first[96..], again!.Span.ToArray());
        }

        // Replaced through the other handle with as many bytes: another version, refused by both forms of range.
        await other.SetAsync("a/k", first.Select(b => (byte)(b ^ 0xFF)).ToArray());
        Assert.Null(await versioned.GetRangeIfVersionAsync("a/k", ByteRange.Slice(5, 3), suffix.Version));
        Assert.Null(await versioned.GetRangeIfVersionAsync("a/k", ByteRange.Suffix(4), suffix.Version));
        using var newer = await versioned.GetVersionedRangeAsync("a/k", ByteRange.Slice(0, 1));
        Assert.NotEqual(suffix.Version, newer.Version);
        Assert.Equal(new byte[] { 0xFF }, newer.Value!.Span.ToArray());

        await other.DeleteAsync("a/k");
        Assert.Null(await versioned.GetRangeIfVersionAsync("a/k", ByteRange.Slice(0, 1), newer.Version));
        using var missing = await versioned.GetVersionedRangeAsync("a/k", ByteRange.Suffix(1));
        Assert.Null(missing.Value);
        Assert.True(missing.Version.IsAbsent);
    }

    public static async Task ShardedArrayAsync(IStore store, IStore other)
    {
        var ones = Enumerable.Repeat(1, 8).ToArray();
        var noise = Enumerable.Range(0, 8).Select(i => (int)(0x9E3779B9u * (uint)(i + 1))).ToArray();
        var options = new ArrayOptions { Format = ZarrFormat.V3, Shards = [32], Chunks = [8], Compressors = [new ZstdCodec(3)], FillValue = 0 };
        var z = await ZarrArray.CreateAsync<int>(store, "a", [64], options);
        await z[..16].WriteAsync([.. ones, .. noise]);

        Assert.Equal(noise, (await z[8..16]).ToArray());
        Assert.Equal(ones, (await z[0..8]).ToArray());
        var cache = z.ChunkIO.IndexCache ?? throw new InvalidOperationException($"no shard index cache on {store}");
        Assert.Equal((1L, 1L), (cache.Hits, cache.Misses));

        // Inner chunks 0 and 1 swapped by the other handle: the same bytes in another order, the shard as long.
        var key = z.GetChunkKey([0]);
        var size = await store.GetSizeAsync(key);
        var there = await ZarrArray.OpenAsync<int>(other, "a", AccessMode.ReadWrite);
        await there[..16].WriteAsync([.. noise, .. ones]);
        Assert.Equal(size, await store.GetSizeAsync(key));

        Assert.Equal(ones, (await z[8..16]).ToArray());
        Assert.Equal(noise, (await z[0..8]).ToArray());
        Assert.Equal((3L, 2L), (cache.Hits, cache.Misses));
    }
}
