using System.Runtime.InteropServices;
using Zarr.Cli.Commands;
using Zarr.Storage;

namespace Zarr.Cli.Tests;

public sealed class ExportCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ExportIsByteForByteWhatNumpySaveWrites()
    {
        var path = _temp.Combine("a.zarr");
        var values = Enumerable.Range(0, 200).ToArray();
        await ZarrArray.FromDataAsync<int>(new DirectoryStore(path), "", values, [10, 20], new ArrayOptions { Chunks = [3, 7] });

        await Cli.RunExpectingAsync(0, "export", path, _temp.Combine("out.npy"));
        await Python.RunAsync(_temp.Path, "np.save('expected.npy', np.arange(200, dtype='<i4').reshape(10, 20))");

        var actual = await File.ReadAllBytesAsync(_temp.Combine("out.npy"));
        Assert.Equal(await File.ReadAllBytesAsync(_temp.Combine("expected.npy")), actual);
        // The layout spelled out: numpy 1.0 header, padded to 64 bytes, then C-order little-endian data.
        Assert.Equal(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' }, actual[..6]);
        Assert.Equal(new byte[] { 1, 0, 118, 0 }, actual[6..10]);
        var header = System.Text.Encoding.Latin1.GetString(actual, 10, 118);
        Assert.Equal("{'descr': '<i4', 'fortran_order': False, 'shape': (10, 20), }" + new string(' ', 19 + 37) + "\n", header);
        Assert.Equal(values, MemoryMarshal.Cast<byte, int>(actual.AsSpan(128)).ToArray());
    }

    [Theory]
    [InlineData("bool", "np.array([[True, False, True], [False, False, True]])")]
    [InlineData("int8", "np.arange(-60, 60, dtype='i1').reshape(4, 30)")]
    [InlineData("uint16", "np.arange(1000, dtype='<u2')")]
    [InlineData("int64", "(np.arange(24, dtype='<i8') * 10**15).reshape(2, 3, 4)")]
    [InlineData("uint64", "np.array([0, 2**64 - 1, 2**63], dtype='<u8')")]
    [InlineData("float16", "np.linspace(-2, 2, 33, dtype='<f2')")]
    [InlineData("float32", "np.array([np.nan, np.inf, -0.0, 1.5], dtype='<f4')")]
    [InlineData("float64", "np.linspace(0, 1, 101).reshape(101, 1)")]
    [InlineData("complex64", "(np.arange(12) + 1j * np.arange(12)[::-1]).astype('<c8').reshape(3, 4)")]
    [InlineData("complex128", "np.array([1 + 2j, -3.5j, np.nan + 0j])")]
    [InlineData("0-d", "np.array(42.5)")]
    [InlineData("empty", "np.zeros((0, 5), dtype='<i4')")]
    public async Task RoundTripOfEveryTypeIsByteExactWithNumpy(string name, string expression)
    {
        _ = name;
        await Python.RunAsync(_temp.Path, $"np.save('in.npy', {expression})");

        var chunks = ChunksFor(await File.ReadAllBytesAsync(_temp.Combine("in.npy")));
        string[] chunkArgs = chunks.Length == 0 ? [] : ["--chunks", chunks];
        await Cli.RunExpectingAsync(0, ["import", _temp.Combine("in.npy"), _temp.Combine("a.zarr"), .. chunkArgs]);
        await Cli.RunExpectingAsync(0, "export", _temp.Combine("a.zarr"), _temp.Combine("out.npy"));

        Assert.Equal(await File.ReadAllBytesAsync(_temp.Combine("in.npy")), await File.ReadAllBytesAsync(_temp.Combine("out.npy")));
        var check = await Python.RunAsync(_temp.Path, """
            a = np.load('in.npy'); b = np.load('out.npy')
            print(a.dtype == b.dtype, a.shape == b.shape, np.array_equal(a, b, equal_nan=a.dtype.kind in 'fc'))
            """);
        Assert.Equal("True True True", check);
    }

    [Theory]
    [InlineData("0:5,:", "[0:5,:]")]
    [InlineData("::2,5", "[::2,5]")]
    [InlineData("-3:", "[-3:]")]
    [InlineData("2,3", "[2,3]")]
    [InlineData("1:8:3,-5:-1", "[1:8:3,-5:-1]")]
    [InlineData(":,::7", "[:,::7]")]
    [InlineData("-1", "[-1]")]
    [InlineData("5:2", "[5:2]")]
    [InlineData("100:,:", "[100:,:]")]
    [InlineData(" 1 : 9 , 2 : ", "[1:9,2:]")]
    [InlineData("-100:3,-25:", "[-100:3,-25:]")]
    public async Task RegionsSelectAsNumpySlices(string region, string numpyIndex)
    {
        var path = _temp.Combine("a.zarr");
        await ZarrArray.FromDataAsync<long>(new DirectoryStore(path), "", Enumerable.Range(0, 200).Select(i => (long)i * 3).ToArray(), [10, 20], new ArrayOptions { Chunks = [3, 6] });

        await Cli.RunExpectingAsync(0, "export", path, _temp.Combine("out.npy"), "--region", region);

        var check = await Python.RunAsync(_temp.Path, $"""
            a = (np.arange(200, dtype='<i8') * 3).reshape(10, 20){numpyIndex}
            b = np.load('out.npy')
            print(a.dtype == b.dtype, a.shape == b.shape, np.array_equal(a, b))
            """);
        Assert.Equal("True True True", check);
    }

    [Theory]
    [InlineData("a:b")]
    [InlineData("1:2:3:4")]
    [InlineData("::0")]
    [InlineData("::-1")]
    [InlineData("5:0:-1")]
    [InlineData("1,,2")]
    [InlineData("1.5")]
    public async Task RegionGrammarErrorsAreUsageErrors(string region)
    {
        var path = _temp.Combine("a.zarr");
        await ZarrArray.CreateAsync<int>(new DirectoryStore(path), "", [10, 20]);

        var result = await Cli.RunExpectingAsync(2, "export", path, _temp.Combine("out.npy"), "--region", region);

        Assert.Contains("--region", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.Combine("out.npy")));
    }

    [Theory]
    [InlineData("10", "index 10 is out of bounds for dimension 0 of length 10")]
    [InlineData(":,-21", "index -21 is out of bounds for dimension 1 of length 20")]
    [InlineData("1,2,3", "the region has 3 dimensions but the array has 2")]
    public async Task RegionsThatDoNotFitFail(string region, string message)
    {
        var path = _temp.Combine("a.zarr");
        await ZarrArray.CreateAsync<int>(new DirectoryStore(path), "", [10, 20]);

        var result = await Cli.RunExpectingAsync(1, "export", path, _temp.Combine("out.npy"), "--region", region);

        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.Combine("out.npy")));
        Assert.Empty(Directory.GetFiles(_temp.Path)); // no temporary file left behind
    }

    [Fact]
    public async Task ZeroDimensionalArrayExportsShapeEmptyTuple()
    {
        var path = _temp.Combine("s.zarr");
        var array = await ZarrArray.CreateAsync(new DirectoryStore(path), "", ZarrDataType.Float32, [], new ArrayOptions { FillValue = 2.5 });

        await Cli.RunExpectingAsync(0, "export", path, _temp.Combine("out.npy"));

        var check = await Python.RunAsync(_temp.Path, "b = np.load('out.npy'); print(b.shape, b.dtype, b[()])");
        Assert.Equal("() float32 2.5", check);
        _ = array;
    }

    [Fact]
    public async Task V2ArraysWrittenByZarrPythonExport()
    {
        await Python.RunAsync(_temp.Path, """
            import zarr
            z = zarr.open('zp.zarr', mode='w', shape=(7, 9), chunks=(3, 4), dtype='>f8', order='F', fill_value=-1.0)
            z[1:6, 2:] = np.arange(35, dtype='f8').reshape(5, 7)
            np.save('expected.npy', np.ascontiguousarray(z[:]).astype('<f8'))
            """);

        await Cli.RunExpectingAsync(0, "export", _temp.Combine("zp.zarr"), _temp.Combine("out.npy"));

        Assert.Equal(await File.ReadAllBytesAsync(_temp.Combine("expected.npy")), await File.ReadAllBytesAsync(_temp.Combine("out.npy")));
    }

    [Theory]
    [InlineData(":", 8)]
    [InlineData("1:9", 16)]
    [InlineData("::3,1:,2", 24)]
    [InlineData("2,:,1:5", 40)]
    [InlineData("-7:,1:2", 100000)]
    public async Task SlabbedExportMatchesOneRead(string region, long slabBytes)
    {
        var store = new MemoryStore();
        var values = Enumerable.Range(0, 10 * 6 * 5).Select(i => (short)(i - 100)).ToArray();
        var array = await ZarrArray.FromDataAsync<short>(store, "", values, [10, 6, 5], new ArrayOptions { Chunks = [3, 4, 2] });
        var dimensions = RegionParser.Resolve(RegionParser.Parse(region), array.Shape);

        using var slabbed = new MemoryStream();
        await ExportCommand.WriteAsync(array, dimensions, slabbed, slabBytes, default);
        using var whole = new MemoryStream();
        await ExportCommand.WriteAsync(array, dimensions, whole, long.MaxValue / 2, default);

        Assert.Equal(whole.ToArray(), slabbed.ToArray());
        var (expected, _) = await array.ReadBytesAsync([.. dimensions.Select(d => d.ToSlice())]);
        Assert.Equal(expected, whole.ToArray()[^expected.Length..]);
    }

    [Fact]
    public async Task ExportReplacesAnExistingFile()
    {
        var path = _temp.Combine("a.zarr");
        await ZarrArray.FromDataAsync<byte>(new DirectoryStore(path), "", new byte[] { 1, 2, 3 }, [3]);
        await File.WriteAllTextAsync(_temp.Combine("out.npy"), "old");

        await Cli.RunExpectingAsync(0, "export", path, _temp.Combine("out.npy"));

        Assert.Equal("[1 2 3] uint8", await Python.RunAsync(_temp.Path, "b = np.load('out.npy'); print(b, b.dtype)"));
    }

    [Fact]
    public async Task ExportOfAGroupOrNothingFails()
    {
        var path = _temp.Combine("g.zarr");
        await ZarrGroup.CreateAsync(new DirectoryStore(path), "", ZarrFormat.V2);

        var result = await Cli.RunExpectingAsync(1, "export", path, _temp.Combine("out.npy"));
        Assert.Contains("is a group", result.Stderr, StringComparison.Ordinal);

        result = await Cli.RunExpectingAsync(1, "export", _temp.Combine("none"), _temp.Combine("out.npy"));
        Assert.Contains("no array or group at", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CorruptChunkNamesTheChunkAndCodec()
    {
        var path = _temp.Combine("a.zarr");
        await ZarrArray.FromDataAsync<int>(new DirectoryStore(path), "", Enumerable.Range(0, 100).ToArray(), [10, 10], new ArrayOptions { Chunks = [5, 5] });
        await File.WriteAllBytesAsync(Path.Combine(path, "c", "1", "0"), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);

        var result = await Cli.RunExpectingAsync(1, "export", path, _temp.Combine("out.npy"));

        Assert.Contains("c/1/0", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("blosc", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.Combine("out.npy")));

        var verbose = await Cli.RunAsync("export", path, _temp.Combine("out.npy"), "--verbose");
        Assert.Equal(1, verbose.ExitCode);
        Assert.Contains("   at ", verbose.Stderr, StringComparison.Ordinal);
    }

    /// <summary>Small chunks so that the arrays span several: a third of each dimension, at least 1.</summary>
    private static string ChunksFor(byte[] npy)
    {
        var header = System.Text.Encoding.Latin1.GetString(npy, 10, BitConverter.ToUInt16(npy, 8));
        var shapeText = header[(header.IndexOf("'shape': (", StringComparison.Ordinal) + 10)..];
        shapeText = shapeText[..shapeText.IndexOf(')', StringComparison.Ordinal)];
        var dims = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();
        return dims.Length == 0 ? "" : string.Join(',', dims.Select(d => Math.Max(1, (d + 2) / 3)));
    }
}
