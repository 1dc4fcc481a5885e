using System.Collections.Immutable;
using Zarr.Storage;
using Zarr.Storage.Codecs;

namespace Zarr.Tests.Shared;

/// <summary>
/// The one way tests build an <see cref="ArrayMetadata"/> by hand: a plain default that each test changes with
/// <c>with</c> (codecs, fill value, format, ...), instead of a full initialiser copied into every test.
/// </summary>
internal static class TestMetadata
{
    /// <summary>
    /// A v3 array of <paramref name="shape"/> in chunks of <paramref name="chunks"/>: <paramref name="dataType"/> (int32
    /// unless given) with a zero fill value, a little-endian <c>bytes</c> codec alone, the default chunk key encoding.
    /// </summary>
    public static ArrayMetadata Create(ImmutableArray<long> shape, ImmutableArray<int> chunks, ZarrDataType? dataType = null)
    {
        var type = dataType ?? ZarrDataType.Int32;
        return new ArrayMetadata
        {
            Format = ZarrFormat.V3,
            Shape = shape,
            ChunkShape = chunks,
            DataType = type,
            FillValue = ImmutableArray.Create(new byte[type.ItemSize]),
            Codecs = [new BytesCodec(Endian.Little)],
            ChunkKeyEncoding = ChunkKeyEncoding.Default,
        };
    }
}
