using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;
using Zarr.Storage.Internal;

namespace Zarr.Storage;

/// <summary>
/// The summary of an array, as the seed's <c>repr</c> prints it: shape, type, chunks, codecs, fill value, nbytes, stored
/// bytes, ratio, chunks initialized, store and path.
/// </summary>
public sealed class ArrayInfo
{
    /// <summary>
    /// A number of bytes as the summaries print it: binary units with one decimal, as the first zarr's <c>info</c>
    /// does (<c>38.1M</c>, <c>719</c>).
    /// </summary>
    public static string HumanSize(long bytes) => Sizes.Human(bytes);

    internal ArrayInfo(ZarrArray array, ArrayMetadata metadata, long storedBytes, long chunksInitialized, long chunksTotal, bool isStorageKnown = true)
    {
        IsStorageKnown = isStorageKnown;
        Metadata = metadata;
        Store = array.Store.ToString() ?? "";
        Path = array.Path;
        NBytesExact = Sizes.Multiply(Sizes.Product(metadata.Shape.AsSpan()), (uint)metadata.DataType.ItemSize);
        StoredBytes = storedBytes;
        ChunksInitialized = chunksInitialized;
        ChunksTotal = chunksTotal;
        TypeName = array.GetType().IsGenericType ? $"ZarrArray<{metadata.DataType.ClrType.Name}>" : "ZarrArray";
    }

    /// <summary>The metadata the summary describes.</summary>
    public ArrayMetadata Metadata { get; }

    /// <summary>"array".</summary>
#pragma warning disable CA1822 // an instance property, so that it serialises with the rest
    public string Kind => "array";
#pragma warning restore CA1822

    /// <summary>The handle's type name, as the first word of the summary.</summary>
    public string TypeName { get; }

    /// <summary>The format.</summary>
    public ZarrFormat Format => Metadata.Format;

    /// <summary>The shape.</summary>
    public IReadOnlyList<long> Shape => Metadata.Shape;

    /// <summary>The data type as numpy names it (<see cref="Zarr.Storage.ZarrDataType.NumpyName"/>): <c>int32</c>, <c>datetime64[s]</c>, <c>&lt;U5</c>.</summary>
    public string DataType => Metadata.DataType.NumpyName;

    /// <summary>The chunk shape.</summary>
    public IReadOnlyList<int> Chunks => Metadata.ChunkShape;

    /// <summary>The codec chain as v3 JSON objects (for a v2 array: the equivalent v3 chain).</summary>
    public IReadOnlyList<JsonObject> Codecs => [.. Metadata.Codecs.Select(c => c.ToV3Json())];

    /// <summary>
    /// The fill value as JSON, as the array's metadata document writes it (v3 <c>zarr.json</c>, v2 <c>.zarray</c>):
    /// <c>0</c>, <c>"NaN"</c>, <c>true</c>, ..., or null for a v2 array without one (<see cref="ArrayMetadata.FillValueIsNull"/>).
    /// </summary>
    public JsonNode? FillValue => MetadataSerializer.FillValueJsonOf(Metadata);

    /// <summary>Uncompressed size in bytes (see <see cref="NBytesExact"/> for sizes beyond 64 bits).</summary>
    /// <exception cref="ZarrException">The size is more than <see cref="long.MaxValue"/> bytes (2^63 − 1 int32 elements are 2^65 bytes): read <see cref="NBytesExact"/>.</exception>
    public long NBytes => ToLong(NBytesExact, Path);

    /// <summary>Uncompressed size in bytes, whatever it is (the shape's element count × the item size may need more than 64 bits).</summary>
    public UInt128 NBytesExact { get; }

    /// <summary>
    /// Whether the store could list the array's keys, so that <see cref="StoredBytes"/> and <see cref="ChunksInitialized"/>
    /// are counted: false on a store that cannot list (plain HTTP), where both are 0 and <see cref="Ratio"/> is null,
    /// meaning unknown, and the summary prints <c>?</c>.
    /// </summary>
    public bool IsStorageKnown { get; }

    /// <summary>Bytes stored: the chunks and the array's metadata documents (0 when not <see cref="IsStorageKnown"/>).</summary>
    public long StoredBytes { get; }

