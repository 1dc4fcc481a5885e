namespace Zarr.Storage.Codecs;

/// <summary>
/// numcodecs' <c>adler32</c> (<c>{"id": "adler32"}</c>; v3 <c>numcodecs.adler32</c>): the Adler-32 of RFC 1950 (as
/// <c>zlib.adler32</c>) as 4 little-endian bytes, before the data unless <c>"location": "end"</c> (numcodecs 0.13 on).
/// </summary>
public sealed class Adler32Codec : Checksum32Codec
{
    /// <summary>Creates the codec.</summary>
    /// <param name="location">Where the checksum goes; numcodecs' default is the start.</param>
    public Adler32Codec(ChecksumLocation location = ChecksumLocation.Start)
        : base("adler32", location)
    {
    }

    /// <inheritdoc />
    public override uint Compute(ReadOnlySpan<byte> data) => ZlibCodec.Adler32(data);
}
