using System.IO.Compression;
using Microsoft.Win32.SafeHandles;
using Zarr.Storage.Buffers;
using Zarr.Storage.Internal;

namespace Zarr.Storage;

/// <summary>
/// Reads one entry's value (or a range of it) out of a zip file, trusting none of the sizes its headers declare: a
/// declared size is checked against the file and the store's limit before anything is allocated, and inflating
/// allocates as the data really comes, never more than the declared size.
/// </summary>
/// <remarks>
/// A deflate stream cannot grow data by more than about 1,032 times (its longest match, 258 bytes, costs at least two
/// bits), so an entry declaring more than that over its compressed size is damaged or hostile, and is refused at once.
/// </remarks>
internal sealed class ZipEntryReader(string path, long maxInflatedEntrySize)
{
    // 258 bytes per 2 bits, with room for the stream's headers and a final partial block.
    private const long MaxDeflateRatio = 1032;
    private const long DeflateSlack = 1024;

    // Below this an inflate buffer is allocated at the size wanted at once: no hostile size can hide in it.
    private const int TrustedInflateSize = 16 << 20;

    /// <summary>Reads <paramref name="count"/> bytes from <paramref name="start"/> of the entry's value.</summary>
    /// <param name="file">The file holding the entry.</param>
    /// <param name="dataEnd">Where the entry's data must end by: the start of the archive's central directory.</param>
    /// <param name="entry">The entry.</param>
    /// <param name="start">Where the range starts in the value.</param>
    /// <param name="count">How many bytes the range holds.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>A buffer the caller owns.</returns>
    /// <exception cref="ZarrStoreException">The entry cannot be read (encrypted, an unknown method) or declares sizes the file or the limit refuse, or its data is damaged.</exception>
    public async ValueTask<PooledBuffer> ReadAsync(SafeFileHandle file, long dataEnd, ZipEntry entry, long start, long count, CancellationToken cancellationToken)
    {
        var whole = start == 0 && count == entry.Size;
        CheckDeclaredSizes(entry, count);
        var dataOffset = entry.DataOffset;
        if (dataOffset < 0)
        {
            dataOffset = await ZipFormat.ReadDataOffsetAsync(file, entry, path, cancellationToken).ConfigureAwait(false);
            entry.DataOffset = dataOffset;
        }

        if (entry.CompressedSize > dataEnd - dataOffset)
        {
            throw new ZarrStoreException(entry.Name, $"the entry in '{path}' declares {entry.CompressedSize} bytes of data, but the file holds only {Math.Max(0, dataEnd - dataOffset)} between its header and the central directory: the zip file is truncated or damaged");
        }

        if (entry.Method == ZipFormat.Deflate)
        {
            return await InflateAsync(file, entry, dataOffset, start, count, whole, cancellationToken).ConfigureAwait(false);
        }

        var buffer = PooledBuffer.Rent((int)count);
        try
        {
            await ReadExactlyAsync(file, buffer.Memory, dataOffset + start, entry, cancellationToken).ConfigureAwait(false);
            if (whole && Crc32.Compute(buffer.Span) != entry.Crc)
            {
                throw new ZarrStoreException(entry.Name, $"the entry's CRC-32 in '{path}' does not match its data: the zip file is damaged");
            }

            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <summary>Reads exactly <paramref name="buffer"/>'s length from <paramref name="offset"/>, or says the file is truncated.</summary>
    public async ValueTask ReadExactlyAsync(SafeFileHandle file, Memory<byte> buffer, long offset, ZipEntry entry, CancellationToken cancellationToken)
    {
        var read = 0;
        try
        {
            while (read < buffer.Length)
            {
                var n = await RandomAccess.ReadAsync(file, buffer[read..], offset + read, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new ZarrStoreException(entry.Name, $"the zip file '{path}' ends inside this entry's data: it is truncated");
                }

                read += n;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ZarrStoreException(entry.Name, $"could not read '{path}': {e.Message}", e);
        }
    }

    /// <summary>Refuses, before anything is read or allocated, an entry this reader cannot or must not read.</summary>
    private void CheckDeclaredSizes(ZipEntry entry, long count)
    {
        if (entry.IsEncrypted)
        {
            throw new ZarrStoreException(entry.Name, $"the entry in '{path}' is encrypted; encrypted zip entries are not supported");
        }

        if (entry.Method is not (ZipFormat.Stored or ZipFormat.Deflate))
        {
            throw new ZarrStoreException(entry.Name, $"the entry in '{path}' uses zip compression method {entry.Method}; only stored (0) and deflate (8) are supported");
        }

        if (entry.Method == ZipFormat.Stored && entry.CompressedSize != entry.Size)
        {
            throw new ZarrStoreException(entry.Name, $"the stored entry in '{path}' has a compressed size ({entry.CompressedSize}) unlike its size ({entry.Size}): the zip file is damaged");
        }

        if (count > Array.MaxLength || entry.CompressedSize > Array.MaxLength && entry.Method == ZipFormat.Deflate)
        {
            throw new ZarrStoreException(entry.Name, $"{Math.Max(count, entry.CompressedSize)} bytes are too many to read into one buffer (at most {Array.MaxLength})");
        }

        if (entry.Method != ZipFormat.Deflate)
        {
            return;
        }

        if (entry.Size > maxInflatedEntrySize)
        {
            throw new ZarrStoreException(entry.Name, $"the deflated entry in '{path}' declares {entry.Size} bytes, more than the {maxInflatedEntrySize} a deflated entry may hold (ZipStoreOptions.MaxInflatedEntrySize)");
        }

        if (entry.Size > entry.CompressedSize * MaxDeflateRatio + DeflateSlack)
        {
            throw new ZarrStoreException(entry.Name, $"the deflated entry in '{path}' declares {entry.Size} bytes from {entry.CompressedSize} compressed, more than deflate can produce: the zip file is damaged");
        }
    }

    private async ValueTask<PooledBuffer> InflateAsync(SafeFileHandle file, ZipEntry entry, long dataOffset, long start, long count, bool whole, CancellationToken cancellationToken)
    {
        using var compressed = PooledBuffer.Rent((int)entry.CompressedSize);
        await ReadExactlyAsync(file, compressed.Memory, dataOffset, entry, cancellationToken).ConfigureAwait(false);
        var needed = (int)(start + count);

        // The buffer grows with what the stream yields, up to what is needed: a declared size is never allocated on trust.
        var inflated = PooledBuffer.Rent(needed <= TrustedInflateSize ? needed : (int)Math.Min(needed, Math.Max(TrustedInflateSize, entry.CompressedSize * 4)));
        try
        {
            var read = 0;
            try
            {
                using var input = new MemoryStream(compressed.Array, 0, compressed.Length, writable: false);
                using var deflate = new DeflateStream(input, CompressionMode.Decompress);
                while (read < needed)
                {
                    if (read == inflated.Length)
                    {
                        var larger = PooledBuffer.Rent((int)Math.Min(needed, 2L * inflated.Length));
                        inflated.Span.CopyTo(larger.Span);
                        inflated.Dispose();
                        inflated = larger;
                    }

                    var n = deflate.Read(inflated.Span[read..]);
                    if (n == 0)
                    {
                        break;
                    }

                    read += n;
                }

                // One byte past the declared size is all that is ever inflated beyond it.
                if (whole && (read != entry.Size || deflate.Read(stackalloc byte[1]) != 0))
                {
                    throw new InvalidDataException($"it inflates to a size other than its recorded size {entry.Size}");
                }
            }
            catch (InvalidDataException e)
            {
                throw new ZarrStoreException(entry.Name, $"the deflated entry in '{path}' is damaged: {e.Message}", e);
            }

            if (read < needed)
            {
                throw new ZarrStoreException(entry.Name, $"the deflated entry in '{path}' inflates to {read} bytes, fewer than its recorded size {entry.Size}");
            }

            if (whole && Crc32.Compute(inflated.Span) != entry.Crc)
            {
                throw new ZarrStoreException(entry.Name, $"the entry's CRC-32 in '{path}' does not match its data: the zip file is damaged");
            }

            if (start == 0)
            {
                return inflated;
            }

            var part = PooledBuffer.CopyOf(inflated.Span.Slice((int)start, (int)count));
            inflated.Dispose();
            return part;
        }
        catch
        {
            inflated.Dispose();
            throw;
        }
    }
}
