namespace Zarr.Storage.Codecs;

/// <summary>Where a shard's index is stored: after the inner chunks (the default) or before them.</summary>
public enum ShardIndexLocation
{
    /// <summary>The index is the last bytes of the shard (<c>"end"</c>, the specification's default).</summary>
    End,

    /// <summary>The index is the first bytes of the shard (<c>"start"</c>).</summary>
    Start,
}
