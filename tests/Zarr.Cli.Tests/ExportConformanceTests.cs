using System.Text.Json.Nodes;
using Zarr.Tests.Shared;

namespace Zarr.Cli.Tests;

/// <summary>
/// <c>zarr export</c> of every array of the corpora (the generated fixtures, and the extra corpus when present): numpy
/// loads each <c>.npy</c>, and the canonical sha256 of what it loaded (tests/fixtures/python/canonical.py) is the
/// manifest's, with the shape. Variable-length strings are written as <c>&lt;U{longest}</c> (the CLI contract), which
/// numpy reads back as the same strings.
/// </summary>
public sealed class ExportConformanceTests : IDisposable
{
    private const string Check = """
        import json, sys
        import numpy as np
        sys.path.insert(0, sys.argv[1])
        import canonical
        problems = []
        cases = json.load(open(sys.argv[2]))
        for case in cases:
            try:
                values = np.load(case["npy"], allow_pickle=False)
            except Exception as e:
                problems.append("%s: numpy cannot load it: %s" % (case["id"], e))
                continue
            if case["strings"]:
                if values.dtype.kind != "U":
                    problems.append("%s: strings exported as %s, not <U" % (case["id"], values.dtype))
                values = values.astype(object)  # the canonical form of variable-length strings
            if list(values.shape) != case["shape"]:
                problems.append("%s: shape %s, manifest %s" % (case["id"], list(values.shape), case["shape"]))
            elif canonical.sha256_of(values) != case["sha256"]:
                problems.append("%s: sha256 of numpy's values differs from the manifest (dtype %s)" % (case["id"], values.dtype))
        print("\n".join(problems))
        print("%d checked, %d problems" % (len(cases), len(problems)))
        """;

    /// <summary>Arrays the library cannot read yet, each with the clear error their export must give until it can.</summary>
    private static readonly Dictionary<string, string> NotSupportedYet = new()
    {
        ["hc_string_sharded"] = "'vlen-utf8' inside 'sharding_indexed' (variable-length strings in shards) is not supported yet",
    };

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> Corpora()
    {
        var data = new TheoryData<string>();
        foreach (var corpus in TestCorpora.All)
        {
            data.Add(corpus.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Corpora))]
    public async Task EveryCorpusArrayExportsAndNumpyReadsItExactly(string corpusName)
    {
        ForeignTools.Require();
        var corpus = TestCorpora.Named(corpusName);
        var cases = new JsonArray();
        var problems = new List<string>();
        foreach (var format in new[] { "v2", "v3" })
        {
            foreach (var entry in TestCorpora.Manifest(corpus, format).Where(e => (string?)e["kind"] == "array"))
            {
                var id = $"{format}/{(string)entry["path"]!}";
                var source = Path.Combine(corpus.Format(format), ((string)entry["path"]!).Replace('/', Path.DirectorySeparatorChar));
                var npy = _temp.Combine($"{cases.Count + problems.Count}.npy");
                var result = await Cli.RunAsync("export", source, npy);
                var dataType = (entry["dtype"] ?? entry["data_type"])!.ToJsonString();
                if (NotSupportedYet.TryGetValue((string)entry["case"]!, out var message))
                {
                    if (result.ExitCode != 1 || !result.Stderr.Contains(message, StringComparison.Ordinal) || File.Exists(npy))
                    {
                        problems.Add($"{id}: expected the clear refusal '{message}' and no file, got {result}");
                    }

                    continue;
                }

                if (result.ExitCode != 0)
                {
                    problems.Add($"{id}: export failed: {result.Stderr.Trim()}");
                    continue;
                }

                cases.Add(new JsonObject { ["id"] = id, ["npy"] = npy, ["sha256"] = entry["sha256"]!.DeepClone(), ["shape"] = entry["shape"]!.DeepClone(), ["strings"] = dataType is "\"|O\"" or "\"string\"" });
            }
        }

        var list = _temp.Combine("cases.json");
        await File.WriteAllTextAsync(list, cases.ToJsonString());
        var (exit, stdout, stderr) = ForeignTools.Run(TestCorpora.PythonPath, ["-c", Check, TestCorpora.ScriptFolder, list], TimeSpan.FromMinutes(5));
        Assert.True(exit == 0, $"numpy's check exited {exit}\n{stdout}\n{stderr}");
        problems.AddRange(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.EndsWith("problems", StringComparison.Ordinal)));
        Assert.Contains($"{cases.Count} checked, ", stdout, StringComparison.Ordinal);
        Assert.True(cases.Count >= 50 || corpusName != "fixtures", $"only {cases.Count} arrays exported");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
