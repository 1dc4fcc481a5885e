using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Zarr.Storage;

namespace Zarr.MicroBenchmarks;

/// <summary>
/// Projecting a selection onto the chunk grid (the whole 8192² array over 1024² and 128² chunks, and a strided slab),
/// and copying one decoded 1024² int32 chunk into its place in the 8192² output (row by row: 1024 copies of 4 KiB).
/// </summary>
[MemoryDiagnoser]
public class SelectionBenchmarks
{
    private readonly ChunkGrid _grid1024 = new(new long[] { 8192, 8192 }, new[] { 1024, 1024 });
    private readonly ChunkGrid _grid128 = new(new long[] { 8192, 8192 }, new[] { 128, 128 });
    private byte[] _chunk = [];
    private byte[] _output = [];

    [GlobalSetup]
    public void Setup()
    {
        _chunk = Data.AsRangeChunk();
        _output = GC.AllocateUninitializedArray<byte>(8192 * 8192 * 4);
        _output.AsSpan().Clear();
    }

    [Benchmark]
    public long ProjectWhole64Chunks() => Count(SelectionPlan.Create(_grid1024, [Range.All, Range.All]));

    [Benchmark]
    public long ProjectWhole4096Chunks() => Count(SelectionPlan.Create(_grid128, [Range.All, Range.All]));

    [Benchmark]
    public long ProjectStridedSlab() => Count(SelectionPlan.Create(_grid1024, [Slice.Stepped(100..7000, 3), 17..4000]));

    [Benchmark]
    public void CopyChunkIntoOutput()
    {
        ReadOnlySpan<nint> chunkSteps = [1024 * 4, 4];
        ReadOnlySpan<nint> outSteps = [8192 * 4, 4];
        ReadOnlySpan<long> counts = [1024, 1024];
        StridedCopy.Copy(
            ref MemoryMarshal.GetArrayDataReference(_chunk), 0, chunkSteps,
            ref MemoryMarshal.GetArrayDataReference(_output), (nint)(((3 * 1024 * 8192) + (5 * 1024)) * 4), outSteps,
            counts, 4);
    }

    [Benchmark]
    public void CopyStridedElements()
    {
        // Every third element of every row of the chunk (the element-wise inner loop).
        ReadOnlySpan<nint> chunkSteps = [1024 * 4, 12];
        ReadOnlySpan<nint> outSteps = [342 * 4, 4];
        ReadOnlySpan<long> counts = [1024, 341];
        StridedCopy.Copy(
            ref MemoryMarshal.GetArrayDataReference(_chunk), 0, chunkSteps,
            ref MemoryMarshal.GetArrayDataReference(_output), 0, outSteps,
            counts, 4);
    }

    private static long Count(SelectionPlan plan)
    {
        long n = 0;
        foreach (var c in plan.Chunks())
        {
            n += c.Projections[0].Count;
        }

        return n;
    }
}
