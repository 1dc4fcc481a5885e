using Zarr.Tests.Shared;

namespace Zarr.Storage.Tests.Stores;

/// <summary><see cref="StoreUrl.OpenAsync"/>: each mapping from a path or URL to a store, and the registry of other schemes.</summary>
public sealed class UrlStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static async Task<byte[]?> ReadAsync(IStore store, string key)
    {
        using var buffer = await store.GetAsync(key);
        return buffer?.Span.ToArray();
    }

    [Fact]
    public async Task A_plain_path_is_a_directory_store_read_only_in_mode_r_and_writable_otherwise()
    {
        var folder = _temp.Combine("x.zarr");
        await using (var writable = await StoreUrl.OpenAsync(folder, new StoreUrlOptions { Mode = AccessMode.Append }))
        {
            Assert.IsType<DirectoryStore>(writable.Store);
            Assert.Equal(Path.GetFullPath(folder), writable.Folder);
            Assert.Null(writable.Zip);
            await writable.Store.SetAsync("a/0", new byte[] { 1, 2, 3 });
            await writable.CommitAsync();
        }

        await using var readOnly = await StoreUrl.OpenAsync(folder);
        Assert.True(readOnly.Store.IsReadOnly);
        Assert.Equal([1, 2, 3], await ReadAsync(readOnly.Store, "a/0"));
        await Assert.ThrowsAsync<ZarrStoreException>(async () => await readOnly.Store.SetAsync("a/1", new byte[] { 1 }));
        Assert.Equal(Path.GetFullPath(folder), readOnly.Location);
    }

    [Fact]
    public async Task A_file_url_is_the_folder_it_names()
    {
        var folder = _temp.Combine("with space.zarr");
        Directory.CreateDirectory(Path.Combine(folder, "g"));
        await File.WriteAllBytesAsync(Path.Combine(folder, "g", "k"), [9, 8]);
        await using var opened = await StoreUrl.OpenAsync(new Uri(folder).AbsoluteUri);
        Assert.IsType<DirectoryStore>(opened.Store);
        Assert.Equal([9, 8], await ReadAsync(opened.Store, "g/k"));
        Assert.Equal(Path.GetFullPath(folder), opened.Folder);
    }

    [Fact]
    public async Task A_path_through_a_zip_file_is_a_view_inside_it_written_on_commit_only()
    {
        var zip = _temp.Combine("data.zip");
        await using (var created = await StoreUrl.OpenAsync(Path.Combine(zip, "group", "arr"), new StoreUrlOptions { Mode = AccessMode.Write }))
        {
            var view = Assert.IsType<PrefixStore>(created.Store);
            Assert.Equal("group/arr", view.Prefix);
            Assert.Equal("group/arr", created.InnerPath);
            Assert.Equal(Path.GetFullPath(zip), created.Zip!.Path);
            await created.Store.SetAsync("zarr.json", new byte[] { 7 });
        }

        Assert.False(File.Exists(zip)); // disposed without a commit: nothing written

        await using (var created = await StoreUrl.OpenAsync(Path.Combine(zip, "group", "arr"), new StoreUrlOptions { Mode = AccessMode.Write }))
        {
            await created.Store.SetAsync("zarr.json", new byte[] { 7 });
            await created.CommitAsync();
        }

        await using var read = await StoreUrl.OpenAsync(Path.Combine(zip, "group"));
        Assert.True(read.Store.IsReadOnly);
        Assert.Equal([7], await ReadAsync(read.Store, "arr/zarr.json"));
        await using var root = await StoreUrl.OpenAsync(zip);
        Assert.IsType<ZipStore>(root.Store);
        Assert.Equal([7], await ReadAsync(root.Store, "group/arr/zarr.json"));

        var bad = await Assert.ThrowsAsync<ZarrStoreException>(async () => await StoreUrl.OpenAsync(Path.Combine(zip, "bad\\name")));
        Assert.Contains("not a valid path inside the zip file", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_http_url_is_a_read_only_http_store_with_the_options_given_and_no_secret_shown()
    {
        Directory.CreateDirectory(_temp.Combine("site", "x.zarr"));
        await File.WriteAllBytesAsync(_temp.Combine("site", "x.zarr", "k"), [4, 2]);
        await using var server = await HttpFolderServer.StartAsync(_temp.Combine("site"));
        server.BearerToken = "T0KEN";
        var url = new Uri(server.Url, "x.zarr?sig=SECRET").AbsoluteUri;
        var options = new StoreUrlOptions { Http = new HttpStoreOptions { MaxRetries = 0 } };
        options.Http.Headers["Authorization"] = "Bearer T0KEN";
        await using (var opened = await StoreUrl.OpenAsync(url, options))
        {
            var http = Assert.IsType<HttpStore>(opened.Store);
            Assert.Equal([4, 2], await ReadAsync(http, "k"));
            Assert.Equal($"{server.Url}x.zarr", opened.Location);
            Assert.Null(opened.Folder);
        }

        using var client = new HttpClient();
        await using (var viaClient = await StoreUrl.OpenAsync(url, new StoreUrlOptions { HttpClient = client, Http = options.Http }))
        {
            Assert.Equal([4, 2], await ReadAsync(viaClient.Store, "k"));
        }

        client.DefaultRequestHeaders.Add("Authorization", "Bearer T0KEN");
        Assert.Equal([4, 2], await client.GetByteArrayAsync(new Uri(server.Url, "x.zarr/k"))); // the caller's client is not disposed

        var write = await Assert.ThrowsAsync<ZarrStoreException>(async () => await StoreUrl.OpenAsync(url, new StoreUrlOptions { Mode = AccessMode.Append }));
        Assert.Contains("read-only", write.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", write.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_scheme_fails_naming_the_scheme_and_the_packages_and_no_secret()
    {
        var e = await Assert.ThrowsAsync<ZarrStoreException>(async () => await StoreUrl.OpenAsync("gopher://user:PASSWORD@host/x.zarr?token=SECRET"));
        Assert.Contains("'gopher'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Zarr.Storage.S3", e.Message, StringComparison.Ordinal);
        Assert.Contains("Zarr.Storage.Azure", e.Message, StringComparison.Ordinal);
        Assert.Contains("gopher://host/x.zarr", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("PASSWORD", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_registered_provider_opens_its_scheme_with_the_options_and_its_store_is_disposed_with_the_result()
    {
        var provider = new RecordingProvider();
        StoreUrl.Register("zarr-test-mem", provider);
        var options = new StoreUrlOptions { Mode = AccessMode.Append };
        options.ProviderOptions["zarr-test-mem"] = "provider's own options";
        DisposableStore store;
        await using (var opened = await StoreUrl.OpenAsync("zarr-test-mem://bucket/prefix/x.zarr", options))
        {
            store = Assert.IsType<DisposableStore>(opened.Store);
            Assert.Equal("zarr-test-mem://bucket/prefix/x.zarr", provider.Url!.AbsoluteUri);
            Assert.Equal(AccessMode.Append, provider.Options!.Mode);
            Assert.Equal("provider's own options", provider.Options.ProviderOptions["zarr-test-mem"]);
            Assert.False(store.Disposed);
        }

        Assert.True(store.Disposed);

        StoreUrl.Register("zarr-test-fn", (url, o) => new MemoryStore([new("k", [(byte)url.Host.Length])], readOnly: o.Mode == AccessMode.Read));
        await using var fromDelegate = await StoreUrl.OpenAsync("zarr-test-fn://abc/");
        Assert.Equal([3], await ReadAsync(fromDelegate.Store, "k"));
        Assert.True(fromDelegate.Store.IsReadOnly);

        Assert.Throws<ArgumentException>(() => StoreUrl.Register("https", provider));
        Assert.Throws<ArgumentException>(() => StoreUrl.Register("file", provider));
        Assert.Throws<ArgumentException>(() => StoreUrl.Register("no scheme", provider));
    }

    [Fact]
    public async Task Windows_drive_letters_are_not_schemes()
    {
        Assert.Null(StoreUrl.SchemeOf("C://data/x.zarr"));
        Assert.Null(StoreUrl.SchemeOf("/data/x.zarr"));
        Assert.Null(StoreUrl.SchemeOf("relative/a://b"));
        Assert.Equal("s3", StoreUrl.SchemeOf("s3://bucket/x"));
        await Assert.ThrowsAsync<ArgumentException>(async () => await StoreUrl.OpenAsync(" "));
    }

    private sealed class RecordingProvider : IStoreUrlProvider
    {
        public Uri? Url { get; private set; }

        public StoreUrlOptions? Options { get; private set; }

        public ValueTask<IStore> OpenAsync(Uri url, StoreUrlOptions options, CancellationToken cancellationToken)
        {
            Url = url;
            Options = options;
            return ValueTask.FromResult<IStore>(new DisposableStore());
        }
    }

    private sealed class DisposableStore : IStore, IDisposable
    {
        private readonly MemoryStore _inner = new();

        public bool Disposed { get; private set; }

        public bool IsReadOnly => false;

        public void Dispose() => Disposed = true;

        public ValueTask<Zarr.Storage.Buffers.PooledBuffer?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default) => _inner.GetAsync(key, range, cancellationToken);

        public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => _inner.ExistsAsync(key, cancellationToken);

        public ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default) => _inner.GetSizeAsync(key, cancellationToken);

        public ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) => _inner.SetAsync(key, value, cancellationToken);

        public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default) => _inner.DeleteAsync(key, cancellationToken);

        public ValueTask DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default) => _inner.DeletePrefixAsync(prefix, cancellationToken);

        public IAsyncEnumerable<StoreEntry> ListPrefixAsync(string prefix, CancellationToken cancellationToken = default) => _inner.ListPrefixAsync(prefix, cancellationToken);

        public IAsyncEnumerable<string> ListDirectoryAsync(string prefix, CancellationToken cancellationToken = default) => _inner.ListDirectoryAsync(prefix, cancellationToken);
    }
}
