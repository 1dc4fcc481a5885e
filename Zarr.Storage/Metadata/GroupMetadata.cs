namespace Zarr.Storage;

/// <summary>A group's metadata for both formats.</summary>
public sealed record GroupMetadata
{
    /// <summary>The format the group is stored in.</summary>
    public required ZarrFormat Format { get; init; }

    /// <summary>User attributes (v3: <c>attributes</c>; v2: <c>.zattrs</c>).</summary>
    public AttributeDictionary Attributes { get; init; } = AttributeDictionary.Empty;

    /// <summary>The v3 extension fields ignored when the document was read, as in <see cref="ArrayMetadata"/>: written back.</summary>
    internal string? IgnoredExtensions { get; init; }
}
