using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;
using static Zarr.Storage.Tests.Codecs.CodecTestData;

namespace Zarr.Storage.Tests.Codecs;

/// <summary>Both directions against numcodecs: its output decoded here, and ours decoded by it.</summary>
public class NumcodecsInteropTests
{

    public static IEnumerable<object[]> FixtureCases()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(FixturesDirectory(), "fixtures.json")))!;
        foreach (var c in manifest["cases"]!.AsArray())
        {
            yield return [c!["case"]!.GetValue<string>()];
        }
    }

    [Theory]
    [MemberData(nameof(FixtureCases))]
    public void Numcodecs_fixtures_decode_exactly(string name)
    {
        var directory = FixturesDirectory();
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "fixtures.json")))!;
        var entry = manifest["cases"]!.AsArray().Single(c => c!["case"]!.GetValue<string>() == name)!;
        var type = ZarrDataType.Parse(entry["dtype"]!.GetValue<string>());
        var codec = CodecRegistry.FromV2Compressor(entry["codec"]!.DeepClone(), type, name)!;
        var expected = File.ReadAllBytes(Path.Combine(directory, entry["data"]!.GetValue<string>()));
        var encoded = File.ReadAllBytes(Path.Combine(directory, name + ".bin"));
        using var exact = codec.Decode(encoded, expected.Length);
        Assert.Equal(expected, exact.Span.ToArray());
        using var unknown = codec.Decode(encoded, -1);
        Assert.Equal(expected, unknown.Span.ToArray());
        if (codec is BloscCodec)
        {
            Assert.Equal(type.ItemSize, encoded[3]);
        }
    }

    [Fact]
    public void What_we_compress_numcodecs_decodes()
    {
        var directory = Directory.CreateTempSubdirectory("zarr-codecs-interop-");
        try
        {
            var cases = new JsonArray();
            var index = 0;
            foreach (var type in ZarrDataType.All)
            {
                // No empty chunks: numcodecs 0.11 cannot decode its own encoding of nothing (blosc, zstd, lz4), and
                // Zarr chunks always hold at least one element.
                foreach (var count in new[] { 1, 999, 40000 })
                {
                    var data = Make(type, count, seed: count + type.ItemSize);
                    var rawName = $"raw_{index}.bin";
                    File.WriteAllBytes(Path.Combine(directory.FullName, rawName), data);
                    foreach (var codec in BytesCodecs(type).OfType<IV2Compressor>())
                    {
                        using var encoded = ((IBytesToBytesCodec)codec).Encode(data);
                        var name = $"enc_{index}_{cases.Count}.bin";
                        File.WriteAllBytes(Path.Combine(directory.FullName, name), encoded.Span.ToArray());
                        cases.Add(new JsonObject
                        {
                            ["file"] = name,
                            ["raw"] = rawName,
                            ["codec"] = codec.ToV2Json(),
                            ["dtype"] = type.ToNumpyTypeString(),
                            ["itemsize"] = type.ItemSize,
                        });
                    }

                    index++;
                }
            }

            File.WriteAllText(Path.Combine(directory.FullName, "cases.json"), cases.ToJsonString());
            var output = RunPython(Path.Combine(FixturesDirectory(), "check_ours.py"), directory.FullName);
            Assert.Contains($"OK {cases.Count}", output, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static string RunPython(string script, string argument) =>
        PythonPeer.Run("numcodecs could not decode our output", script, argument);

    internal static string FixturesDirectory([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Fixtures");
}
