using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Zarr.Storage.Buffers;

namespace Zarr.Storage.Codecs;

/// <summary>
/// The <c>vlen-utf8</c> codec: variable-length UTF-8 strings in numcodecs' <c>VLenUTF8</c> layout, a uint32
/// little-endian item count, then per item a uint32 little-endian byte length and the UTF-8 bytes, items in C order of
/// the chunk (the whole chunk, edge chunks included). In v3 it is the array→bytes codec of a <c>string</c> array
/// (<c>{"name": "vlen-utf8", "configuration": {}}</c>); in v2 it is the object codec of a <c>|O</c> array, written as
/// the first filter <c>{"id": "vlen-utf8"}</c>.
/// </summary>
/// <remarks>
/// Its chunks decode to strings, not bytes: the byte-level <see cref="Encode"/> and <see cref="Decode"/> refuse, and
/// <see cref="ZarrStringArray"/> reads and writes such arrays with <see cref="EncodeStrings"/> and
/// <see cref="DecodeStrings"/>.
/// </remarks>
public sealed class VlenUtf8Codec : IArrayToBytesCodec
{
    private const string NotBytes = "a variable-length string chunk decodes to strings, not bytes; read and write string arrays with ZarrStringArray";
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The default of <see cref="MaxBytesPerElement"/>: 4 KiB of UTF-8 per string on average (and never less than
    /// 1 MiB per chunk).
    /// </summary>
    public const int DefaultMaxBytesPerElement = 4096;

    private static int s_maxBytesPerElement = DefaultMaxBytesPerElement;

    /// <summary>
    /// The most UTF-8 bytes a chunk of strings may hold per string on average before decoding refuses it, for every
    /// string array of this process (a process-wide setting, as zarr-python's <c>zarr.config</c>): a decompression bomb in
    /// a string chunk has no decoded size to be checked against, so this bounds what one chunk may inflate to
    /// (<see cref="GetMaxEncodedLength(int)"/>; never less than 1 MiB per chunk). Raise it to read chunks of longer
    /// strings; the error that refuses a chunk says so.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to less than 1.</exception>
    public static int MaxBytesPerElement
    {
        get => Volatile.Read(ref s_maxBytesPerElement);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref s_maxBytesPerElement, value);
        }
    }

    private const long MinimumChunkLimit = 1 << 20;

    /// <summary>The one instance (the codec has no configuration).</summary>
    public static VlenUtf8Codec Instance { get; } = new();

    /// <inheritdoc />
    public string Name => "vlen-utf8";

    /// <inheritdoc />
    /// <remarks>As zarr-python 3 writes it: <c>{"name": "vlen-utf8", "configuration": {}}</c>.</remarks>
    public JsonObject ToV3Json() => new() { ["name"] = Name, ["configuration"] = new JsonObject() };

    /// <summary>The numcodecs form, as the first entry of a v2 <c>filters</c> list: <c>{"id": "vlen-utf8"}</c>.</summary>
    public JsonObject ToV2Json() => new() { ["id"] = Name };

    /// <inheritdoc />
    /// <exception cref="ZarrCodecException">Always: the chunk is strings (see <see cref="EncodeStrings"/>).</exception>
    public PooledBuffer Encode(ReadOnlySpan<byte> chunk, in ChunkSpec spec) => throw new ZarrCodecException(Name, NotBytes);

    /// <inheritdoc />
    /// <exception cref="ZarrCodecException">Always: the chunk is strings (see <see cref="DecodeStrings"/>).</exception>
    public void Decode(ReadOnlySpan<byte> encoded, Span<byte> chunk, in ChunkSpec spec) => throw new ZarrCodecException(Name, NotBytes);

    /// <summary>The most bytes an encoded chunk of <paramref name="elementCount"/> strings may be under <see cref="MaxBytesPerElement"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="elementCount"/> is negative.</exception>
    public static long GetMaxEncodedLength(int elementCount) => GetMaxEncodedLength(elementCount, MaxBytesPerElement);

    /// <summary>
    /// The most bytes an encoded chunk of <paramref name="elementCount"/> strings may be when they are
    /// <paramref name="maxBytesPerElement"/> UTF-8 bytes each on average (at least 1 MiB): the limit the compressors
    /// around this codec decode to.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative.</exception>
    public static long GetMaxEncodedLength(int elementCount, int maxBytesPerElement)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elementCount);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytesPerElement);
        return Math.Min(Math.Max(4 + ((long)elementCount * (4 + (long)maxBytesPerElement)), MinimumChunkLimit), Array.MaxLength);
    }

    /// <summary>Encodes strings (C order, every element of the chunk) into a new buffer the caller owns.</summary>
    /// <exception cref="ZarrCodecException">An element is null or not valid UTF-16 (a lone surrogate), or the chunk exceeds 2 GiB.</exception>
    public PooledBuffer EncodeStrings(ReadOnlySpan<string?> values)
    {
        long total = 4;
        for (var i = 0; i < values.Length; i++)
        {
            var s = values[i] ?? throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"element {i} is null; numcodecs' vlen-utf8 holds strings only (write \"\" for an empty one)"));
            try
            {
                total += 4 + StrictUtf8.GetByteCount(s);
            }
            catch (EncoderFallbackException e)
            {
                throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"element {i} is not valid UTF-16 (a lone surrogate at index {e.Index}); it has no UTF-8 form"), e);
            }
        }

        if (total > Array.MaxLength)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the encoded chunk would be {total} bytes; chunks must be under 2 GiB"));
        }

        var buffer = PooledBuffer.Rent((int)total);
        var span = buffer.Span;
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)values.Length);
        var position = 4;
        foreach (var s in values)
        {
            var written = StrictUtf8.GetBytes(s, span[(position + 4)..]);
            BinaryPrimitives.WriteUInt32LittleEndian(span[position..], (uint)written);
            position += 4 + written;
        }

        return buffer;
    }

    /// <summary>Decodes a chunk of exactly <paramref name="expectedCount"/> strings.</summary>
    /// <exception cref="ZarrCodecException">The header, a length or the UTF-8 is corrupt, the count differs, or bytes are left over.</exception>
    public string[] DecodeStrings(ReadOnlySpan<byte> encoded, int expectedCount)
    {
        if (encoded.Length < 4)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the chunk is {encoded.Length} bytes, too short for the 4-byte item count"));
        }

        var count = BinaryPrimitives.ReadUInt32LittleEndian(encoded);
        if (count != (uint)expectedCount)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the chunk holds {count} items; a chunk of this array has {expectedCount}"));
        }

        var result = new string[expectedCount];
        var position = 4;
        for (var i = 0; i < expectedCount; i++)
        {
            if (encoded.Length - position < 4)
            {
                throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the chunk ends inside the length of item {i} (at byte {position} of {encoded.Length})"));
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(encoded[position..]);
            position += 4;
            if (length > (uint)(encoded.Length - position))
            {
                throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"item {i} says {length} bytes but only {encoded.Length - position} are left"));
            }

            try
            {
                result[i] = length == 0 ? string.Empty : StrictUtf8.GetString(encoded.Slice(position, (int)length));
            }
            catch (DecoderFallbackException e)
            {
                throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"item {i} is not valid UTF-8"), e);
            }

            position += (int)length;
        }

        if (position != encoded.Length)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"{encoded.Length - position} bytes follow the last of {expectedCount} items"));
        }

        return result;
    }
}
