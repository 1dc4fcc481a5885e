using System.Reflection;
using System.Runtime.InteropServices;

namespace Zarr.Storage.Native;

/// <summary>
/// The P/Invoke layer over the native c-blosc 1.x library (Debian's <c>libblosc1</c>). Only the contextual,
/// thread-safe entry points are declared: no global state of the library is ever touched, so any number of
/// threads may compress and decompress at once. Every negative return code becomes a <see cref="ZarrCodecException"/>
/// in <see cref="Check"/>.
/// </summary>
internal static unsafe partial class BloscNative
{
    /// <summary>The bytes c-blosc may add to its input when compressing (<c>BLOSC_MAX_OVERHEAD</c>).</summary>
    public const int MaxOverhead = 16;

    /// <summary>The largest input c-blosc accepts (<c>BLOSC_MAX_BUFFERSIZE</c>).</summary>
    public const int MaxBufferSize = int.MaxValue - MaxOverhead;

    /// <summary>The size of a c-blosc frame header.</summary>
    public const int HeaderSize = 16;

    private const string LibraryName = "blosc";
    private const string CodecName = "blosc";

    // The names c-blosc 1.x goes by: Debian's soname, macOS's, then the bare name (blosc.dll, libblosc.so, libblosc.dylib).
    private static readonly string[] Candidates = ["libblosc.so.1", "libblosc.1.dylib", "blosc"];

    private static readonly (nint Handle, string? Name) Loaded = LoadAndRegister();

    private static nint Handle => Loaded.Handle;

    /// <summary>Whether the native library loaded.</summary>
    public static bool IsAvailable => Handle != 0;

    /// <summary>The name the library was loaded by (<c>libblosc.so.1</c>), or null when it was not found.</summary>
    public static string? LoadedName => Loaded.Name;

    /// <summary>The names the library is looked for by, for messages.</summary>
    public static string CandidateNames => string.Join(", ", Candidates);

    /// <summary>Compresses with the contextual API. Returns the compressed size, 0 when it did not fit.</summary>
    public static int Compress(int clevel, int shuffle, int typesize, ReadOnlySpan<byte> source, Span<byte> destination, ReadOnlySpan<byte> compressorNameNul, int blocksize)
    {
        EnsureLoaded();
        byte dummy = 0;
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        fixed (byte* cname = compressorNameNul)
        {
            var rc = blosc_compress_ctx(
                clevel,
                shuffle,
                (nuint)typesize,
                (nuint)source.Length,
                src is null ? &dummy : src,
                dst,
                (nuint)destination.Length,
                cname,
                (nuint)blocksize,
                1);
            return Check(rc, "compression");
        }
    }

    /// <summary>
    /// Validates a frame's header against the bytes actually present and returns the decompressed size it declares.
    /// </summary>
    /// <exception cref="ZarrCodecException">The frame is truncated or its header is not a valid c-blosc header.</exception>
    public static int Validate(ReadOnlySpan<byte> source)
    {
        EnsureLoaded();
        if (source.Length < HeaderSize)
        {
            throw new ZarrCodecException(CodecName, $"the data is {source.Length} bytes, shorter than a c-blosc header ({HeaderSize} bytes)");
        }

        nuint nbytes;
        fixed (byte* src = source)
        {
            var rc = blosc_cbuffer_validate(src, (nuint)source.Length, &nbytes);
            if (rc < 0)
            {
                throw new ZarrCodecException(CodecName, $"the data is not a valid c-blosc frame or is truncated (header declares {ReadUInt32(source, 12)} compressed bytes, {source.Length} present)");
            }
        }

        return nbytes <= MaxBufferSize
            ? (int)nbytes
            : throw new ZarrCodecException(CodecName, $"the frame declares {nbytes} decompressed bytes, more than c-blosc can hold");
    }

    /// <summary>Decompresses a frame already checked by <see cref="Validate"/>; returns the decompressed size.</summary>
    public static int Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        EnsureLoaded();
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            var rc = blosc_decompress_ctx(src, dst, (nuint)destination.Length, 1);
            return Check(rc, "decompression");
        }
    }

    /// <summary>The compressors this build of c-blosc was compiled with (<c>blosclz,lz4,lz4hc,...</c>).</summary>
    public static string ListCompressors()
    {
        EnsureLoaded();
        return Marshal.PtrToStringUTF8((nint)blosc_list_compressors()) ?? string.Empty;
    }

    /// <summary>The library's version (<c>1.21.3</c>).</summary>
    public static string VersionString()
    {
        EnsureLoaded();
        return Marshal.PtrToStringUTF8((nint)blosc_get_version_string()) ?? string.Empty;
    }

    /// <summary>Turns a c-blosc return code into a result or a <see cref="ZarrCodecException"/>.</summary>
    internal static int Check(int returnCode, string operation) =>
        returnCode >= 0
            ? returnCode
            : throw new ZarrCodecException(CodecName, $"c-blosc {operation} failed with error code {returnCode}{Describe(returnCode)}");

    private static string Describe(int code) => code switch
    {
        -1 => " (invalid parameters, an unsupported compressor, or a destination too small)",
        -2 => " (the data is corrupt)",
        -5 => " (the compressor this frame needs is not available in this build of c-blosc)",
        _ => " (the data is corrupt or truncated)",
    };

    private static uint ReadUInt32(ReadOnlySpan<byte> source, int offset) =>
        source.Length >= offset + 4 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(source[offset..]) : 0;

    private static void EnsureLoaded()
    {
        if (Handle == 0)
        {
            ThrowNotFound();
        }
    }

    private static void ThrowNotFound() =>
        throw new ZarrCodecException(CodecName, $"the native c-blosc library ({CandidateNames}) was not found: install it (Debian: apt-get install -y libblosc1), or use the managed blosc ({Codecs.BloscRuntime.EnvironmentVariable}=managed or auto)");

    private static (nint Handle, string? Name) LoadAndRegister()
    {
        var assembly = typeof(BloscNative).Assembly;
        (nint, string?) loaded = (0, null);
        foreach (var candidate in Candidates)
        {
            if (NativeLibrary.TryLoad(candidate, assembly, DllImportSearchPath.SafeDirectories | DllImportSearchPath.AssemblyDirectory, out var handle))
            {
                loaded = (handle, candidate);
                break;
            }
        }

        NativeLibrary.SetDllImportResolver(assembly, Resolve);
        return loaded;
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == LibraryName ? Handle : 0;

    [LibraryImport(LibraryName)]
    private static partial int blosc_compress_ctx(int clevel, int doshuffle, nuint typesize, nuint nbytes, void* src, void* dest, nuint destsize, byte* compressor, nuint blocksize, int numinternalthreads);

    [LibraryImport(LibraryName)]
    private static partial int blosc_decompress_ctx(void* src, void* dest, nuint destsize, int numinternalthreads);

    [LibraryImport(LibraryName)]
    private static partial int blosc_cbuffer_validate(void* cbuffer, nuint cbytes, nuint* nbytes);

    [LibraryImport(LibraryName)]
    private static partial byte* blosc_list_compressors();

    [LibraryImport(LibraryName)]
    private static partial byte* blosc_get_version_string();
}
