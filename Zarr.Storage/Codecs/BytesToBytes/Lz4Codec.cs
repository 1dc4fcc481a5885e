using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json.Nodes;
using K4os.Compression.LZ4;
using Zarr.Storage.Buffers;

namespace Zarr.Storage.Codecs.BytesToBytes;

/// <summary>
/// numcodecs' <c>lz4</c> compressor (<c>{"id": "lz4", "acceleration"}</c>): the uncompressed size as 4 little-endian
/// bytes, then one LZ4 block. A v2 codec; in a v3 chain it is written as <c>numcodecs.lz4</c>.
/// </summary>
/// <remarks>
/// Compression always runs LZ4's default fast mode (acceleration 1): the output is a valid LZ4 block for any
/// acceleration, which only trades ratio for speed, so the configured value is kept for the metadata only.
/// </remarks>
public sealed class Lz4Codec : IBytesToBytesCodec, IV2Compressor
{
    private const int HeaderSize = 4;

    /// <summary>Creates the codec.</summary>
    /// <param name="acceleration">numcodecs' acceleration (at least 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">The acceleration is below 1.</exception>
    public Lz4Codec(int acceleration = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(acceleration, 1);
        Acceleration = acceleration;
    }

    /// <summary>numcodecs' acceleration.</summary>
    public int Acceleration { get; }

    /// <inheritdoc />
    public string Name => "numcodecs.lz4";

    /// <inheritdoc />
    public JsonObject ToV3Json() => new() { ["name"] = Name, ["configuration"] = new JsonObject { ["acceleration"] = Acceleration } };

    /// <inheritdoc />
    public JsonObject ToV2Json() => new() { ["id"] = "lz4", ["acceleration"] = Acceleration };

    /// <inheritdoc />
    public PooledBuffer Encode(ReadOnlySpan<byte> decoded)
    {
        var bound = (long)LZ4Codec.MaximumOutputSize(decoded.Length) + HeaderSize;
        if (decoded.Length > 0x7E000000 || bound > Array.MaxLength)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"LZ4 compresses at most 2113929216 bytes at once; got {decoded.Length}"));
        }

        var buffer = PooledBuffer.Rent((int)bound);
        try
        {
            BinaryPrimitives.WriteInt32LittleEndian(buffer.Span, decoded.Length);
            int written;
            if (decoded.IsEmpty)
            {
                // The LZ4 block of nothing is one zero token, as liblz4 (and so numcodecs) writes it.
                buffer.Span[HeaderSize] = 0;
                written = 1;
            }
            else
            {
                written = LZ4Codec.Encode(decoded, buffer.Span[HeaderSize..], LZ4Level.L00_FAST);
            }

            if (written <= 0)
            {
                throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"LZ4 could not compress {decoded.Length} bytes"));
            }

            buffer.SetLength(HeaderSize + written);
            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public PooledBuffer Decode(ReadOnlySpan<byte> encoded, int expectedLength)
    {
        if (encoded.Length < HeaderSize)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the data is {encoded.Length} bytes, shorter than the {HeaderSize}-byte size header"));
        }

        var declared = BinaryPrimitives.ReadInt32LittleEndian(encoded);
        if (declared < 0)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the header declares a negative size ({declared})"));
        }

        if (expectedLength >= 0 && declared != expectedLength)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the header declares {declared} decompressed bytes; {expectedLength} were expected"));
        }

        var block = encoded[HeaderSize..];

        // An LZ4 block expands at most 255-fold: a header declaring more is corrupt, refused before allocating.
        if (declared > (block.Length * 255L) + 16)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the header declares {declared} decompressed bytes, more than {block.Length} compressed bytes can hold"));
        }

        var buffer = PooledBuffer.Rent(declared);
        try
        {
            // liblz4 writes nothing as one zero token; K4os refuses to decode into an empty target, so the empty case stops here.
            if (declared > 0)
            {
                var written = LZ4Codec.Decode(block, buffer.Span);
                if (written != declared)
                {
                    throw new ZarrCodecException(Name, written < 0
                        ? "the LZ4 block is corrupt or truncated"
                        : string.Create(CultureInfo.InvariantCulture, $"the LZ4 block decompresses to {written} bytes; the header declares {declared}"));
                }
            }

            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }
}
