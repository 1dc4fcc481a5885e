using System.Numerics;
using System.Numerics.Tensors;
using Zarr.Storage;

namespace Zarr.Dataflow.Tests;

/// <summary>numpy's integer sums (int64, uint64, bool as int64) and the untyped lazy array of <see cref="Lazy.From(ZarrArray)"/>.</summary>
public class UntypedArrayAndIntegerSumTests
{
    // Above 2^53 doubles skip integers: a sum returned as double could not be exact here.
    private const long Big = (1L << 60) + 1;

    [Fact]
    public async Task A_signed_integer_sum_is_an_exact_int64()
    {
        var data = new long[] { Big, 3, -1, Big, 7, 5 };
        var x = Lazy.From(await Support.ArrayAsync(new MemoryStore(), "a", [2, 3], [1, 2], data));
        long sum = await x.SumAsync();
        Assert.Equal((2 * Big) + 14, sum);
        Tensor<long> rows = await x.SumAsync([1]);
        Assert.Equal(new[] { Big + 2, Big + 12 }, rows.ToArray());
        Assert.Equal(sum, await x.SumInt64Async());
    }

    [Fact]
    public async Task A_narrow_signed_sum_wraps_in_64_bits_not_in_its_own_type()
    {
        var data = Enumerable.Repeat((sbyte)100, 10).ToArray();
        var x = Lazy.From(await Support.ArrayAsync(new MemoryStore(), "a", [10], [3], data));
        long sum = await x.SumAsync();
        Assert.Equal(1000, sum);
        var shorts = Lazy.From(await Support.ArrayAsync(new MemoryStore(), "b", [4], [3], new short[] { -30000, -30000, -30000, 5 }));
        Assert.Equal(-89995L, await shorts.SumAsync());
        var ints = Lazy.From(await Support.ArrayAsync(new MemoryStore(), "c", [3], [2], new[] { int.MaxValue, int.MaxValue, 1 }));
        Assert.Equal((2L * int.MaxValue) + 1, await ints.SumAsync());
    }

    [Fact]
    public async Task An_unsigned_integer_sum_is_an_exact_uint64()
    {
        var data = new ulong[] { ulong.MaxValue - 10, 4, 5 };
        var x = Lazy.From(await Support.ArrayAsync(new MemoryStore(), "a", [3], [2], data));
        ulong sum = await x.SumAsync();
        Assert.Equal(ulong.MaxValue - 1, sum);
        Tensor<ulong> all = await x.SumAsync([0]);
        Assert.Equal(new[] { ulong.MaxValue - 1 }, all.ToArray());
        var bytes = Lazy.From(await Support.ArrayAsync(new MemoryStore(), "b", [300], [64], Enumerable.Repeat((byte)255, 300).ToArray()));
        Assert.Equal(76500UL, await bytes.SumAsync());
        var halves = Lazy.From(await Support.ArrayAsync(new MemoryStore(), "c", [2], [2], new ushort[] { 65535, 65535 }));
        Assert.Equal(131070UL, await halves.SumAsync());
        var words = Lazy.From(await Support.ArrayAsync(new MemoryStore(), "d", [2], [1], new uint[] { uint.MaxValue, uint.MaxValue }));
        Assert.Equal(2UL * uint.MaxValue, await words.SumAsync());
    }

    [Fact]
    public async Task A_bool_sum_counts_the_true_elements_as_int64()
    {
        var data = Enumerable.Range(0, 50).Select(i => i % 3 == 0).ToArray();
        var x = Lazy.From(await Support.ArrayAsync(new MemoryStore(), "m", [5, 10], [2, 4], data));
        long count = await x.SumAsync();
        Assert.Equal(data.Count(b => b), count);
        Tensor<long> perRow = await x.SumAsync([1]);
        Assert.Equal(Enumerable.Range(0, 5).Select(r => (long)data.Skip(r * 10).Take(10).Count(b => b)), perRow.ToArray());
    }

    [Fact]
    public async Task Float_sums_stay_double()
    {
        var x = Lazy.From(await Support.ArrayAsync(new MemoryStore(), "f", [3], [2], new[] { 0.5f, 1.25f, 2f }));
        double sum = await x.SumAsync();
        Assert.Equal(3.75, sum);
    }

