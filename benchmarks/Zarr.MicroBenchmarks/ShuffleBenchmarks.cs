using BenchmarkDotNet.Attributes;
using Zarr.Storage.Codecs;

namespace Zarr.MicroBenchmarks;

/// <summary>
/// The managed blosc shuffle kernels on one 256 KiB block (blosc's block size for 4 MiB chunks at level 5, so the block
/// stays in L2 and the kernel, not memory, is timed): byte shuffle and unshuffle of 4- and 8-byte elements, bit
/// unshuffle of 4-byte elements. No allocation.
/// </summary>
[MemoryDiagnoser]
public class ShuffleBenchmarks
{
    private const int BlockBytes = 256 * 1024;
    private readonly byte[] _source = new byte[BlockBytes];
    private readonly byte[] _destination = new byte[BlockBytes];
    private readonly byte[] _scratch = new byte[BlockBytes];

    [Params(4, 8)]
    public int TypeSize { get; set; } = 4;

    [GlobalSetup]
    public void Setup() => new Random(21).NextBytes(_source);

    [Benchmark]
    public void ByteShuffle() => Zarr.Storage.Codecs.ByteShuffle.Shuffle(TypeSize, _source, _destination);

    [Benchmark]
    public void ByteUnshuffle() => Zarr.Storage.Codecs.ByteShuffle.Unshuffle(TypeSize, _source, _destination);

    [Benchmark]
    public void BitUnshuffle() => BitShuffle.Unshuffle(TypeSize, _source, _destination, _scratch);
}