    /// <summary><see cref="NBytesExact"/> / <see cref="StoredBytes"/>, or null while no chunk is stored (the seed prints none then) or the storage is not known.</summary>
    public double? Ratio => !IsStorageKnown || ChunksInitialized == 0 || StoredBytes == 0 ? null : (double)NBytesExact / StoredBytes;

    /// <summary>Chunks present in the store (0 when not <see cref="IsStorageKnown"/>).</summary>
    public long ChunksInitialized { get; }

    /// <summary>Chunks in the grid.</summary>
    public long ChunksTotal { get; }

    /// <summary>The store's description.</summary>
    public string Store { get; }

    /// <summary>The array's path inside the store.</summary>
    public string Path { get; }

    /// <summary>The summary in the seed's layout.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{TypeName} ({Join(Metadata.Shape)}) {DataType}, chunks=({ChunksText(Metadata)}), zarr v{(int)Format}\n");
        sb.Append("  ").Append(DescribeCodecs(Metadata.Codecs)).Append('\n');
        sb.Append("  fill_value: ").Append(FillValue?.ToJsonString() ?? "null").Append('\n');
        sb.Append("  nbytes: ").Append(Sizes.Human(NBytesExact)).Append("; stored: ").Append(IsStorageKnown ? Sizes.Human(StoredBytes) : "?");
        if (Ratio is { } ratio)
        {
            sb.Append("; ratio: ").Append(ratio.ToString("0.0", CultureInfo.InvariantCulture));
        }

        sb.Append(CultureInfo.InvariantCulture, $"; initialized: {(IsStorageKnown ? ChunksInitialized.ToString(CultureInfo.InvariantCulture) : "?")}/{ChunksTotal}\n");
        sb.Append("  store: ").Append(Store).Append("; path: /").Append(Path);
        return sb.ToString();
    }

    /// <summary>A byte count as a <see cref="long"/>, or the error of one that does not fit.</summary>
    internal static long ToLong(UInt128 bytes, string path) =>
        bytes <= long.MaxValue
            ? (long)bytes
            : throw new ZarrException(string.Create(CultureInfo.InvariantCulture, $"array {UserText.Quote("/" + path)} is {bytes} bytes uncompressed, more than a 64-bit count holds; read NBytesExact"));

    internal static string Header(ZarrArray array, ArrayMetadata metadata) =>
        string.Create(CultureInfo.InvariantCulture, $"{(array.GetType().IsGenericType ? $"ZarrArray<{metadata.DataType.ClrType.Name}>" : "ZarrArray")} ({Join(metadata.Shape)}) {metadata.DataType.NumpyName}, chunks=({ChunksText(metadata)}), zarr v{(int)metadata.Format}");

    /// <summary>
    /// The chunk grid as a line shows it: the chunk shape, or a rectilinear grid's edges per dimension in the CLI's
    /// <c>--chunks</c> syntax (<c>31:28:31:30, 2</c>), a long list cut after a few runs with its chunk count.
    /// </summary>
    internal static string ChunksText(ArrayMetadata metadata)
    {
        if (metadata.RectilinearChunks.IsDefault)
        {
            return Join(metadata.ChunkShape);
        }

        return string.Join(", ", metadata.RectilinearChunks.Select(axis => axis.Runs.Length <= 6
            ? axis.ToString()
            : string.Create(CultureInfo.InvariantCulture, $"{ChunkEdgeList.FromRuns(axis.Runs.Take(3))}:…({axis.ChunkCount} chunks)")));
    }

    /// <summary>The codecs as one line: <c>codecs: bytes(endian=little) | blosc(cname=lz4, clevel=5, shuffle=shuffle, typesize=4, blocksize=0)</c>.</summary>
    internal static string DescribeCodecs(IReadOnlyList<ICodec> codecs)
    {
        var parts = new List<string>(codecs.Count);
        foreach (var codec in codecs)
        {
            var json = codec.ToV3Json();
            var config = json["configuration"] as JsonObject;
            var args = config is null ? "" : string.Join(", ", config.Select(kv => $"{kv.Key}={Render(kv.Value)}"));
            parts.Add($"{codec.Name}({args})");
        }

        return "codecs: " + string.Join(" | ", parts);
    }

    private static string Render(JsonNode? value) => value switch
    {
        null => "null",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => value.ToJsonString(),
    };

    private static string Join<T>(IEnumerable<T> values) =>
        string.Join(", ", values.Select(v => string.Format(CultureInfo.InvariantCulture, "{0}", v)));
}
