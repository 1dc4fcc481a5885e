using System.Text.Json;
using Zarr.Storage;

namespace Zarr.Cli.Tests;

/// <summary>
/// <c>zarr import</c> of every .npy that <c>zarr export</c> writes or numpy saves for a type the library holds (dates,
/// fixed strings, structured types with sub-arrays and either byte order, C or Fortran order), and export→import round
/// trips; the types the library does not hold are refused by name.
/// </summary>
public sealed class ImportDataTypeTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [MemberData(nameof(DataTypeCases.LibraryNames), MemberType = typeof(DataTypeCases))]
    public async Task ExportThenImportRoundTripsExactly(string name)
    {
        var (type, format, endian, _) = DataTypeCases.Library[name];
        var path = _temp.Combine("a.zarr");
        var values = await DataTypeCases.CreateAsync(path, type, format, endian);
        var formatArg = format == ZarrFormat.V2 ? "2" : "3";

        await Cli.RunExpectingAsync(0, "export", path, _temp.Combine("out.npy"));
        await Cli.RunExpectingAsync(0, "import", _temp.Combine("out.npy"), _temp.Combine("b.zarr"), "--format", formatArg, "--chunks", "3,4");
        await Cli.RunExpectingAsync(0, "export", _temp.Combine("b.zarr"), _temp.Combine("again.npy"));

        Assert.Equal(await File.ReadAllBytesAsync(_temp.Combine("out.npy")), await File.ReadAllBytesAsync(_temp.Combine("again.npy")));
        var back = await ZarrArray.OpenAsync(new DirectoryStore(_temp.Combine("b.zarr")));
        Assert.Equal(format, back.Format);
        Assert.Equal(WithoutByteOrders(type), back.DataType); // the .npy is little-endian: so is the new array
        Assert.Equal(DataTypeCases.Shape.ToArray(), back.Shape.ToArray());
        Assert.Equal(values, (await back.ReadBytesAsync([])).Data);
    }

    /// <summary>numpy writes these files; each imports (v2 where a sub-array field needs it) and exports as numpy reads it, little-endian.</summary>
    [Theory]
    [InlineData("(np.arange(24) * 10**9).astype('>M8[ns]').reshape(4, 6)", "3")]
    [InlineData("np.asfortranarray((np.arange(24) - 5).astype('>m8[s]').reshape(4, 6))", "3")]
    [InlineData("np.array(['NaT', '2024-02-29', '1900-01-01'], dtype='<M8[D]')", "2")]
    [InlineData("np.array([b'', b'abc', b'\\xff\\x00z', b'12345678'], dtype='|S8')", "3")]
    [InlineData("np.asfortranarray(np.array([['', 'é', '😀中'], ['abcdef', 'Z', 'q']], dtype='>U6'))", "3")]
    [InlineData("np.array(['x', 'yz'], dtype='<U2')", "2")]
    [InlineData("np.array([(1, (2.5, -1.0), True), (-7, (0.0, 3.25), False)], dtype=[('x', '>i4'), ('y', '<f8', (2,)), ('ok', '|b1')])", "2")]
    [InlineData("np.zeros((3, 2), dtype=[('x', '>i4'), ('t', '>M8[ms]'), ('s', '|S3'), ('u', '>U2')])", "3")]
    [InlineData("np.asfortranarray(np.array([[(1, [(2, b'a'), (3, b'b')])] * 3] * 2, dtype=[('id', '>u2'), ('p', [('a', '>i8'), ('s', '|S1')], (2,))]))", "2")]
    [InlineData("np.array((5, 'ab'), dtype=[('x', '>c16'), ('u', '>U2')])", "3")]
    [InlineData("np.array(['x' * 70, 'é😀' * 3], dtype='>U70')", "3")]
    [InlineData("np.zeros(2, dtype=[('中', '<i4'), ('é', '|S2')])", "3")]
    [InlineData("np.ones(2, dtype=[('a', '>f8', (40,)), ('s', '|S3')])", "2")]
    public async Task NumpyFilesOfEveryTypeImportExactly(string expression, string format)
    {
        await Python.RunAsync(_temp.Path, $"np.save('in.npy', {expression})");

        await Cli.RunExpectingAsync(0, "import", _temp.Combine("in.npy"), _temp.Combine("a.zarr"), "--format", format);
        await Cli.RunExpectingAsync(0, "export", _temp.Combine("a.zarr"), _temp.Combine("out.npy"));

        var check = await Python.RunAsync(_temp.Path, """
            a = np.load('in.npy'); b = np.load('out.npy')
            print(a.dtype.newbyteorder('<') == b.dtype, a.shape == b.shape, np.array_equal(a, b, equal_nan=a.dtype.kind in 'mM'), b.flags['C_CONTIGUOUS'])
            """);
        Assert.Equal("True True True True", check);
    }

    [Fact]
    public async Task SubArrayFieldsNeedFormatTwo()
    {
        await Python.RunAsync(_temp.Path, "np.save('in.npy', np.zeros(3, dtype=[('x', '<i4'), ('y', '<f8', (2,))]))");

        var result = await Cli.RunExpectingAsync(2, "import", _temp.Combine("in.npy"), _temp.Combine("a.zarr"));

        Assert.Contains("in.npy", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("struct{x: int32, y: float64[2]}", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("'y'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("--format 2", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.Combine("a.zarr")));
    }

    [Fact]
    public async Task NumpyTypesTheLibraryDoesNotHoldAreRefusedByName()
    {
        await Python.RunAsync(_temp.Path, """
            np.save('o.npy', np.array([1, 'a'], dtype=object))
            np.save('p.npy', np.zeros(2, dtype={'names': ['x', 'y'], 'formats': ['<i4', '<f8'], 'offsets': [0, 8]}))
            np.save('t.npy', np.zeros(2, dtype=[(('title', 'x'), '<i4')]))
            np.save('f.npy', np.zeros(2, dtype=[('x', '<i4'), ('o', 'O')]))
            np.save('v.npy', np.zeros(2, dtype='|V4'))
            """);

        var cases = new (string File, string Message)[]
        {
            ("o.npy", "numpy data type '|O' is not supported (an object array's .npy holds pickled Python objects"),
            ("p.npy", "has a field without a name at byte 4 (numpy's padding"),
            ("t.npy", "has a field with a title"),
            ("f.npy", "the field 'o': numpy data type '|O' is not supported"),
            ("v.npy", "numpy data type '|V4' is not supported"),
        };
        foreach (var (file, message) in cases)
        {
            var result = await Cli.RunExpectingAsync(1, "import", _temp.Combine(file), _temp.Combine("a.zarr"));
            Assert.Contains($"{_temp.Combine(file)}: ", result.Stderr, StringComparison.Ordinal);
            Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
            Assert.False(Directory.Exists(_temp.Combine("a.zarr")), file);
        }
    }

    private static ZarrDataType WithoutByteOrders(ZarrDataType type) =>
        type.Kind != DataTypeKind.Structured
            ? type
            : ZarrDataType.Structured(type.Fields.Select(f => new StructField(f.Name, WithoutByteOrders(f.DataType), f.Shape.ToArray())));
}
