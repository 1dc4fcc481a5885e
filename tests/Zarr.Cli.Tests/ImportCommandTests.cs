using System.Text.Json.Nodes;
using Zarr.Cli.Commands;
using Zarr.Cli.Npy;
using Zarr.Storage;

namespace Zarr.Cli.Tests;

public sealed class ImportCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("np.arange(60, dtype='<i4').reshape(6, 10)")]
    [InlineData("np.asfortranarray(np.arange(120, dtype='<f8').reshape(4, 5, 6))")]
    [InlineData("np.asfortranarray(np.arange(12, dtype='>i2').reshape(3, 4))")]
    [InlineData("np.arange(-50, 50, dtype='>i4').reshape(10, 10)")]
    [InlineData("(np.arange(20) * (1 - 2j)).astype('>c16').reshape(4, 5)")]
    [InlineData("(np.arange(20) + 0.5j).astype('<c8')")]
    [InlineData("np.array([True, False, False, True, True])")]
    [InlineData("np.linspace(-1, 1, 17).astype('>f2')")]
    [InlineData("np.array(-7, dtype='>i8')")]
    [InlineData("np.array(True)")]
    [InlineData("np.array([2**64 - 1, 0, 5], dtype='>u8')")]
    [InlineData("np.zeros((3, 0), dtype='<f4')")]
    [InlineData("np.asfortranarray(np.arange(2 * 3 * 4 * 5, dtype='<u2').reshape(2, 3, 4, 5))")]
    public async Task NumpyFilesImportExactly(string expression)
    {
        await Python.RunAsync(_temp.Path, $"np.save('in.npy', {expression})");

        await Cli.RunExpectingAsync(0, "import", _temp.Combine("in.npy"), _temp.Combine("a.zarr"));
        await Cli.RunExpectingAsync(0, "export", _temp.Combine("a.zarr"), _temp.Combine("out.npy"));

        var check = await Python.RunAsync(_temp.Path, """
            a = np.load('in.npy'); b = np.load('out.npy')
            print(a.dtype.newbyteorder('<') == b.dtype, a.shape == b.shape, np.array_equal(a, b), b.flags['C_CONTIGUOUS'])
            """);
        Assert.Equal("True True True True", check);
        var zarrJson = JsonNode.Parse(await File.ReadAllTextAsync(_temp.Combine("a.zarr", "zarr.json")))!;
        Assert.DoesNotContain("transpose", zarrJson["codecs"]!.ToJsonString(), StringComparison.Ordinal); // stored in C order
    }

    [Fact]
    public async Task FormatTwoIsReadByZarrPython()
    {
        await Python.RunAsync(_temp.Path, "np.save('in.npy', np.asfortranarray(np.arange(300, dtype='>f4').reshape(10, 30)))");

        await Cli.RunExpectingAsync(0, "import", _temp.Combine("in.npy"), _temp.Combine("a.zarr"), "--format", "2", "--chunks", "4,7", "--codec", "zlib:5", "--fill", "-1.5", "--attr", "units=K");

        var check = await Python.RunAsync(_temp.Path, """
            import zarr
            z = zarr.open('a.zarr', mode='r')
            print(np.array_equal(z[:], np.load('in.npy')), z.chunks, z.compressor.codec_id, z.compressor.level, z.fill_value, z.attrs['units'], z.order)
            """);
        Assert.Equal("True (4, 7) zlib 5 -1.5 K C", check);
    }

    [Fact]
    public async Task StreamedSlabsMatchTheFile()
    {
        // Many slabs: C order along axis 0, Fortran order along the last axis, with chunks that do not divide the shape.
        await Python.RunAsync(_temp.Path, """
            a = np.arange(9 * 7 * 5, dtype='<i8').reshape(9, 7, 5)
            np.save('c.npy', a); np.save('f.npy', np.asfortranarray(a)); np.save('b.npy', a.astype('>i8'))
            """);
        var expected = Enumerable.Range(0, 9 * 7 * 5).Select(i => (long)i).ToArray();
        foreach (var name in new[] { "c.npy", "f.npy", "b.npy" })
        {
            var store = new MemoryStore();
            var stream = File.OpenRead(_temp.Combine(name));
            await using (stream)
            {
                var header = await NpyHeader.ReadAsync(stream, name, default);
                var array = await ZarrArray.CreateAsync(store, "", header.DataType, header.Shape, new ArrayOptions { Chunks = [2, 3, 2] });
                await ImportCommand.CopyDataAsync(stream, header, array, 8, default);
            }

            var typed = await ZarrArray.OpenAsync<long>(store);
            var (data, _) = await typed.ReadBytesAsync([]);
            Assert.Equal(expected, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(data).ToArray());
        }
    }

    [Fact]
    public async Task ChunksFillAttributesAndDimensionNamesReachTheMetadata()
    {
        await Python.RunAsync(_temp.Path, "np.save('in.npy', np.zeros((10, 20), dtype='<f8'))");

        await Cli.RunExpectingAsync(
            0,
            "import", _temp.Combine("in.npy"), _temp.Combine("a.zarr"),
            "--chunks", "5,8", "--fill", "\"NaN\"", "--dimension-names", "y,x",
            "--attr", "title=hello world", "--attr", "n=3", "--attr", "obj={\"a\": [1, 2]}", "--attr", "flag=true",
            "--attr", "quoted=\"3\"", "--attr", "empty=", "--attr", "eq=a=b");

        var json = (await Cli.RunExpectingAsync(0, "info", _temp.Combine("a.zarr"), "--json")).Json;
        Assert.Equal("[5,8]", json["chunks"]!.ToJsonString());
        Assert.Equal("NaN", (string)json["fill_value"]!);
        Assert.Equal("""["y","x"]""", json["dimension_names"]!.ToJsonString());
        Assert.Equal(
            """{"title":"hello world","n":3,"obj":{"a":[1,2]},"flag":true,"quoted":"3","empty":"","eq":"a=b"}""",
            json["attributes"]!.ToJsonString());
        Assert.Equal(6, (long)json["chunks_initialized"]!); // zeros are not the NaN fill value, so every chunk is stored
    }

    [Theory]
    [InlineData("<i4", "5", "5")]
    [InlineData("<f4", "1.5", "1.5")]
    [InlineData("<f8", "\"-Infinity\"", "\"-Infinity\"")]
    [InlineData("|b1", "true", "true")]
    [InlineData("<c8", "[1.0, -2.0]", "[1.0,-2.0]")]
    public async Task FillValuesAreJson(string dtype, string fill, string stored)
    {
        await Python.RunAsync(_temp.Path, $"np.save('in.npy', np.zeros(4, dtype='{dtype}'))");

        await Cli.RunExpectingAsync(0, "import", _temp.Combine("in.npy"), _temp.Combine("a.zarr"), "--fill", fill);

        var json = (await Cli.RunExpectingAsync(0, "info", _temp.Combine("a.zarr"), "--json")).Json;
        Assert.Equal(stored, json["fill_value"]!.ToJsonString());
    }

    [Theory]
    [InlineData("--fill", "abc")]
    [InlineData("--fill", "NaN")]
    [InlineData("--fill", "\"abc\"")]
    [InlineData("--fill", "1.5")]
    [InlineData("--fill", "null")]
    [InlineData("--attr", "novalue")]
    [InlineData("--attr", "=3")]
    [InlineData("--chunks", "5")]
    [InlineData("--chunks", "5,0")]
    [InlineData("--chunks", "5,x")]
    [InlineData("--dimension-names", "y")]
    [InlineData("--dimension-names", "y,")]
    [InlineData("--format", "4")]
    public async Task BadCreateOptionsAreUsageErrors(string option, string value)
    {
        await Python.RunAsync(_temp.Path, "np.save('in.npy', np.zeros((4, 6), dtype='<i4'))");

        var result = await Cli.RunExpectingAsync(2, "import", _temp.Combine("in.npy"), _temp.Combine("a.zarr"), option, value);

        Assert.False(Directory.Exists(_temp.Combine("a.zarr")));
        Assert.Empty(result.Stdout);
    }

    // Issue 22, item 7 reversed what this test checked (a usage error): v2 keeps the names in xarray's attribute.
    [Fact]
    public async Task DimensionNamesWithFormatTwoBecomeXarraysAttribute()
    {
        await Python.RunAsync(_temp.Path, "np.save('in.npy', np.zeros((4, 6), dtype='<i4'))");

        await Cli.RunExpectingAsync(0, "import", _temp.Combine("in.npy"), _temp.Combine("a.zarr"), "--format", "2", "--dimension-names", "y,x");

        var json = (await Cli.RunExpectingAsync(0, "info", _temp.Combine("a.zarr"), "--json")).Json;
        Assert.Equal("""["y","x"]""", json["dimension_names"]!.ToJsonString());
        Assert.Equal("""["y","x"]""", json["attributes"]!["_ARRAY_DIMENSIONS"]!.ToJsonString());
    }

    [Fact]
    public async Task AnExistingDestinationIsRefusedWithoutOverwrite()
    {
        await Python.RunAsync(_temp.Path, "np.save('one.npy', np.ones(5, dtype='<i4')); np.save('two.npy', np.full(3, 2, dtype='<i2'))");
        await Cli.RunExpectingAsync(0, "import", _temp.Combine("one.npy"), _temp.Combine("a.zarr"));

        var result = await Cli.RunExpectingAsync(1, "import", _temp.Combine("two.npy"), _temp.Combine("a.zarr"));
        Assert.Contains("--overwrite", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("[5]", (await Cli.RunExpectingAsync(0, "info", _temp.Combine("a.zarr"), "--json")).Json["shape"]!.ToJsonString());

        await Cli.RunExpectingAsync(0, "import", _temp.Combine("two.npy"), _temp.Combine("a.zarr"), "--overwrite", "--format", "2");
        var json = (await Cli.RunExpectingAsync(0, "info", _temp.Combine("a.zarr"), "--json")).Json;
        Assert.Equal("[3]", json["shape"]!.ToJsonString());
        Assert.Equal(2, (int)json["zarr_format"]!);
        Assert.False(File.Exists(_temp.Combine("a.zarr", "zarr.json")));
    }

    [Fact]
    public async Task AFolderThatIsNotZarrIsNeverReplaced()
    {
        await Python.RunAsync(_temp.Path, "np.save('in.npy', np.ones(5))");
        Directory.CreateDirectory(_temp.Combine("precious"));
        await File.WriteAllTextAsync(_temp.Combine("precious", "notes.txt"), "keep me");

        var result = await Cli.RunExpectingAsync(1, "import", _temp.Combine("in.npy"), _temp.Combine("precious"), "--overwrite");

        Assert.Contains("not a Zarr array or group", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(["notes.txt"], Directory.GetFiles(_temp.Combine("precious")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task BrokenOrUnsupportedFilesFailWithoutCreatingAnything()
    {
        await Python.RunAsync(_temp.Path, """
            np.save('o.npy', np.array(['ab', None], dtype=object))
            np.save('t.npy', np.arange(100, dtype='<i4'))
            open('t.npy', 'r+b').truncate(200)
            open('junk.npy', 'wb').write(b'not numpy at all')
            """);

        var cases = new (string File, string Message)[]
        {
            ("o.npy", "numpy data type '|O' is not supported"),
            ("t.npy", "truncated"),
            ("junk.npy", "not a .npy file"),
            ("missing.npy", "missing.npy"),
        };
        foreach (var (file, message) in cases)
        {
            var result = await Cli.RunExpectingAsync(1, "import", _temp.Combine(file), _temp.Combine("a.zarr"));
            Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
            Assert.False(Directory.Exists(_temp.Combine("a.zarr")), file);
        }
    }

    [Fact]
    public async Task ImportedValuesReadBackThroughTheLibrary()
    {
        await Python.RunAsync(_temp.Path, "np.save('in.npy', np.asfortranarray(np.arange(12, dtype='>i4').reshape(3, 4)))");

        await Cli.RunExpectingAsync(0, "import", _temp.Combine("in.npy"), _temp.Combine("a.zarr"), "--chunks", "2,3");

        var array = await ZarrArray.OpenAsync<int>(new DirectoryStore(_temp.Combine("a.zarr")));
        var (row, _) = await array.ReadBytesAsync([Slice.At(1), Slice.All]);
        Assert.Equal([4, 5, 6, 7], System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(row).ToArray());
        Assert.Equal([2, 3], array.Chunks.ToArray());
    }
}
