using System.Runtime.InteropServices;

namespace Zarr.Storage.Native;

/// <summary>
/// libzstd (Debian's <c>libzstd1</c>, present on every Debian system) through function pointers: the one-shot
/// contextual calls, the decompression of a chunk block by block into a ring the caller's slices come out of
/// (<see cref="DecompressInRing"/>, libzstd's buffer-less API) or, where the library lacks that API, streamed through a
/// small window (<see cref="DecompressSliced"/>); a compression and a decompression context per thread. <see cref="Codecs.ZstdCodec"/> uses it when
/// it loads, unless <c>ZARR_ZSTD=managed</c>, and ZstdSharp otherwise: the same format. Measured on issue 18's suite
/// (2 GiB of uint16, 64 chunks of 32 MiB, level 0; benchmarks/results/zarrs-suite-2026-12-07.md) the round trip took
/// 2.37 CPU s with it and 3.60 with ZstdSharp (compression); the read-all 0.80–0.88 and 0.61 (decompression, under
/// a load of 30–50 on 2 cores: not settled).
/// </summary>
/// <remarks>
/// Function pointers from <see cref="NativeLibrary.GetExport"/> rather than <c>LibraryImport</c>: the assembly's one
/// DLL import resolver belongs to <see cref="BloscNative"/>.
/// </remarks>
internal static unsafe partial class ZstdNative
{
    /// <summary>The environment variable that turns the native library off: <c>managed</c>.</summary>
    public const string EnvironmentVariable = "ZARR_ZSTD";

    private const int CompressionLevelParameter = 100; // ZSTD_c_compressionLevel
    private const int ChecksumFlagParameter = 201; // ZSTD_c_checksumFlag
    private const int ResetSessionAndParameters = 3; // ZSTD_reset_session_and_parameters
    private const int DestinationTooSmall = 70; // ZSTD_error_dstSize_tooSmall
    private const int ResetSessionOnly = 1; // ZSTD_reset_session_only
    private const int WindowLogMaxParameter = 100; // ZSTD_d_windowLogMax
    private const int DefaultWindowLogMax = 27; // ZSTD_WINDOWLOG_LIMIT_DEFAULT
    private const int LargestWindowLog = 31; // ZSTD_WINDOWLOG_MAX_64
    private const int WindowTooLarge = 16; // ZSTD_error_frameParameter_windowTooLarge
    private const int SmallestWindow = 1 << 10; // ZSTD_WINDOWLOG_ABSOLUTEMIN: libzstd's streaming decoder sizes its ring with at least this
    private const int SkippableFrame = 1; // ZSTD_skippableFrame
    private const ulong SkippableHeaderSize = 8; // ZSTD_SKIPPABLEHEADERSIZE
    private const ulong UnknownContentSize = ulong.MaxValue; // ZSTD_CONTENTSIZE_UNKNOWN

    // Rings up to this size come from the shared pool (its per-thread cache: each worker reuses its own); a larger one
    // (a frame of unknown size with a window of 16 MiB or more, rare) is allocated for the chunk, so the pool does not keep it.
    private const int LargestPooledRing = 16 << 20;

    /// <summary>The environment variable that turns the ring decode off (<c>0</c>): every chunk is then streamed (<see cref="DecompressSliced"/>), for measuring one against the other.</summary>
    public const string RingEnvironmentVariable = "ZARR_ZSTD_RING";

    private static readonly string[] Candidates = ["libzstd.so.1", "libzstd.1.dylib", "libzstd", "zstd"];

    private static readonly Api? Functions = Load();

    private static bool _decodesInRing = Functions?.Ring is not null && Environment.GetEnvironmentVariable(RingEnvironmentVariable) != "0";

    [ThreadStatic]
    private static Contexts? _contexts;

    /// <summary>Whether libzstd loaded and is to be used.</summary>
    public static bool IsAvailable => Functions is not null;

