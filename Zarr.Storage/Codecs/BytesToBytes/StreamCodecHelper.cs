using System.Globalization;
using System.Runtime.CompilerServices;
using Zarr.Storage.Buffers;

namespace Zarr.Storage.Codecs;

/// <summary>Runs stream-shaped compressors (deflate, gzip, zstd frames without a size) over spans into pooled buffers.</summary>
internal static class StreamCodecHelper
{
    private const int MinimumGuess = 4096;

    private static readonly byte[] Empty = GC.AllocateArray<byte>(1, pinned: true);

    /// <summary>A read-only stream over <paramref name="data"/>; the memory must stay pinned while it is used.</summary>
    public static unsafe UnmanagedMemoryStream OpenPinned(byte* data, int length) =>
        data is null || length == 0
            ? new UnmanagedMemoryStream((byte*)Unsafe.AsPointer(ref Empty[0]), 0, 0, FileAccess.Read)
            : new UnmanagedMemoryStream(data, length, length, FileAccess.Read);

    /// <summary>
    /// Decompresses with a stream-shaped decompressor into a new buffer of exactly <paramref name="expectedLength"/>
    /// bytes when that is known (&gt;= 0), otherwise growing as data arrives up to <paramref name="maxLength"/> and no
    /// further; turns the exceptions streams throw for bad data into a <see cref="ZarrCodecException"/>.
    /// </summary>
    public static unsafe PooledBuffer Decompress(ReadOnlySpan<byte> encoded, int expectedLength, int maxLength, string codec, Func<Stream, Stream> open)
    {
        if (expectedLength > maxLength)
        {
            throw DecodeLimit.Exceeded(codec, maxLength, expectedLength);
        }

        try
        {
            fixed (byte* data = encoded)
            {
                using var source = OpenPinned(data, encoded.Length);
                using var decompressor = open(source);
                return expectedLength >= 0
                    ? ReadExactly(decompressor, expectedLength, codec)
                    : ReadAll(decompressor, maxLength, encoded.Length, codec);
            }
        }
        catch (Exception ex) when (IsCorruptData(ex))
        {
            throw Corrupt(codec, ex);
        }
    }

    /// <summary>
    /// Decompresses into <paramref name="destination"/>, whose length is the limit: a stream with more data is
    /// refused. Returns the bytes written.
    /// </summary>
    public static unsafe int DecompressInto(ReadOnlySpan<byte> encoded, Span<byte> destination, string codec, Func<Stream, Stream> open)
    {
        try
        {
            fixed (byte* data = encoded)
            {
                using var source = OpenPinned(data, encoded.Length);
                using var decompressor = open(source);
                var filled = ReadFully(decompressor, destination);
                if (filled == destination.Length && HasMore(decompressor))
                {
                    throw DecodeLimit.Exceeded(codec, destination.Length);
                }

                return filled;
            }
        }
        catch (Exception ex) when (IsCorruptData(ex))
        {
            throw Corrupt(codec, ex);
        }
    }

    /// <summary>
    /// Compresses through a stream straight into <paramref name="destination"/>; false when the output does not fit.
    /// </summary>
    public static unsafe bool TryCompressInto(ReadOnlySpan<byte> data, Span<byte> destination, out int written, Func<Stream, Stream> compressor)
    {
        fixed (byte* target = destination)
        {
            using var sink = new FixedSink(target, destination.Length);
            try
            {
                using (var stream = compressor(sink))
                {
                    stream.Write(data);
                }
            }
            catch (NotSupportedException) when (sink.Overflowed)
            {
            }

            // Some compressors swallow a failed write when they are disposed: the sink remembers it.
            written = sink.Overflowed ? 0 : (int)sink.Position;
            return !sink.Overflowed;
        }
    }

    private static bool IsCorruptData(Exception ex) =>
        ex is InvalidDataException or IOException or InvalidOperationException or NotSupportedException or ArgumentException or IndexOutOfRangeException;

    private static ZarrCodecException Corrupt(string codec, Exception ex) =>
        new(codec, $"the data is corrupt or truncated: {ex.Message}", ex);

    private static bool HasMore(Stream decompressor)
    {
        Span<byte> probe = stackalloc byte[1];
        return decompressor.Read(probe) != 0;
    }

