using Zarr.Storage.Codecs;

namespace Zarr.Storage.Metadata;

/// <summary>Reads and writes array and group metadata documents in the Zarr v2 and v3 JSON formats.</summary>
public static class MetadataSerializer
{
    /// <summary>The v3 metadata document's name.</summary>
    public const string ZarrJson = "zarr.json";

    /// <summary>The v2 array document's name.</summary>
    public const string ZArray = ".zarray";

    /// <summary>The v2 group document's name.</summary>
    public const string ZGroup = ".zgroup";

    /// <summary>The v2 attributes document's name.</summary>
    public const string ZAttrs = ".zattrs";

    /// <summary>Parses a v3 <c>zarr.json</c> of an array.</summary>
    /// <param name="json">The document's bytes (UTF-8).</param>
    /// <param name="document">The document's store key, for error messages.</param>
    /// <exception cref="ZarrMetadataException">The document is not valid; the message names the field.</exception>
    public static ArrayMetadata ParseArrayV3(ReadOnlySpan<byte> json, string document) => throw new NotImplementedException();

    /// <summary>Parses a v2 <c>.zarray</c> with its <c>.zattrs</c> (empty span when there is none).</summary>
    public static ArrayMetadata ParseArrayV2(ReadOnlySpan<byte> zarray, ReadOnlySpan<byte> zattrs, string document) => throw new NotImplementedException();

    /// <summary>Parses a v3 <c>zarr.json</c> of a group.</summary>
    public static GroupMetadata ParseGroupV3(ReadOnlySpan<byte> json, string document) => throw new NotImplementedException();

    /// <summary>Parses a v2 <c>.zgroup</c> with its <c>.zattrs</c> (empty span when there is none).</summary>
    public static GroupMetadata ParseGroupV2(ReadOnlySpan<byte> zgroup, ReadOnlySpan<byte> zattrs, string document) => throw new NotImplementedException();

    /// <summary>The node type (<c>array</c> or <c>group</c>) a v3 <c>zarr.json</c> declares.</summary>
    public static string ReadNodeTypeV3(ReadOnlySpan<byte> json, string document) => throw new NotImplementedException();

    /// <summary>The v3 <c>zarr.json</c> of an array (UTF-8, indented).</summary>
    public static byte[] ToV3Json(ArrayMetadata metadata) => throw new NotImplementedException();

    /// <summary>The v2 <c>.zarray</c> and <c>.zattrs</c> of an array (<c>.zattrs</c> null when there are no attributes).</summary>
    /// <exception cref="ZarrException">The codec chain cannot be expressed in v2.</exception>
    public static (byte[] ZArray, byte[]? ZAttrs) ToV2Json(ArrayMetadata metadata) => throw new NotImplementedException();

    /// <summary>The v3 <c>zarr.json</c> of a group.</summary>
    public static byte[] ToV3Json(GroupMetadata metadata) => throw new NotImplementedException();

    /// <summary>The v2 <c>.zgroup</c> and <c>.zattrs</c> of a group.</summary>
    public static (byte[] ZGroup, byte[]? ZAttrs) ToV2Json(GroupMetadata metadata) => throw new NotImplementedException();

    /// <summary>Validates a codec chain for use with <paramref name="format"/>.</summary>
    internal static void ValidateChain(IReadOnlyList<ICodec> codecs, ZarrFormat format) => throw new NotImplementedException();
}
