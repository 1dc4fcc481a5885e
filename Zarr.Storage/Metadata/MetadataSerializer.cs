using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;

namespace Zarr.Storage;

/// <summary>Reads and writes array and group metadata documents in the Zarr v2 and v3 JSON formats.</summary>
/// <remarks>
/// <para>Output is byte for byte what the reference implementations write: v2 as zarr-python 2.13 (keys sorted, indent 4,
/// non-ASCII escaped, no trailing newline), v3 as zarr-python 3 (its field order, indent 2). Every reading failure is a
/// <see cref="ZarrMetadataException"/> naming the document and the field.</para>
/// <para>NaN and infinities: v2 documents are read as Python's json writes them, with the bare tokens <c>NaN</c>,
/// <c>Infinity</c> and <c>-Infinity</c> (zarr-python 2.13 writes an attribute that is float('nan') so): in
/// <c>.zattrs</c> they read as the doubles, in <c>.zarray</c> as the fill value strings <c>"NaN"</c>, <c>"Infinity"</c>,
/// <c>"-Infinity"</c>. Everything is written as standard JSON, those doubles as those strings (where zarr-python 2.13
/// would write the bare token), which zarr-python 2.13 reads back as the strings. v3 documents are standard JSON.</para>
/// <para>The work is done by one reader and one writer per format; this class is their entry point.</para>
/// </remarks>
internal static class MetadataSerializer
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
    public static ArrayMetadata ParseArrayV3(ReadOnlySpan<byte> json, string document) =>
        V3MetadataReader.ParseArray(json, document);

    /// <summary>Parses a v2 <c>.zarray</c> with its <c>.zattrs</c> (empty span when there is none).</summary>
    /// <param name="zarray">The <c>.zarray</c> document's bytes (UTF-8).</param>
    /// <param name="zattrs">The <c>.zattrs</c> document's bytes, or an empty span when there is none.</param>
    /// <param name="document">The <c>.zarray</c> document's store key, for error messages.</param>
    /// <exception cref="ZarrMetadataException">A document is not valid, or uses a feature not supported yet (string, date,
    /// structured or object data types; filters other than delta, fixedscaleoffset, astype and quantize); the message
    /// names the field.</exception>
    public static ArrayMetadata ParseArrayV2(ReadOnlySpan<byte> zarray, ReadOnlySpan<byte> zattrs, string document) =>
        V2MetadataReader.ParseArray(zarray, zattrs, document);

    /// <summary>Parses a v3 <c>zarr.json</c> of a group.</summary>
    /// <param name="json">The document's bytes (UTF-8).</param>
    /// <param name="document">The document's store key, for error messages.</param>
    /// <exception cref="ZarrMetadataException">The document is not valid; the message names the field.</exception>
    public static GroupMetadata ParseGroupV3(ReadOnlySpan<byte> json, string document) =>
        V3MetadataReader.ParseGroup(json, document);

    /// <summary>Parses a v2 <c>.zgroup</c> with its <c>.zattrs</c> (empty span when there is none).</summary>
    /// <param name="zgroup">The <c>.zgroup</c> document's bytes (UTF-8).</param>
    /// <param name="zattrs">The <c>.zattrs</c> document's bytes, or an empty span when there is none.</param>
    /// <param name="document">The <c>.zgroup</c> document's store key, for error messages.</param>
    /// <exception cref="ZarrMetadataException">A document is not valid; the message names the field.</exception>
    public static GroupMetadata ParseGroupV2(ReadOnlySpan<byte> zgroup, ReadOnlySpan<byte> zattrs, string document) =>
        V2MetadataReader.ParseGroup(zgroup, zattrs, document);

    /// <summary>The node type (<c>array</c> or <c>group</c>) a v3 <c>zarr.json</c> declares.</summary>
    /// <param name="json">The document's bytes (UTF-8).</param>
    /// <param name="document">The document's store key, for error messages.</param>
    /// <exception cref="ZarrMetadataException">The document is not JSON, not v3, or has no valid <c>node_type</c>.</exception>
    public static string ReadNodeTypeV3(ReadOnlySpan<byte> json, string document) =>
        V3MetadataReader.ReadNodeType(json, document);

    /// <summary>The v3 <c>zarr.json</c> of an array (UTF-8, indented).</summary>
    /// <param name="metadata">The array's metadata (of either format: a v2 array's model is written as its v3 equivalent,
    /// a null fill value as the zeros it reads as).</param>
    /// <exception cref="ZarrException">The metadata is not consistent (ranks, codec chain, fill value size, a null fill
    /// value whose bytes are not zero).</exception>
    public static byte[] ToV3Json(ArrayMetadata metadata) => V3MetadataWriter.WriteArray(metadata);

    /// <summary>The v2 <c>.zarray</c> and <c>.zattrs</c> of an array (<c>.zattrs</c> null when there are no attributes).</summary>
    /// <param name="metadata">The array's metadata (of either format).</param>
    /// <exception cref="ZarrException">The codec chain, chunk key encoding or dimension names cannot be expressed in v2, or
    /// the metadata is not consistent (ranks, fill value size, a null fill value whose bytes are not zero).</exception>
    public static (byte[] ZArray, byte[]? ZAttrs) ToV2Json(ArrayMetadata metadata) => V2MetadataWriter.WriteArray(metadata);

    /// <summary>The v3 <c>zarr.json</c> of a group.</summary>
    /// <param name="metadata">The group's metadata.</param>
    public static byte[] ToV3Json(GroupMetadata metadata) => V3MetadataWriter.WriteGroup(metadata);

    /// <summary>The v2 <c>.zgroup</c> and <c>.zattrs</c> of a group (<c>.zattrs</c> null when there are no attributes).</summary>
    /// <param name="metadata">The group's metadata.</param>
    public static (byte[] ZGroup, byte[]? ZAttrs) ToV2Json(GroupMetadata metadata) => V2MetadataWriter.WriteGroup(metadata);

    /// <summary>
    /// The fill value as the array's own metadata document writes it: v3 <c>zarr.json</c>'s <c>fill_value</c>, or v2
    /// <c>.zarray</c>'s, which is null when <see cref="ArrayMetadata.FillValueIsNull"/>.
    /// </summary>
    internal static JsonNode? FillValueJsonOf(ArrayMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.Format == ZarrFormat.V2)
        {
            return V2MetadataWriter.FillValueJsonOf(metadata);
        }

        try
        {
            return FillValueJson.ToV3Json(metadata.FillValue.AsSpan(), metadata.DataType);
        }
        catch (ZarrException) when (metadata.DataType.Kind == DataTypeKind.Structured)
        {
            // A sub-array field has no v3 object form; zarr-python 3's legacy form is base64 of the element.
            return JsonValue.Create(Convert.ToBase64String(metadata.FillValue.AsSpan()));
        }
    }

    /// <inheritdoc cref="CodecChainRules.CheckNullFillValue"/>
    internal static void CheckNullFillValue(ArrayMetadata metadata) => CodecChainRules.CheckNullFillValue(metadata);

    /// <summary>Validates a codec chain for use with <paramref name="format"/>.</summary>
    /// <exception cref="ZarrException">The chain is not valid (v3: the order the specification requires; v2: it must be
    /// an optional transpose, numcodecs filters, the bytes codec and at most one v2 compressor).</exception>
    internal static void ValidateChain(IReadOnlyList<ICodec> codecs, ZarrFormat format)
    {
        ArgumentNullException.ThrowIfNull(codecs);
        if (format == ZarrFormat.V2)
        {
            V2Layout.Of(codecs);
        }
        else
        {
            CodecPipeline.Create(codecs);
        }
    }

    /// <summary>
    /// Validates the codec chain of <paramref name="metadata"/> for its format; a v3 chain is prepared on the way and kept
    /// in the metadata (<see cref="ArrayMetadata.Pipeline"/>), so it is not built again.
    /// </summary>
    /// <exception cref="ZarrException">The chain is not valid.</exception>
    internal static void ValidateChain(ArrayMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.Format == ZarrFormat.V2)
        {
            ValidateChain(metadata.Codecs, ZarrFormat.V2);
            return;
        }

        _ = metadata.Pipeline;
    }
}
