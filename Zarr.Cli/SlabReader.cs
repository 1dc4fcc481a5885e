using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using Zarr.Storage;
using Zarr.Storage.DataTypes;
using Zarr.Storage.Indexing;

namespace Zarr.Cli;

/// <summary>
/// Reads selections of an array whose type is known only at run time into one byte buffer the caller reuses, so that a
/// long export allocates its slab once (<see cref="ZarrArray.ReadBytesAsync"/> allocates a new array per call).
/// </summary>
internal static class SlabReader
{
    /// <summary>Reads <paramref name="selection"/> into <paramref name="destination"/> (C order, little-endian, exactly its size).</summary>
    public static Task ReadAsync(ZarrArray array, Slice[] selection, Memory<byte> destination, CancellationToken cancellationToken) =>
        array.DataType.Kind switch
        {
            DataTypeKind.Bool => ReadAsync<bool>(array, selection, destination, cancellationToken),
            DataTypeKind.Int8 => ReadAsync<sbyte>(array, selection, destination, cancellationToken),
            DataTypeKind.Int16 => ReadAsync<short>(array, selection, destination, cancellationToken),
            DataTypeKind.Int32 => ReadAsync<int>(array, selection, destination, cancellationToken),
            DataTypeKind.Int64 => ReadAsync<long>(array, selection, destination, cancellationToken),
            DataTypeKind.UInt8 => ReadAsync<byte>(array, selection, destination, cancellationToken),
            DataTypeKind.UInt16 => ReadAsync<ushort>(array, selection, destination, cancellationToken),
            DataTypeKind.UInt32 => ReadAsync<uint>(array, selection, destination, cancellationToken),
            DataTypeKind.UInt64 => ReadAsync<ulong>(array, selection, destination, cancellationToken),
            DataTypeKind.Float16 => ReadAsync<Half>(array, selection, destination, cancellationToken),
            DataTypeKind.Float32 => ReadAsync<float>(array, selection, destination, cancellationToken),
            DataTypeKind.Float64 => ReadAsync<double>(array, selection, destination, cancellationToken),
            DataTypeKind.Complex64 => ReadAsync<Complex64>(array, selection, destination, cancellationToken),
            DataTypeKind.Complex128 => ReadAsync<Complex>(array, selection, destination, cancellationToken),
            _ => throw new CliException($"data type {array.DataType} cannot be exported yet"),
        };

    private static async Task ReadAsync<T>(ZarrArray array, Slice[] selection, Memory<byte> destination, CancellationToken cancellationToken)
        where T : unmanaged
    {
        using var view = new CastMemoryManager<T>(destination);
        await array.As<T>().ReadIntoAsync(selection, view.Memory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A <see cref="Memory{T}"/> of <typeparamref name="T"/> over the bytes of a byte array (no copy).</summary>
    private sealed class CastMemoryManager<T>(Memory<byte> bytes) : MemoryManager<T>
        where T : unmanaged
    {
        private readonly Memory<byte> _bytes = bytes;

        public override Span<T> GetSpan() => MemoryMarshal.Cast<byte, T>(_bytes.Span);

        public override MemoryHandle Pin(int elementIndex = 0) =>
            _bytes[(elementIndex * System.Runtime.CompilerServices.Unsafe.SizeOf<T>())..].Pin();

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }
}
