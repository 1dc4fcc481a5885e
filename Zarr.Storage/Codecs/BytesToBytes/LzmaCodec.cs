using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Zarr.Storage.Buffers;
using Zarr.Storage.Native;

namespace Zarr.Storage.Codecs;

/// <summary>
/// numcodecs' <c>lzma</c> (<c>{"id": "lzma", "format": 1, "check": -1, "preset": null, "filters": null}</c>; v3
/// <c>numcodecs.lzma</c>): what Python's <c>lzma.compress</c> writes, through Debian's native liblzma (liblzma.so.5,
/// package <c>liblzma5</c>; without it encoding and decoding fail saying so). The <c>.xz</c> container by default,
/// the legacy <c>.lzma</c> one, or raw data with its filter chain.
/// </summary>
/// <remarks>
/// As Python's module: a preset and a filter list exclude each other; the <c>.lzma</c> container takes no check and
/// at most one LZMA1 filter; raw data needs the filters; format 0 (auto) only decodes. Unlike Python, an <c>.xz</c>
/// container is decoded also when the codec gives filters (the container names its own; numcodecs 0.11 cannot
/// decode what it wrote so).
/// </remarks>
public sealed class LzmaCodec : IBytesToBytesCodec, IV2Compressor
{
    /// <summary>Python's <c>lzma.PRESET_EXTREME</c>, or-ed into a preset.</summary>
    public const uint PresetExtreme = 0x80000000;

