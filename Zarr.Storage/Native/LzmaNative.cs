using System.Globalization;
using System.Runtime.InteropServices;
using Zarr.Storage.Codecs;

namespace Zarr.Storage.Native;

/// <summary>
/// liblzma (Debian's <c>liblzma5</c>, on every Debian system) through function pointers: the coders Python's
/// <c>lzma</c> module (and so numcodecs' <c>lzma</c>) uses, run one whole buffer at a time by <see cref="Coder"/>.
/// </summary>
/// <remarks>
/// Function pointers from <see cref="NativeLibrary.GetExport"/> rather than <c>LibraryImport</c>: the assembly's one
/// DLL import resolver belongs to <see cref="BloscNative"/>.
/// </remarks>
internal static unsafe class LzmaNative
{
    /// <summary>What to do when the library is missing.</summary>
    public const string Install = "install Debian's liblzma5 (apt-get install liblzma5), which provides liblzma.so.5";

    private const int Finish = 3; // LZMA_FINISH
    private const int Ok = 0;
    private const int StreamEnd = 1;
    private const int BufError = 10;
    private const uint Concatenated = 0x08; // LZMA_CONCATENATED: numcodecs decodes one stream after another, as Python does
    private const ulong NoMemoryLimit = ulong.MaxValue;
    private const ulong FilterArrayEnd = ulong.MaxValue; // LZMA_VLI_UNKNOWN

    private static readonly string[] DefaultCandidates = ["liblzma.so.5", "liblzma.5.dylib", "liblzma", "lzma"];

    private static readonly Api? Functions = Load(DefaultCandidates);

    /// <summary>Whether liblzma loaded.</summary>
    public static bool IsAvailable => Functions is not null;

    /// <summary>The library's version (<c>5.4.1</c>), or null when it is missing.</summary>
    public static string? Version => Functions is { } f ? Marshal.PtrToStringUTF8((nint)f.VersionString()) : null;

    /// <summary>The entry points from the first of <paramref name="candidates"/> that loads, or null.</summary>
    internal static Api? Load(IEnumerable<string> candidates) => NativeLibraries.Load(candidates, h => new Api(h));

    /// <summary>The error of a missing library, naming the codec and what to install.</summary>
    internal static ZarrCodecException Missing(string codec) => new(codec, $"liblzma could not be loaded; {Install}");

    /// <summary>
    /// One liblzma coder over one buffer: an encoder or a decoder of a codec's format, check, preset
    /// and filters, which owns its <c>lzma_stream</c> and the filters' options until it is disposed.
    /// </summary>
    internal sealed class Coder : IDisposable
    {
        private readonly Api _f;
        private readonly string _codec;
        private LzmaStream* _stream;
        private byte* _filters;

        private Coder(Api f, string codec)
        {
            _f = f;
            _codec = codec;
            _stream = (LzmaStream*)NativeMemory.AllocZeroed((nuint)sizeof(LzmaStream));
        }

        /// <summary>An encoder as Python's <c>lzma.compress(format, check, preset, filters)</c> makes it.</summary>
        public static Coder Encoder(LzmaCodec codec)
        {
            var coder = new Coder(Functions ?? throw Missing(codec.Name), codec.Name);
            try
            {
                var f = coder._f;
                var check = (int)(codec.Check == LzmaCheck.Default ? LzmaCheck.Crc64 : codec.Check);
                var preset = codec.Preset ?? 6u; // LZMA_PRESET_DEFAULT
                int rc = codec.Format switch
                {
                    LzmaFormat.Xz when codec.Filters.IsDefaultOrEmpty => f.EasyEncoder(coder._stream, preset, check),
                    LzmaFormat.Xz => f.StreamEncoder(coder._stream, coder.Filters(codec), check),
                    LzmaFormat.Alone => f.AloneEncoder(coder._stream, codec.Filters.IsDefaultOrEmpty ? coder.Preset(preset) : ((LzmaFilterNative*)coder.Filters(codec))->Options),
                    LzmaFormat.Raw => f.RawEncoder(coder._stream, coder.Filters(codec)),
                    _ => throw new ZarrCodecException(codec.Name, "format 0 (FORMAT_AUTO) only decodes; Python's lzma cannot encode with it either"),
                };
                coder.Check(rc, "setting up the encoder");
                return coder;
            }
            catch
            {
                coder.Dispose();
                throw;
            }
        }

