using System.Buffers.Binary;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Zarr.Storage;

/// <summary>One entry of a zip archive: where its data is and how it is stored.</summary>
internal sealed class ZipEntry
{
    private long _dataOffset;

    public ZipEntry(string name, ushort flags, ushort method, ushort dosTime, ushort dosDate, uint crc, long compressedSize, long size, long headerOffset, long dataOffset, bool inSession)
    {
        Name = name;
        Flags = flags;
        Method = method;
        DosTime = dosTime;
        DosDate = dosDate;
        Crc = crc;
        CompressedSize = compressedSize;
        Size = size;
        HeaderOffset = headerOffset;
        _dataOffset = dataOffset;
        InSession = inSession;
    }

    /// <summary>The entry's name: the store key.</summary>
    public string Name { get; }

    /// <summary>The general purpose flags of the central directory.</summary>
    public ushort Flags { get; }

    /// <summary>0 (stored) or 8 (deflate); anything else is refused when read.</summary>
    public ushort Method { get; }

    public ushort DosTime { get; }

    public ushort DosDate { get; }

    public uint Crc { get; }

    public long CompressedSize { get; }

    public long Size { get; }

    /// <summary>The offset of the local file header in its file.</summary>
    public long HeaderOffset { get; }

    /// <summary>True when the entry lives in this session's temporary file, false when in the file the store opened.</summary>
    public bool InSession { get; }

    /// <summary>The offset of the data in its file, or -1 until the local header has been read.</summary>
    public long DataOffset
    {
        get => Volatile.Read(ref _dataOffset);
        set => Volatile.Write(ref _dataOffset, value);
    }

    /// <summary>The bytes the entry occupies in a session file (header and data); only meaningful for session entries.</summary>
    public long SessionLength => DataOffset - HeaderOffset + CompressedSize;

    public bool IsEncrypted => (Flags & 1) != 0;
}

/// <summary>The parts of the zip file format (PKWARE APPNOTE 6.3) a Zarr store needs: the central directory, local headers, Zip64.</summary>
/// <remarks>
/// Why a hand-written reader and writer rather than System.IO.Compression's <c>ZipArchive</c>, which reads and writes the
/// same files: it buys two things a store needs and <c>ZipArchive</c> does not give. <b>Concurrent ranged reads</b>: after
/// the central directory is read once, any number of threads read any entry, or a byte range of a stored entry, straight
/// from the file with <see cref="RandomAccess"/> at its offset (a <c>ZipArchive</c> is one stream with one position, so
/// its readers take turns and read entries whole). <b>Atomic commit</b>: the new archive is written beside the target and
/// renamed over it, entries of the old file copied as they are (a <c>ZipArchive</c> in update mode rewrites the file in
/// place, so a crash leaves it half written, and holds every entry in memory). Everything else (CRC-32, deflate) is the
/// platform's. Every size a header declares is checked before it is trusted (see <see cref="ZipEntryReader"/>).
/// </remarks>
internal static class ZipFormat
{
    public const ushort Stored = 0;
    public const ushort Deflate = 8;
    public const ushort Utf8Flag = 0x0800;
    public const int LocalHeaderLength = 30;

    private const uint LocalHeaderSignature = 0x04034b50;
    private const uint CentralHeaderSignature = 0x02014b50;
    private const uint EndSignature = 0x06054b50;
    private const uint Zip64EndSignature = 0x06064b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const int EndLength = 22;
    private const int Zip64EndLength = 56;
    private const int Zip64LocatorLength = 20;
    private const int CentralHeaderLength = 46;
    private const ushort Zip64ExtraId = 0x0001;
    private const ushort VersionDefault = 20;
    private const ushort VersionZip64 = 45;

    // Made by: Unix (3), as zarr-python's zipfile writes; regular file, rw-r--r--.
    private const ushort HostUnix = 3 << 8;
    private const uint RegularFileAttributes = 0x81A4u << 16;

    private static readonly Encoding Utf8 = new UTF8Encoding(false, true);