    /// <summary>
    /// Whether <see cref="DecompressInRing"/> is to be used: the library exports the buffer-less decoding API (Debian's
    /// libzstd 1.5.4 does; it is outside libzstd's stable API, and a build that hides those symbols does not) and <c>ZARR_ZSTD_RING=0</c> is
    /// not set. Tests turn it off to reach the streaming path.
    /// </summary>
    internal static bool DecodesInRing
    {
        get => _decodesInRing;
        set => _decodesInRing = value && HasRingApi;
    }

    /// <summary>Whether the library exports the buffer-less decoding API <see cref="DecompressInRing"/> needs.</summary>
    internal static bool HasRingApi => Functions?.Ring is not null;

    /// <summary>The library's version (<c>1.5.4</c>), or null when it is not used.</summary>
    public static string? Version => Functions is { } f ? Marshal.PtrToStringUTF8((nint)f.VersionString()) : null;

    /// <summary>The most bytes <paramref name="length"/> bytes compress to.</summary>
    public static long CompressBound(int length) => (long)Functions!.CompressBound((nuint)length);

    /// <summary>Compresses <paramref name="source"/> as one frame with its content size; -1 when it does not fit <paramref name="destination"/>.</summary>
    /// <exception cref="ZarrCodecException">libzstd failed otherwise (the message is its own).</exception>
    public static int Compress(ReadOnlySpan<byte> source, Span<byte> destination, int level, bool checksum)
    {
        var f = Functions!;
        var contexts = _contexts ??= new Contexts(f);
        var cctx = contexts.Compression;
        if (contexts.Level != level || contexts.Checksum != checksum)
        {
            Check(f.Reset(cctx, ResetSessionAndParameters), "compression");
            Check(f.SetParameter(cctx, CompressionLevelParameter, level), "compression");
            Check(f.SetParameter(cctx, ChecksumFlagParameter, checksum ? 1 : 0), "compression");
            (contexts.Level, contexts.Checksum) = (level, checksum);
        }

        byte empty = 0;
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            var rc = f.Compress2(cctx, dst is null ? &empty : dst, (nuint)destination.Length, src is null ? &empty : src, (nuint)source.Length);
            if (f.IsError(rc) != 0)
            {
                if (f.GetErrorCode(rc) == DestinationTooSmall)
                {
                    // The session is left mid-frame: start the next one clean (the parameters stay).
                    f.Reset(cctx, 1);
                    return -1;
                }

                Check(rc, "compression");
            }

            return (int)rc;
        }
    }

    /// <summary>Decompresses every frame of <paramref name="source"/> into <paramref name="destination"/>; returns the bytes written.</summary>
    /// <exception cref="ZarrCodecException">The data is corrupt, truncated, or larger than the destination.</exception>
    public static int Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var f = Functions!;
        var contexts = _contexts ??= new Contexts(f);
        byte empty = 0;
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            var rc = f.DecompressDCtx(contexts.Decompression, dst is null ? &empty : dst, (nuint)destination.Length, src is null ? &empty : src, (nuint)source.Length);
            return (int)Check(rc, "decompression");
        }
    }

    /// <summary>
    /// Decompresses every frame of <paramref name="source"/> through <paramref name="window"/>: each time the window is
    /// full it goes to <paramref name="sink"/> (with its offset in the decompressed data) and is filled again, so the
    /// data never exists whole; the last slice may be shorter. Returns the bytes decompressed. With
    /// <paramref name="boundedFrames"/> (every frame declares its content size, checked by the caller) the frames' own
    /// window may be as large as zstd allows, since libzstd then buffers at most a frame's content; otherwise it is
    /// libzstd's default limit (128 MiB), as a stream of unknown size would be.
    /// </summary>
    /// <exception cref="ZarrCodecException">The data is corrupt or truncated, or decompresses to more than <paramref name="limit"/> bytes (nothing past the limit reaches the sink).</exception>
    public static long DecompressSliced<TSink>(ReadOnlySpan<byte> source, Span<byte> window, long limit, bool boundedFrames, ref TSink sink)
        where TSink : Codecs.IDecodedSliceSink, allows ref struct
    {
        var f = Functions!;
        var dctx = (_contexts ??= new Contexts(f)).Decompression;
        Check(f.DCtxReset(dctx, ResetSessionOnly), "decompression");
        Check(f.DCtxSetParameter(dctx, WindowLogMaxParameter, boundedFrames ? LargestWindowLog : DefaultWindowLogMax), "decompression");
        long total = 0;
        byte empty = 0;
        fixed (byte* src = source)
        fixed (byte* dst = window)
        {
            var input = new StreamBuffer { Pointer = src is null ? &empty : src, Size = (nuint)source.Length };
            var output = new StreamBuffer { Pointer = dst, Size = (nuint)window.Length };
            while (true)
            {
                var (inBefore, outBefore) = (input.Position, output.Position);
                var rc = Check(f.DecompressStream(dctx, &output, &input), "decompression");
                if (output.Position == output.Size)
                {
                    total = Deliver(window, total, (int)output.Position, limit, ref sink);
                    output.Position = 0;
                    if (rc == 0 && input.Position == input.Size)
                    {
                        // The last frame ended exactly at the window's end (0: decoded and flushed whole).
                        return total;
                    }

                    continue;
                }

                if (input.Position == input.Size)
                {
                    if (rc != 0)
                    {
                        // libzstd wants more input than there is: the last frame ends early.
                        throw LastFrameEndsEarly();
                    }

                    break;
                }

                if (input.Position == inBefore && output.Position == outBefore)
                {
                    throw new ZarrCodecException("zstd", "the data is corrupt or truncated: libzstd made no progress");
                }
            }

            return output.Position == 0 ? total : Deliver(window, total, (int)output.Position, limit, ref sink);
        }
    }

    // Hands a filled window to the sink, refusing what would pass the limit before any of it is delivered.
    private static long Deliver<TSink>(Span<byte> window, long total, int length, long limit, ref TSink sink)
        where TSink : Codecs.IDecodedSliceSink, allows ref struct
    {
        if (total + length > limit)
        {
            throw DecodeLimitExceeded(limit);
        }

        sink.Accept(window[..length], total);
        return total + length;
    }

    private static ZarrCodecException DecodeLimitExceeded(long limit) => Codecs.DecodeLimit.Exceeded("zstd", limit);

    // The input ends inside a frame (both decoders say so the same way).
    private static ZarrCodecException LastFrameEndsEarly() => new("zstd", "the data is corrupt or truncated: the last frame ends before its end");

    private static nuint Check(nuint rc, string operation)
    {
        var f = Functions!;
        if (f.IsError(rc) == 0)
        {
            return rc;
        }

        var reason = Marshal.PtrToStringUTF8((nint)f.GetErrorName(rc)) ?? "unknown error";
        throw new ZarrCodecException("zstd", operation == "decompression"
            ? $"the data is corrupt or truncated: libzstd: {reason}"
            : $"{operation} failed: libzstd: {reason}");
    }

    private static Api? Load()
    {
        if (string.Equals(Environment.GetEnvironmentVariable(EnvironmentVariable), "managed", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        // A libzstd too old for ZSTD_compress2 (before 1.4) lacks an entry point: ZstdSharp instead.
        return NativeLibraries.Load(Candidates, h => new Api(h));
    }

    /// <summary>The entry points, resolved once.</summary>
    private sealed class Api(nint h)
    {
        public readonly delegate* unmanaged<nint> CreateCCtx = (delegate* unmanaged<nint>)NativeLibrary.GetExport(h, "ZSTD_createCCtx");
        public readonly delegate* unmanaged<nint, nuint> FreeCCtx = (delegate* unmanaged<nint, nuint>)NativeLibrary.GetExport(h, "ZSTD_freeCCtx");
        public readonly delegate* unmanaged<nint> CreateDCtx = (delegate* unmanaged<nint>)NativeLibrary.GetExport(h, "ZSTD_createDCtx");
        public readonly delegate* unmanaged<nint, nuint> FreeDCtx = (delegate* unmanaged<nint, nuint>)NativeLibrary.GetExport(h, "ZSTD_freeDCtx");
        public readonly delegate* unmanaged<nint, int, int, nuint> SetParameter = (delegate* unmanaged<nint, int, int, nuint>)NativeLibrary.GetExport(h, "ZSTD_CCtx_setParameter");
        public readonly delegate* unmanaged<nint, int, nuint> Reset = (delegate* unmanaged<nint, int, nuint>)NativeLibrary.GetExport(h, "ZSTD_CCtx_reset");
        public readonly delegate* unmanaged<nint, byte*, nuint, byte*, nuint, nuint> Compress2 = (delegate* unmanaged<nint, byte*, nuint, byte*, nuint, nuint>)NativeLibrary.GetExport(h, "ZSTD_compress2");
        public readonly delegate* unmanaged<nint, byte*, nuint, byte*, nuint, nuint> DecompressDCtx = (delegate* unmanaged<nint, byte*, nuint, byte*, nuint, nuint>)NativeLibrary.GetExport(h, "ZSTD_decompressDCtx");
        public readonly delegate* unmanaged<nint, int, nuint> DCtxReset = (delegate* unmanaged<nint, int, nuint>)NativeLibrary.GetExport(h, "ZSTD_DCtx_reset");
        public readonly delegate* unmanaged<nint, int, int, nuint> DCtxSetParameter = (delegate* unmanaged<nint, int, int, nuint>)NativeLibrary.GetExport(h, "ZSTD_DCtx_setParameter");
        public readonly delegate* unmanaged<nint, StreamBuffer*, StreamBuffer*, nuint> DecompressStream = (delegate* unmanaged<nint, StreamBuffer*, StreamBuffer*, nuint>)NativeLibrary.GetExport(h, "ZSTD_decompressStream");
        public readonly delegate* unmanaged<nuint, nuint> CompressBound = (delegate* unmanaged<nuint, nuint>)NativeLibrary.GetExport(h, "ZSTD_compressBound");
        public readonly delegate* unmanaged<nuint, uint> IsError = (delegate* unmanaged<nuint, uint>)NativeLibrary.GetExport(h, "ZSTD_isError");
        public readonly delegate* unmanaged<nuint, int> GetErrorCode = (delegate* unmanaged<nuint, int>)NativeLibrary.GetExport(h, "ZSTD_getErrorCode");
        public readonly delegate* unmanaged<nuint, byte*> GetErrorName = (delegate* unmanaged<nuint, byte*>)NativeLibrary.GetExport(h, "ZSTD_getErrorName");
        public readonly delegate* unmanaged<byte*> VersionString = (delegate* unmanaged<byte*>)NativeLibrary.GetExport(h, "ZSTD_versionString");

        /// <summary>The buffer-less decoding API, or null when the library does not export it (it is not in libzstd's stable API).</summary>
        public readonly RingApi? Ring = RingApi.Bind(h);
    }

    /// <summary>ZSTD_inBuffer and ZSTD_outBuffer (the same layout): a pointer, its size, and how far libzstd got.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct StreamBuffer
    {
        public byte* Pointer;
        public nuint Size;
        public nuint Position;
    }

    /// <summary>A thread's two contexts, freed when the thread's reference to them is collected.</summary>
    private sealed class Contexts
    {
        private readonly Api _api;

        public Contexts(Api api)
        {
            _api = api;
            Compression = api.CreateCCtx();
            Decompression = api.CreateDCtx();
            if (Compression == 0 || Decompression == 0)
            {
                throw new ZarrCodecException("zstd", "libzstd could not allocate a context");
            }
        }

        ~Contexts()
        {
            _api.FreeCCtx(Compression);
            _api.FreeDCtx(Decompression);
        }

        public nint Compression { get; }

        public nint Decompression { get; }

        // Parameters last set on Compression; int.MinValue: none yet.
        public int Level { get; set; } = int.MinValue;

        public bool Checksum { get; set; }
    }
}
