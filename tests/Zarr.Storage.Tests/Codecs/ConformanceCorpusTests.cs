using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;
using Zarr.Storage.DataTypes;

namespace Zarr.Storage.Tests.Codecs;

/// <summary>
/// Decodes every chunk of the shared v2 conformance corpus (written by zarr-python 2.13 / numcodecs 0.11) whose layout is
/// only a compressor: the decoded size must be the chunk size and the manifest's spot values must be found exactly.
/// </summary>
public class ConformanceCorpusTests
{
    public static IEnumerable<object[]> Arrays()
    {
        foreach (var entry in Entries())
        {
            yield return [entry["path"]!.GetValue<string>()];
        }
    }

    [Theory]
    [MemberData(nameof(Arrays))]
    public void Every_chunk_decodes_to_the_chunk_size_with_the_spot_values(string path)
    {
        var entry = Entries().Single(e => e["path"]!.GetValue<string>() == path);
        var type = ZarrDataType.Parse(entry["dtype"]!.GetValue<string>());
        var chunks = entry["chunks"]!.AsArray().Select(n => n!.GetValue<int>()).ToArray();
        var chunkBytes = chunks.Aggregate(1, (a, b) => a * b) * type.ItemSize;
        var codec = CodecRegistry.FromV2Compressor(entry["compressor"]?.DeepClone(), type, path + "/.zarray");
        var folder = Path.Combine(CorpusDirectory(), path);

        var decodedChunks = new Dictionary<string, byte[]>();
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            var key = Path.GetFileName(file);
            if (key.StartsWith('.'))
            {
                continue;
            }

            var encoded = File.ReadAllBytes(file);
            if (codec is null)
            {
                Assert.Equal(chunkBytes, encoded.Length);
                decodedChunks[key] = encoded;
                continue;
            }

            using var decoded = codec.Decode(encoded, chunkBytes);
            Assert.Equal(chunkBytes, decoded.Length);
            using var unknown = codec.Decode(encoded, -1);
            Assert.Equal(chunkBytes, unknown.Length);
            decodedChunks[key] = decoded.Span.ToArray();
        }

        Assert.True(decodedChunks.Count > 0 || entry["missing_chunks"]!.AsArray().Count > 0, "no chunk files found in " + folder);
        foreach (var spot in entry["spot_values"]!.AsArray())
        {
            var index = spot!["index"]!.AsArray().Select(n => n!.GetValue<int>()).ToArray();
            var key = index.Length == 0 ? "0" : string.Join('.', index.Select((i, d) => i / chunks[d]));
            if (!decodedChunks.TryGetValue(key, out var chunk))
            {
                continue; // a chunk left missing on purpose reads as the fill value, which is not the codecs' business
            }

            var offset = 0;
            for (var d = 0; d < index.Length; d++)
            {
                offset = (offset * chunks[d]) + (index[d] % chunks[d]);
            }

            var hex = Convert.ToHexString(chunk, offset * type.ItemSize, type.ItemSize);
            Assert.Equal(spot["hex"]!.GetValue<string>(), hex, ignoreCase: true);
        }
    }

    private static IEnumerable<JsonNode> Entries()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(CorpusDirectory(), "manifest.json")))!;
        foreach (var entry in manifest["entries"]!.AsArray())
        {
            if (entry!["kind"]?.GetValue<string>() != "array"
                || entry["filters"] is not null
                || entry["order"]?.GetValue<string>() != "C"
                || entry["dtype"] is not JsonValue dtype
                || !ZarrDataType.TryParse(dtype.GetValue<string>(), out _)
                || entry["dimension_separator"]?.GetValue<string>() is "/"
                || !Directory.Exists(Path.Combine(CorpusDirectory(), entry["path"]!.GetValue<string>())))
            {
                continue;
            }

            yield return entry;
        }
    }

    private static string CorpusDirectory() => Path.Combine(Zarr.Tests.Shared.ConformanceCorpus.Require(), "v2");
}
