using System.Buffers;
using System.Runtime.InteropServices;

namespace Zarr.Storage.Chunks;

/// <summary>
/// The bytes of a <see cref="Memory{T}"/> of unmanaged elements as a <see cref="Memory{T}"/> of bytes (no copy), so an
/// asynchronous step that fills bytes (a ranged read and decode of an inner chunk) can fill the caller's typed buffer.
/// </summary>
internal sealed class BytesOfMemory<T>(Memory<T> memory) : MemoryManager<byte>
    where T : unmanaged
{
    /// <summary>The bytes of <paramref name="memory"/>.</summary>
    public static Memory<byte> Of(Memory<T> memory) => typeof(T) == typeof(byte)
        ? (Memory<byte>)(object)memory
        : new BytesOfMemory<T>(memory).Memory;

    /// <inheritdoc />
    public override Span<byte> GetSpan() => MemoryMarshal.AsBytes(memory.Span);

    /// <inheritdoc />
    public override unsafe MemoryHandle Pin(int elementIndex = 0)
    {
        var handle = memory.Pin();
        return new MemoryHandle((byte*)handle.Pointer + elementIndex, default, new Unpinner(handle));
    }

    /// <inheritdoc />
    public override void Unpin()
    {
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
    }

    // Releases the typed memory's pin when the byte view's handle is disposed.
    private sealed class Unpinner(MemoryHandle handle) : IPinnable
    {
        private MemoryHandle _handle = handle;

        public MemoryHandle Pin(int elementIndex) => throw new NotSupportedException();

        public void Unpin() => _handle.Dispose();
    }
}