    public static TheoryData<ZarrDataType, Type, string> UntypedCases() => new()
    {
        { ZarrDataType.Int8, typeof(sbyte), "int64" },
        { ZarrDataType.Int16, typeof(short), "int64" },
        { ZarrDataType.Int32, typeof(int), "int64" },
        { ZarrDataType.Int64, typeof(long), "int64" },
        { ZarrDataType.UInt8, typeof(byte), "uint64" },
        { ZarrDataType.UInt16, typeof(ushort), "uint64" },
        { ZarrDataType.UInt32, typeof(uint), "uint64" },
        { ZarrDataType.UInt64, typeof(ulong), "uint64" },
        { ZarrDataType.Float16, typeof(Half), "float64" },
        { ZarrDataType.Float32, typeof(float), "float64" },
        { ZarrDataType.Float64, typeof(double), "float64" },
        { ZarrDataType.Bool, typeof(bool), "int64" },
        { ZarrDataType.Complex64, typeof(Complex64), "complex128" },
        { ZarrDataType.Complex128, typeof(Complex), "complex128" },
    };

    [Theory]
    [MemberData(nameof(UntypedCases))]
    public async Task Lazy_From_an_untyped_array_is_the_typed_lazy_array_of_its_data_type(ZarrDataType type, Type clr, string sumType)
    {
        var store = new MemoryStore();
        var array = await ZarrArray.CreateAsync(store, "a", type, [6, 4], new ArrayOptions { Chunks = [4, 3] });
        // Every element is the bytes 0x01 0x00 ...: one in each integer type, true, and a tiny or exact float.
        var one = new byte[type.ItemSize];
        one[0] = 1;
        var bytes = Enumerable.Range(0, 24).SelectMany(_ => one).ToArray();
        await array.WriteBytesAsync([Slice.All, Slice.All], bytes);

        var lazy = Lazy.From(await ZarrArray.OpenAsync(store, "a"));
        Assert.Equal(clr, lazy.ElementType);
        Assert.Equal(typeof(LazyArray<>).MakeGenericType(clr), lazy.GetType());
        Assert.Equal(type, lazy.DataType);
        Assert.Equal(new long[] { 6, 4 }, lazy.Shape);
        Assert.Equal(new[] { 4, 3 }, lazy.Chunks);

        var sum = await lazy.SumAsync();
        Assert.Equal(sumType, sum.DataType.Name);
        var view = Lazy.From(await ZarrArray.OpenAsync(store, "a"), Slice.Range(1, 3), Slice.At(2));
        Assert.Equal(new long[] { 2 }, view.Shape);
        Assert.Equal(clr, view.ElementType);

        // Stored without naming the type: the copy has the same bytes.
        var copy = await ZarrArray.CreateAsync(store, "copy", type, [6, 4], new ArrayOptions { Chunks = [2, 2] });
        await lazy.StoreAsync(copy);
        Assert.Equal(bytes, (await copy.ReadBytesAsync([Slice.All, Slice.All])).Data);
    }

