using System.Numerics;
using System.Runtime.InteropServices;

namespace Zarr.Dataflow.Distributed;

/// <summary>
/// A statistics partial (<see cref="CellStats{T}"/>) as bytes, exactly: its flags, cell count and every array it holds,
/// raw, so that the partial combined on the client is bit for bit the one the worker computed.
/// </summary>
internal static class StatisticsPartials
{
    public static byte[] Serialize<T>(CellStats<T> partial) where T : unmanaged, INumber<T>
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
        {
            writer.Write((int)partial.Flags);
            writer.Write(partial.Cells);
            Write(writer, partial.Count);
            Write(writer, partial.FSum);
            Write(writer, partial.ISum);
            Write(writer, partial.Mean);
            Write(writer, partial.M2);
            Write(writer, partial.Min);
            Write(writer, partial.Max);
            Write(writer, partial.NaNs);
        }

        return stream.ToArray();
    }

    /// <exception cref="ZarrClusterException">The bytes are not a partial of this shape.</exception>
    public static CellStats<T> Deserialize<T>(byte[] bytes, int expectedCells) where T : unmanaged, INumber<T>
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes));
            var flags = (StatFlags)reader.ReadInt32();
            var cells = reader.ReadInt32();
            if (cells != expectedCells)
            {
                throw new ZarrClusterException($"a statistics partial has {cells} cells where its block has {expectedCells}");
            }

            var partial = new CellStats<T>(cells, flags);
            Read(reader, partial.Count);
            Read(reader, partial.FSum);
            Read(reader, partial.ISum);
            Read(reader, partial.Mean);
            Read(reader, partial.M2);
            Read(reader, partial.Min);
            Read(reader, partial.Max);
            Read(reader, partial.NaNs);
            return partial;
        }
        catch (EndOfStreamException ex)
        {
            throw new ZarrClusterException("a statistics partial is truncated", ex);
        }
    }

    private static void Write<TX>(BinaryWriter writer, TX[]? values) where TX : unmanaged
    {
        writer.Write(values is not null);
        if (values is not null)
        {
            writer.Write(MemoryMarshal.AsBytes(values.AsSpan()));
        }
    }

    private static void Read<TX>(BinaryReader reader, TX[]? values) where TX : unmanaged
    {
        var present = reader.ReadBoolean();
        if (present != values is not null)
        {
            throw new ZarrClusterException("a statistics partial holds other statistics than its flags say");
        }

        if (values is not null && reader.Read(MemoryMarshal.AsBytes(values.AsSpan())) != values.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<TX>())
        {
            throw new EndOfStreamException();
        }
    }
}

/// <summary>A histogram partial (counts per cell and bin) as bytes: the counts, raw.</summary>
internal static class HistogramPartials
{
    public static byte[] Serialize(long[] partial) => MemoryMarshal.AsBytes(partial.AsSpan()).ToArray();

    /// <exception cref="ZarrClusterException">The bytes are not a partial of this shape.</exception>
    public static long[] Deserialize(byte[] bytes, int expectedCells, int bins)
    {
        var expected = (long)expectedCells * bins;
        if (bytes.Length != expected * sizeof(long))
        {
            throw new ZarrClusterException($"a histogram partial has {bytes.Length} bytes where its block of {expectedCells} cells of {bins} bins needs {expected * sizeof(long)}");
        }

        return MemoryMarshal.Cast<byte, long>(bytes).ToArray();
    }
}
