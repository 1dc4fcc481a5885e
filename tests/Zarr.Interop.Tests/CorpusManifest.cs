using System.Text.Json.Nodes;
using Zarr.Tests.Shared;

namespace Zarr.Interop.Tests;

/// <summary>One entry of a corpus manifest (v2/manifest.json or v3/manifest.json).</summary>
/// <param name="Id">The case's name in the tests: the corpus, the format folder and the entry's path, e.g. <c>fixtures/v2/dtype_b1.zarr</c>.</param>
/// <param name="FormatFolder">The folder holding the manifest (…/conformance/v2 or …/v3).</param>
/// <param name="Json">The entry as written in the manifest.</param>
public sealed record CorpusEntry(string Id, string FormatFolder, JsonObject Json)
{
    public string Kind => (string?)Json["kind"] ?? "array";

    public string Case => (string)Json["case"]!;

    public string Path => (string)Json["path"]!;

    /// <summary>The folder or file that holds the whole hierarchy (relative to the manifest).</summary>
    public string Store => (string)Json["store"]!;

    /// <summary>The node's path inside <see cref="Store"/> ("" for its root).</summary>
    public string Node => (string?)Json["node"] ?? "";

    public int ZarrFormat => (int)Json["zarr_format"]!;

    public IReadOnlyList<string> Features => Json["features"]?.AsArray().Select(f => (string)f!).ToList() ?? [];

    public override string ToString() => Id;
}

/// <summary>Both manifests of every corpus (the generated fixtures, and the extra corpus when present), loaded once.</summary>
public static class CorpusManifest
{
    private static readonly Lazy<IReadOnlyList<CorpusEntry>> All = new(Load);

    public static IReadOnlyList<CorpusEntry> Entries => All.Value;

    public static CorpusEntry Find(string id) =>
        Entries.SingleOrDefault(e => e.Id == id) ?? throw new InvalidOperationException($"no manifest entry '{id}' (the corpus changed since the test cases were listed?)");

    private static IReadOnlyList<CorpusEntry> Load()
    {
        var entries = new List<CorpusEntry>();
        foreach (var corpus in TestCorpora.All)
        {
            foreach (var format in new[] { "v2", "v3" })
            {
                foreach (var obj in TestCorpora.Manifest(corpus, format))
                {
                    entries.Add(new CorpusEntry(TestCorpora.CaseId(corpus, $"{format}/{(string)obj["path"]!}"), corpus.Format(format), obj));
                }
            }
        }

        var duplicates = entries.GroupBy(e => e.Id).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        return duplicates.Count == 0
            ? entries
            : throw new InvalidOperationException($"manifest paths are not unique: {string.Join(", ", duplicates)}");
    }
}
