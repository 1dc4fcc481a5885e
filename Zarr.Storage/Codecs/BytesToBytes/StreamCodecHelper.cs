using System.Globalization;
using System.Runtime.CompilerServices;
using Zarr.Storage.Buffers;

namespace Zarr.Storage.Codecs.BytesToBytes;

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
    /// Decompresses with a stream-shaped decompressor, turning the exceptions streams throw for bad data
    /// (<see cref="InvalidDataException"/>, <see cref="IOException"/>, ...) into a <see cref="ZarrCodecException"/>.
    /// </summary>
    public static unsafe PooledBuffer Decompress(ReadOnlySpan<byte> encoded, int expectedLength, string codec, Func<Stream, Stream> open)
    {
        try
        {
            fixed (byte* data = encoded)
            {
                using var source = OpenPinned(data, encoded.Length);
                using var decompressor = open(source);
                return ReadAll(decompressor, expectedLength, encoded.Length, codec);
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or InvalidOperationException or NotSupportedException or ArgumentException or IndexOutOfRangeException)
        {
            throw new ZarrCodecException(codec, $"the data is corrupt or truncated: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Reads <paramref name="decompressor"/> to its end into a new pooled buffer. With <paramref name="expectedLength"/> &gt;= 0
    /// exactly that many bytes must come out (never more is allocated); otherwise the buffer grows as data arrives.
    /// </summary>
    public static PooledBuffer ReadAll(Stream decompressor, int expectedLength, int encodedLength, string codec)
    {
        if (expectedLength >= 0)
        {
            var exact = PooledBuffer.Rent(expectedLength);
            try
            {
                var filled = ReadFully(decompressor, exact.Span);
                if (filled < expectedLength)
                {
                    throw new ZarrCodecException(codec, string.Create(CultureInfo.InvariantCulture, $"the data decompresses to {filled} bytes; {expectedLength} were expected"));
                }

                Span<byte> probe = stackalloc byte[1];
                if (decompressor.Read(probe) != 0)
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

        var buffer = PooledBuffer.Rent((int)Math.Min(Math.Max((long)encodedLength * 4, MinimumGuess), Array.MaxLength));
        var length = 0;
        try
        {
            while (true)
            {
                var read = decompressor.Read(buffer.Array, length, buffer.Capacity - length);
                if (read == 0)
                {
                    buffer.SetLength(length);
                    return buffer;
                }

                length += read;
                if (length == buffer.Capacity)
                {
                    if (length == Array.MaxLength)
                    {
                        throw new ZarrCodecException(codec, "the data decompresses to more than 2 GiB");
                    }

                    var larger = PooledBuffer.Rent((int)Math.Min((long)length * 2, Array.MaxLength));
                    buffer.Array.AsSpan(0, length).CopyTo(larger.Array);
                    buffer.Dispose();
                    buffer = larger;
                }
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
    private sealed class PooledBufferStream(int initialCapacity) : Stream
    {
        private PooledBuffer? _buffer = PooledBuffer.Rent(Math.Max(initialCapacity, 64));
        private int _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

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

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void WriteByte(byte value) => Write([value]);

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

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
}
