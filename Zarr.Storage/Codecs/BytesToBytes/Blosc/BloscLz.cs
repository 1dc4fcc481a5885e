using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Zarr.Storage.Codecs;

/// <summary>
/// blosclz, c-blosc's own LZ77 format (a FastLZ level-1 derivative), written here from the format. A stream is a
/// sequence of instructions, each starting with a control byte <c>c</c>:
/// <list type="bullet">
/// <item><c>c &lt; 32</c>: <c>c + 1</c> literal bytes follow (1 to 32). The first instruction is always literals: the
/// decoder reads only the low 5 bits of the first byte (the encoder sets bit 5 there as a marker).</item>
/// <item><c>c ≥ 32</c>: a match. <c>L = c &gt;&gt; 5</c>; for <c>L = 7</c> bytes follow that add to the length while
/// they are 255, then one more; the length is <c>L + 2</c> (3 to 8) or <c>9 + Σ extra</c>. Then one byte <c>d</c>:
/// the distance back is <c>((c &amp; 31) &lt;&lt; 8) + d + 1</c> (1 to 8191), except that <c>c &amp; 31 = 31</c> with
/// <c>d = 255</c> announces a far match: two more bytes, big-endian, plus 8192 (8192 to 73727). A match may overlap
/// what it writes (a run).</item>
/// </list>
/// c-blosc's decoder stops at the end of the stream before copying a match whose instruction ends it, and needs two
/// bytes after a match's control byte; every stream it (and this encoder) writes ends with literals.
/// </summary>
internal static class BloscLz
{
    /// <summary>The farthest a near match reaches back, and the bias of far ones (<c>MAX_DISTANCE</c>).</summary>
    private const int MaxNearDistance = 8191;

    /// <summary>The farthest a far match reaches back: 65535 + 8192.</summary>
    private const int MaxFarDistance = 65535 + MaxNearDistance + 1;

    private const int MaxLiteralRun = 32;

    /// <summary>The shortest match worth a far instruction (4 bytes of it).</summary>
    private const int MinFarMatch = 8;

    private const int MinMatch = 4;

    /// <summary>How many bytes short of its end a long match is cut, for the next search to start in it.</summary>
    private const int Backoff = 3;

    /// <summary>The length from which a match is cut short by <see cref="Backoff"/>.</summary>
    private const int LongMatch = 16;

    /// <summary>
    /// Decompresses <paramref name="source"/> into <paramref name="destination"/> and returns the number of bytes
    /// written, or -1 when the stream is corrupt (reads or writes out of bounds, a match before the start), exactly
    /// where c-blosc's decoder gives up. The caller checks the count against the size it expects.
    /// </summary>
    public static int Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (source.IsEmpty)
        {
            return 0;
        }

        ref var src = ref MemoryMarshal.GetReference(source);
        ref var dst = ref MemoryMarshal.GetReference(destination);
        var ipLimit = source.Length;
        var opLimit = destination.Length;
        var ip = 1;
        var op = 0;
        uint ctrl = source[0] & 31u;
        while (true)
        {
            if (ctrl >= 32)
            {
                var length = (int)(ctrl >> 5) - 1;
                var offset = (int)(ctrl & 31) << 8;
                if (length == 6)
                {
                    byte extra;
                    do
                    {
                        if (ip + 1 >= ipLimit)
                        {
                            return -1;
                        }

                        extra = Unsafe.Add(ref src, ip++);
                        length += extra;
                    }
                    while (extra == 255);
                }
                else if (ip + 1 >= ipLimit)
                {
                    return -1;
                }

                var code = Unsafe.Add(ref src, ip++);
                length += 3;
                var distance = offset + code + 1;
                if (code == 255 && offset == 31 << 8)
                {
                    if (ip + 1 >= ipLimit)
                    {
                        return -1;
                    }

                    distance = (Unsafe.Add(ref src, ip) << 8) + Unsafe.Add(ref src, ip + 1) + MaxNearDistance + 1;
                    ip += 2;
                }

                if (length > opLimit - op || distance > op)
                {
                    return -1;
                }

                if (ip >= ipLimit)
                {
                    break; // as c-blosc: a match that ends the stream is not copied
                }

                ctrl = Unsafe.Add(ref src, ip++);
                CopyMatch(ref dst, op, distance, length);
                op += length;
            }
            else
            {
                var count = (int)ctrl + 1;
                if (count > opLimit - op || count > ipLimit - ip)
                {
                    return -1;
                }

                Unsafe.CopyBlockUnaligned(ref Unsafe.Add(ref dst, op), ref Unsafe.Add(ref src, ip), (uint)count);
                op += count;
                ip += count;
                if (ip >= ipLimit)
                {
                    break;
                }

                ctrl = Unsafe.Add(ref src, ip++);
            }
        }

