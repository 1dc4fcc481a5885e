using System.Runtime.InteropServices;

namespace Zarr.Storage.Native;

// libzstd's buffer-less API: a chunk decoded block by block into a ring of the thread's, its slices handed over from
// there (DecompressInRing), where the library exports that API (it is not in libzstd's stable API).
internal static unsafe partial class ZstdNative
{
    /// <summary>
    /// Decompresses every frame of <paramref name="source"/> block by block straight into a ring this thread rents
    /// (<c>ZSTD_decompressContinue</c>, libzstd's buffer-less API, <see cref="DecodesInRing"/> only), handing the
    /// decoded bytes to <paramref name="sink"/> while they are in cache: about <paramref name="sliceBytes"/> at a time,
    /// and always whole elements of <paramref name="elementSize"/> bytes (an element a block cuts waits for the next
    /// block, also across the ring's wrap and across frames). Unlike <c>ZSTD_decompressStream</c>, libzstd then never
    /// copies a block out of a ring of its own. Returns the bytes decompressed, a partial last element included (so a
    /// caller comparing with the expected length finds it). The frames' window is limited as in
    /// <see cref="DecompressSliced"/>; skippable frames are skipped.
    /// </summary>
    /// <exception cref="ZarrCodecException">The data is corrupt or truncated, a frame's window exceeds the limit, or the data decompresses to more than <paramref name="limit"/> bytes (nothing past the limit reaches the sink).</exception>
    public static long DecompressInRing<TSink>(ReadOnlySpan<byte> source, int elementSize, int sliceBytes, long limit, bool boundedFrames, ref TSink sink)
        where TSink : Codecs.IDecodedSliceSink, allows ref struct
    {
        var f = Functions!;
        var dctx = (_contexts ??= new Contexts(f)).Decompression;
        var windowLimit = 1UL << (boundedFrames ? LargestWindowLog : DefaultWindowLogMax);

        // The ring starts `pad` bytes into the buffer: an element cut at the ring's end (or a frame's) is moved just
        // before the ring's start, so the next block, decoded at the start, completes it in place.
        var pad = (elementSize + 63) & ~63;
        var ring = new DecodeRing(pad, elementSize);
        try
        {
            var at = 0;
            while (at < source.Length)
            {
                at += DecodeFrame(f, dctx, source[at..], windowLimit, limit, sliceBytes, ref ring, ref sink);
            }

            return ring.Decoded;
        }
        finally
        {
            ring.Release();
        }
    }

    // Decodes (or skips) the frame at the start of `source` into the ring; returns its encoded length.
    private static int DecodeFrame<TSink>(Api f, nint dctx, ReadOnlySpan<byte> source, ulong windowLimit, long limit, int sliceBytes, ref DecodeRing ring, ref TSink sink)
        where TSink : Codecs.IDecodedSliceSink, allows ref struct
    {
        var r = f.Ring!;
        FrameHeader header;
        fixed (byte* src = source)
        {
            var rc = Check(r.GetFrameHeader(&header, src, (nuint)source.Length), "decompression");
            if (rc != 0)
            {
                throw LastFrameEndsEarly();
            }

            if (header.FrameType == SkippableFrame)
            {
                // libzstd 1.5.4 leaves headerSize 0 for a skippable frame: its header is the magic and the length.
                var skipped = SkippableHeaderSize + header.FrameContentSize;
                return skipped <= (ulong)source.Length
                    ? (int)skipped
                    : throw new ZarrCodecException("zstd", "the data is corrupt or truncated: a skippable frame ends past the data's end");
            }

            var windowSize = Math.Max(header.WindowSize, SmallestWindow);
            if (windowSize > windowLimit)
            {
                var reason = Marshal.PtrToStringUTF8((nint)r.GetErrorString(WindowTooLarge)) ?? "window too large";
                throw new ZarrCodecException("zstd", $"the data is corrupt or truncated: libzstd: {reason}");
            }

            if (header.FrameContentSize != UnknownContentSize && header.FrameContentSize > (ulong)(limit - ring.Decoded))
            {
                throw DecodeLimitExceeded(limit);
            }

            var ringSize = (long)Check(r.DecodingBufferSizeMin(windowSize, header.FrameContentSize), "decompression");
            ring.StartFrame(ringSize);

            // libzstd's own rule (ZSTD_decompressStream): a ring smaller than the frame goes back to its start when a
            // whole block may no longer fit before its end.
            var wraps = (ulong)ringSize < header.FrameContentSize;
            var blockSizeMax = (long)header.BlockSizeMax;
            Check(r.DecompressBegin(dctx), "decompression");
            var at = 0;
            fixed (byte* buffer = ring.Buffer)
            {
                while (true)
                {
                    var next = (int)Math.Min(r.NextSrcSizeToDecompress(dctx), int.MaxValue);
                    if (next == 0)
                    {
                        break;
                    }

                    if (next > source.Length - at)
                    {
                        throw LastFrameEndsEarly();
                    }

                    if (wraps && ring.Position + blockSizeMax > ring.End)
                    {
                        ring.Deliver(buffer, limit, ref sink);
                        ring.Wrap();
                    }

                    var decoded = (long)Check(r.DecompressContinue(dctx, buffer + ring.Position, (nuint)(ring.End - ring.Position), src + at, (nuint)next), "decompression");
                    at += next;
                    if (decoded > 0)
                    {
                        ring.Advance(decoded, limit);
                        if (ring.Pending >= sliceBytes)
                        {
                            ring.Deliver(buffer, limit, ref sink);
                        }
                    }
                }

                ring.Deliver(buffer, limit, ref sink);
            }

            return at;
        }
    }

