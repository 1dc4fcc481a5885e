using System.Text;
using Zarr.Cli.Npy;
using Zarr.Storage;

namespace Zarr.Cli.Tests;

public sealed class NpyHeaderTests
{
    [Fact]
    public async Task AHeaderTooLongForVersionOneIsWrittenAsVersionTwo()
    {
        var shape = Enumerable.Repeat(1L, 30000).ToArray();

        var header = NpyHeader.Write(ZarrDataType.Int32, shape);

        Assert.Equal(2, header[6]);
        Assert.Equal(0, header.Length % 64);
        Assert.Equal((byte)'\n', header[^1]);
        Assert.Equal(header.Length - 12, BitConverter.ToInt32(header, 8));
        using var stream = new MemoryStream(header);
        var read = await NpyHeader.ReadAsync(stream, "big.npy", default);
        Assert.Equal(shape, read.Shape);
        Assert.Equal(header.Length, read.DataOffset);
    }

    [Theory]
    [InlineData(1, "{'descr': '>c16', 'fortran_order': True, 'shape': (3L, 4L), }", "complex128", true, true, new long[] { 3, 4 })]
    [InlineData(2, "{\"descr\": \"<u8\", \"shape\": (7,), \"fortran_order\": False}", "uint64", false, false, new long[] { 7 })]
    [InlineData(3, "{'descr': '|b1', 'fortran_order': False, 'shape': (), }", "bool", false, false, new long[0])]
    [InlineData(1, "{'descr': '=f2', 'fortran_order': False, 'shape': (2, 0, 1), }", "float16", false, false, new long[] { 2, 0, 1 })]
    [InlineData(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (5,), }", "uint8", false, false, new long[] { 5 })]
    public async Task HeadersOfEveryVersionAreRead(int version, string dict, string type, bool bigEndian, bool fortran, long[] shape)
    {
        using var stream = new MemoryStream(Build(version, dict));

        var header = await NpyHeader.ReadAsync(stream, "x.npy", default);

        Assert.Equal(type, header.DataType.Name);
        Assert.Equal(bigEndian, header.BigEndian);
        Assert.Equal(fortran, header.FortranOrder);
        Assert.Equal(shape, header.Shape);
        Assert.Equal(stream.Length, header.DataOffset);
        Assert.Equal(stream.Length, stream.Position);
    }

    [Theory]
    [InlineData("{'descr': '<i4', 'fortran_order': False}", "no 'shape'")]
    [InlineData("{'descr': '<i4', 'fortran_order': 0, 'shape': (1,)}", "'fortran_order' is not True or False")]
    [InlineData("{'descr': '<i4', 'fortran_order': False, 'shape': (-1,)}", "'shape' is not a tuple of non-negative integers")]
    [InlineData("{'descr': '<i4', 'fortran_order': False, 'shape': (1,)", "expected ',' or '}' in the dict")]
    [InlineData("{'descr': '<i4', 'fortran_order': False, 'shape': (1,)} x", "text after the header dict")]
    [InlineData("__import__('os')", "unexpected '_'")]
    public async Task MalformedHeadersAreInvalidData(string dict, string message)
    {
        using var stream = new MemoryStream(Build(1, dict));

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => NpyHeader.ReadAsync(stream, "x.npy", default));

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("x.npy: ", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<U0")]
    [InlineData("|S0")]
    [InlineData("<M8[xs]")]
    [InlineData("<datetime64[ns]")]
    [InlineData("<int32")]
    [InlineData("|O")]
    [InlineData("<f16")]
    [InlineData("b")]
    [InlineData("|V8")]
    public async Task TypesOutsideTheLibraryAreRefused(string descr)
    {
        using var stream = new MemoryStream(Build(1, $"{{'descr': '{descr}', 'fortran_order': False, 'shape': (1,), }}"));

        var ex = await Assert.ThrowsAsync<CliException>(() => NpyHeader.ReadAsync(stream, "x.npy", default));

        Assert.Contains($"'{descr}' is not supported", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("'<M8[ns]'", "datetime64[ns]", "")]
    [InlineData("'>m8[10s]'", "timedelta64[10s]", "0:8x1")]
    [InlineData("'|S8'", "S8", "")]
    [InlineData("'>U6'", "U6", "0:4x6")]
    [InlineData("'>c16'", "complex128", "0:8x2")]
    [InlineData("[('x', '<i4'), ('y', '>f8', (2,)), ('ok', '|b1')]", "struct{x: int32, y: float64[2], ok: bool}", "4:8x2")]
    [InlineData("[('x', '>i4'), ('y', '>i4', (2, 3)), ('z', '>i2')]", "struct{x: int32, y: int32[2, 3], z: int16}", "0:4x7 28:2x1")]
    [InlineData("[('n', [('a', '>i2'), ('b', '<i2'), ('c', '>U1')], (2,)), ('t', '=M8[D]', 3)]", "struct{n: struct{a: int16, b: int16, c: U1}[2], t: datetime64[D][3]}", "0:2x1 4:4x1 8:2x1 12:4x1")]
    [InlineData("[(\"it's\", '|u1'), ('\\u4e2d\\x00\\'', '|b1')]", "struct{it's: uint8, 中\\0': bool}", "")]
    public async Task DescrsOfEveryTypeAreRead(string descr, string type, string swaps)
    {
        using var stream = new MemoryStream(Build(1, $"{{'descr': {descr}, 'fortran_order': False, 'shape': (2,), }}"));

        var header = await NpyHeader.ReadAsync(stream, "x.npy", default);

        Assert.Equal(type, header.DataType.ToString());
        Assert.Equal(swaps, string.Join(' ', header.Swaps.Select(s => $"{s.Offset}:{s.Size}x{s.Count}")));
        Assert.Equal(swaps.Length > 0, header.BigEndian);
    }

    [Theory]
    [InlineData("'<i4'")]
    [InlineData("'|S8'")]
    [InlineData("'<M8[10s]'")]
    [InlineData("[('x', '<i4'), ('y', '<f8', (2,)), ('ok', '|b1')]")]
    [InlineData("[('n', [('a', '<i2'), ('s', '|S2')], (2, 3)), ('u', '<U3')]")]
    public async Task DescrsAreWrittenAsNumpyWritesThem(string descr)
    {
        using var stream = new MemoryStream(Build(1, $"{{'descr': {descr}, 'fortran_order': False, 'shape': (2,), }}"));
        var type = (await NpyHeader.ReadAsync(stream, "x.npy", default)).DataType;

        Assert.Equal(descr, NpyHeader.Descr(type));
    }

    [Fact]
    public async Task QuotedStringsAreWhatPythonsReprWrites()
    {
        // Python's repr for Latin-1 text; above U+00FF, escapes (numpy would switch to format 3.0 for the raw text).
        string[] values = ["plain", "it's", "say \"hi\"", "both ' and \"", "back\\slash", "tab\tnew\nline\r", "\u0000\u0001\u001F\u007F", "\u0080\u009F\u00A0\u00A1\u00AD\u00E9\u00FF"];
        using var temp = new TempDirectory();
        await File.WriteAllTextAsync(temp.Combine("values.json"), System.Text.Json.JsonSerializer.Serialize(values));

        var repr = await Python.RunAsync(temp.Path, """
            import json
            for v in json.load(open('values.json', encoding='utf-8')): print(repr(v))
            """);

        Assert.Equal(repr.Split('\n'), values.Select(PythonLiteral.Quote));
        Assert.Equal("'\\u4e2d\\U0001f600\\ud800'", PythonLiteral.Quote("中😀\ud800"));
    }

    [Fact]
    public async Task BadMagicAndVersionsAreInvalidData()
    {
        using var notNpy = new MemoryStream("PK\x03\x04 not a numpy file"u8.ToArray());
        Assert.Contains("not a .npy file", (await Assert.ThrowsAsync<InvalidDataException>(() => NpyHeader.ReadAsync(notNpy, "x.npy", default))).Message, StringComparison.Ordinal);

        var v4 = Build(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }");
        v4[6] = 4;
        using var version4 = new MemoryStream(v4);
        Assert.Contains("version 4.0", (await Assert.ThrowsAsync<InvalidDataException>(() => NpyHeader.ReadAsync(version4, "x.npy", default))).Message, StringComparison.Ordinal);

        using var truncated = new MemoryStream(Build(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }")[..20]);
        Assert.Contains("ends inside its header", (await Assert.ThrowsAsync<InvalidDataException>(() => NpyHeader.ReadAsync(truncated, "x.npy", default))).Message, StringComparison.Ordinal);
    }

    private static byte[] Build(int version, string dict)
    {
        var text = (version == 3 ? Encoding.UTF8 : Encoding.Latin1).GetBytes(dict + "\n");
        var lengthSize = version == 1 ? 2 : 4;
        var result = new byte[8 + lengthSize + text.Length];
        new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)version, 0 }.CopyTo(result, 0);
        if (version == 1)
        {
            BitConverter.GetBytes((ushort)text.Length).CopyTo(result, 8);
        }
        else
        {
            BitConverter.GetBytes(text.Length).CopyTo(result, 8);
        }

        text.CopyTo(result, 8 + lengthSize);
        return result;
    }
}