    // Exactly expectedLength bytes must come out (never more is allocated).
    private static PooledBuffer ReadExactly(Stream decompressor, int expectedLength, string codec)
    {
        var exact = PooledBuffer.Rent(expectedLength);
        try
        {
            var filled = ReadFully(decompressor, exact.Span);
            if (filled < expectedLength)
            {
                throw new ZarrCodecException(codec, string.Create(CultureInfo.InvariantCulture, $"the data decompresses to {filled} bytes; {expectedLength} were expected"));
            }

            if (HasMore(decompressor))
            {
                throw new ZarrCodecException(codec, string.Create(CultureInfo.InvariantCulture, $"the data decompresses to more than the {expectedLength} bytes expected"));
            }

            return exact;
        }
        catch
        {
            exact.Dispose();
            throw;
        }
    }

    // The buffer grows (doubling) as data arrives, never past maxLength: a stream with more is refused there.
    private static PooledBuffer ReadAll(Stream decompressor, int maxLength, int encodedLength, string codec)
    {
        var buffer = PooledBuffer.Rent((int)Math.Min(Math.Max((long)encodedLength * 4, MinimumGuess), maxLength));
        var length = 0;
        try
        {
            while (true)
            {
                var limit = Math.Min(buffer.Capacity, maxLength);
                if (length == limit)
                {
                    if (length == maxLength)
                    {
                        if (HasMore(decompressor))
                        {
                            throw DecodeLimit.Exceeded(codec, maxLength);
                        }

                        buffer.SetLength(length);
                        return buffer;
                    }

                    var larger = PooledBuffer.Rent((int)Math.Min((long)length * 2, maxLength));
                    buffer.Array.AsSpan(0, length).CopyTo(larger.Array);
                    buffer.Dispose();
                    buffer = larger;
                    continue;
                }

                var read = decompressor.Read(buffer.Array, length, limit - length);
                if (read == 0)
                {
                    buffer.SetLength(length);
                    return buffer;
                }

                length += read;
            }
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <summary>Compresses through a stream into a pooled buffer that grows as needed, starting at <paramref name="initialCapacity"/>.</summary>
    public static PooledBuffer WriteAll(ReadOnlySpan<byte> data, int initialCapacity, Func<Stream, Stream> compressor)
    {
        using var sink = new PooledBufferStream(initialCapacity);
        using (var stream = compressor(sink))
        {
            stream.Write(data);
        }

        return sink.Detach();
    }

    private static int ReadFully(Stream stream, Span<byte> destination)
    {
        var filled = 0;
        while (filled < destination.Length)
        {
            var read = stream.Read(destination[filled..]);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }

    /// <summary>A write-only stream into a growing <see cref="PooledBuffer"/>.</summary>
    private sealed class PooledBufferStream(int initialCapacity) : WriteOnlyStream
    {
        private PooledBuffer? _buffer = PooledBuffer.Rent(Math.Max(initialCapacity, 64));
        private int _length;

        public override long Length => _length;

        public override long Position
        {
            get => _length;
            set => throw new NotSupportedException();
        }

        public PooledBuffer Detach()
        {
            var buffer = _buffer ?? throw new ObjectDisposedException(nameof(PooledBufferStream));
            _buffer = null;
            buffer.SetLength(_length);
            return buffer;
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            var target = _buffer ?? throw new ObjectDisposedException(nameof(PooledBufferStream));
            if ((long)_length + buffer.Length > target.Capacity)
            {
                var needed = (long)_length + buffer.Length;
                if (needed > Array.MaxLength)
                {
                    throw new InvalidOperationException("the compressed data exceeds 2 GiB");
                }

                var larger = PooledBuffer.Rent((int)Math.Min(Math.Max(needed, (long)target.Capacity * 2), Array.MaxLength));
                target.Array.AsSpan(0, _length).CopyTo(larger.Array);
                target.Dispose();
                _buffer = target = larger;
            }

            buffer.CopyTo(target.Array.AsSpan(_length));
            _length += buffer.Length;
        }


        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _buffer?.Dispose();
                _buffer = null;
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>A write-only stream over fixed memory that remembers an attempt to write past its end.</summary>
    private sealed unsafe class FixedSink(byte* start, int capacity) : WriteOnlyStream
    {
        private int _length;

        public bool Overflowed { get; private set; }

        public override long Length => _length;

        public override long Position
        {
            get => _length;
            set => throw new NotSupportedException();
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if ((long)_length + buffer.Length > capacity)
            {
                Overflowed = true;
                throw new NotSupportedException("the destination is full");
            }

            buffer.CopyTo(new Span<byte>(start + _length, capacity - _length));
            _length += buffer.Length;
        }

    }

    /// <summary>What every write-only sink here has in common: no reading, no seeking, writes through <c>Write(ReadOnlySpan)</c>.</summary>
    private abstract class WriteOnlyStream : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void WriteByte(byte value) => Write([value]);

        public override abstract void Write(ReadOnlySpan<byte> buffer);

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
