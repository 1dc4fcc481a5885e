using System.IO.Hashing;

namespace Zarr.Storage.Codecs;

/// <summary>
/// numcodecs' <c>crc32</c> (<c>{"id": "crc32"}</c>; v3 <c>numcodecs.crc32</c>): zlib's CRC-32 (ISO-HDLC, as
/// <c>zlib.crc32</c>) as 4 little-endian bytes, before the data unless <c>"location": "end"</c> (numcodecs 0.13 on).
/// </summary>
public sealed class Crc32Codec : Checksum32Codec
{
    /// <summary>Creates the codec.</summary>
    /// <param name="location">Where the checksum goes; numcodecs' default is the start.</param>
    public Crc32Codec(ChecksumLocation location = ChecksumLocation.Start)
        : base("crc32", location)
    {
    }

    /// <inheritdoc />
    public override uint Compute(ReadOnlySpan<byte> data) => Crc32.HashToUInt32(data);
}
