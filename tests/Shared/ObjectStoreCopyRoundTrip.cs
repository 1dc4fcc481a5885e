using System.Text.Json.Nodes;
using Zarr.Storage;
using Zarr.Tests.Shared;

namespace Zarr.Storage.Tests;

/// <summary>
/// Issue 12's proof through the CLI: every array of the generated conformance fixtures (v2 and v3) copied with
/// <c>zarr copy</c> from a folder to an object store and back reads exactly as the same copy kept local. The object store's
/// URL scheme and credentials come from the caller (the environment the CLI reads).
/// </summary>
internal static class ObjectStoreCopyRoundTrip
{
    /// <summary>Copies every fixture array up to <paramref name="urlOf"/>(name) and back; returns the problems found and how many arrays round-tripped.</summary>
    public static async Task<(List<string> Problems, int Copied)> RunAsync(string scratch, Func<string, string> urlOf)
    {
        var problems = new List<string>();
        var copied = 0;
        var corpus = TestCorpora.Fixtures.Root;
        foreach (var format in new[] { "v2", "v3" })
        {
            var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(corpus, format, "manifest.json")))!;
            foreach (var entry in manifest["entries"]!.AsArray().Select(e => e!.AsObject()).Where(e => ((string?)e["kind"] ?? "array") == "array"))
            {
                var id = $"{format}/{(string)entry["path"]!}";
                var source = Path.Combine(corpus, format, (string)entry["store"]!, ((string?)entry["node"] ?? "").Replace('/', Path.DirectorySeparatorChar));
                var name = id.Replace('/', '_').Replace(".zip", "_zip", StringComparison.Ordinal);
                var local = Path.Combine(scratch, name + ".local.zarr");
                var back = Path.Combine(scratch, name + ".back.zarr");
                var formatOption = format == "v2" ? "2" : "3";
                if (await CopyAsync(source, local, formatOption) is not null)
                {
                    continue; // what the CLI cannot copy at all (CopyConformanceTests lists and checks those) is not the store's concern
                }

                if (await CopyAsync(local, urlOf(name), formatOption) is { } up)
                {
                    problems.Add($"{id}: copy to the object store failed: {up}");
                    continue;
                }

                if (await CopyAsync(urlOf(name), back, formatOption) is { } down)
                {
                    problems.Add($"{id}: copy back from the object store failed: {down}");
                    continue;
                }

                copied++;
                if (await DifferenceAsync(local, back) is { } difference)
                {
                    problems.Add($"{id}: {difference}");
                }
            }
        }

        return (problems, copied);
    }

    private static async Task<string?> CopyAsync(string from, string to, string format)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await Zarr.Cli.ZarrCommand.RunAsync(["copy", from, to, "--format", format], stdout, stderr);
        return exit == 0 ? null : $"exit {exit}: {stderr.ToString().Trim()}";
    }

    private static async Task<string?> DifferenceAsync(string expectedPath, string actualPath)
    {
        var expected = await ZarrArray.OpenAsync(new DirectoryStore(expectedPath, new DirectoryStoreOptions { ReadOnly = true }));
        var actual = await ZarrArray.OpenAsync(new DirectoryStore(actualPath, new DirectoryStoreOptions { ReadOnly = true }));
        if (!expected.Shape.AsSpan().SequenceEqual(actual.Shape.AsSpan()) || expected.DataType != actual.DataType)
        {
            return $"shape/type ({string.Join(',', actual.Shape)}) {actual.DataType} != ({string.Join(',', expected.Shape)}) {expected.DataType}";
        }

        var all = Enumerable.Repeat(Slice.All, expected.Rank).ToArray();
        if (expected.DataType.IsFixedSize)
        {
            var (a, _) = await expected.ReadBytesAsync(all);
            var (b, _) = await actual.ReadBytesAsync(all);
            return a.AsSpan().SequenceEqual(b) ? null : "the values differ";
        }

        var (s, _) = await new ZarrStringArray(expected).ReadAsync(all);
        var (t, _) = await new ZarrStringArray(actual).ReadAsync(all);
        return s.SequenceEqual(t) ? null : "the strings differ";
    }
}
