using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;
using Zarr.Tests.Shared;

namespace Zarr.Storage.Tests.Codecs;

/// <summary>
/// Decodes every chunk of the v2 corpora (written by zarr-python 2.13 / numcodecs 0.11: the generated fixtures, and the
/// extra corpus when present) whose layout is
/// only a compressor: the decoded size must be the chunk size and the manifest's spot values must be found exactly.
/// </summary>
public class ConformanceCorpusTests
{
    public static IEnumerable<object[]> Arrays()
    {
        foreach (var corpus in TestCorpora.All)
        {
            foreach (var entry in Entries(corpus))
            {
                yield return [TestCorpora.CaseId(corpus, entry["path"]!.GetValue<string>())];
            }
        }
    }

    [Theory]
    [MemberData(nameof(Arrays))]
    public void Every_chunk_decodes_to_the_chunk_size_with_the_spot_values(string id)
    {
        var (corpus, path) = TestCorpora.ParseCaseId(id);
        var entry = Entries(corpus).Single(e => e["path"]!.GetValue<string>() == path);
        var type = ZarrDataType.Parse(entry["dtype"]!.GetValue<string>());
        var chunks = entry["chunks"]!.AsArray().Select(n => n!.GetValue<int>()).ToArray();
        var chunkBytes = chunks.Aggregate(1, (a, b) => a * b) * type.ItemSize;
        var codec = CodecRegistry.FromV2Compressor(entry["compressor"]?.DeepClone(), type, path + "/.zarray");
        var folder = Path.Combine(corpus.Format("v2"), path);

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

    private static IEnumerable<JsonNode> Entries(Corpus corpus)
    {
        foreach (var entry in TestCorpora.Manifest(corpus, "v2"))
        {
            if (entry!["kind"]?.GetValue<string>() != "array"
                || entry["filters"] is not null
                || entry["order"]?.GetValue<string>() != "C"
                || entry["dtype"] is not JsonValue dtype
                || !ZarrDataType.TryParse(dtype.GetValue<string>(), out _)
                || entry["dimension_separator"]?.GetValue<string>() is "/"
                || dtype.GetValue<string>().StartsWith('>') // the spot values are canonical (little-endian); chunks hold big-endian
                || entry["shape"]!.AsArray().Any(n => (long)n! == 0) // no chunk to decode
                || !Directory.Exists(Path.Combine(corpus.Format("v2"), entry["path"]!.GetValue<string>())))
            {
                continue;
            }

            yield return entry;
        }
    }
}
