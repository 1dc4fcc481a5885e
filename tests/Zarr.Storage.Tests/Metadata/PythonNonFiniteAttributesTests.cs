using System.Text.Json.Nodes;

namespace Zarr.Storage.Tests.Metadata;

/// <summary>
/// Issue 23, item 11: zarr-python 2.13 writes a float attribute that is NaN or infinite as Python's json does, with the
/// bare tokens <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c> (in <c>.zattrs</c>, and in the <c>.zmetadata</c> that gathers
/// them), and this library refused to open such an array ("'N' is an invalid start of a value"). It reads them as the
/// doubles, and writes standard JSON (the strings "NaN", "Infinity", "-Infinity") that zarr-python reads back.
/// </summary>
public sealed class PythonNonFiniteAttributesTests : IDisposable
{
    private const string Write = """
        import sys, zarr
        path = sys.argv[1]
        g = zarr.open_group(path, mode='w')
        g.attrs['scale'] = float('nan')
        a = g.create('a', shape=(4,), chunks=(2,), dtype='<f8', fill_value=float('nan'))
        a[:2] = [1.5, float('inf')]
        a.attrs.update({'nan': float('nan'), 'inf': float('inf'), 'ninf': float('-inf'),
                        'list': [1.5, float('nan'), [float('-inf')]], 'nested': {'x': float('inf'), 'text': 'NaN'}, 'n': 1})
        zarr.consolidate_metadata(path)
        print(open(path + '/a/.zattrs').read())
        """;

    private const string ReadBack = """
        import sys, json, zarr
        path = sys.argv[1]
        def strict(name):
            def bare(token):
                raise ValueError(name + ' holds the bare token ' + token + ', which is not standard JSON')
            return json.loads(open(path + '/' + name).read(), parse_constant=bare)
        strict('a/.zattrs'); strict('.zattrs'); strict('.zmetadata')
        expected = {'nan': 'NaN', 'inf': 'Infinity', 'ninf': '-Infinity', 'list': [1.5, 'NaN', ['-Infinity']],
                    'nested': {'x': 'Infinity', 'text': 'NaN'}, 'n': 1, 'added': 'Infinity'}
        for g in (zarr.open_group(path, mode='r'), zarr.open_consolidated(path, mode='r')):
            got = g['a'].attrs.asdict()
            assert got == expected, got
            assert g.attrs.asdict() == {'scale': 'NaN'}, g.attrs.asdict()
            values = g['a'][:]
            assert values[0] == 1.5 and values[1] == float('inf') and values[2] != values[2], values
        print('ok')
        """;

    private readonly TempDirectory _tmp = new();

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public async Task Attributes_zarr_python_wrote_with_NaN_and_infinities_open_and_are_written_back_as_standard_JSON()
    {
        var path = _tmp.Combine("g.zarr");
        var zattrs = PythonPeer.Run("zarr-python 2.13 could not write the array", "-c", Write, path);
        Assert.Contains("\"nan\": NaN", zattrs, StringComparison.Ordinal); // the bare token, as this test is about
        var store = new DirectoryStore(path);

        // Read and write, read-only through the consolidated metadata, and through the .zmetadata's own documents.
        var array = await ZarrArray.OpenAsync<double>(store, "a", AccessMode.ReadWrite);
        AssertAttributes(array.Attributes);
        var consolidated = await ZarrGroup.OpenAsync(store);
        Assert.True(consolidated.UsesConsolidatedMetadata);
        Assert.True(double.IsNaN((double)consolidated.Attributes["scale"]!));
        AssertAttributes((await consolidated.OpenArrayAsync("a")).Attributes);
        var group = await ZarrGroup.OpenAsync(store, "", AccessMode.ReadWrite);
        Assert.True(double.IsNaN((double)group.Attributes["scale"]!));
        var values = Zarr.Storage.Tests.Arrays.SelectionTests.ToArray(await array[..]);
        Assert.Equal(1.5, values[0]);
        Assert.Equal(double.PositiveInfinity, values[1]);
        Assert.True(double.IsNaN(values[2]) && double.IsNaN(values[3]));

        // Written back by the library (and consolidated again): standard JSON that zarr-python reads.
        var attributes = array.Attributes.ToJsonObject();
        attributes["added"] = double.PositiveInfinity;
        await array.SetAttributesAsync(attributes);
        await group.SetAttributesAsync(group.Attributes.ToJsonObject());
        await group.ConsolidateMetadataAsync();
        Assert.Equal("ok\n", PythonPeer.Run("zarr-python 2.13 did not read back the attributes the library wrote", "-c", ReadBack, path));

        // What the library wrote reads back here as the strings it wrote.
        var reopened = await ZarrArray.OpenAsync(store, "a");
        Assert.Equal("NaN", (string?)reopened.Attributes["nan"]);
        Assert.Equal("Infinity", (string?)reopened.Attributes["added"]);
    }

    private static void AssertAttributes(AttributeDictionary attributes)
    {
        Assert.True(double.IsNaN((double)attributes["nan"]!));
        Assert.Equal(double.PositiveInfinity, (double)attributes["inf"]!);
        Assert.Equal(double.NegativeInfinity, (double)attributes["ninf"]!);
        Assert.Equal(1.5, (double)attributes["list"]![0]!);
        Assert.True(double.IsNaN((double)attributes["list"]![1]!));
        Assert.Equal(double.NegativeInfinity, (double)attributes["list"]![2]![0]!);
        Assert.Equal(double.PositiveInfinity, (double)attributes["nested"]!["x"]!);
        Assert.Equal("NaN", (string?)attributes["nested"]!["text"]);
        Assert.Equal(1, (int)attributes["n"]!);
    }
}
