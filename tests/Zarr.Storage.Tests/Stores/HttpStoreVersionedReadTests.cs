using Zarr.Storage.Codecs;
using Zarr.Tests.Shared;
using static Zarr.Tests.Shared.HttpFolderServer;

namespace Zarr.Storage.Tests.Stores;

/// <summary>
/// The HTTP store's versioned reads against a real Kestrel server on loopback (<see cref="HttpFolderServer"/>) serving a
/// folder that a <see cref="DirectoryStore"/> writes meanwhile: the version of a ranged GET is its strong ETag and a read
/// on it is a GET with <c>If-Match</c> (412: changed), so a sharded array keeps each shard's index and never reads through
/// a stale one, also from a server that ignores <c>If-Match</c>; a server with weak ETags or none is read right, each read
/// reading its own index, nothing kept.
/// </summary>
public sealed class HttpStoreVersionedReadTests : IAsyncLifetime, IDisposable
{
    private static readonly int[] Ones = Enumerable.Repeat(1, 8).ToArray();
    private static readonly int[] Noise = Enumerable.Range(0, 8).Select(i => (int)(0x9E3779B9u * (uint)(i + 1))).ToArray();
    private readonly TempDirectory _temp = new();
    private HttpFolderServer _server = null!;

    public async Task InitializeAsync() => _server = await StartAsync(_temp.Path);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _temp.Dispose();

    private HttpStore Open() => new(new HttpStoreOptions { BaseUrl = new Uri(_server.Url, "data"), RetryDelay = TimeSpan.FromMilliseconds(5) });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_range_is_read_with_its_strong_etag_and_again_only_while_the_file_has_it(bool serverIgnoresIfMatch)
    {
        _server.ETags = ETagKind.Strong;
        _server.IgnoresIfMatch = serverIgnoresIfMatch;
        var first = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        var file = _temp.Combine("data", "k");
        Directory.CreateDirectory(_temp.Combine("data"));
        await File.WriteAllBytesAsync(file, first);
        using var store = Open();
        IVersionedReadStore versioned = store;
        Assert.Same(store, StoreCapabilities.VersionedRead(store));

        using var read = await versioned.GetVersionedRangeAsync("k", ByteRange.Suffix(10));
        Assert.Equal(first[90..], read.Value!.Span.ToArray());
        Assert.True(read.IsLasting);
        Assert.StartsWith("\"", read.Version.Tag, StringComparison.Ordinal);
        using (var again = await versioned.GetRangeIfVersionAsync("k", ByteRange.Slice(5, 3), read.Version))
        {
            Assert.Equal(first[5..8], again!.Span.ToArray());
        }

        Assert.Contains(_server.Log, l => l == $"GET /data/k bytes=5-7 If-Match: {read.Version.Tag}");

        // A zero-length range asks HEAD for the version.
        using (var empty = await versioned.GetVersionedRangeAsync("k", ByteRange.Slice(3, 0)))
        {
            Assert.Equal((0, read.Version), (empty.Value!.Length, empty.Version));
        }

        // Rewritten with as many bytes: another version, refused whether or not the server honours If-Match.
        await File.WriteAllBytesAsync(file, first.Select(b => (byte)(b ^ 0xFF)).ToArray());
        Assert.Null(await versioned.GetRangeIfVersionAsync("k", ByteRange.Slice(5, 3), read.Version));
        Assert.Null(await versioned.GetRangeIfVersionAsync("k", ByteRange.Slice(5, 0), read.Version));
        using var newer = await versioned.GetVersionedRangeAsync("k", ByteRange.Slice(0, 1));
        Assert.NotEqual(read.Version, newer.Version);
        Assert.Equal(new byte[] { 0xFF }, newer.Value!.Span.ToArray());

        File.Delete(file);
        Assert.Null(await versioned.GetRangeIfVersionAsync("k", ByteRange.Slice(0, 1), newer.Version));
        using var missing = await versioned.GetVersionedRangeAsync("k", ByteRange.Suffix(1));
        Assert.Null(missing.Value);
        Assert.True(missing.Version.IsAbsent);
        Assert.Null(await versioned.GetRangeIfVersionAsync("k", ByteRange.Slice(0, 1), StoreVersion.Absent));
        await Assert.ThrowsAsync<ZarrStoreException>(async () => await versioned.GetVersionedRangeAsync("../k", ByteRange.Slice(0, 1)));
    }

