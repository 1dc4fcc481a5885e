using System.Numerics.Tensors;

namespace Zarr.Storage.Tests.Arrays;

/// <summary>Tensors print as numpy's repr prints arrays (compared with numpy itself where the text is numpy's exactly).</summary>
public sealed class TensorFormatTests
{
    public static TheoryData<int[]> IntegerShapes() => new()
    {
        new[] { 5 },
        new[] { 2, 3 },
        new[] { 2, 2, 3 },
        new[] { 2000 },
        new[] { 100, 1000 },
        new[] { 7, 8, 30 },
        new[] { 3, 4, 5, 20 },
    };

    [Theory]
    [MemberData(nameof(IntegerShapes))]
    public void Integers_print_as_numpy_repr_does(int[] shape)
    {
        var count = shape.Aggregate(1, (a, b) => a * b);
        var values = Enumerable.Range(0, count).Select(i => (i * 37) - 500).ToArray();
        var tensor = Tensor.Create(values, [.. shape.Select(s => (nint)s)]);
        string[] arguments =
        [
            "-c",
            "import sys, numpy as np; a = (np.arange(int(sys.argv[1]), dtype=np.int64) * 37 - 500).reshape([int(s) for s in sys.argv[2:]]);"
            + " r = repr(a); print(r[len('array('):-1].replace('\\n      ', '\\n'))",
            count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. shape.Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ];
        var numpy = PythonPeer.Run("numpy printed the array", arguments);
        Assert.Equal(numpy.TrimEnd('\n'), tensor.ToNumpyString());
    }

    [Fact]
    public void Booleans_print_as_numpy_repr_does()
    {
        var tensor = Tensor.Create(new[] { true, false, true, true }, [2, 2]);
        Assert.Equal("[[ True, False],\n [ True,  True]]", tensor.ToNumpyString());
    }

    [Fact]
    public void Floats_print_in_their_shortest_exact_form()
    {
        var tensor = Tensor.Create(new[] { 0.0, 0.5, double.NaN, double.NegativeInfinity, 1e-7, 15.049999841 }, [6]);
        Assert.Equal("[          0.,          0.5,          nan,         -inf,        1e-07, 15.049999841]", tensor.ToNumpyString());
    }

    [Fact]
    public void A_zero_dimensional_tensor_prints_its_value()
    {
        Assert.Equal("42", TensorFormat.Format<int>([42], []));
    }

    [Fact]
    public void A_shape_that_does_not_hold_the_values_is_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => TensorFormat.Format<int>([1, 2, 3], [2, 2]));
        Assert.Contains("4 elements for 3 values", ex.Message, StringComparison.Ordinal);
    }
}