    /// <summary>Creates the codec.</summary>
    /// <param name="format">The container (numcodecs' default: <c>.xz</c>).</param>
    /// <param name="check">The <c>.xz</c> integrity check (default: CRC64).</param>
    /// <param name="preset">The compression preset 0 to 9, possibly or-ed with <see cref="PresetExtreme"/>; null for
    /// liblzma's default (6), or when <paramref name="filters"/> are given.</param>
    /// <param name="filters">The filter chain, or null for the preset's.</param>
    /// <exception cref="ArgumentException">The combination is one Python's lzma module refuses too.</exception>
    public LzmaCodec(LzmaFormat format = LzmaFormat.Xz, LzmaCheck check = LzmaCheck.Default, uint? preset = null, IEnumerable<LzmaFilter>? filters = null)
    {
        if (!Enum.IsDefined(format))
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, "must be 0 (auto), 1 (xz), 2 (alone) or 3 (raw)");
        }

        if (!Enum.IsDefined(check))
        {
            throw new ArgumentOutOfRangeException(nameof(check), check, "must be -1 (default), 0 (none), 1 (CRC32), 4 (CRC64) or 10 (SHA-256)");
        }

        if (preset is { } p && (p & ~PresetExtreme) > 9)
        {
            throw new ArgumentOutOfRangeException(nameof(preset), p, "must be 0 to 9, possibly or-ed with PRESET_EXTREME (0x80000000)");
        }

        var chain = filters is null ? default : filters.ToImmutableArray();
        if (preset is not null && !chain.IsDefault)
        {
            throw new ArgumentException("a preset and a filter list exclude each other (give the preset inside an LZMA filter)", nameof(preset));
        }

        if (format != LzmaFormat.Xz && format != LzmaFormat.Auto && check is not (LzmaCheck.Default or LzmaCheck.None))
        {
            throw new ArgumentException($"only the .xz container has an integrity check; format {(int)format} takes check -1 or 0", nameof(check));
        }

        if (format == LzmaFormat.Raw && chain.IsDefaultOrEmpty)
        {
            throw new ArgumentException("format 3 (raw) needs the filter chain", nameof(filters));
        }

        if (format == LzmaFormat.Alone && !chain.IsDefault && (chain.Length != 1 || chain[0].Id != LzmaFilter.Lzma1))
        {
            throw new ArgumentException("the .lzma container (format 2) holds exactly one LZMA1 filter", nameof(filters));
        }

        Format = format;
        Check = check;
        Preset = preset;
        Filters = chain;
    }

    /// <summary>The container.</summary>
    public LzmaFormat Format { get; }

    /// <summary>The integrity check.</summary>
    public LzmaCheck Check { get; }

    /// <summary>The preset, or null.</summary>
    public uint? Preset { get; }

    /// <summary>The filter chain, or a default array when none was given.</summary>
    public ImmutableArray<LzmaFilter> Filters { get; }

    /// <inheritdoc />
    public string Name => "numcodecs.lzma";

    /// <inheritdoc />
    public JsonObject ToV3Json() => CodecRegistry.Default.WriteV3(this);

    /// <inheritdoc />
    public JsonObject ToV2Json() => CodecRegistry.Default.WriteV2(this);

    /// <inheritdoc />
    public PooledBuffer Encode(ReadOnlySpan<byte> decoded)
    {
        var buffer = PooledBuffer.Rent(DecodeLimit.Clamp(GetMaxEncodedLength(decoded.Length)));
        try
        {
            if (!TryEncode(decoded, buffer.Span, out var written))
            {
                throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"{decoded.Length} bytes compress to more than one buffer holds"));
            }

            buffer.SetLength(written);
            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    /// <remarks>liblzma's worst case with a wide margin: random data grows by 0.01% in .xz (LZMA2 stores it) and by 1.5% as LZMA1 literals (measured with Python's lzma over the same liblzma).</remarks>
    public long GetMaxEncodedLength(int decodedLength) => decodedLength + (decodedLength / 16L) + 4096;

    /// <inheritdoc />
    public bool TryEncode(ReadOnlySpan<byte> decoded, Span<byte> destination, out int written)
    {
        using var encoder = LzmaNative.Coder.Encoder(this);
        written = 0;
        if (encoder.Code(decoded, destination, ref written))
        {
            return true;
        }

        written = 0;
        return false;
    }

    /// <inheritdoc />
    public PooledBuffer Decode(ReadOnlySpan<byte> encoded, int expectedLength) => Decode(encoded, expectedLength, Array.MaxLength);

    /// <inheritdoc />
    public PooledBuffer Decode(ReadOnlySpan<byte> encoded, int expectedLength, int maxLength)
    {
        if (expectedLength > maxLength)
        {
            throw DecodeLimit.Exceeded(Name, maxLength, expectedLength);
        }

        using var decoder = LzmaNative.Coder.Decoder(this);
        var limit = expectedLength >= 0 ? expectedLength : maxLength;
        var buffer = PooledBuffer.Rent(expectedLength >= 0 ? expectedLength : (int)Math.Min(Math.Max(encoded.Length * 4L, 4096), maxLength));
        var written = 0;
        try
        {
            while (!decoder.Code(encoded, buffer.Array.AsSpan(0, Math.Min(buffer.Capacity, limit)), ref written))
            {
                if (written >= limit)
                {
                    ThrowIfMore(decoder, encoded, limit, expectedLength);
                    break;
                }

                var larger = PooledBuffer.Rent((int)Math.Min((long)buffer.Capacity * 2, limit));
                buffer.Array.AsSpan(0, written).CopyTo(larger.Array);
                buffer.Dispose();
                buffer = larger;
            }

            EnsureConsumed(decoder, encoded.Length);
            if (expectedLength >= 0 && written != expectedLength)
            {
                throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the data decompresses to {written} bytes; {expectedLength} were expected"));
            }

            buffer.SetLength(written);
            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public int Decode(ReadOnlySpan<byte> encoded, Span<byte> destination)
    {
        using var decoder = LzmaNative.Coder.Decoder(this);
        var written = 0;
        if (!decoder.Code(encoded, destination, ref written))
        {
            ThrowIfMore(decoder, encoded, destination.Length, -1);
        }

        EnsureConsumed(decoder, encoded.Length);
        return written;
    }

    // Python decodes what follows a stream as another stream, and fails on anything else.
    private void EnsureConsumed(LzmaNative.Coder decoder, int length)
    {
        if (decoder.Consumed != length)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"{length - decoder.Consumed} bytes follow the end of the lzma stream"));
        }
    }

    // The output is full: the stream must end here, with nothing more to come out.
    private void ThrowIfMore(LzmaNative.Coder decoder, ReadOnlySpan<byte> encoded, int limit, int expectedLength)
    {
        Span<byte> probe = stackalloc byte[1];
        var extra = 0;
        if (decoder.Code(encoded, probe, ref extra) && extra == 0)
        {
            return;
        }

        throw expectedLength >= 0
            ? new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the data decompresses to more than the {expectedLength} bytes expected"))
            : DecodeLimit.Exceeded(Name, limit);
    }
}