    /// <summary>Reads the central directory of the zip file open in <paramref name="file"/>.</summary>
    /// <param name="file">The zip file.</param>
    /// <param name="path">Its path, for messages.</param>
    /// <param name="dataEnd">Where the central directory starts in the file: every entry's data must end by it.</param>
    /// <exception cref="ZarrStoreException">The file is not a zip file, spans several disks, or its directory is damaged.</exception>
    public static List<ZipEntry> ReadCentralDirectory(SafeFileHandle file, string path, out long dataEnd)
    {
        var length = RandomAccess.GetLength(file);
        if (length < EndLength)
        {
            throw NotAZip(path, $"it is {length} bytes long, shorter than the smallest zip file (22 bytes)");
        }

        var tailLength = (int)Math.Min(length, EndLength + ushort.MaxValue);
        var tail = new byte[tailLength];
        ReadExactly(file, tail, length - tailLength, path);
        var end = -1;
        for (var i = tailLength - EndLength; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i)) == EndSignature
                && i + EndLength + BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(i + 20)) <= tailLength)
            {
                end = i;
                break;
            }
        }

        if (end < 0)
        {
            throw NotAZip(path, "no end of central directory record was found");
        }

        var record = tail.AsSpan(end);
        var endPosition = length - tailLength + end;
        long disk = BinaryPrimitives.ReadUInt16LittleEndian(record[4..]);
        long directoryDisk = BinaryPrimitives.ReadUInt16LittleEndian(record[6..]);
        long count = BinaryPrimitives.ReadUInt16LittleEndian(record[10..]);
        long directorySize = BinaryPrimitives.ReadUInt32LittleEndian(record[12..]);
        long directoryOffset = BinaryPrimitives.ReadUInt32LittleEndian(record[16..]);
        var directoryEnd = endPosition;

        if (endPosition >= Zip64LocatorLength)
        {
            var locator = new byte[Zip64LocatorLength];
            ReadExactly(file, locator, endPosition - Zip64LocatorLength, path);
            if (BinaryPrimitives.ReadUInt32LittleEndian(locator) == Zip64LocatorSignature)
            {
                var zip64Offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(locator.AsSpan(8));
                var zip64 = new byte[Zip64EndLength];

                // With data prepended to the archive, the recorded offset is off by the prepended length: the record sits just before the locator.
                var zip64Position = endPosition - Zip64LocatorLength - Zip64EndLength;
                if (zip64Position < 0)
                {
                    throw Damaged(path, "the Zip64 end of central directory record is missing");
                }

                ReadExactly(file, zip64, zip64Position, path);
                if (BinaryPrimitives.ReadUInt32LittleEndian(zip64) != Zip64EndSignature)
                {
                    ReadExactly(file, zip64, zip64Offset, path);
                    zip64Position = zip64Offset;
                    if (BinaryPrimitives.ReadUInt32LittleEndian(zip64) != Zip64EndSignature)
                    {
                        throw Damaged(path, "the Zip64 end of central directory record is missing");
                    }
                }

                disk = BinaryPrimitives.ReadUInt32LittleEndian(zip64.AsSpan(16));
                directoryDisk = BinaryPrimitives.ReadUInt32LittleEndian(zip64.AsSpan(20));
                count = (long)BinaryPrimitives.ReadUInt64LittleEndian(zip64.AsSpan(32));
                directorySize = (long)BinaryPrimitives.ReadUInt64LittleEndian(zip64.AsSpan(40));
                directoryOffset = (long)BinaryPrimitives.ReadUInt64LittleEndian(zip64.AsSpan(48));
                directoryEnd = zip64Position;
            }
        }

        if (disk != 0 || directoryDisk != 0)
        {
            throw NotAZip(path, "it spans several disks, which is not supported");
        }

        // Bytes prepended to the archive (a self-extracting stub) shift every offset: zipfile corrects for it, so do we.
        var shift = directoryEnd - directorySize - directoryOffset;
        if (count < 0 || count > directorySize / CentralHeaderLength)
        {
            // Checked before the entry list is sized by it.
            throw Damaged(path, $"the central directory declares {count} entries, more than its {directorySize} bytes can hold");
        }

        if (shift < 0 || directorySize > Array.MaxLength)
        {
            throw Damaged(path, $"the central directory ({directorySize} bytes at {directoryOffset}) does not fit in the file");
        }

        dataEnd = directoryOffset + shift;
        var directory = new byte[directorySize];
        ReadExactly(file, directory, dataEnd, path);
        var entries = new List<ZipEntry>((int)Math.Min(count, 1 << 20));
        var at = 0;
        for (long i = 0; i < count; i++)
        {
            if (at + CentralHeaderLength > directory.Length
                || BinaryPrimitives.ReadUInt32LittleEndian(directory.AsSpan(at)) != CentralHeaderSignature)
            {
                throw Damaged(path, $"central directory entry {i} of {count} is missing or damaged");
            }

            var header = directory.AsSpan(at, CentralHeaderLength);
            var flags = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
            var method = BinaryPrimitives.ReadUInt16LittleEndian(header[10..]);
            var time = BinaryPrimitives.ReadUInt16LittleEndian(header[12..]);
            var date = BinaryPrimitives.ReadUInt16LittleEndian(header[14..]);
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(header[16..]);
            long compressed = BinaryPrimitives.ReadUInt32LittleEndian(header[20..]);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(header[24..]);
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(header[28..]);
            int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(header[30..]);
            int commentLength = BinaryPrimitives.ReadUInt16LittleEndian(header[32..]);
            long offset = BinaryPrimitives.ReadUInt32LittleEndian(header[42..]);
            if (at + CentralHeaderLength + nameLength + extraLength + commentLength > directory.Length)
            {
                throw Damaged(path, $"central directory entry {i} runs past the directory's end");
            }

            var nameBytes = directory.AsSpan(at + CentralHeaderLength, nameLength);
            var extra = directory.AsSpan(at + CentralHeaderLength + nameLength, extraLength);
            ReadZip64Extra(extra, ref size, ref compressed, ref offset);
            var name = DecodeName(nameBytes, flags, path);
            entries.Add(new ZipEntry(name, flags, method, time, date, crc, compressed, size, offset + shift, -1, inSession: false));
            at += CentralHeaderLength + nameLength + extraLength + commentLength;
        }

        return entries;
    }

    /// <summary>The offset of an entry's data, read from its local header.</summary>
    public static async ValueTask<long> ReadDataOffsetAsync(SafeFileHandle file, ZipEntry entry, string path, CancellationToken cancellationToken)
    {
        var header = new byte[LocalHeaderLength];
        var read = 0;
        while (read < header.Length)
        {
            var n = await RandomAccess.ReadAsync(file, header.AsMemory(read), entry.HeaderOffset + read, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        if (read < header.Length || BinaryPrimitives.ReadUInt32LittleEndian(header) != LocalHeaderSignature)
        {
            throw new ZarrStoreException(entry.Name, $"the local header of this entry in '{path}' is missing or damaged (at offset {entry.HeaderOffset})");
        }

        return entry.HeaderOffset + LocalHeaderLength + BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(26)) + BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(28));
    }

    /// <summary>The local file header of an entry whose sizes and checksum are known (no data descriptor follows).</summary>
    public static byte[] LocalHeader(byte[] name, ushort flags, ushort method, ushort dosTime, ushort dosDate, uint crc, long compressedSize, long size)
    {
        var zip64 = compressedSize >= uint.MaxValue || size >= uint.MaxValue;
        var extraLength = zip64 ? 20 : 0;
        var header = new byte[LocalHeaderLength + name.Length + extraLength];
        var span = header.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, LocalHeaderSignature);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], zip64 ? VersionZip64 : VersionDefault);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], flags);
        BinaryPrimitives.WriteUInt16LittleEndian(span[8..], method);
        BinaryPrimitives.WriteUInt16LittleEndian(span[10..], dosTime);
        BinaryPrimitives.WriteUInt16LittleEndian(span[12..], dosDate);
        BinaryPrimitives.WriteUInt32LittleEndian(span[14..], crc);
        BinaryPrimitives.WriteUInt32LittleEndian(span[18..], zip64 ? uint.MaxValue : (uint)compressedSize);
        BinaryPrimitives.WriteUInt32LittleEndian(span[22..], zip64 ? uint.MaxValue : (uint)size);
        BinaryPrimitives.WriteUInt16LittleEndian(span[26..], (ushort)name.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(span[28..], (ushort)extraLength);
        name.CopyTo(span[LocalHeaderLength..]);
        if (zip64)
        {
            var extra = span[(LocalHeaderLength + name.Length)..];
            BinaryPrimitives.WriteUInt16LittleEndian(extra, Zip64ExtraId);
            BinaryPrimitives.WriteUInt16LittleEndian(extra[2..], 16);
            BinaryPrimitives.WriteUInt64LittleEndian(extra[4..], (ulong)size);
            BinaryPrimitives.WriteUInt64LittleEndian(extra[12..], (ulong)compressedSize);
        }

        return header;
    }

    /// <summary>Appends the central directory record of <paramref name="entry"/>, whose local header is at <paramref name="headerOffset"/>.</summary>
    public static void WriteCentralHeader(Stream output, ZipEntry entry, long headerOffset)
    {
        var name = EncodeName(entry.Name);
        var bigSize = entry.Size >= uint.MaxValue;
        var bigCompressed = entry.CompressedSize >= uint.MaxValue;
        var bigOffset = headerOffset >= uint.MaxValue;
        var extraLength = (bigSize ? 8 : 0) + (bigCompressed ? 8 : 0) + (bigOffset ? 8 : 0);
        var zip64 = extraLength > 0;
        Span<byte> header = stackalloc byte[CentralHeaderLength];
        BinaryPrimitives.WriteUInt32LittleEndian(header, CentralHeaderSignature);
        var version = zip64 ? VersionZip64 : VersionDefault;
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], (ushort)(HostUnix | version));
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], version);
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], NameFlags(entry.Name));
        BinaryPrimitives.WriteUInt16LittleEndian(header[10..], entry.Method);
        BinaryPrimitives.WriteUInt16LittleEndian(header[12..], entry.DosTime);
        BinaryPrimitives.WriteUInt16LittleEndian(header[14..], entry.DosDate);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], entry.Crc);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], bigCompressed ? uint.MaxValue : (uint)entry.CompressedSize);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], bigSize ? uint.MaxValue : (uint)entry.Size);
        BinaryPrimitives.WriteUInt16LittleEndian(header[28..], (ushort)name.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(header[30..], (ushort)(zip64 ? extraLength + 4 : 0));
        BinaryPrimitives.WriteUInt16LittleEndian(header[32..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(header[34..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(header[36..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(header[38..], RegularFileAttributes);
        BinaryPrimitives.WriteUInt32LittleEndian(header[42..], bigOffset ? uint.MaxValue : (uint)headerOffset);
        output.Write(header);
        output.Write(name);
        if (zip64)
        {
            Span<byte> extra = stackalloc byte[4 + extraLength];
            BinaryPrimitives.WriteUInt16LittleEndian(extra, Zip64ExtraId);
            BinaryPrimitives.WriteUInt16LittleEndian(extra[2..], (ushort)extraLength);
            var at = 4;
            if (bigSize)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(extra[at..], (ulong)entry.Size);
                at += 8;
            }

            if (bigCompressed)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(extra[at..], (ulong)entry.CompressedSize);
                at += 8;
            }

            if (bigOffset)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(extra[at..], (ulong)headerOffset);
            }

            output.Write(extra);
        }
    }

    /// <summary>Appends the end of central directory record, preceded by the Zip64 record and locator when the counts or offsets need them.</summary>
    public static void WriteEnd(Stream output, long count, long directoryOffset, long directorySize)
    {
        var zip64 = count >= ushort.MaxValue || directoryOffset >= uint.MaxValue || directorySize >= uint.MaxValue;
        if (zip64)
        {
            var zip64Offset = directoryOffset + directorySize;
            Span<byte> record = stackalloc byte[Zip64EndLength + Zip64LocatorLength];
            BinaryPrimitives.WriteUInt32LittleEndian(record, Zip64EndSignature);
            BinaryPrimitives.WriteUInt64LittleEndian(record[4..], Zip64EndLength - 12);
            BinaryPrimitives.WriteUInt16LittleEndian(record[12..], (ushort)(HostUnix | VersionZip64));
            BinaryPrimitives.WriteUInt16LittleEndian(record[14..], VersionZip64);
            BinaryPrimitives.WriteUInt32LittleEndian(record[16..], 0);
            BinaryPrimitives.WriteUInt32LittleEndian(record[20..], 0);
            BinaryPrimitives.WriteUInt64LittleEndian(record[24..], (ulong)count);
            BinaryPrimitives.WriteUInt64LittleEndian(record[32..], (ulong)count);
            BinaryPrimitives.WriteUInt64LittleEndian(record[40..], (ulong)directorySize);
            BinaryPrimitives.WriteUInt64LittleEndian(record[48..], (ulong)directoryOffset);
            var locator = record[Zip64EndLength..];
            BinaryPrimitives.WriteUInt32LittleEndian(locator, Zip64LocatorSignature);
            BinaryPrimitives.WriteUInt32LittleEndian(locator[4..], 0);
            BinaryPrimitives.WriteUInt64LittleEndian(locator[8..], (ulong)zip64Offset);
            BinaryPrimitives.WriteUInt32LittleEndian(locator[16..], 1);
            output.Write(record);
        }

        Span<byte> end = stackalloc byte[EndLength];
        BinaryPrimitives.WriteUInt32LittleEndian(end, EndSignature);
        BinaryPrimitives.WriteUInt16LittleEndian(end[4..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(end[6..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(end[8..], (ushort)Math.Min(count, ushort.MaxValue));
        BinaryPrimitives.WriteUInt16LittleEndian(end[10..], (ushort)Math.Min(count, ushort.MaxValue));
        BinaryPrimitives.WriteUInt32LittleEndian(end[12..], (uint)Math.Min(directorySize, uint.MaxValue));
        BinaryPrimitives.WriteUInt32LittleEndian(end[16..], (uint)Math.Min(directoryOffset, uint.MaxValue));
        BinaryPrimitives.WriteUInt16LittleEndian(end[20..], 0);
        output.Write(end);
    }

    /// <summary>A key as an entry name: UTF-8 (with flag 11 set when it is not ASCII, as Python's zipfile does).</summary>
    public static byte[] EncodeName(string name) => Utf8.GetBytes(name);

    /// <summary>The flags an entry written by this store carries: only the UTF-8 flag, when the name needs it.</summary>
    public static ushort NameFlags(string name) => Ascii.IsValid(name) ? (ushort)0 : Utf8Flag;

    /// <summary>An MS-DOS date and time (local time, two-second resolution), as zip headers record them.</summary>
    public static (ushort Time, ushort Date) DosDateTime(DateTime time)
    {
        if (time.Year < 1980)
        {
            return (0, (1 << 5) | 1);
        }

        var year = Math.Min(time.Year, 2107);
        return ((ushort)((time.Hour << 11) | (time.Minute << 5) | (time.Second / 2)), (ushort)(((year - 1980) << 9) | (time.Month << 5) | time.Day));
    }

    private static void ReadZip64Extra(ReadOnlySpan<byte> extra, ref long size, ref long compressed, ref long offset)
    {
        while (extra.Length >= 4)
        {
            var id = BinaryPrimitives.ReadUInt16LittleEndian(extra);
            int length = BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]);
            var data = extra.Slice(4, Math.Min(length, extra.Length - 4));
            if (id == Zip64ExtraId)
            {
                if (size == uint.MaxValue && data.Length >= 8)
                {
                    size = (long)BinaryPrimitives.ReadUInt64LittleEndian(data);
                    data = data[8..];
                }

                if (compressed == uint.MaxValue && data.Length >= 8)
                {
                    compressed = (long)BinaryPrimitives.ReadUInt64LittleEndian(data);
                    data = data[8..];
                }

                if (offset == uint.MaxValue && data.Length >= 8)
                {
                    offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(data);
                }

                return;
            }

            extra = extra[Math.Min(extra.Length, 4 + length)..];
        }
    }

    private static string DecodeName(ReadOnlySpan<byte> name, ushort flags, string path)
    {
        if ((flags & Utf8Flag) != 0 || Ascii.IsValid(name))
        {
            try
            {
                return Utf8.GetString(name);
            }
            catch (DecoderFallbackException e)
            {
                throw new ZarrStoreException(null, $"the zip file '{path}' has an entry name that is not valid UTF-8", e);
            }
        }

        // Without the UTF-8 flag a name is in code page 437, as zipfile reads it.
        return CodePagesEncodingProvider.Instance.GetEncoding(437)!.GetString(name);
    }

    private static void ReadExactly(SafeFileHandle file, Span<byte> buffer, long offset, string path)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = RandomAccess.Read(file, buffer[read..], offset + read);
            if (n == 0)
            {
                throw Damaged(path, $"the file ends before offset {offset + buffer.Length}");
            }

            read += n;
        }
    }

    private static ZarrStoreException NotAZip(string path, string why) => new(null, $"'{path}' is not a zip file: {why}");

    private static ZarrStoreException Damaged(string path, string why) => new(null, $"the zip file '{path}' is damaged: {why}");
}
