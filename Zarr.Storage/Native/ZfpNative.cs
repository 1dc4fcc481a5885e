using System.Globalization;
using System.Runtime.InteropServices;
using Zarr.Storage.Codecs;

namespace Zarr.Storage.Native;

/// <summary>
/// libzfp (Debian's <c>libzfp1</c>, libzfp.so.1) through function pointers, driven as zfpy's <c>compress_numpy</c> and
/// <c>decompress_numpy</c> drive it: a full header (magic, field metadata, mode) before the blocks, so zfpy reads what
/// this writes and the other way round.
/// </summary>
/// <remarks>
/// libzfp reads its input without bounds checks: a decoder gets a zero-padded copy of the data at least as long as
/// the header's field and mode allow any stream to be, so a truncated or corrupt chunk cannot make it read past it.
/// Function pointers rather than <c>LibraryImport</c>: the assembly's one DLL import resolver belongs to <see cref="BloscNative"/>.
/// </remarks>
internal static unsafe class ZfpNative
{
    /// <summary>What to do when the library is missing.</summary>
    public const string Install = "install Debian's libzfp1 (apt-get install libzfp1), which provides libzfp.so.1";

    private const uint HeaderFull = 0x7; // ZFP_HEADER_FULL
    private const int HeaderMaxBytes = (148 + 7) / 8; // ZFP_HEADER_MAX_BITS
    private const int Padding = 64;

    private static readonly string[] DefaultCandidates = ["libzfp.so.1", "libzfp.1.dylib", "libzfp", "zfp"];

    private static readonly Api? Functions = Load(DefaultCandidates);

    /// <summary>Whether libzfp loaded.</summary>
    public static bool IsAvailable => Functions is not null;

    /// <summary>The entry points from the first of <paramref name="candidates"/> that loads, or null.</summary>
    internal static Api? Load(IEnumerable<string> candidates) => NativeLibraries.Load(candidates, h => new Api(h));

    /// <summary>The error of a missing library, naming the codec and what to install.</summary>
    internal static ZarrCodecException Missing(string codec) => new(codec, $"libzfp could not be loaded; {Install}");

    /// <summary>zfp's scalar type code of an element type (int32 1, int64 2, float32 3, float64 4), or 0 for none.</summary>
    internal static int TypeOf(ZarrDataType type) =>
        type == ZarrDataType.Int32 ? 1 : type == ZarrDataType.Int64 ? 2 : type == ZarrDataType.Float32 ? 3 : type == ZarrDataType.Float64 ? 4 : 0;

    /// <summary>Compresses <paramref name="chunk"/> (C order, <paramref name="shape"/>, zfp type <paramref name="type"/>) with its header.</summary>
    /// <exception cref="ZarrCodecException">The library is missing or refused the field.</exception>
    public static Buffers.PooledBuffer Compress(ReadOnlySpan<byte> chunk, ReadOnlySpan<int> shape, int type, ZfpyCodec codec)
    {
        var f = Functions ?? throw Missing(codec.Name);
        fixed (byte* data = chunk)
        {
            var field = Field(f, data, type, shape);
            var stream = f.StreamOpen(0);
            void* buffer = null;
            nint bits = 0;
            try
            {
                SetMode(f, stream, codec, shape.Length);
                var maximum = f.MaximumSize(stream, field);
                buffer = NativeMemory.AlignedAlloc(maximum + Padding, 64);
                bits = f.BitStreamOpen(buffer, maximum + Padding);
                f.SetBitStream(stream, bits);
                f.Rewind(stream);
                if (f.WriteHeader(stream, field, HeaderFull) == 0)
                {
                    throw new ZarrCodecException(codec.Name, $"libzfp cannot describe a field of shape ({string.Join(", ", shape.ToArray())}) in its header (too large a dimension for its {shape.Length}-d metadata)");
                }

                var size = f.Compress(stream, field);
                if (size == 0)
                {
                    throw new ZarrCodecException(codec.Name, "libzfp failed to compress the chunk");
                }

                var result = Buffers.PooledBuffer.Rent(checked((int)size));
                new ReadOnlySpan<byte>(buffer, (int)size).CopyTo(result.Span);
                return result;
            }
            finally
            {
                f.FieldFree(field);
                f.StreamClose(stream);
                if (bits != 0)
                {
                    f.BitStreamClose(bits);
                }

                NativeMemory.AlignedFree(buffer);
            }
        }
    }

