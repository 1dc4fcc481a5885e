using System.Numerics.Tensors;

namespace Zarr.Storage.Internal;

/// <summary>Moves values between tensors and flat arrays.</summary>
internal static class TensorData
{
    /// <summary>The tensor's values in C order, as a new array.</summary>
    public static T[] ToArray<T>(Tensor<T> tensor)
    {
        var values = GC.AllocateUninitializedArray<T>(checked((int)tensor.FlattenedLength));
        tensor.FlattenTo(values);
        return values;
    }

    /// <summary>The tensor span's values in C order, as a new array.</summary>
    public static T[] ToArray<T>(in ReadOnlyTensorSpan<T> tensor)
    {
        var values = GC.AllocateUninitializedArray<T>(checked((int)tensor.FlattenedLength));
        tensor.FlattenTo(values);
        return values;
    }

    /// <summary>
    /// A tensor over <paramref name="values"/> (no copy) with the given shape. <see cref="Tensor{T}"/> has no rank 0,
    /// so a 0-d result (a 0-d array, or every dimension selected by an integer) is a one-element tensor of shape [1].
    /// </summary>
    public static Tensor<T> Wrap<T>(T[] values, ReadOnlySpan<long> shape)
    {
        if (shape.Length == 0)
        {
            return Tensor.Create(values, [1]);
        }

        Span<nint> lengths = stackalloc nint[shape.Length];
        for (var d = 0; d < shape.Length; d++)
        {
            lengths[d] = checked((nint)shape[d]);
        }

        return Tensor.Create(values, lengths);
    }
}