    [Theory]
    [InlineData("None")]
    [InlineData("Weak")]
    public async Task Without_a_strong_etag_a_version_is_not_lasting_and_checks_nothing(string etags)
    {
        _server.ETags = Enum.Parse<ETagKind>(etags);
        Directory.CreateDirectory(_temp.Combine("data"));
        await File.WriteAllBytesAsync(_temp.Combine("data", "k"), [1, 2, 3, 4]);
        using var store = Open();

        using var read = await store.GetVersionedRangeAsync("k", ByteRange.Suffix(2));
        Assert.Equal(new byte[] { 3, 4 }, read.Value!.Span.ToArray());
        Assert.False(read.IsLasting);
        await File.WriteAllBytesAsync(_temp.Combine("data", "k"), [5, 6, 7, 8]);
        using var again = await store.GetRangeIfVersionAsync("k", ByteRange.Slice(0, 2), read.Version);
        Assert.Equal(new byte[] { 5, 6 }, again!.Span.ToArray());
        Assert.DoesNotContain(_server.Log, l => l.Contains("If-Match", StringComparison.Ordinal));

        // The server sends a strong ETag now: the value has a version the one read without cannot be.
        _server.ETags = ETagKind.Strong;
        Assert.Null(await store.GetRangeIfVersionAsync("k", ByteRange.Slice(0, 2), read.Version));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_shard_rewritten_between_reads_is_never_read_through_its_old_index(bool serverIgnoresIfMatch)
    {
        _server.ETags = ETagKind.Strong;
        _server.IgnoresIfMatch = serverIgnoresIfMatch;
        var writer = await CreateAsync();
        await writer[..16].WriteAsync([.. Ones, .. Noise]);
        using var store = Open();
        var z = await ZarrArray.OpenAsync<int>(store, "a");
        var cache = z.ChunkIO.IndexCache!;

        _server.ResetCounts();
        Assert.Equal(Noise, (await z[8..16]).ToArray());
        Assert.Equal(Ones, (await z[0..8]).ToArray());
        Assert.Equal(3, _server.Requests); // the index once, then one ranged GET with If-Match per read
        Assert.Equal((1L, 1L, 1), (cache.Hits, cache.Misses, cache.Count));

        // Rewritten by the writer with the inner chunks swapped: the same bytes in another order, the shard as long.
        var shard = _temp.Combine("data", "a", "c", "0");
        var size = new FileInfo(shard).Length;
        await writer[..16].WriteAsync([.. Noise, .. Ones]);
        Assert.Equal(size, new FileInfo(shard).Length);

        _server.ResetCounts();
        Assert.Equal(Ones, (await z[8..16]).ToArray());
        Assert.Equal(Noise, (await z[0..8]).ToArray());
        Assert.Equal(4, _server.Requests); // refused on the old ETag, the new index, then a read on the new ETag each
        Assert.Equal((3L, 2L), (cache.Hits, cache.Misses));
    }

    [Fact]
    public async Task A_whole_shard_read_keeps_its_index_so_an_inner_chunk_read_is_one_request()
    {
        _server.ETags = ETagKind.Strong;
        var writer = await CreateAsync();
        var values = Enumerable.Range(1, 64).ToArray();
        await writer[..].WriteAsync(values);
        using var store = Open();
        var z = await ZarrArray.OpenAsync<int>(store, "a");
        var cache = z.ChunkIO.IndexCache!;

        _server.ResetCounts();
        Assert.Equal(values[32..], (await z[32..]).ToArray());
        Assert.Equal(values[40..48], (await z[40..48]).ToArray());
        // The whole shard with no Range header, then the inner chunk alone on the shard's ETag.
        Assert.Collection(
            _server.Log,
            whole => Assert.Equal("GET /data/a/c/1", whole),
            inner => Assert.Matches("^GET /data/a/c/1 bytes=[0-9]+-[0-9]+ If-Match: \"[0-9A-F]+\"$", inner));
        Assert.Equal((1L, 0L, 1), (cache.Hits, cache.Misses, cache.Count));
    }

    [Fact]
    public async Task A_server_that_ignores_if_match_and_sends_no_etag_on_parts_is_never_read_through_an_old_index()
    {
        _server.ETags = ETagKind.Strong;
        _server.IgnoresIfMatch = true;
        _server.ETagsOnlyOnWholeAnswers = true;
        var writer = await CreateAsync();
        await writer[..16].WriteAsync([.. Ones, .. Noise]);
        using var store = Open();
        var z = await ZarrArray.OpenAsync<int>(store, "a");
        var cache = z.ChunkIO.IndexCache!;

        // The whole shard comes with its ETag, so its index is kept.
        int[] whole = [.. Ones, .. Noise, .. new int[16]];
        Assert.Equal(whole, (await z[..32]).ToArray());
        Assert.Equal(1, cache.Count);

        // Rewritten with the inner chunks swapped, as long: the part read on the kept ETag says no version, so it is not
        // taken for the kept one; the new index is read.
        await writer[..16].WriteAsync([.. Noise, .. Ones]);
        Assert.Equal(Ones, (await z[8..16]).ToArray());
        Assert.Equal(Noise, (await z[0..8]).ToArray());
    }

    [Fact]
    public async Task An_etag_made_of_the_modification_second_is_kept_only_once_that_second_lies_two_seconds_back()
    {
        _server.ETags = ETagKind.ModifiedSecondAndSize;
        var writer = await CreateAsync();
        await writer[..16].WriteAsync([.. Ones, .. Noise]);
        var shard = _temp.Combine("data", "a", "c", "0");
        var second = DateTime.UnixEpoch.AddSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60);
        File.SetLastWriteTimeUtc(shard, second);
        _server.Date = new DateTimeOffset(second).AddSeconds(1);
        using var store = Open();
        var z = await ZarrArray.OpenAsync<int>(store, "a");
        var cache = z.ChunkIO.IndexCache!;
        using var before = await store.GetVersionedRangeAsync("a/c/0", ByteRange.Suffix(1));
        Assert.False(before.IsLasting);

        // Written within the second the server's clock is in: read right, and its index not kept.
        Assert.Equal(Noise, (await z[8..16]).ToArray());
        Assert.Equal(0, cache.Count);

        // Rewritten in the same second with as many bytes: the same ETag, which a kept index would have trusted.
        await writer[..16].WriteAsync([.. Noise, .. Ones]);
        File.SetLastWriteTimeUtc(shard, second);
        using (var after = await store.GetVersionedRangeAsync("a/c/0", ByteRange.Suffix(1)))
        {
            Assert.Equal(before.Version, after.Version);
        }

        Assert.Equal(Ones, (await z[8..16]).ToArray());
        Assert.Equal(0, cache.Count);

        // Two seconds on, the ETag lasts: the index is kept and used.
        _server.Date = new DateTimeOffset(second).AddSeconds(2);
        Assert.Equal(Ones, (await z[8..16]).ToArray());
        Assert.Equal(Noise, (await z[0..8]).ToArray());
        Assert.Equal((1L, 1), (cache.Hits, cache.Count));

        // Any later change carries a later second, so another ETag: the kept index is refused.
        await writer[..16].WriteAsync([.. Ones, .. Noise]);
        File.SetLastWriteTimeUtc(shard, second.AddSeconds(3));
        _server.Date = new DateTimeOffset(second).AddSeconds(10);
        Assert.Equal(Noise, (await z[8..16]).ToArray());
        Assert.Equal(Ones, (await z[0..8]).ToArray());
    }

