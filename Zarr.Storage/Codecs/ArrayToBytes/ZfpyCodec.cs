using System.Globalization;
using System.Text.Json.Nodes;
using Zarr.Storage.Buffers;
using Zarr.Storage.Native;

namespace Zarr.Storage.Codecs;

/// <summary>zfp's compression modes as numcodecs' <c>zfpy</c> numbers them (<c>zfpy.mode_*</c>).</summary>
public enum ZfpMode
{
    /// <summary>Fixed rate: <see cref="ZfpyCodec.Rate"/> compressed bits per value.</summary>
    FixedRate = 2,

    /// <summary>Fixed precision: <see cref="ZfpyCodec.Precision"/> uncompressed bits per value.</summary>
    FixedPrecision = 3,

    /// <summary>Fixed accuracy: an absolute error of at most <see cref="ZfpyCodec.Tolerance"/> (numcodecs' default).</summary>
    FixedAccuracy = 4,

    /// <summary>Reversible (lossless): zfp's <c>zfp_mode_reversible</c>. numcodecs reaches it through any mode whose
    /// parameter is negative (its defaults); zfpy decodes it either way.</summary>
    Reversible = 5,
}

/// <summary>
/// numcodecs' <c>zfpy</c> (<c>{"id": "zfpy", "mode": 4, "tolerance": 0.5, "rate": -1, "precision": -1}</c>; v3
/// <c>numcodecs.zfpy</c>, array→bytes): zfp's compressed arrays of int32, int64, float32 or float64 in 1 to 4
/// dimensions through Debian's native libzfp (libzfp.so.1, package <c>libzfp1</c>), with the full header zfpy writes.
/// A mode whose parameter is negative compresses reversibly, as zfpy does; decoding reads the mode from the header.
/// </summary>
/// <remarks>
/// It replaces the <c>bytes</c> codec: it needs the chunk's shape and type, which zfp stores in its header. In a v2
/// array it is the compressor and there is no other (zarr-python 2 hands the compressor the chunk as an array).
/// zfp's reversible mode is lossless for every float and for integers of at most 30 bits' magnitude (zfp's own limit).
/// </remarks>
public sealed class ZfpyCodec : IArrayToBytesCodec, IV2Compressor
{
    /// <summary>Creates the codec.</summary>
    /// <param name="mode">The mode (numcodecs' default: fixed accuracy).</param>
    /// <param name="tolerance">The absolute error of fixed accuracy; negative for reversible.</param>
    /// <param name="rate">The bits per value of fixed rate; negative for reversible.</param>
    /// <param name="precision">The bits per value of fixed precision; negative for reversible.</param>
    /// <exception cref="ArgumentOutOfRangeException">The mode is not one of zfpy's, or a parameter is not finite.</exception>
    public ZfpyCodec(ZfpMode mode = ZfpMode.FixedAccuracy, double tolerance = -1, double rate = -1, int precision = -1)
    {
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "must be 2 (fixed rate), 3 (fixed precision), 4 (fixed accuracy) or 5 (reversible)");
        }

        if (!double.IsFinite(tolerance))
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "must be finite");
        }

        if (!double.IsFinite(rate))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "must be finite");
        }

        Mode = mode;
        Tolerance = tolerance;
        Rate = rate;
        Precision = precision;
    }

    /// <summary>The mode.</summary>
    public ZfpMode Mode { get; }

    /// <summary>The absolute error tolerance of fixed accuracy (-1: unset).</summary>
    public double Tolerance { get; }

    /// <summary>The compressed bits per value of fixed rate (-1: unset).</summary>
    public double Rate { get; }

    /// <summary>The uncompressed bits per value of fixed precision (-1: unset).</summary>
    public int Precision { get; }

    /// <summary>Whether the codec compresses losslessly: the reversible mode, or a mode whose parameter is negative.</summary>
    public bool IsReversible => Mode switch
    {
        ZfpMode.FixedAccuracy => Tolerance < 0,
        ZfpMode.FixedRate => Rate < 0,
        ZfpMode.FixedPrecision => Precision < 0,
        _ => true,
    };

    /// <inheritdoc />
    public string Name => "numcodecs.zfpy";

    /// <summary>Whether zfp compresses elements of <paramref name="type"/>: int32, int64, float32 and float64.</summary>
    public static bool Supports(ZarrDataType type) => ZfpNative.TypeOf(type) != 0;

    /// <inheritdoc />
    public JsonObject ToV3Json() => CodecRegistry.Default.WriteV3(this);

    /// <inheritdoc />
    public JsonObject ToV2Json() => CodecRegistry.Default.WriteV2(this);

    /// <inheritdoc />
    public PooledBuffer Encode(ReadOnlySpan<byte> chunk, in ChunkSpec spec)
    {
        var type = Check(spec, chunk.Length);
        return ZfpNative.Compress(chunk, spec.Shape.AsSpan(), type, this);
    }

    /// <inheritdoc />
    public void Decode(ReadOnlySpan<byte> encoded, Span<byte> chunk, in ChunkSpec spec)
    {
        var type = Check(spec, chunk.Length);
        ZfpNative.Decompress(encoded, chunk, spec.Shape.AsSpan(), type, Name);
    }

    private int Check(in ChunkSpec spec, int length)
    {
        var type = ZfpNative.TypeOf(spec.DataType);
        if (type == 0)
        {
            throw new ZarrCodecException(Name, $"zfp compresses int32, int64, float32 and float64; the chunk is {spec.DataType}");
        }

        if (spec.Shape.Length is < 1 or > 4)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"zfp compresses arrays of 1 to 4 dimensions; the chunk has {spec.Shape.Length}"));
        }

        if (length != spec.ByteLength)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the chunk buffer is {length} bytes; its shape and type make {spec.ByteLength}"));
        }

        return type;
    }
}
