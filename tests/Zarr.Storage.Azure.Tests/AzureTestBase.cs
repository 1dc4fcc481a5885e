namespace Zarr.Storage.Azure.Tests;

/// <summary>A test class on Azurite: each store it opens gets a fresh container, deleted at the end.</summary>
public abstract class AzureTestBase(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly List<string> _containers = [];

    protected AzuriteFixture Azurite => azurite;

    /// <summary>A container name of this test's own.</summary>
    protected string NewContainer()
    {
        var name = AzuriteFixture.NewContainerName(GetType().Name.Replace("Tests", "", StringComparison.Ordinal));
        lock (_containers)
        {
            _containers.Add(name);
        }

        return name;
    }

    protected AzureBlobStore NewStore(string prefix = "", RequestCounter? counter = null, int? listPageSize = null)
    {
        var options = Azurite.Options(counter);
        options.ListPageSize = listPageSize;
        return new(NewContainer(), prefix, options);
    }

    protected static byte[] Bytes(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    protected static async Task<byte[]?> ReadAsync(IStore store, string key, ByteRange? range = null)
    {
        using var buffer = await store.GetAsync(key, range);
        return buffer?.Span.ToArray();
    }

    protected static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var container in _containers)
        {
            await Azurite.DeleteContainerAsync(container);
        }
    }
}
