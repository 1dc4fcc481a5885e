using System.Text.Json.Nodes;
using Zarr.Tests.Shared;

namespace Zarr.Interop.Tests;

/// <summary>Runs the repository's check_foreign.sh (zarr-python 2 for v2; zarrita.js and a small numpy v3 reader for v3) on a folder.</summary>
public static class ForeignChecker
{
    /// <summary>
    /// Writes <c>manifest.json</c> into <paramref name="folder"/> from <paramref name="entries"/>, runs the checker and
    /// fails unless it exits 0, every array line is OK and every manifest row is PASS. The failure message holds the
    /// checker's whole output.
    /// </summary>
    /// <param name="folder">The folder the arrays were written into.</param>
    /// <param name="entries">The manifest entries.</param>
    /// <param name="ownProblems">Problems found before the checker ran, reported together with its verdict.</param>
    public static void RequireAllPass(string folder, IReadOnlyList<JsonObject> entries, IReadOnlyList<string> ownProblems)
    {
        InteropEnvironment.RequireForeignTools();
        var manifestPath = Path.Combine(folder, "manifest.json");
        var manifest = new JsonObject { ["entries"] = new JsonArray([.. entries.Select(e => (JsonNode)e.DeepClone())]) };
        File.WriteAllText(manifestPath, manifest.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));

        var result = InteropEnvironment.Run(
            "bash",
            [TestCorpora.Checker, folder, "--manifest", manifestPath, "--json"],
            null,
            TimeSpan.FromMinutes(5));
        var output = result.Describe("check_foreign.sh " + folder);

        var problems = new List<string>(ownProblems);
        if (result.ExitCode != 0)
        {
            problems.Add($"exit code {result.ExitCode}");
        }

        var passed = new HashSet<string>(StringComparer.Ordinal);
        var summarySeen = false;
        foreach (var raw in result.StdOut.Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('{'))
            {
                var r = JsonNode.Parse(line)!;
                if ((string?)r["status"] != "OK")
                {
                    problems.Add($"{(string?)r["path"]}: status {(string?)r["status"]}");
                }

                continue;
            }

            if (line.StartsWith("PASS ", StringComparison.Ordinal))
            {
                passed.Add(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
                continue;
            }

            if (line == $"{entries.Count} passed, 0 failed")
            {
                summarySeen = true;
                continue;
            }

            problems.Add("not a PASS line: " + line);
        }

        var notPassed = entries.Select(e => (string)e["path"]!).Where(p => !passed.Contains(p)).ToList();
        if (notPassed.Count > 0)
        {
            problems.Add($"no PASS line for: {string.Join(", ", notPassed)}");
        }

        if (!summarySeen)
        {
            problems.Add($"no summary line '{entries.Count} passed, 0 failed'");
        }

        Assert.True(problems.Count == 0, $"the arrays written were not all read back exactly:\n  {string.Join("\n  ", problems)}\n{output}");
    }

    /// <summary>Runs the checker on <paramref name="folder"/> without a manifest and returns its per-array JSON lines.</summary>
    public static (IReadOnlyList<JsonNode> Results, string Output) Inspect(string folder)
    {
        InteropEnvironment.RequireForeignTools();
        var result = InteropEnvironment.Run("bash", [TestCorpora.Checker, folder, "--json"], null, TimeSpan.FromMinutes(5));
        var lines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.StartsWith('{'))
            .Select(l => JsonNode.Parse(l)!)
            .ToList();
        return (lines, result.Describe("check_foreign.sh " + folder));
    }
}
