using System.Collections.Concurrent;
using Zarr.Storage.Internal;

namespace Zarr.Storage;

/// <summary>
/// Opens a store from a path or a URL, as zarr-python's <c>zarr.open("s3://…")</c> and fsspec's <c>get_mapper</c> do: the
/// node the path names is at the root of the store returned.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>Path or URL</term><description>Store</description></listheader>
/// <item><term><c>/data/x.zarr</c>, <c>x.zarr</c>, <c>file:///data/x.zarr</c></term><description><see cref="DirectoryStore"/> rooted at the folder</description></item>
/// <item><term><c>/data/x.zip/group/array</c></term><description><see cref="ZipStore"/> over the zip file, viewed below the path inside it (<see cref="PrefixStore"/>)</description></item>
/// <item><term><c>http://…</c>, <c>https://…</c></term><description><see cref="HttpStore"/> (read-only)</description></item>
/// <item><term>any other <c>scheme://…</c></term><description>the provider registered for the scheme with <see cref="Register(string, IStoreUrlProvider)"/>:
/// <c>s3://bucket/prefix</c> by the Zarr.Storage.S3 package, <c>az://container/prefix</c> by Zarr.Storage.Azure</description></item>
/// </list>
/// <para>A path runs through a zip file at the first of its components that ends in <c>.zip</c> (any case) and is an existing
/// file when reading; when writing, at the first such component that is not an existing folder (the file is then created or
/// appended to). A real folder named <c>x.zip</c> is a folder either way.</para>
/// </remarks>
public static class StoreUrl
{
    private static readonly ConcurrentDictionary<string, IStoreUrlProvider> Providers = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Makes <paramref name="provider"/> open the URLs of <paramref name="scheme"/> (replacing the provider registered before, if any).</summary>
    /// <param name="scheme">The scheme without "://", such as <c>s3</c>; not <c>file</c>, <c>http</c> or <c>https</c>, which are built in.</param>
    /// <param name="provider">What opens the URLs.</param>
    /// <exception cref="ArgumentException"><paramref name="scheme"/> is empty, not a URL scheme, or built in.</exception>
    public static void Register(string scheme, IStoreUrlProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        if (!IsScheme(scheme))
        {
            throw new ArgumentException($"{UserText.Quote(scheme)} is not a URL scheme (a letter, then letters, digits, '+', '-' or '.')", nameof(scheme));
        }

        if (IsBuiltIn(scheme))
        {
            throw new ArgumentException($"the scheme {UserText.Quote(scheme)} is built in", nameof(scheme));
        }

        Providers[scheme] = provider;
    }

    /// <summary>Makes <paramref name="open"/> open the URLs of <paramref name="scheme"/>, as <see cref="Register(string, IStoreUrlProvider)"/>;
    /// for a store type with a factory such as <c>S3Store.FromUrl(url, options)</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="scheme"/> is empty, not a URL scheme, or built in.</exception>
    public static void Register(string scheme, Func<Uri, StoreUrlOptions, IStore> open)
    {
        ArgumentNullException.ThrowIfNull(open);
        Register(scheme, new DelegateProvider(open));
    }

    /// <summary>
    /// Opens the store of <paramref name="pathOrUrl"/> with the node it names at the root. Dispose the result when done;
    /// for a store opened to write a zip file, call <see cref="OpenedStore.CommitAsync"/> first, or the writes are discarded.
    /// </summary>
    /// <param name="pathOrUrl">A path, or a URL (see the table in the remarks).</param>
    /// <param name="options">The mode and the stores' options; null for reading with the defaults.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <exception cref="ArgumentException"><paramref name="pathOrUrl"/> is empty or not a valid URL.</exception>
    /// <exception cref="ZarrStoreException">No provider is registered for the URL's scheme; an HTTP URL opened for writing;
    /// a path inside a zip file that is not a valid key; a zip file that is not one, is damaged or is held by another writer.</exception>
    public static async ValueTask<OpenedStore> OpenAsync(string pathOrUrl, StoreUrlOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pathOrUrl);
        cancellationToken.ThrowIfCancellationRequested();
        options ??= new StoreUrlOptions();
        var scheme = SchemeOf(pathOrUrl);
        if (scheme is null)
        {
            return StoreUrlPaths.Open(pathOrUrl, options.Mode);
        }