        return op;
    }

    /// <summary>Copies <paramref name="length"/> bytes from <paramref name="distance"/> back, forwards: overlaps repeat.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyMatch(ref byte dst, int op, int distance, int length)
    {
        ref var to = ref Unsafe.Add(ref dst, op);
        ref var from = ref Unsafe.Add(ref dst, op - distance);
        if (distance >= length)
        {
            Unsafe.CopyBlockUnaligned(ref to, ref from, (uint)length);
        }
        else if (distance == 1)
        {
            Unsafe.InitBlockUnaligned(ref to, from, (uint)length);
        }
        else if (distance >= 8)
        {
            // Eight bytes at a time never read what this copy has not written yet.
            var i = 0;
            for (; i + 8 <= length; i += 8)
            {
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref to, i), Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref from, i)));
            }

            for (; i < length; i++)
            {
                Unsafe.Add(ref to, i) = Unsafe.Add(ref from, i);
            }
        }
        else
        {
            for (var i = 0; i < length; i++)
            {
                Unsafe.Add(ref to, i) = Unsafe.Add(ref from, i);
            }
        }
    }

    /// <summary>
    /// Compresses <paramref name="source"/> into <paramref name="destination"/>; returns the compressed size, or 0 when it
    /// does not fit (the caller then stores the bytes as they are, as c-blosc does). The search is a greedy hash-table
    /// LZ77 (one candidate per 4-byte hash, 2^12 to 2^14 entries by level) that steps faster through data where it finds
    /// nothing; higher levels also index the second byte after each match.
    /// </summary>
    public static int Compress(int level, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var length = source.Length;
        if (length < 16 || destination.Length < 66)
        {
            return 0;
        }

        var hashLog = level switch { <= 1 => 12, 2 => 13, _ => 14 };
        var table = ArrayPool<int>.Shared.Rent(1 << hashLog);
        try
        {
            Array.Fill(table, -1, 0, 1 << hashLog);
            return Compress(source, destination, table, hashLog, level >= 9);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(table);
        }
    }

    private static int Compress(ReadOnlySpan<byte> source, Span<byte> destination, int[] table, int hashLog, bool indexMore)
    {
        var length = source.Length;
        ref var src = ref MemoryMarshal.GetReference(source);
        ref var hashes = ref MemoryMarshal.GetArrayDataReference(table);
        var output = new Output(destination);

        // Matches start at 1 or later (the stream opens with literals) and end before the last byte (it closes with
        // literals); no match starts in the last 12 bytes.
        var matchLimit = length - 12;
        var matchEnd = length - 1;
        var anchor = 0;
        var ip = 1;
        var misses = 0;
        while (ip < matchLimit)
        {
            var sequence = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref src, ip));
            ref var slot = ref Unsafe.Add(ref hashes, Hash(sequence, hashLog));
            var candidate = slot;
            slot = ip;
            var distance = ip - candidate;
            if (candidate < 0 || distance > MaxFarDistance - 2 || Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref src, candidate)) != sequence)
            {
                // Nothing here: step on, faster the longer nothing has been found (as LZ4 does).
                ip += 1 + (misses++ >> 6);
                continue;
            }

            // A long match stops short of its end by a few bytes, which the next search starts from: in periodic data
            // (bit-shuffled integers, runs of 0x00 and 0xFF) the sequence there last occurred a period back, and the next
            // match spans periods instead of stopping at every run's end.
            var matchLength = MinMatch + CommonLength(ref src, candidate + MinMatch, ip + MinMatch, matchEnd);
            if (matchLength >= LongMatch)
            {
                matchLength -= Backoff;
            }

            if (distance > MaxNearDistance && matchLength < MinFarMatch)
            {
                ip++;
                continue;
            }

            if (!output.Literals(source[anchor..ip]) || !output.Match(matchLength, distance))
            {
                return 0;
            }

            misses = 0;
            ip += matchLength;
            anchor = ip;
            if (ip < matchLimit)
            {
                // Index the end of the match, as the next search would not see it otherwise.
                Unsafe.Add(ref hashes, Hash(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref src, ip - 2)), hashLog)) = ip - 2;
                if (indexMore)
                {
                    Unsafe.Add(ref hashes, Hash(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref src, ip - 1)), hashLog)) = ip - 1;
                }
            }
        }

        if (!output.Literals(source[anchor..]))
        {
            return 0;
        }

        destination[0] |= 1 << 5; // blosclz's marker in the first control byte
        return output.Position;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(uint sequence, int hashLog) => (int)((sequence * 2654435761u) >> (32 - hashLog));

    /// <summary>How many bytes from <paramref name="a"/> and <paramref name="b"/> (a before b) agree, stopping at <paramref name="end"/> for b.</summary>
    private static int CommonLength(ref byte src, int a, int b, int end)
    {
        var start = b;
        while (b + 8 <= end)
        {
            var diff = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref src, a)) ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref src, b));
            if (diff != 0)
            {
                return b - start + (BitOperations.TrailingZeroCount(diff) >> 3);
            }

            a += 8;
            b += 8;
        }

        while (b < end && Unsafe.Add(ref src, a) == Unsafe.Add(ref src, b))
        {
            a++;
            b++;
        }

        return b - start;
    }

    /// <summary>The instructions written so far; every write checks the room left.</summary>
    private ref struct Output(Span<byte> destination)
    {
        private readonly Span<byte> _destination = destination;

        public int Position { get; private set; }

        /// <summary>Writes <paramref name="literals"/> as runs of at most 32 bytes.</summary>
        public bool Literals(ReadOnlySpan<byte> literals)
        {
            while (!literals.IsEmpty)
            {
                var run = Math.Min(literals.Length, MaxLiteralRun);
                if (Position + 1 + run > _destination.Length)
                {
                    return false;
                }

                _destination[Position] = (byte)(run - 1);
                literals[..run].CopyTo(_destination[(Position + 1)..]);
                Position += 1 + run;
                literals = literals[run..];
            }

            return true;
        }

        /// <summary>Writes a match of <paramref name="length"/> bytes (at least 3) from <paramref name="distance"/> back.</summary>
        public bool Match(int length, int distance)
        {
            var code = distance - 1;
            var far = code >= MaxNearDistance;
            var biased = length - 2;
            var extra = biased >= 7 ? ((biased - 7) / 255) + 1 : 0;
            var size = 2 + extra + (far ? 2 : 0);
            if (Position + size > _destination.Length)
            {
                return false;
            }

            var d = _destination[Position..];
            var high = far ? 31 : code >> 8;
            var p = 0;
            if (biased < 7)
            {
                d[p++] = (byte)((biased << 5) | high);
            }
            else
            {
                d[p++] = (byte)((7 << 5) | high);
                var rest = biased - 7;
                for (; rest >= 255; rest -= 255)
                {
                    d[p++] = 255;
                }

                d[p++] = (byte)rest;
            }

            if (far)
            {
                d[p++] = 255;
                BinaryPrimitives.WriteUInt16BigEndian(d[p..], (ushort)(code - MaxNearDistance));
                p += 2;
            }
            else
            {
                d[p++] = (byte)code;
            }

            Position += p;
            return true;
        }
    }
}
