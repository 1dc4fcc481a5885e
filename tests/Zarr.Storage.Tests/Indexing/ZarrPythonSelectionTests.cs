using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using static Zarr.Storage.Tests.Indexing.IndexingTestSupport;

namespace Zarr.Storage.Tests.Indexing;

/// <summary>
/// Advanced selections against zarr-python 2.13 (Debian's python3-zarr): it writes v2 arrays and computes what its
/// get_orthogonal_selection, get_coordinate_selection, get_mask_selection and set_* give (blocks: the basic selection
/// of the chunks, as 2.13 has no block indexing); we replay each selection on its arrays and compare.
/// </summary>
public class ZarrPythonSelectionTests
{

    [Fact]
    public async Task Selections_read_and_write_what_zarr_python_does()
    {
        using var temp = new TempDirectory();
        var report = JsonNode.Parse(RunPython(Path.Combine(FixturesDirectory(), "zarr_selections.py"), temp.Path))!;
        var store = new DirectoryStore(temp.Path);
        var a2 = await ZarrArray.OpenAsync<int>(store, "a2");
        var a3 = await ZarrArray.OpenAsync<double>(store, "a3");
        var checkedCases = 0;
        foreach (var c in report["cases"]!.AsArray())
        {
            var name = c!["array"]!.GetValue<string>();
            var shape = c["shape"]!.AsArray().Select(v => v!.GetValue<long>()).ToArray();
            var what = $"{name} {c["kind"]}: {c.ToJsonString()[..Math.Min(160, c.ToJsonString().Length)]}";
            if (name == "a2")
            {
                var selection = Select(a2, c);
                Assert.True(shape.SequenceEqual(selection.Shape), what);
                Assert.True(c["expected"]!.AsArray().Select(v => v!.GetValue<int>()).SequenceEqual(Flat(await selection)), what);
            }
            else
            {
                var selection = Select(a3, c);
                Assert.True(shape.SequenceEqual(selection.Shape), what);
                Assert.True(c["expected"]!.AsArray().Select(v => v!.GetValue<double>()).SequenceEqual(Flat(await selection)), what);
            }

            checkedCases++;
        }

        Assert.Equal(12, checkedCases);

        var w2 = await ZarrArray.OpenAsync<int>(store, "w2", AccessMode.ReadWrite);
        foreach (var step in report["writes"]!.AsArray())
        {
            var selection = Select(w2, step!);
            if (step!["values"] is JsonArray values)
            {
                await selection.WriteAsync(values.Select(v => v!.GetValue<int>()).ToArray());
            }
            else
            {
                await selection.FillAsync(step["value"]!.GetValue<int>());
            }
        }

        Assert.Equal(report["written"]!.AsArray().Select(v => v!.GetValue<int>()), Flat(await w2[..]));
    }

    private static AdvancedSelection<T> Select<T>(ZarrArray<T> z, JsonNode c) where T : unmanaged
    {
        switch (c["kind"]!.GetValue<string>())
        {
            case "orthogonal":
                return z.Oindex[[.. c["dims"]!.AsArray().Select(d => Orthogonal(d!))]];
            case "coordinate":
                return z.Vindex[[.. c["coords"]!.AsArray().Select(a => a!.AsArray().Select(v => v!.GetValue<long>()).ToArray())]];
            case "mask":
                return z.Vindex[c["mask"]!.AsArray().Select(v => v!.GetValue<bool>()).ToArray()];
            default:
                return z.Blocks[[.. c["dims"]!.AsArray().Select(d => d!["int"] is { } i ? Slice.At(i.GetValue<long>()) : Range(d["range"]!))]];
        }
    }

    private static OrthogonalIndex Orthogonal(JsonNode d)
    {
        if (d["int"] is { } i)
        {
            return i.GetValue<long>();
        }

        if (d["list"] is JsonArray list)
        {
            return list.Select(v => v!.GetValue<long>()).ToArray();
        }

        if (d["mask"] is JsonArray mask)
        {
            return mask.Select(v => v!.GetValue<bool>()).ToArray();
        }

        return Range(d["slice"]!);
    }

    private static Slice Range(JsonNode bounds)
    {
        var b = bounds.AsArray();
        long? At(int k) => b.Count > k && b[k] is { } v ? v.GetValue<long>() : null;
        return Slice.Range(At(0), At(1), At(2) ?? 1);
    }

    private static string RunPython(string script, string argument) =>
        PythonPeer.Run("zarr-python failed", script, argument);

    private static string FixturesDirectory([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Fixtures");
}
