using Zarr.Storage;

/// <summary>The store a writer process opens: a folder path (a directory store).</summary>
internal static class WriterStores
{
    public static IStore Open(string store) => new DirectoryStore(store);
}