    /// <summary>
    /// The ring of <see cref="DecompressInRing"/> and what of it the sink has not had yet: offsets into
    /// <see cref="Buffer"/>, whose first <c>pad</c> bytes hold an element cut at a wrap.
    /// </summary>
    private struct DecodeRing(int pad, int elementSize)
    {
        private readonly int _pad = pad;
        private readonly int _elementSize = elementSize;
        private bool _pooled;

        /// <summary>The buffer (null before the first frame).</summary>
        public byte[]? Buffer { get; private set; }

        /// <summary>Where the next block goes.</summary>
        public long Position { get; private set; }

        /// <summary>The ring's end.</summary>
        public long End { get; private set; }

        /// <summary>The first byte the sink has not had.</summary>
        public long Undelivered { get; private set; }

        /// <summary>The bytes decoded so far (delivered or not).</summary>
        public long Decoded { get; private set; }

        /// <summary>The bytes decoded and not yet delivered.</summary>
        public readonly long Pending => Position - Undelivered;

        /// <summary>A frame starts at the ring's start, in a buffer of at least <paramref name="ringSize"/> bytes; the cut element before it is kept.</summary>
        public void StartFrame(long ringSize)
        {
            var carried = (int)Pending;
            var old = Buffer;
            if (old is null || old.Length - _pad < ringSize)
            {
                var length = checked((int)(_pad + ringSize));
                var fresh = length <= LargestPooledRing ? System.Buffers.ArrayPool<byte>.Shared.Rent(length) : GC.AllocateUninitializedArray<byte>(length);
                if (old is not null)
                {
                    old.AsSpan((int)Undelivered, carried).CopyTo(fresh.AsSpan(_pad - carried));
                    Release();
                }

                Buffer = fresh;
                _pooled = length <= LargestPooledRing;
                (Position, Undelivered) = (_pad, _pad - carried);
            }
            else
            {
                Wrap();
            }

            End = _pad + ringSize;
        }

        /// <summary>Back to the ring's start; the cut element (fewer bytes than an element, all that is pending after a delivery) moves just before it.</summary>
        public void Wrap()
        {
            var carried = (int)Pending;
            Buffer.AsSpan((int)Undelivered, carried).CopyTo(Buffer.AsSpan(_pad - carried));
            (Position, Undelivered) = (_pad, _pad - carried);
        }

        /// <summary>Counts a decoded block, refusing one that passes the limit.</summary>
        public void Advance(long decoded, long limit)
        {
            if (Decoded + decoded > limit)
            {
                throw DecodeLimitExceeded(limit);
            }

            Decoded += decoded;
            Position += decoded;
        }

        /// <summary>Hands the pending whole elements to the sink.</summary>
        public void Deliver<TSink>(byte* buffer, long limit, ref TSink sink)
            where TSink : Codecs.IDecodedSliceSink, allows ref struct
        {
            var length = Pending / _elementSize * _elementSize;
            if (length == 0)
            {
                return;
            }

            var offset = Decoded - Pending;
            sink.Accept(new ReadOnlySpan<byte>(buffer + Undelivered, (int)length), offset);
            Undelivered += length;
        }

        /// <summary>Gives the buffer back.</summary>
        public void Release()
        {
            if (Buffer is { } buffer && _pooled)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }

            Buffer = null;
        }
    }

    /// <summary>The buffer-less decoding entry points (zstd.h, "Buffer-less streaming decompression").</summary>
    private sealed class RingApi
    {
        public delegate* unmanaged<FrameHeader*, byte*, nuint, nuint> GetFrameHeader;
        public delegate* unmanaged<ulong, ulong, nuint> DecodingBufferSizeMin;
        public delegate* unmanaged<nint, nuint> DecompressBegin;
        public delegate* unmanaged<nint, nuint> NextSrcSizeToDecompress;
        public delegate* unmanaged<nint, byte*, nuint, byte*, nuint, nuint> DecompressContinue;
        public delegate* unmanaged<int, byte*> GetErrorString;

        public static RingApi? Bind(nint h) =>
            NativeLibrary.TryGetExport(h, "ZSTD_getFrameHeader", out var header)
            && NativeLibrary.TryGetExport(h, "ZSTD_decodingBufferSize_min", out var size)
            && NativeLibrary.TryGetExport(h, "ZSTD_decompressBegin", out var begin)
            && NativeLibrary.TryGetExport(h, "ZSTD_nextSrcSizeToDecompress", out var next)
            && NativeLibrary.TryGetExport(h, "ZSTD_decompressContinue", out var decompress)
            && NativeLibrary.TryGetExport(h, "ZSTD_getErrorString", out var errorString)
                ? new RingApi
                {
                    GetFrameHeader = (delegate* unmanaged<FrameHeader*, byte*, nuint, nuint>)header,
                    DecodingBufferSizeMin = (delegate* unmanaged<ulong, ulong, nuint>)size,
                    DecompressBegin = (delegate* unmanaged<nint, nuint>)begin,
                    NextSrcSizeToDecompress = (delegate* unmanaged<nint, nuint>)next,
                    DecompressContinue = (delegate* unmanaged<nint, byte*, nuint, byte*, nuint, nuint>)decompress,
                    GetErrorString = (delegate* unmanaged<int, byte*>)errorString,
                }
                : null;
    }

    /// <summary>ZSTD_frameHeader (zstd.h, unchanged from 1.3 to 1.5).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct FrameHeader
    {
        public ulong FrameContentSize;
        public ulong WindowSize;
        public uint BlockSizeMax;
        public int FrameType;
        public uint HeaderSize;
        public uint DictId;
        public uint ChecksumFlag;
        public uint Reserved1;
        public uint Reserved2;
    }
}