        /// <summary>A decoder as Python's <c>lzma.decompress(format, filters)</c> makes it (an <c>.xz</c> container names its own filters).</summary>
        public static Coder Decoder(LzmaCodec codec)
        {
            var coder = new Coder(Functions ?? throw Missing(codec.Name), codec.Name);
            try
            {
                var f = coder._f;
                int rc = codec.Format switch
                {
                    LzmaFormat.Xz => f.StreamDecoder(coder._stream, NoMemoryLimit, Concatenated),
                    LzmaFormat.Alone => f.AloneDecoder(coder._stream, NoMemoryLimit),
                    LzmaFormat.Raw => f.RawDecoder(coder._stream, coder.Filters(codec)),
                    _ => f.AutoDecoder(coder._stream, NoMemoryLimit, Concatenated),
                };
                coder.Check(rc, "setting up the decoder");
                return coder;
            }
            catch
            {
                coder.Dispose();
                throw;
            }
        }

        /// <summary>
        /// Codes all of <paramref name="input"/> into <paramref name="output"/> from <paramref name="written"/> on.
        /// True when the stream is complete; false when the output is full first (call again with more room and the
        /// same input: what was consumed is remembered).
        /// </summary>
        /// <exception cref="ZarrCodecException">liblzma refused the data.</exception>
        public bool Code(ReadOnlySpan<byte> input, Span<byte> output, ref int written)
        {
            byte none = 0;
            fixed (byte* inputStart = input)
            fixed (byte* outputStart = output)
            {
                var consumed = (int)_stream->TotalIn;
                _stream->NextIn = (inputStart is null ? &none : inputStart) + consumed;
                _stream->AvailIn = (nuint)(input.Length - consumed);
                _stream->NextOut = (outputStart is null ? &none : outputStart) + written;
                _stream->AvailOut = (nuint)(output.Length - written);
                try
                {
                    // liblzma returns LZMA_OK while it makes progress, and LZMA_BUF_ERROR once it can make none.
                    int rc;
                    do
                    {
                        rc = _f.Code(_stream, Finish);
                    }
                    while (rc == Ok && _stream->AvailOut > 0);

                    written = output.Length - (int)_stream->AvailOut;
                    if (rc == StreamEnd)
                    {
                        return true;
                    }

                    if (_stream->AvailOut == 0 && rc is Ok or BufError)
                    {
                        return false;
                    }

                    if (rc == BufError)
                    {
                        throw new ZarrCodecException(_codec, "the data is truncated: the lzma stream ends before its end marker");
                    }

                    Check(rc, "coding");
                    return false;
                }
                finally
                {
                    _stream->NextIn = null;
                    _stream->NextOut = null;
                }
            }
        }

        /// <summary>How many input bytes were consumed.</summary>
        public long Consumed => (long)_stream->TotalIn;

        public void Dispose()
        {
            if (_stream is not null)
            {
                _f.End(_stream);
                NativeMemory.Free(_stream);
                _stream = null;
            }

            if (_filters is not null)
            {
                NativeMemory.Free(_filters);
                _filters = null;
            }
        }

        // LZMA1 options at a preset, for the .lzma container without a filter list.
        private LzmaOptionsLzma* Preset(uint preset)
        {
            var options = (LzmaOptionsLzma*)Allocate(sizeof(LzmaOptionsLzma));
            if (_f.LzmaPreset(options, preset) != 0)
            {
                throw new ZarrCodecException(_codec, string.Create(CultureInfo.InvariantCulture, $"liblzma does not support preset {preset}"));
            }

            return options;
        }

