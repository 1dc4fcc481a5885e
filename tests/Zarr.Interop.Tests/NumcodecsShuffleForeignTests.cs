using System.Text.Json.Nodes;
using Zarr.Storage;
using Zarr.Storage.Codecs;

namespace Zarr.Interop.Tests;

/// <summary>
/// A v3 array with <c>numcodecs.shuffle</c> (before <c>numcodecs.zlib</c>), in the form zarr-python 3 writes, read by
/// both v3 readers of the foreign checker: zarrita.js, which has its own shuffle, and v3reader.py, which decodes
/// through numcodecs; both must read the values written.
/// </summary>
public class NumcodecsShuffleForeignTests
{
    [Fact]
    public async Task Zarrita_and_numcodecs_read_our_v3_shuffle_array_exactly()
    {
        var folder = Directory.CreateTempSubdirectory("zarr-shuffle-v3-");
        try
        {
            var values = Enumerable.Range(0, 63).Select(i => (i * 40503) - 1_000_000).ToArray();
            var array = await ZarrArray.FromDataAsync<int>(new DirectoryStore(Path.Combine(folder.FullName, "shuffle.zarr")), "", values, [7, 9], new ArrayOptions
            {
                Chunks = [4, 4], Compressors = [new ShuffleCodec(4), new ZlibCodec(1)],
            });
            var codecs = JsonNode.Parse(File.ReadAllText(Path.Combine(folder.FullName, "shuffle.zarr", "zarr.json")))!["codecs"]!.ToJsonString();
            Assert.Contains("""{"name":"numcodecs.shuffle","configuration":{"elementsize":4}},{"name":"numcodecs.zlib","configuration":{"level":1}}""", codecs, StringComparison.Ordinal);

            var (results, output) = ForeignChecker.Inspect(folder.FullName);
            var line = Assert.Single(results);
            Assert.True((string?)line["status"] == "OK", output);
            Assert.Equal("ok", (string?)line["readers"]!["zarrita"]);
            Assert.Equal("ok", (string?)line["readers"]!["v3ref"]);
            Assert.Equal(Canonical.Sha256Of<int>(values, DataTypeKind.Int32), (string?)line["sha256"]);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
