using System.Text.Json.Nodes;
using Zarr.Storage;
using Zarr.Storage.Codecs;

namespace Zarr.Interop.Tests;

/// <summary>How one array is written by <see cref="WrittenArrays.AddAsync{T}"/>.</summary>
public sealed record WriteSpec
{
    public required string Name { get; init; }

    public required long[] Shape { get; init; }

    public required int[] Chunks { get; init; }

    /// <summary>The bytes→bytes codecs (v2: none or one compressor).</summary>
    public IReadOnlyList<IBytesToBytesCodec> Compressors { get; init; } = [];

    public bool BigEndian { get; init; }

    public char Order { get; init; } = 'C';

    public char? Separator { get; init; }

    /// <summary>The fill value as JSON; null for zero.</summary>
    public JsonNode? FillValueJson { get; init; }

    /// <summary>Chunks whose every element is set to the fill value: the library must not store them.</summary>
    public long[][] FillChunks { get; init; } = [];

    /// <summary>When set, only this box [start, stop) is written (one partial write); the rest is never written.</summary>
    public (long[] Start, long[] Stop)? WriteOnly { get; init; }

    public JsonObject? Attributes { get; init; }

    public IReadOnlyList<string?>? DimensionNames { get; init; }
}

/// <summary>
/// Arrays written with this library into a folder, with the manifest entries (hashed from the values meant to be
/// written, not from what the library reads back) that check_foreign.sh compares the foreign readers with.
/// </summary>
public sealed class WrittenArrays(string root, ZarrFormat format)
{
    private readonly DirectoryStore _store = new(root);

    public List<JsonObject> Entries { get; } = [];

    /// <summary>Problems found before any foreign reader runs (a chunk stored that should not be, our own read-back differs).</summary>
    public List<string> Problems { get; } = [];

    public IEnumerable<string> DataTypesWritten => Entries.Select(e => (string)(e["dtype"] ?? e["data_type"])!).Distinct();

    public async Task AddAsync<T>(WriteSpec spec, T fill = default)
        where T : unmanaged
    {
        var kind = TestValues.KindOf<T>();
        var count = spec.Shape.Aggregate(1L, (a, b) => a * b);
        var data = TestValues.Generate<T>(count, Seed(spec.Name));
        foreach (var c in spec.FillChunks)
        {
            TestValues.FillChunk(data, spec.Shape, spec.Chunks, c, fill);
        }

        var options = new ArrayOptions
        {
            Format = format,
            Chunks = [.. spec.Chunks],
            Compressors = spec.Compressors,
            Endian = spec.BigEndian ? Zarr.Storage.Codecs.Endian.Big : Zarr.Storage.Codecs.Endian.Little,
            Order = spec.Order,
            ChunkKeySeparator = spec.Separator,
            FillValue = spec.FillValueJson?.DeepClone(),
            Attributes = spec.Attributes,
            DimensionNames = spec.DimensionNames,
        };

        T[] expected;
        if (spec.WriteOnly is { } box)
        {
            expected = new T[count];
            Array.Fill(expected, fill);
            var boxShape = box.Start.Select((s, d) => box.Stop[d] - s).ToArray();
            var part = TestValues.Generate<T>(boxShape.Aggregate(1L, (a, b) => a * b), 7);
            var i = 0;
            foreach (var index in TestValues.Region(spec.Shape, box.Start, box.Stop))
            {
                expected[TestValues.Flat(index, spec.Shape)] = part[i++];
            }

            var array = await ZarrArray.CreateAsync<T>(_store, spec.Name, spec.Shape, options);
            await array.WriteAsync([.. box.Start.Select((s, d) => Slice.Range(s, box.Stop[d]))], part);
        }
        else
        {
            expected = data;
            await ZarrArray.FromDataAsync<T>(_store, spec.Name, data, spec.Shape, options);
        }

        var sha = Canonical.Sha256Of<T>(expected, kind);
        var entry = new JsonObject
        {
            ["path"] = spec.Name,
            ["sha256"] = sha,
            ["shape"] = new JsonArray([.. spec.Shape.Select(s => (JsonNode)s)]),
        };
        if (format == ZarrFormat.V2)
        {
            entry["dtype"] = Canonical.V2Dtype(kind, spec.BigEndian);
        }
        else
        {
            entry["data_type"] = Canonical.V3Names[kind];
        }

        Entries.Add(entry);

        foreach (var c in spec.FillChunks)
        {
            var key = ChunkKey(spec, c);
            if (File.Exists(Path.Combine(root, spec.Name, key)))
            {
                Problems.Add($"{spec.Name}: chunk {key} holds only the fill value but was stored");
            }
        }

        if (spec.FillChunks.Length > 0)
        {
            // A control: a chunk with data is where the keys above were looked for.
            var grid = spec.Shape.Select((s, d) => (s + spec.Chunks[d] - 1) / spec.Chunks[d]).ToArray();
            var stored = TestValues.Region(grid, new long[grid.Length], grid)
                .First(c => !spec.FillChunks.Any(f => f.SequenceEqual(c)));
            if (!File.Exists(Path.Combine(root, spec.Name, ChunkKey(spec, stored))))
            {
                Problems.Add($"{spec.Name}: chunk {ChunkKey(spec, stored)} holds data but no such file was written");
            }
        }

        // Our own reader first: a foreign failure is easier to judge when we know we read back what we meant.
        var reopened = await ZarrArray.OpenAsync(_store, spec.Name);
        var (bytes, _) = await reopened.ReadBytesAsync([.. Enumerable.Repeat(Slice.All, reopened.Rank)]);
        var ours = Canonical.Sha256(Canonical.Canonicalize(bytes, kind));
        if (ours != sha)
        {
            Problems.Add($"{spec.Name}: this library reads back sha256 {ours}, not the {sha} written");
        }
    }

    // string.GetHashCode is randomised per process; the data should be the same on every run.
    private static int Seed(string name) => name.Aggregate(17, (h, c) => unchecked((h * 31) + c)) & 0x7FFFFFFF;

    /// <summary>The store key of a chunk, spelled out independently of the library's key encoding.</summary>
    private string ChunkKey(WriteSpec spec, long[] coords)
    {
        if (format == ZarrFormat.V2)
        {
            return coords.Length == 0 ? "0" : string.Join(spec.Separator ?? '.', coords);
        }

        var sep = spec.Separator ?? '/';
        return coords.Length == 0 ? "c" : "c" + sep + string.Join(sep, coords);
    }
}
