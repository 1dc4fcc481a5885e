using System.Text;
using System.Text.Json;
using Zarr.Cli.Commands;
using Zarr.Storage;

namespace Zarr.Cli.Tests;

/// <summary>
/// <c>zarr export</c> of every data type the library reads beyond plain numbers: dates and time deltas of any unit,
/// fixed-length bytes and unicode, structured types (nested, sub-arrays, either byte order) and variable-length
/// strings, in v2 and v3, whole and by region; numpy is the judge of every file.
/// </summary>
public sealed class ExportDataTypeTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [MemberData(nameof(DataTypeCases.LibraryNames), MemberType = typeof(DataTypeCases))]
    public async Task LibraryArraysExportAsNumpySavesTheirValues(string name)
    {
        var (type, format, endian, descr) = DataTypeCases.Library[name];
        var path = _temp.Combine("a.zarr");
        var values = await DataTypeCases.CreateAsync(path, type, format, endian);
        await File.WriteAllBytesAsync(_temp.Combine("values.bin"), values);

        var checks = new StringBuilder();
        for (var r = 0; r < DataTypeCases.Regions.Length; r++)
        {
            string[] region = DataTypeCases.Regions[r].Region.Length == 0 ? [] : ["--region", DataTypeCases.Regions[r].Region];
            await Cli.RunExpectingAsync(0, ["export", path, _temp.Combine($"out{r}.npy"), .. region]);
            checks.AppendLine($"check({DataTypeCases.Regions[r].Numpy}, 'out{r}.npy')");
        }

        // Byte for byte what numpy.save writes for the same values (header and data), and numpy's own reading agrees.
        var result = await Python.RunAsync(_temp.Path, $$"""
            dt = np.dtype({{descr}})
            full = np.frombuffer(open('values.bin', 'rb').read(), dtype=dt).reshape({{DataTypeCases.Shape[0]}}, {{DataTypeCases.Shape[1]}})
            def check(region, out):
                expected = full[(region if isinstance(region, tuple) else (region,)) + (Ellipsis,)].copy()
                np.save('expected.npy', expected)
                actual = np.load(out)
                same = open('expected.npy', 'rb').read() == open(out, 'rb').read()
                print(actual.dtype == dt, actual.shape == expected.shape, actual.tobytes() == expected.tobytes(), same)
            {{checks}}
            """);
        Assert.Equal(string.Join('\n', Enumerable.Repeat("True True True True", DataTypeCases.Regions.Length)), result);
    }

    /// <summary>zarr-python 2.13 writes the array; each case defines <c>dt</c>, the values <c>v</c> of shape (7, 5), and <c>kw</c>.</summary>
    private static readonly Dictionary<string, string> ZarrPythonCases = new(StringComparer.Ordinal)
    {
        ["<M8[ns]"] = "dt = '<M8[ns]'; v = np.where(n % 6 == 5, np.datetime64('NaT'), (n * 10**15 + 123).astype('<M8[ns]')); kw = {}",
        [">M8[ns]"] = "dt = '>M8[ns]'; v = (n * 10**15 - 7).astype('<M8[ns]'); kw = {}",
        ["<m8[s]"] = "dt = '<m8[s]'; v = (n - 17).astype('<m8[s]'); kw = {}",
        ["<M8[10s] order F"] = "dt = '<M8[10s]'; v = (n * 3).astype('<M8[10s]'); kw = {'order': 'F'}",
        ["|S8"] = "dt = '|S8'; v = np.array([bytes([97 + (i + k) % 26 for k in range(i % 9)]) + (b'\\xff' if i % 4 == 1 else b'') for i in range(35)], dtype='|S8').reshape(7, 5); kw = {}",
        ["<U6"] = "dt = '<U6'; v = np.array([('é😀ab中Z' * 2)[i % 4:i % 4 + i % 7] for i in range(35)]).reshape(7, 5); kw = {}",
        [">U6"] = "dt = '>U6'; v = np.array([('中Zé😀ab' * 2)[i % 3:i % 3 + i % 7] for i in range(35)]).reshape(7, 5); kw = {}",
        ["struct sub-array big-endian"] = """
            dt = np.dtype([('x', '<i4'), ('y', '>f8', (2,)), ('ok', '|b1')])
            v = np.zeros((7, 5), dt); v['x'] = n - 9; v['y'] = np.stack([n / 4, -n], axis=-1); v['ok'] = n % 3 == 0
            kw = {'fill_value': None}
            """,
        ["struct nested order F"] = """
            dt = np.dtype([('id', '>u2'), ('p', [('a', '>i8'), ('s', '|S3'), ('t', '<m8[ms]')], (2,)), ('u', '>U2')])
            v = np.zeros((7, 5), dt); v['id'] = n * 1000; v['p']['a'] = np.stack([n, -n], axis=-1) * 10**12
            v['p']['s'] = b'ab'; v['p']['t'][..., 1] = n.astype('<m8[ms]'); v['u'] = 'é😀'
            kw = {'fill_value': None, 'order': 'F'}
            """,
        ["vlen-utf8 |O"] = """
            dt = str; v = np.empty((7, 5), dtype=object)
            v[...] = np.array([('é😀ab中Z' * 3)[:i % 11] for i in range(35)], dtype=object).reshape(7, 5)
            kw = {}
            """,
    };

    public static TheoryData<string> ZarrPythonCaseNames() => [.. ZarrPythonCases.Keys];

    [Theory]
    [MemberData(nameof(ZarrPythonCaseNames))]
    public async Task ArraysWrittenByZarrPythonExportAsZarrPythonReadsThem(string name)
    {
        await Python.RunAsync(_temp.Path, $"""
            import zarr
            n = np.arange(35).reshape(7, 5)
            {ZarrPythonCases[name]}
            z = zarr.open('zp.zarr', mode='w', shape=v.shape, chunks=(3, 2), dtype=dt, **kw)
            z[...] = v
            """);

        var checks = new StringBuilder();
        for (var r = 0; r < DataTypeCases.Regions.Length; r++)
        {
            string[] region = DataTypeCases.Regions[r].Region.Length == 0 ? [] : ["--region", DataTypeCases.Regions[r].Region];
            await Cli.RunExpectingAsync(0, ["export", _temp.Combine("zp.zarr"), _temp.Combine($"out{r}.npy"), .. region]);
            checks.AppendLine($"check({DataTypeCases.Regions[r].Numpy}, 'out{r}.npy')");
        }

        // What zarr-python reads, as the contract puts it in a .npy: little-endian, variable-length strings as <U{longest}.
        var result = await Python.RunAsync(_temp.Path, $$"""
            import zarr
            source = zarr.open('zp.zarr', mode='r')[...]
            def check(region, out):
                expected = source[(region if isinstance(region, tuple) else (region,)) + (Ellipsis,)]
                expected = expected.astype(str) if expected.dtype == object else expected
                expected = expected.astype(expected.dtype.newbyteorder('<'))
                actual = np.load(out)
                print(actual.dtype == expected.dtype, actual.shape == expected.shape, np.array_equal(actual, expected, equal_nan=expected.dtype.kind in 'fcmM'))
            {{checks}}
            """);
        Assert.Equal(string.Join('\n', Enumerable.Repeat("True True True", DataTypeCases.Regions.Length)), result);
    }

    [Theory]
    [InlineData(ZarrFormat.V2)]
    [InlineData(ZarrFormat.V3)]
    public async Task VariableLengthStringsExportAsUnicodeOfTheLongestValue(ZarrFormat format)
    {
        string[] words = ["", "a", "héllo", "😀é中", "Zz", "ΩΩΩΩΩΩ", "t\tn\nl", "ß", "\u0001x", "end", "😀😀😀😀😀😀😀"];
        var path = _temp.Combine("s.zarr");
        var strings = await ZarrStringArray.CreateAsync(new DirectoryStore(path), "", DataTypeCases.Shape, options: new ArrayOptions { Format = format, Chunks = [2, 3] });
        var values = Enumerable.Range(0, 35).Select(i => words[i % words.Length]).ToArray();
        await strings.WriteAsync([], values);
        await File.WriteAllTextAsync(_temp.Combine("values.json"), JsonSerializer.Serialize(values));

        var checks = new StringBuilder();
        for (var r = 0; r < DataTypeCases.Regions.Length; r++)
        {
            string[] region = DataTypeCases.Regions[r].Region.Length == 0 ? [] : ["--region", DataTypeCases.Regions[r].Region];
            await Cli.RunExpectingAsync(0, ["export", path, _temp.Combine($"out{r}.npy"), .. region]);
            checks.AppendLine($"check({DataTypeCases.Regions[r].Numpy}, 'out{r}.npy')");
        }

        var result = await Python.RunAsync(_temp.Path, $$"""
            import json
            full = np.array(json.load(open('values.json', encoding='utf-8')), dtype=object).reshape(5, 7)
            def check(region, out):
                expected = full[(region if isinstance(region, tuple) else (region,)) + (Ellipsis,)].astype(str)
                np.save('expected.npy', expected)
                print(np.load(out).dtype == expected.dtype, open('expected.npy', 'rb').read() == open(out, 'rb').read())
            {{checks}}
            """);
        Assert.Equal(string.Join('\n', Enumerable.Repeat("True True", DataTypeCases.Regions.Length)), result);
    }

    [Theory]
    [InlineData(":", 64)]
    [InlineData("1:4,::2", 100)]
    [InlineData("::3,1:", 1)]
    [InlineData("2", 1 << 20)]
    public async Task SlabbedExportOfStringsMatchesOneRead(string region, long slabBytes)
    {
        var store = new MemoryStore();
        var strings = await ZarrStringArray.CreateAsync(store, "", [10, 6], options: new ArrayOptions { Chunks = [3, 4] });
        await strings.WriteAsync([], Enumerable.Range(0, 60).Select(i => new string('x', i % 13) + (i == 47 ? "😀" : "")).ToArray());
        var dimensions = RegionParser.Resolve(RegionParser.Parse(region), strings.Shape);

        using var slabbed = new MemoryStream();
        await ExportCommand.WriteAsync(strings.Array, dimensions, slabbed, slabBytes, default);
        using var whole = new MemoryStream();
        await ExportCommand.WriteAsync(strings.Array, dimensions, whole, long.MaxValue / 2, default);

        Assert.Equal(whole.ToArray(), slabbed.ToArray());
    }

    [Fact]
    public async Task FieldNamesOfAnyTextSurviveExportAndImport()
    {
        string[] names = ["it's", "say \"hi\"", "both ' and \"", "back\\slash", "é", "中文", "😀", "tab\tnew\nline", "\u0001\u007F\u00A0\u00AD"];
        var type = ZarrDataType.Structured(names.Select((n, i) => new StructField(n, i % 2 == 0 ? ZarrDataType.Int16 : ZarrDataType.FixedBytes(1))));
        var path = _temp.Combine("a.zarr");
        await ZarrArray.CreateAsync(new DirectoryStore(path), "", type, [2], new ArrayOptions { Format = ZarrFormat.V2 });
        await File.WriteAllTextAsync(_temp.Combine("names.json"), JsonSerializer.Serialize(names));

        await Cli.RunExpectingAsync(0, "export", path, _temp.Combine("out.npy"));
        await Cli.RunExpectingAsync(0, "import", _temp.Combine("out.npy"), _temp.Combine("b.zarr"));

        var bytes = await File.ReadAllBytesAsync(_temp.Combine("out.npy"));
        Assert.Equal(1, bytes[6]); // format 1.0: names beyond Latin-1 are written as escapes
        var check = await Python.RunAsync(_temp.Path, """
            import json
            print(np.load('out.npy').dtype.names == tuple(json.load(open('names.json', encoding='utf-8'))))
            """);
        Assert.Equal("True", check);
        var back = await ZarrArray.OpenAsync(new DirectoryStore(_temp.Combine("b.zarr")));
        Assert.Equal(type, back.DataType);
    }

}
