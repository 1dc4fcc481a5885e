using Zarr.Tests.Shared;

namespace Zarr.Storage.Tests.Stores;

/// <summary>
/// The read part of the store contract on the HTTP store: a folder written by our <see cref="DirectoryStore"/>, served by a
/// real Kestrel server on loopback (<see cref="HttpFolderServer"/>), read through <see cref="HttpStore"/>.
/// </summary>
public class HttpStoreContractTests : ReadOnlyStoreContractTests, IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private readonly List<HttpStore> _stores = [];
    private HttpFolderServer _server = null!;

    protected override bool CanList => false;

    /// <summary>Whether the server honours Range headers.</summary>
    protected virtual bool ServerSupportsRanges => true;

    public async Task InitializeAsync()
    {
        _server = await HttpFolderServer.StartAsync(_temp.Path);
        _server.SupportsRanges = ServerSupportsRanges;
    }

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        await _server.DisposeAsync();
    }

    public override void Dispose()
    {
        _temp.Dispose();
        base.Dispose();
    }

    protected override IStore CreateReadOnlyStore(IReadOnlyDictionary<string, byte[]> content)
    {
        var folder = "f" + Guid.NewGuid().ToString("N");
        var writer = new DirectoryStore(_temp.Combine(folder));
        foreach (var (key, value) in content)
        {
            writer.SetAsync(key, value).AsTask().GetAwaiter().GetResult();
        }

        var store = new HttpStore(new HttpStoreOptions { BaseUrl = new Uri(_server.Url, folder), RetryDelay = TimeSpan.FromMilliseconds(5) });
        _stores.Add(store);
        return store;
    }
}

/// <summary>
/// The same on a server that ignores Range headers (answers 200 with the whole file): the store slices what it asked for
/// out of the whole value (up to <see cref="HttpStoreOptions.MaxWholeValueBytes"/>, 64 MiB by default), so every read answers the same.
/// </summary>
public sealed class HttpStoreWithoutRangesContractTests : HttpStoreContractTests
{
    protected override bool ServerSupportsRanges => false;
}

/// <summary>The read part of the contract on a read-only <see cref="DirectoryStore"/>: the reference the HTTP store is held to.</summary>
public sealed class DirectoryStoreReadOnlyContractTests : ReadOnlyStoreContractTests
{
    private readonly TempDirectory _temp = new();

    protected override bool CanList => true;

    public override void Dispose()
    {
        _temp.Dispose();
        base.Dispose();
    }

    protected override IStore CreateReadOnlyStore(IReadOnlyDictionary<string, byte[]> content)
    {
        var root = _temp.Combine("f" + Guid.NewGuid().ToString("N"));
        var writer = new DirectoryStore(root);
        foreach (var (key, value) in content)
        {
            writer.SetAsync(key, value).AsTask().GetAwaiter().GetResult();
        }

        return new DirectoryStore(root, new DirectoryStoreOptions { ReadOnly = true });
    }
}
