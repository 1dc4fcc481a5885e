namespace Zarr.Storage.Codecs;

/// <summary>
/// numcodecs' <c>crc32c</c> (<c>{"id": "crc32c"}</c>; v3 <c>numcodecs.crc32c</c>, numcodecs 0.14 on): CRC-32C
/// (Castagnoli) as 4 little-endian bytes, after the data unless <c>"location": "start"</c>. At the end it writes the
/// bytes the v3 <c>crc32c</c> codec (<see cref="Crc32cCodec"/>) writes, under numcodecs' name.
/// </summary>
public sealed class NumcodecsCrc32cCodec : Checksum32Codec
{
    /// <summary>Creates the codec.</summary>
    /// <param name="location">Where the checksum goes; numcodecs' default is the end.</param>
    public NumcodecsCrc32cCodec(ChecksumLocation location = ChecksumLocation.End)
        : base("crc32c", location)
    {
    }

    /// <inheritdoc />
    public override uint Compute(ReadOnlySpan<byte> data) => Crc32cCodec.Compute(data);
}