        // The filter array (terminated by LZMA_VLI_UNKNOWN) with each filter's options, in one block freed on Dispose.
        private LzmaFilterNative* Filters(LzmaCodec codec)
        {
            var filters = codec.Filters;
            if (filters.IsDefaultOrEmpty)
            {
                throw new ZarrCodecException(codec.Name, "format 3 (FORMAT_RAW) needs the filter chain in 'filters'");
            }

            var array = (LzmaFilterNative*)Allocate((filters.Length + 1) * sizeof(LzmaFilterNative));
            for (var i = 0; i < filters.Length; i++)
            {
                var filter = filters[i];
                array[i].Id = (ulong)filter.Id;
                array[i].Options = filter.Id switch
                {
                    LzmaFilter.Lzma1 or LzmaFilter.Lzma2 => LzmaOptions(filter),
                    LzmaFilter.Delta => DeltaOptions(filter),
                    _ => BranchOptions(filter),
                };
            }

            array[filters.Length].Id = FilterArrayEnd;
            return array;
        }

        private LzmaOptionsLzma* LzmaOptions(LzmaFilter filter)
        {
            var options = Preset((uint)(filter.Option("preset") ?? 6));
            options->DictSize = (uint)(filter.Option("dict_size") ?? options->DictSize);
            options->Lc = (uint)(filter.Option("lc") ?? options->Lc);
            options->Lp = (uint)(filter.Option("lp") ?? options->Lp);
            options->Pb = (uint)(filter.Option("pb") ?? options->Pb);
            options->Mode = (int)(filter.Option("mode") ?? options->Mode);
            options->NiceLen = (uint)(filter.Option("nice_len") ?? options->NiceLen);
            options->Mf = (int)(filter.Option("mf") ?? options->Mf);
            options->Depth = (uint)(filter.Option("depth") ?? options->Depth);
            return options;
        }

        private void* DeltaOptions(LzmaFilter filter)
        {
            // lzma_options_delta: the type (LZMA_DELTA_TYPE_BYTE, 0) and the distance (Python's default 1).
            var options = (uint*)Allocate(64);
            options[1] = (uint)(filter.Option("dist") ?? 1);
            return options;
        }

        private void* BranchOptions(LzmaFilter filter)
        {
            if (filter.Option("start_offset") is not { } offset)
            {
                return null;
            }

            // lzma_options_bcj: the start offset first.
            var options = (uint*)Allocate(64);
            options[0] = (uint)offset;
            return options;
        }

        // Every block of a coder's options lives in one list of allocations, freed together on Dispose.
        private void* Allocate(int bytes)
        {
            // A singly linked list of blocks: each starts with the pointer to the one allocated before it.
            var block = (byte*)NativeMemory.AllocZeroed((nuint)(bytes + 16));
            *(byte**)block = _filters;
            _filters = block;
            return block + 16;
        }

        private void Check(int rc, string operation)
        {
            if (rc is Ok or StreamEnd)
            {
                return;
            }

            var reason = rc switch
            {
                5 => "out of memory (LZMA_MEM_ERROR)",
                6 => "the memory limit was reached (LZMA_MEMLIMIT_ERROR)",
                7 => "the data is not in the expected lzma format (LZMA_FORMAT_ERROR)",
                8 => "unsupported options (LZMA_OPTIONS_ERROR)",
                9 => "the data is corrupt (LZMA_DATA_ERROR)",
                10 => "the data is truncated (LZMA_BUF_ERROR)",
                3 => "the integrity check is not supported (LZMA_UNSUPPORTED_CHECK)",
                _ => string.Create(CultureInfo.InvariantCulture, $"liblzma error {rc}"),
            };
            throw new ZarrCodecException(_codec, $"{operation} failed: {reason}");
        }
    }

    // lzma_stream (liblzma 5.x, LP64 and 32-bit alike: pointers and size_t as nint).
    [StructLayout(LayoutKind.Sequential)]
    internal struct LzmaStream
    {
        public byte* NextIn;
        public nuint AvailIn;
        public ulong TotalIn;
        public byte* NextOut;
        public nuint AvailOut;
        public ulong TotalOut;
        public nint Allocator;
        public nint Internal;
        public nint ReservedPtr1;
        public nint ReservedPtr2;
        public nint ReservedPtr3;
        public nint ReservedPtr4;
        public ulong SeekPos;
        public ulong ReservedInt2;
        public nuint ReservedInt3;
        public nuint ReservedInt4;
        public int ReservedEnum1;
        public int ReservedEnum2;
    }

