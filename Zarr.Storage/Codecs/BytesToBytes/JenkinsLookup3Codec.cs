using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Numerics;

namespace Zarr.Storage.Codecs;

/// <summary>
/// numcodecs' <c>jenkins_lookup3</c> (<c>{"id": "jenkins_lookup3", "initval": 0}</c>; v3
/// <c>numcodecs.jenkins_lookup3</c>, numcodecs 0.12 on): Bob Jenkins' lookup3 <c>hashlittle</c> as HDF5 computes it,
/// seeded with <see cref="InitialValue"/> and taken over <see cref="Prefix"/> followed by the data, as 4 little-endian
/// bytes after the data (the prefix is not stored).
/// </summary>
public sealed class JenkinsLookup3Codec : Checksum32Codec
{
    /// <summary>Creates the codec.</summary>
    /// <param name="initialValue">The seed (numcodecs' <c>initval</c>), 0 by default.</param>
    /// <param name="prefix">Bytes hashed before the data and not stored (numcodecs' <c>prefix</c>; HDF5 hashes a
    /// block's signature and header so), or none.</param>
    public JenkinsLookup3Codec(uint initialValue = 0, ReadOnlySpan<byte> prefix = default)
        : base("jenkins_lookup3", ChecksumLocation.End)
    {
        InitialValue = initialValue;
        Prefix = [.. prefix];
    }

    /// <summary>The seed.</summary>
    public uint InitialValue { get; }

    /// <summary>The bytes hashed before the data; empty for none.</summary>
    public ImmutableArray<byte> Prefix { get; }

    /// <inheritdoc />
    public override uint Compute(ReadOnlySpan<byte> data)
    {
        if (Prefix.IsEmpty)
        {
            return Hash(data, InitialValue);
        }

        var whole = new byte[Prefix.Length + data.Length];
        Prefix.CopyTo(whole);
        data.CopyTo(whole.AsSpan(Prefix.Length));
        return Hash(whole, InitialValue);
    }

    /// <summary>lookup3's <c>hashlittle</c> of <paramref name="key"/> seeded with <paramref name="initialValue"/>.</summary>
    public static uint Hash(ReadOnlySpan<byte> key, uint initialValue)
    {
        uint a, b, c;
        a = b = c = 0xDEADBEEF + (uint)key.Length + initialValue;
        if (key.IsEmpty)
        {
            return c;
        }

        // Every 12-byte block but the last is mixed in whole; the last (1 to 12 bytes) is added zero-padded and finished.
        while (key.Length > 12)
        {
            a += BinaryPrimitives.ReadUInt32LittleEndian(key);
            b += BinaryPrimitives.ReadUInt32LittleEndian(key[4..]);
            c += BinaryPrimitives.ReadUInt32LittleEndian(key[8..]);
            Mix(ref a, ref b, ref c);
            key = key[12..];
        }

        Span<byte> last = stackalloc byte[12];
        last.Clear();
        key.CopyTo(last);
        a += BinaryPrimitives.ReadUInt32LittleEndian(last);
        b += BinaryPrimitives.ReadUInt32LittleEndian(last[4..]);
        c += BinaryPrimitives.ReadUInt32LittleEndian(last[8..]);
        return Final(a, b, c);
    }

    private static void Mix(ref uint a, ref uint b, ref uint c)
    {
        a -= c; a ^= BitOperations.RotateLeft(c, 4); c += b;
        b -= a; b ^= BitOperations.RotateLeft(a, 6); a += c;
        c -= b; c ^= BitOperations.RotateLeft(b, 8); b += a;
        a -= c; a ^= BitOperations.RotateLeft(c, 16); c += b;
        b -= a; b ^= BitOperations.RotateLeft(a, 19); a += c;
        c -= b; c ^= BitOperations.RotateLeft(b, 4); b += a;
    }

    private static uint Final(uint a, uint b, uint c)
    {
        c ^= b; c -= BitOperations.RotateLeft(b, 14);
        a ^= c; a -= BitOperations.RotateLeft(c, 11);
        b ^= a; b -= BitOperations.RotateLeft(a, 25);
        c ^= b; c -= BitOperations.RotateLeft(b, 16);
        a ^= c; a -= BitOperations.RotateLeft(c, 4);
        b ^= a; b -= BitOperations.RotateLeft(a, 14);
        c ^= b; c -= BitOperations.RotateLeft(b, 24);
        return c;
    }
}
