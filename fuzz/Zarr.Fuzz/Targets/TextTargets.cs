using System.Text;
using Zarr.Cli;
using Zarr.Cli.Npy;
using Zarr.Storage;
using Zarr.Storage.Internal;

namespace Zarr.Fuzz.Targets;

/// <summary>
/// The short texts a user or a file names things with: store keys and chunk keys (every one a key must be, and where it
/// may lead), node paths, and the header of a <c>.npy</c> file that <c>zarr import</c> reads.
/// </summary>
internal static class TextTargets
{
    private const string Root = "/srv/store.zarr";

    private static readonly ChunkKeyEncoding[] Encodings = [ChunkKeyEncoding.Default, ChunkKeyEncoding.V2Dot, ChunkKeyEncoding.V2Slash];

    public static IEnumerable<FuzzTarget> All()
    {
        yield return new FuzzTarget("store-key", CheckKey, FuzzTarget.Made(KeySeeds), DecodedBytes: 0, BytesPerInputByte: 32);
        yield return new FuzzTarget("npy-header", ReadNpyHeader, FuzzTarget.Made(NpySeeds), DecodedBytes: 0, BytesPerInputByte: 64)
        {
            // NpyHeader.ReadAsync's documented refusals; zarr import turns both into a message and exit code.
            OtherRefusals = [typeof(InvalidDataException), typeof(CliException)],
        };
    }

    /// <summary>A key that passes validation stays below the root; a chunk key decodes to non-negative coordinates.</summary>
    private static void CheckKey(ReadOnlySpan<byte> input)
    {
        var key = Encoding.UTF8.GetString(input);
        if (StoreKey.GetKeyError(key) is null)
        {
            var full = Path.GetFullPath(Path.Combine(Root, key));
            if (!full.StartsWith(Root + "/", StringComparison.Ordinal) || key.Contains('\\') || key.Contains('\0'))
            {
                throw new InvalidOperationException($"the valid key {key} resolves to {full}, outside {Root}");
            }
        }

        if (StoreKey.GetPrefixError(key) is null && key.Length > 0)
        {
            var full = Path.GetFullPath(Path.Combine(Root, key));
            if (!full.StartsWith(Root + "/", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"the valid prefix {key} resolves to {full}, outside {Root}");
            }
        }

        Span<long> coordinates = stackalloc long[4];
        foreach (var encoding in Encodings)
        {
            for (var rank = 0; rank <= 4; rank++)
            {
                if (encoding.TryDecode(key, rank, coordinates))
                {
                    foreach (var c in coordinates[..rank])
                    {
                        if (c < 0)
                        {
                            throw new InvalidOperationException($"the chunk key {key} decodes to a negative coordinate {c} with {encoding}");
                        }
                    }
                }
            }
        }

        // A node path is checked as a key again when a document under it is read or written; what Normalize lets through
        // must at least never climb, nor be absolute.
        var normalized = NodePaths.Normalize(key);
        if (normalized.StartsWith('/') || normalized.Split('/').Any(segment => segment is "." or ".."))
        {
            throw new InvalidOperationException($"the node path {key} normalizes to {normalized}, which leaves the root");
        }
    }

    private static IEnumerable<byte[]> KeySeeds() =>
        new[]
        {
            "c/0/1/2", "0.1.2", "0/1/2", "c", "0", "group/array/zarr.json", "a/.zarray", "a/b/.zattrs", "../x", "/abs", "a\\b",
            "a/./b", "a//b", "ｃ/０", "a/.b.0123456789abcdef.tmp", "c/-1/2", "c/9223372036854775808", "日本/データ", "a\u0000b",
        }.Select(Encoding.UTF8.GetBytes);

    /// <summary>Reads the header as zarr import does, and the data size it promises.</summary>
    private static void ReadNpyHeader(ReadOnlySpan<byte> input)
    {
        using var stream = new MemoryStream(input.ToArray(), writable: false);
        var reading = NpyHeader.ReadAsync(stream, "fuzz.npy", CancellationToken.None);

        // A MemoryStream completes every read at once: the task is done when ReadAsync returns.
        if (!reading.IsCompleted)
        {
            throw new InvalidOperationException("reading a .npy header from memory did not complete synchronously");
        }

        var header = reading.GetAwaiter().GetResult();
        _ = header.DataLength;
        if (header.DataOffset > input.Length)
        {
            throw new InvalidOperationException($"the data starts at {header.DataOffset}, after the {input.Length}-byte file's end");
        }
    }

    private static IEnumerable<byte[]> NpySeeds()
    {
        (ZarrDataType Type, long[] Shape)[] arrays =
        [
            (ZarrDataType.Float32, [3, 4]), (ZarrDataType.Int64, [10]), (ZarrDataType.UInt8, []), (ZarrDataType.Complex128, [2, 2, 2]),
            (ZarrDataType.Bool, [0]), (ZarrDataType.FixedUnicode(6), [5]), (ZarrDataType.FixedBytes(3), [2]), (ZarrDataType.DateTime64(TimeUnit.Nanosecond), [4]),
        ];
        foreach (var (type, shape) in arrays)
        {
            var header = NpyHeader.Write(type, shape);
            yield return [.. header, .. new byte[Math.Min(64, type.ItemSize * shape.Aggregate(1L, (a, b) => a * b))]];
        }

        // As numpy writes what this library does not: big-endian, Fortran order, structured, version 2.0.
        foreach (var dict in new[]
        {
            "{'descr': '>f8', 'fortran_order': True, 'shape': (2, 3), }",
            "{'descr': [('x', '<i4'), ('y', '>f8'), ('s', '|S3')], 'fortran_order': False, 'shape': (4,), }",
            "{'descr': [('a', '<u2', (2, 2))], 'fortran_order': False, 'shape': (1,), }",
        })
        {
            yield return Npy(1, dict);
        }

        yield return Npy(2, "{'descr': '<i2', 'fortran_order': False, 'shape': (1, 1, 1), }");
    }

    private static byte[] Npy(byte major, string dict)
    {
        var lengthBytes = major == 1 ? 2 : 4;
        var text = dict.PadRight(((dict.Length + 10 + lengthBytes + 63) / 64 * 64) - 8 - lengthBytes - 1) + "\n";
        var bytes = new List<byte>(NpyHeader.Magic.ToArray()) { major, 0 };
        bytes.AddRange(lengthBytes == 2 ? BitConverter.GetBytes((ushort)text.Length) : BitConverter.GetBytes(text.Length));
        bytes.AddRange(Encoding.Latin1.GetBytes(text));
        bytes.AddRange(new byte[16]);
        return [.. bytes];
    }
}