        if (!Uri.TryCreate(pathOrUrl, UriKind.Absolute, out var url))
        {
            throw new ArgumentException($"{UserText.Quote(SafeUrl.Of(pathOrUrl))} is not a valid URL", nameof(pathOrUrl));
        }

        if (scheme.Equals(Uri.UriSchemeFile, StringComparison.OrdinalIgnoreCase))
        {
            return StoreUrlPaths.Open(url.LocalPath, options.Mode);
        }

        var shown = SafeUrl.Of(pathOrUrl);
        if (scheme.Equals(Uri.UriSchemeHttp, StringComparison.OrdinalIgnoreCase) || scheme.Equals(Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase))
        {
            if (options.Mode != AccessMode.Read)
            {
                throw new ZarrStoreException(null, $"{shown}: an HTTP store is read-only; open it in mode r (AccessMode.Read)");
            }

            var http = options.Http?.Clone() ?? new HttpStoreOptions();
            http.BaseUrl = url;
            var store = options.HttpClient is { } client ? new HttpStore(client, http) : new HttpStore(http);
            return new OpenedStore(store, shown, owned: store);
        }

        if (!Providers.TryGetValue(scheme, out var provider))
        {
            throw new ZarrStoreException(
                null,
                $"{shown}: no store is registered for the URL scheme {UserText.Quote(scheme)}. Built in: plain paths, file://, http:// and "
                + "https://; s3:// comes with the Zarr.Storage.S3 package and az:// with Zarr.Storage.Azure (reference it and register "
                + "it with StoreUrl.Register); other schemes need a provider registered the same way");
        }

        var opened = await provider.OpenAsync(url, options, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"the store provider for {UserText.Quote(scheme)} opened no store for {shown}");
        return new OpenedStore(opened, shown, owned: opened);
    }

    /// <summary>The scheme of a URL (<c>https</c> in <c>https://…</c>), or null for a plain path (including <c>C:\…</c>).</summary>
    internal static string? SchemeOf(string pathOrUrl)
    {
        var end = pathOrUrl.IndexOf("://", StringComparison.Ordinal);
        // One letter before "://" is a Windows drive (C://x), not a scheme.
        return end >= 2 && IsScheme(pathOrUrl.AsSpan(0, end)) ? pathOrUrl[..end] : null;
    }

    private static bool IsBuiltIn(string scheme) =>
        scheme.Equals(Uri.UriSchemeFile, StringComparison.OrdinalIgnoreCase)
        || scheme.Equals(Uri.UriSchemeHttp, StringComparison.OrdinalIgnoreCase)
        || scheme.Equals(Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase);

    private static bool IsScheme(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || !char.IsAsciiLetter(text[0]))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private sealed class DelegateProvider(Func<Uri, StoreUrlOptions, IStore> open) : IStoreUrlProvider
    {
        public ValueTask<IStore> OpenAsync(Uri url, StoreUrlOptions options, CancellationToken cancellationToken) =>
            ValueTask.FromResult(open(url, options));
    }
}

/// <summary>Opens the stores of one URL scheme for <see cref="StoreUrl.OpenAsync"/>; registered with <see cref="StoreUrl.Register(string, IStoreUrlProvider)"/>.</summary>
public interface IStoreUrlProvider
{
    /// <summary>
    /// Opens the store <paramref name="url"/> names, with its node at the root, as <paramref name="options"/> say (their
    /// <see cref="StoreUrlOptions.Mode"/>, and the provider's entry in <see cref="StoreUrlOptions.ProviderOptions"/>). A
    /// store that is <see cref="IDisposable"/> or <see cref="IAsyncDisposable"/> is disposed with the <see cref="OpenedStore"/>.
    /// Messages never name the URL's secrets (its query string, user name or password).
    /// </summary>
    ValueTask<IStore> OpenAsync(Uri url, StoreUrlOptions options, CancellationToken cancellationToken);
}