    // lzma_filter.
    [StructLayout(LayoutKind.Sequential)]
    internal struct LzmaFilterNative
    {
        public ulong Id;
        public void* Options;
    }

    // lzma_options_lzma (liblzma 5.4: with ext_flags and ext_size and their reserved fields).
    [StructLayout(LayoutKind.Sequential)]
    internal struct LzmaOptionsLzma
    {
        public uint DictSize;
        public byte* PresetDict;
        public uint PresetDictSize;
        public uint Lc;
        public uint Lp;
        public uint Pb;
        public int Mode;
        public uint NiceLen;
        public int Mf;
        public uint Depth;
        public fixed uint Reserved[8];
        public fixed int ReservedEnum[4];
        public nint ReservedPtr1;
        public nint ReservedPtr2;
    }

    /// <summary>The entry points, resolved once.</summary>
    internal sealed class Api(nint h)
    {
        public readonly delegate* unmanaged<LzmaStream*, uint, int, int> EasyEncoder = (delegate* unmanaged<LzmaStream*, uint, int, int>)NativeLibrary.GetExport(h, "lzma_easy_encoder");
        public readonly delegate* unmanaged<LzmaStream*, LzmaFilterNative*, int, int> StreamEncoder = (delegate* unmanaged<LzmaStream*, LzmaFilterNative*, int, int>)NativeLibrary.GetExport(h, "lzma_stream_encoder");
        public readonly delegate* unmanaged<LzmaStream*, void*, int> AloneEncoder = (delegate* unmanaged<LzmaStream*, void*, int>)NativeLibrary.GetExport(h, "lzma_alone_encoder");
        public readonly delegate* unmanaged<LzmaStream*, LzmaFilterNative*, int> RawEncoder = (delegate* unmanaged<LzmaStream*, LzmaFilterNative*, int>)NativeLibrary.GetExport(h, "lzma_raw_encoder");
        public readonly delegate* unmanaged<LzmaStream*, ulong, uint, int> StreamDecoder = (delegate* unmanaged<LzmaStream*, ulong, uint, int>)NativeLibrary.GetExport(h, "lzma_stream_decoder");
        public readonly delegate* unmanaged<LzmaStream*, ulong, uint, int> AutoDecoder = (delegate* unmanaged<LzmaStream*, ulong, uint, int>)NativeLibrary.GetExport(h, "lzma_auto_decoder");
        public readonly delegate* unmanaged<LzmaStream*, ulong, int> AloneDecoder = (delegate* unmanaged<LzmaStream*, ulong, int>)NativeLibrary.GetExport(h, "lzma_alone_decoder");
        public readonly delegate* unmanaged<LzmaStream*, LzmaFilterNative*, int> RawDecoder = (delegate* unmanaged<LzmaStream*, LzmaFilterNative*, int>)NativeLibrary.GetExport(h, "lzma_raw_decoder");
        public readonly delegate* unmanaged<LzmaStream*, int, int> Code = (delegate* unmanaged<LzmaStream*, int, int>)NativeLibrary.GetExport(h, "lzma_code");
        public readonly delegate* unmanaged<LzmaStream*, void> End = (delegate* unmanaged<LzmaStream*, void>)NativeLibrary.GetExport(h, "lzma_end");
        public readonly delegate* unmanaged<LzmaOptionsLzma*, uint, byte> LzmaPreset = (delegate* unmanaged<LzmaOptionsLzma*, uint, byte>)NativeLibrary.GetExport(h, "lzma_lzma_preset");
        public readonly delegate* unmanaged<byte*> VersionString = (delegate* unmanaged<byte*>)NativeLibrary.GetExport(h, "lzma_version_string");
    }
}
