using System.Text.Json.Nodes;
using Zarr.Storage.Internal;

namespace Zarr.Storage;

/// <summary>What changes an array's attributes.</summary>
public partial class ZarrArray
{
    /// <summary>
    /// Sets and removes some attributes, keeping the others, as zarr-python's <c>attrs.update(...)</c> and
    /// <c>del attrs[key]</c>: the keys of <paramref name="set"/> are added or overwritten (each value whole, not merged),
    /// then the keys of <paramref name="remove"/> are removed.
    /// </summary>
    /// <remarks>
    /// A read-modify-write of the stored document under the node's lock (see <see cref="ResizeAsync"/>): changes made at
    /// once through any handles on the array in this process are all kept. The handle's metadata is then what was written.
    /// On a v2 array, setting <c>_ARRAY_DIMENSIONS</c> sets the dimension names, and removing it removes them.
    /// </remarks>
    /// <param name="set">The attributes to add or overwrite (copied); null or empty for none.</param>
    /// <param name="remove">The attributes to remove; null or empty for none.</param>
    /// <param name="cancellationToken">Cancels the change (nothing is written once it is cancelled).</param>
    /// <exception cref="ZarrException">A key to remove is not there (nothing is written); the array was opened read-only;
    /// or on a v2 array <c>_ARRAY_DIMENSIONS</c> is set to something other than one name per dimension.</exception>
    /// <exception cref="ZarrNodeException">The array is no longer in the store.</exception>
    public async Task UpdateAttributesAsync(JsonObject? set, IEnumerable<string>? remove = null, CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        var toSet = (JsonObject?)set?.DeepClone();
        var toRemove = remove?.ToArray();
        if (toRemove is not null && System.Array.IndexOf(toRemove, null) >= 0)
        {
            throw new ArgumentException("a key to remove is null", nameof(remove));
        }

        await ChangeMetadataAsync(
            (stored, _) => ValueTask.FromResult(V2DimensionNames.WithAttributes(
                stored, AttributeDictionary.Update(stored.Attributes, toSet, toRemove, $"array {UserText.Quote("/" + Path)}"), keepNames: false, Path)),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replaces all the array's attributes (see <see cref="UpdateAttributesAsync"/> to change some).</summary>
    /// <remarks>
    /// A read-modify-write of the stored document under the node's lock (see <see cref="ResizeAsync"/>): the stored shape
    /// is kept, whatever this handle last saw. The handle's metadata is then what was written. The dimension names are
    /// not attributes and are kept; on a v2 array they stay in <c>_ARRAY_DIMENSIONS</c> unless
    /// <paramref name="attributes"/> gives that attribute, which then sets them.
    /// </remarks>
    /// <exception cref="ZarrException">The array was opened read-only, or on a v2 array <c>_ARRAY_DIMENSIONS</c> is given as
    /// something other than one name per dimension.</exception>
    /// <exception cref="ZarrNodeException">The array is no longer in the store.</exception>
    public async Task SetAttributesAsync(JsonObject attributes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        EnsureWritable();
        var copy = (JsonObject)attributes.DeepClone();
        await ChangeMetadataAsync(
            (stored, _) => ValueTask.FromResult(V2DimensionNames.WithAttributes(stored, (JsonObject)copy.DeepClone(), keepNames: true, Path)),
            cancellationToken).ConfigureAwait(false);
    }
}