    /// <summary>
    /// Decompresses a stream with a full header into <paramref name="chunk"/>, after checking that the header's type
    /// and shape are <paramref name="type"/> and <paramref name="shape"/>.
    /// </summary>
    /// <exception cref="ZarrCodecException">The library is missing, the header is not zfp's or describes another chunk, or the data is truncated or corrupt.</exception>
    public static void Decompress(ReadOnlySpan<byte> encoded, Span<byte> chunk, ReadOnlySpan<int> shape, int type, string codec)
    {
        var f = Functions ?? throw Missing(codec);
        var length = (nuint)Math.Max(encoded.Length, HeaderMaxBytes) + Padding;
        var input = (byte*)NativeMemory.AlignedAlloc(length, 64);
        var field = f.FieldAlloc();
        var stream = f.StreamOpen(0);
        nint bits = 0;
        try
        {
            NativeMemory.Clear(input, length);
            encoded.CopyTo(new Span<byte>(input, encoded.Length));
            bits = f.BitStreamOpen(input, length);
            f.SetBitStream(stream, bits);
            f.Rewind(stream);
            if (f.ReadHeader(stream, field, HeaderFull) == 0)
            {
                throw new ZarrCodecException(codec, "the data does not start with a zfp header (magic 'zfp', field and mode) as zfpy writes it");
            }

            CheckField(f, field, shape, type, codec);
            var maximum = f.MaximumSize(stream, field);
            if (maximum + Padding > length)
            {
                // A stream of this field and mode may be longer than the data: decode from a copy padded to its most.
                var padded = (byte*)NativeMemory.AlignedAlloc(maximum + Padding, 64);
                NativeMemory.Clear(padded, maximum + Padding);
                encoded.CopyTo(new Span<byte>(padded, encoded.Length));
                f.BitStreamClose(bits);
                NativeMemory.AlignedFree(input);
                input = padded;
                length = maximum + Padding;
                bits = f.BitStreamOpen(input, length);
                f.SetBitStream(stream, bits);
                f.Rewind(stream);
                f.ReadHeader(stream, field, HeaderFull);
            }

            fixed (byte* output = chunk)
            {
                f.FieldSetPointer(field, output);
                var size = f.Decompress(stream, field);
                if (size == 0)
                {
                    throw new ZarrCodecException(codec, "libzfp failed to decompress the chunk (corrupt data)");
                }

                if (size > (nuint)encoded.Length)
                {
                    throw new ZarrCodecException(codec, string.Create(CultureInfo.InvariantCulture, $"the data is truncated: the zfp stream needs {size} bytes and the chunk has {encoded.Length}"));
                }
            }
        }
        finally
        {
            f.FieldFree(field);
            f.StreamClose(stream);
            if (bits != 0)
            {
                f.BitStreamClose(bits);
            }

            NativeMemory.AlignedFree(input);
        }
    }

    private static void CheckField(Api f, nint field, ReadOnlySpan<int> shape, int type, string codec)
    {
        var sizes = stackalloc nuint[4];
        f.FieldSize(field, sizes);
        var dims = (int)f.FieldDimensionality(field);
        var stored = f.FieldType(field);
        var matches = dims == shape.Length && stored == type;
        for (var i = 0; matches && i < dims; i++)
        {
            // zfp's x is the fastest-varying (last) axis.
            matches = sizes[i] == (nuint)shape[dims - 1 - i];
        }

        if (!matches)
        {
            var header = string.Join(", ", Enumerable.Range(0, Math.Clamp(dims, 0, 4)).Select(i => sizes[Math.Clamp(dims, 0, 4) - 1 - i].ToString(CultureInfo.InvariantCulture)));
            throw new ZarrCodecException(codec, $"the zfp header describes a {TypeName(stored)} field of shape ({header}); the chunk is {TypeName(type)} of shape ({string.Join(", ", shape.ToArray())})");
        }
    }

    private static string TypeName(int type) => type switch
    {
        1 => "int32",
        2 => "int64",
        3 => "float32",
        4 => "float64",
        _ => string.Create(CultureInfo.InvariantCulture, $"type-{type}"),
    };

    // The field over C-order data: zfp's x is the last axis, as zfpy sets it up.
    private static nint Field(Api f, void* data, int type, ReadOnlySpan<int> shape) => shape.Length switch
    {
        1 => f.Field1d(data, type, (nuint)shape[0]),
        2 => f.Field2d(data, type, (nuint)shape[1], (nuint)shape[0]),
        3 => f.Field3d(data, type, (nuint)shape[2], (nuint)shape[1], (nuint)shape[0]),
        _ => f.Field4d(data, type, (nuint)shape[3], (nuint)shape[2], (nuint)shape[1], (nuint)shape[0]),
    };

    // As zfpy's _set_compression_mode: the first non-negative of tolerance, rate, precision; otherwise reversible.
    // The rate is set for zfp_type_none, as zfpy passes it, so no type's minimum bits apply.
    private static void SetMode(Api f, nint stream, ZfpyCodec codec, int dims)
    {
        switch (codec.Mode)
        {
            case ZfpMode.FixedAccuracy when codec.Tolerance >= 0:
                f.SetAccuracy(stream, codec.Tolerance);
                break;
            case ZfpMode.FixedRate when codec.Rate >= 0:
                f.SetRate(stream, codec.Rate, 0, (uint)dims, 0);
                break;
            case ZfpMode.FixedPrecision when codec.Precision >= 0:
                f.SetPrecision(stream, (uint)codec.Precision);
                break;
            default:
                f.SetReversible(stream);
                break;
        }
    }