    [Fact]
    public async Task Untyped_reductions_give_numpys_types_and_exact_values()
    {
        var store = new MemoryStore();
        await Support.ArrayAsync(store, "i", [4], [3], new long[] { Big, Big, -5, 2 });
        await Support.ArrayAsync(store, "u", [2], [1], new ulong[] { ulong.MaxValue - 3, 2 });
        await Support.ArrayAsync(store, "f", [4], [3], new[] { 1f, 2f, 4f, -8f });
        await Support.ArrayAsync(store, "b", [5], [2], new[] { true, false, true, true, false });
        await Support.ArrayAsync(store, "c", [2], [1], new[] { new Complex(1, 2), new Complex(3, -1) });

        var i = Lazy.From(await ZarrArray.OpenAsync(store, "i"));
        Assert.Equal(NumericScalar.FromInt64((2 * Big) - 3), await i.SumAsync());
        Assert.Equal(NumericScalar.FromInt64(-5), await i.MinAsync());
        Assert.Equal(NumericScalar.FromInt64(Big), await i.MaxAsync());
        Assert.Equal(((2 * Big) - 3).ToString(System.Globalization.CultureInfo.InvariantCulture), (await i.SumAsync()).ToString());

        var u = Lazy.From(await ZarrArray.OpenAsync(store, "u"));
        Assert.Equal(NumericScalar.FromUInt64(ulong.MaxValue - 1), await u.SumAsync());
        Assert.Equal(ulong.MaxValue - 1, (await u.SumAsync()).ToUInt64());
        Assert.Throws<OverflowException>(() => NumericScalar.FromUInt64(ulong.MaxValue).ToInt64());

        var f = Lazy.From(await ZarrArray.OpenAsync(store, "f"));
        Assert.Equal(NumericScalar.FromDouble(-1), await f.SumAsync());
        Assert.Equal(-0.25, (await f.MeanAsync()).ToDouble());
        Assert.Equal(NumericScalar.FromDouble(-8), await f.MinAsync());
        Assert.Equal(await ((LazyArray<float>)f).VarAsync(), await f.VarAsync());
        Assert.Equal(await ((LazyArray<float>)f).StdAsync(1), await f.StdAsync(1));
        Assert.Throws<InvalidCastException>(() => NumericScalar.FromDouble(1).ToInt64());

        var b = Lazy.From(await ZarrArray.OpenAsync(store, "b"));
        Assert.Equal(NumericScalar.FromInt64(3), await b.SumAsync());
        Assert.Equal(0.6, (await b.MeanAsync()).ToDouble(), 12);
        Assert.Equal(NumericScalar.FromBoolean(false), await b.MinAsync());
        Assert.Equal(NumericScalar.FromBoolean(true), await b.MaxAsync());

        var c = Lazy.From(await ZarrArray.OpenAsync(store, "c"));
        Assert.Equal(NumericScalar.FromComplex(new Complex(4, 1)), await c.SumAsync());
        Assert.Equal(new Complex(2, 0.5), (await c.MeanAsync()).ToComplex());
        Assert.Equal(NumericScalar.FromComplex(new Complex(3, -1)), await c.MaxAsync());
    }

    [Fact]
    public async Task An_untyped_array_casts_to_a_typed_one()
    {
        var store = new MemoryStore();
        await Support.ArrayAsync(store, "a", [3], [2], new short[] { -2, 5, 9 });
        var lazy = Lazy.From(await ZarrArray.OpenAsync(store, "a"));
        Assert.Equal(new[] { -2.0, 5.0, 9.0 }, await lazy.Cast<double>().ToArrayAsync());
        Assert.Equal(12L, await ((LazyArray<short>)lazy).SumAsync());
        Assert.Same(lazy, lazy.Cast<short>());
        Assert.Equal(new[] { 2 }, lazy.Rechunk([2]).Chunks);
    }

    [Fact]
    public async Task Storing_into_an_array_of_another_type_or_reading_strings_fails_with_the_types_named()
    {
        var store = new MemoryStore();
        await Support.ArrayAsync(store, "a", [3], [2], new short[] { 1, 2, 3 });
        var lazy = Lazy.From(await ZarrArray.OpenAsync(store, "a"));
        var floats = await ZarrArray.CreateAsync(store, "f", ZarrDataType.Float32, [3]);
        await Assert.ThrowsAsync<ZarrTypeMismatchException>(() => lazy.StoreAsync(floats));

        var strings = await ZarrArray.CreateAsync(store, "s", ZarrDataType.String, [3]);
        var error = Assert.Throws<NotSupportedException>(() => Lazy.From(strings));
        Assert.Contains("string", error.Message, StringComparison.Ordinal);
        var records = await ZarrArray.CreateAsync(store, "r", ZarrDataType.Structured(new StructField("x", ZarrDataType.Int32)), [3]);
        Assert.Throws<NotSupportedException>(() => Lazy.From(records));

        var dates = Lazy.From(await ZarrArray.CreateAsync(store, "d", ZarrDataType.DateTime64(TimeUnit.Second), [3]));
        Assert.Equal(typeof(DateTime64), dates.ElementType);
        await Assert.ThrowsAsync<NotSupportedException>(() => dates.SumAsync());
    }
}
