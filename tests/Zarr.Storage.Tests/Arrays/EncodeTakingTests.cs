using Zarr.Storage.Buffers;
using Zarr.Storage.Chunks;
using Zarr.Storage.Codecs;

namespace Zarr.Storage.Tests.Arrays;

/// <summary>
/// Issue 18: where an array stores a chunk's decoded bytes unchanged (the <c>bytes</c> codec alone, little-endian or
/// single-byte), encoding takes the decoded buffer itself, no copy; any other chain, and an all-fill chunk, leave the
/// buffer with the caller. What is stored reads back the same either way.
/// </summary>
public sealed class EncodeTakingTests
{
    public static TheoryData<string, bool> Chains() => new()
    {
        { "bytes-le", true },
        { "bytes-be", false },
        { "zstd", false },
        { "transpose", false },
    };

    [Theory]
    [MemberData(nameof(Chains))]
    public async Task Only_a_chain_that_stores_the_bytes_as_they_are_takes_the_buffer(string chain, bool takes)
    {
        var options = chain switch
        {
            "bytes-le" => new ArrayOptions { Format = ZarrFormat.V3, Chunks = [4, 4], Compressors = [] },
            "bytes-be" => new ArrayOptions { Format = ZarrFormat.V3, Chunks = [4, 4], Compressors = [], Endian = Endian.Big },
            "zstd" => new ArrayOptions { Format = ZarrFormat.V3, Chunks = [4, 4], Compressors = [new ZstdCodec(1)] },
            _ => new ArrayOptions { Format = ZarrFormat.V3, Chunks = [4, 4], Compressors = [], Order = 'F' },
        };
        var z = await ZarrArray.CreateAsync<ushort>(new MemoryStore(), "a", [6, 8], options);
        var steps = z.ChunkStorage;
        Assert.Equal(takes, z.ChunkIO.StoresDecodedAsIs);

        // An edge chunk (rows 4..5 of 4..7 hang over the array), values 1..16 in its buffer.
        var decoded = PooledBuffer.RentDecoded(steps.ByteLength);
        var values = Enumerable.Range(1, 16).Select(i => (ushort)i).ToArray();
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(decoded.Span);
        using (var encoding = steps.EncodeTaking(decoded, [1, 1], out var taken))
        {
            Assert.Equal(takes, taken);
            Assert.Equal(takes, ReferenceEquals(encoding.Buffer, decoded));
            await steps.StoreAsync([1, 1], encoding);
        }

        if (!takes)
        {
            Assert.Equal(values, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(decoded.Span).ToArray());
            decoded.Dispose();
        }

        var read = (await z[4..6, 4..8]).ToArray();
        Assert.Equal(values[..8], read);
    }

    [Fact]
    public async Task An_all_fill_chunk_is_not_taken_and_is_not_stored()
    {
        var z = await ZarrArray.CreateAsync<ushort>(new MemoryStore(), "a", [8], new ArrayOptions { Format = ZarrFormat.V3, Chunks = [8], Compressors = [], FillValue = 3 });
        using var decoded = PooledBuffer.RentDecoded(16);
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(decoded.Span).Fill(3);
        using var encoding = z.ChunkStorage.EncodeTaking(decoded, [0], out var taken);
        Assert.False(taken);
        Assert.True(encoding.IsAllFill);
        Assert.Equal(Enumerable.Repeat((ushort)3, 8), System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(decoded.Span).ToArray());
    }
}