    /// <summary>The entry points, resolved once.</summary>
    internal sealed class Api(nint h)
    {
        public readonly delegate* unmanaged<nint, nint> StreamOpen = (delegate* unmanaged<nint, nint>)NativeLibrary.GetExport(h, "zfp_stream_open");
        public readonly delegate* unmanaged<nint, void> StreamClose = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(h, "zfp_stream_close");
        public readonly delegate* unmanaged<nint, nint, void> SetBitStream = (delegate* unmanaged<nint, nint, void>)NativeLibrary.GetExport(h, "zfp_stream_set_bit_stream");
        public readonly delegate* unmanaged<nint, void> Rewind = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(h, "zfp_stream_rewind");
        public readonly delegate* unmanaged<nint, nint, nuint> MaximumSize = (delegate* unmanaged<nint, nint, nuint>)NativeLibrary.GetExport(h, "zfp_stream_maximum_size");
        public readonly delegate* unmanaged<nint, double, double> SetAccuracy = (delegate* unmanaged<nint, double, double>)NativeLibrary.GetExport(h, "zfp_stream_set_accuracy");
        public readonly delegate* unmanaged<nint, double, int, uint, int, double> SetRate = (delegate* unmanaged<nint, double, int, uint, int, double>)NativeLibrary.GetExport(h, "zfp_stream_set_rate");
        public readonly delegate* unmanaged<nint, uint, uint> SetPrecision = (delegate* unmanaged<nint, uint, uint>)NativeLibrary.GetExport(h, "zfp_stream_set_precision");
        public readonly delegate* unmanaged<nint, void> SetReversible = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(h, "zfp_stream_set_reversible");
        public readonly delegate* unmanaged<nint, nint, uint, nuint> WriteHeader = (delegate* unmanaged<nint, nint, uint, nuint>)NativeLibrary.GetExport(h, "zfp_write_header");
        public readonly delegate* unmanaged<nint, nint, uint, nuint> ReadHeader = (delegate* unmanaged<nint, nint, uint, nuint>)NativeLibrary.GetExport(h, "zfp_read_header");
        public readonly delegate* unmanaged<nint, nint, nuint> Compress = (delegate* unmanaged<nint, nint, nuint>)NativeLibrary.GetExport(h, "zfp_compress");
        public readonly delegate* unmanaged<nint, nint, nuint> Decompress = (delegate* unmanaged<nint, nint, nuint>)NativeLibrary.GetExport(h, "zfp_decompress");
        public readonly delegate* unmanaged<nint> FieldAlloc = (delegate* unmanaged<nint>)NativeLibrary.GetExport(h, "zfp_field_alloc");
        public readonly delegate* unmanaged<void*, int, nuint, nint> Field1d = (delegate* unmanaged<void*, int, nuint, nint>)NativeLibrary.GetExport(h, "zfp_field_1d");
        public readonly delegate* unmanaged<void*, int, nuint, nuint, nint> Field2d = (delegate* unmanaged<void*, int, nuint, nuint, nint>)NativeLibrary.GetExport(h, "zfp_field_2d");
        public readonly delegate* unmanaged<void*, int, nuint, nuint, nuint, nint> Field3d = (delegate* unmanaged<void*, int, nuint, nuint, nuint, nint>)NativeLibrary.GetExport(h, "zfp_field_3d");
        public readonly delegate* unmanaged<void*, int, nuint, nuint, nuint, nuint, nint> Field4d = (delegate* unmanaged<void*, int, nuint, nuint, nuint, nuint, nint>)NativeLibrary.GetExport(h, "zfp_field_4d");
        public readonly delegate* unmanaged<nint, void> FieldFree = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(h, "zfp_field_free");
        public readonly delegate* unmanaged<nint, void*, void> FieldSetPointer = (delegate* unmanaged<nint, void*, void>)NativeLibrary.GetExport(h, "zfp_field_set_pointer");
        public readonly delegate* unmanaged<nint, nuint*, nuint> FieldSize = (delegate* unmanaged<nint, nuint*, nuint>)NativeLibrary.GetExport(h, "zfp_field_size");
        public readonly delegate* unmanaged<nint, uint> FieldDimensionality = (delegate* unmanaged<nint, uint>)NativeLibrary.GetExport(h, "zfp_field_dimensionality");
        public readonly delegate* unmanaged<nint, int> FieldType = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(h, "zfp_field_type");
        public readonly delegate* unmanaged<void*, nuint, nint> BitStreamOpen = (delegate* unmanaged<void*, nuint, nint>)NativeLibrary.GetExport(h, "stream_open");
        public readonly delegate* unmanaged<nint, void> BitStreamClose = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(h, "stream_close");
    }
}