    [Theory]
    [InlineData("None")]
    [InlineData("Weak")]
    public async Task A_server_without_strong_etags_is_read_right_with_no_index_kept(string etags)
    {
        _server.ETags = Enum.Parse<ETagKind>(etags);
        var writer = await CreateAsync();
        await writer[..16].WriteAsync([.. Ones, .. Noise]);
        using var store = Open();
        var z = await ZarrArray.OpenAsync<int>(store, "a");
        var cache = z.ChunkIO.IndexCache!;

        _server.ResetCounts();
        Assert.Equal(Noise, (await z[8..16]).ToArray());
        await writer[..16].WriteAsync([.. Noise, .. Ones]);
        Assert.Equal(Ones, (await z[8..16]).ToArray());
        Assert.Equal(Noise, (await z[0..8]).ToArray());
        Assert.Equal(6, _server.Requests); // each read: its index, then its inner chunk
        Assert.DoesNotContain(_server.Log, l => l.Contains("If-Match", StringComparison.Ordinal));
        Assert.Equal((0L, 3L, 0), (cache.Hits, cache.Misses, cache.Count));
    }

    private async Task<ZarrArray<int>> CreateAsync()
    {
        var options = new ArrayOptions { Format = ZarrFormat.V3, Shards = [32], Chunks = [8], Compressors = [new ZstdCodec(3)], FillValue = 0 };
        return await ZarrArray.CreateAsync<int>(new DirectoryStore(_temp.Combine("data")), "a", [64], options);
    }
}
