namespace Zarr.Storage;

/// <summary>
/// A store <see cref="StoreUrl.OpenAsync"/> opened, with the node its path names at the root, and what must happen when the
/// work ends: a zip file written (<see cref="CommitAsync"/>) or, when the work failed, left as it was
/// (<see cref="DisposeAsync"/> without a commit); an HTTP client or SDK client closed.
/// </summary>
public sealed class OpenedStore : IAsyncDisposable
{
    private readonly object? _owned;
    private bool _closed;

    /// <summary>A folder's store.</summary>
    internal OpenedStore(DirectoryStore store, string folder, string shown)
    {
        Store = store;
        Folder = folder;
        Location = shown;
        InnerPath = string.Empty;
    }

    /// <summary>A node at <paramref name="innerPath"/> inside <paramref name="zip"/>, which this object now owns.</summary>
    internal OpenedStore(ZipStore zip, string innerPath)
    {
        Zip = zip;
        InnerPath = innerPath;
        Store = innerPath.Length == 0 ? zip : new PrefixStore(zip, innerPath);
        Location = innerPath.Length == 0 ? zip.Path : $"{zip.Path}/{innerPath}";
    }

    /// <summary>A store of a URL, disposed with this object when it is disposable.</summary>
    internal OpenedStore(IStore store, string shown, object? owned)
    {
        Store = store;
        Location = shown;
        InnerPath = string.Empty;
        _owned = owned;
    }

    /// <summary>The store, with the node at its root.</summary>
    public IStore Store { get; }

    /// <summary>Where the store is, for messages: a full path, a path through a zip file, or a URL without its secrets
    /// (no query string, user name or password).</summary>
    public string Location { get; }

    /// <summary>The node's folder on disk (a full path) when the store is a <see cref="DirectoryStore"/>; otherwise null.</summary>
    public string? Folder { get; }

    /// <summary>The zip store the node is in, or null when it is not in a zip file.</summary>
    public ZipStore? Zip { get; }

    /// <summary>The node's path inside the zip file ("" for its root, and for every store that is not a zip file).</summary>
    public string InnerPath { get; }

    /// <summary>Ends work that succeeded: a zip file opened for writing is written now (and closed). Other stores need nothing.</summary>
    /// <remarks>Not cancellable on purpose: the work it ends is done, and writing its result out is the one step left.</remarks>
    /// <exception cref="ZarrStoreException">The zip file could not be written; it is then unchanged.</exception>
    public async ValueTask CommitAsync()
    {
        if (Zip is not null && !_closed && !Zip.IsReadOnly)
        {
            _closed = true;
            try
            {
                await Zip.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                await Zip.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Closes the store. Without a <see cref="CommitAsync"/> before, the writes to a zip file are discarded
    /// (<see cref="ZipStore.AbortAsync"/>) and the file stays as it was.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        if (Zip is not null)
        {
            if (Zip.IsReadOnly)
            {
                await Zip.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                await Zip.AbortAsync().ConfigureAwait(false);
            }
        }
        else if (_owned is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        }
        else if (_owned is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    /// <summary>Returns <see cref="Location"/>.</summary>
    public override string ToString() => Location;
}
