namespace Zarr.Storage;

/// <summary>The Zarr format version of a node.</summary>
public enum ZarrFormat
{
    /// <summary>Zarr v2: <c>.zarray</c>, <c>.zgroup</c>, <c>.zattrs</c>.</summary>
    V2 = 2,

    /// <summary>Zarr v3: <c>zarr.json</c>. The default for new nodes.</summary>
    V3 = 3,
}
