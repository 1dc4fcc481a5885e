namespace Zarr.Storage;

/// <summary>How <see cref="StoreUrl.OpenAsync"/> opens a store. Read when the store is opened; later changes have no effect on it.</summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>Option</term><description>Default</description></listheader>
/// <item><term><see cref="Mode"/></term><description><see cref="AccessMode.Read"/></description></item>
/// <item><term><see cref="Http"/></term><description>null: <see cref="HttpStoreOptions"/>' defaults</description></item>
/// <item><term><see cref="HttpClient"/></term><description>null: the HTTP store makes its own</description></item>
/// <item><term><see cref="ProviderOptions"/></term><description>empty</description></item>
/// </list>
/// </remarks>
public sealed class StoreUrlOptions
{
    /// <summary>
    /// What the store is opened for, as zarr-python's mode: <see cref="AccessMode.Read"/> gives a read-only store;
    /// <see cref="AccessMode.ReadWrite"/> a writable one over something that exists (a zip file is appended to);
    /// <see cref="AccessMode.Append"/>, <see cref="AccessMode.Write"/> and <see cref="AccessMode.WriteNew"/> a writable one
    /// that may be created (a folder by its first write, a zip file when missing). HTTP stores open in mode r only.
    /// Whether a node exists there is the business of <see cref="ZarrArray"/> and <see cref="ZarrGroup"/>, not of this.
    /// </summary>
    public AccessMode Mode { get; set; } = AccessMode.Read;

    /// <summary>Options for <c>http://</c> and <c>https://</c> URLs (their <see cref="HttpStoreOptions.BaseUrl"/> is the URL opened).</summary>
    public HttpStoreOptions? Http { get; set; }

    /// <summary>The client HTTP stores send their requests through (not disposed with them); null: each store makes its own.</summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>
    /// Options for the providers of other schemes, by scheme (<c>s3</c>, <c>az</c>): each provider reads its own entry, of the
    /// type its package documents (for example the S3 store's options under <c>s3</c>).
    /// </summary>
    public IDictionary<string, object> ProviderOptions { get; } = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
}
