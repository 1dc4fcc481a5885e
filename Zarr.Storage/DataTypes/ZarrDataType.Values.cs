namespace Zarr.Storage;

public sealed partial class ZarrDataType
{
    /// <summary>
    /// True when two elements of this type are the same value: the same bytes, or for a floating-point type (and each
    /// part of a complex one) both NaN whatever their payloads, as numpy's <c>array_equal(..., equal_nan=True)</c>, which
    /// zarr-python uses to decide that a chunk holds only the fill value.
    /// </summary>
    /// <param name="left">One element's bytes, little-endian, <see cref="ItemSize"/> of them.</param>
    /// <param name="right">The other element's bytes.</param>
    /// <exception cref="ArgumentException">An element is not <see cref="ItemSize"/> bytes long, or the type has variable length.</exception>
    public bool AreSameValue(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        if (!IsFixedSize || left.Length != ItemSize || right.Length != ItemSize)
        {
            throw new ArgumentException($"two elements of {this} ({ItemSize} bytes each) are needed; got {left.Length} and {right.Length} bytes");
        }

        return Internal.FillValues.IsAllFill(left, right, this);
    }
}
