using Zarr.Storage.Codecs;

namespace Zarr.Storage.Tests.Reliability;

/// <summary>
/// Issue 13: a resize by one process against a writer in another (<see cref="OtherProcessDirectory"/>: a handle opened
/// before the resize, sharing nothing in memory with the resizer). Every chunk write re-reads the stored shape under the
/// chunk's lock file, so the writer never writes a chunk outside the new shape, never brings back data beyond a shrunk
/// edge, never loses what others wrote beyond a grown edge, and takes up the new shape. The race itself, with writer
/// processes, is <see cref="CrossProcessResizeTests"/>.
/// </summary>
public sealed class ResizeAcrossProcessesTests
{
    [Fact]
    public async Task A_v2_structured_array_with_field_byte_orders_is_not_taken_for_a_replaced_one()
    {
        // Written to v2, each field's byte order is stated in .zarray; the handle that created the array keeps them in
        // memory as it was given. The stored-shape check and the resize compare the stored type with the type as it is
        // stored, or every write and resize of such an array would fail as "replaced by another process".
        using var folder = new TempDirectory();
        var type = ZarrDataType.Structured(
            new StructField("x", ZarrDataType.Int32, byteOrder: Endian.Big),
            new StructField("y", ZarrDataType.Float32, [2]),
            new StructField("u", ZarrDataType.FixedUnicode(3), byteOrder: Endian.Big));
        var array = await ZarrArray.CreateAsync(new DirectoryStore(folder.Path), "a", type, [4], new ArrayOptions { Chunks = [2], Format = ZarrFormat.V2, Endian = Endian.Big });
        var values = new byte[4 * type.ItemSize];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (byte)(i % 97);
        }

        await array.WriteBytesAsync([], values);
        await array.ResizeAsync([6]);
        await array.WriteBytesAsync([Slice.Range(0, 4)], values);

        var reopened = await ZarrArray.OpenAsync(new DirectoryStore(folder.Path), "a");
        Assert.Equal(new[] { 6L }, reopened.Shape.ToArray());
        Assert.Equal(values, (await reopened.ReadBytesAsync([Slice.Range(0, 4)])).Data);
    }

    [Fact]
    public async Task A_stale_writer_writes_nothing_outside_a_shape_shrunk_by_another_process()
    {
        using var folder = new TempDirectory();
        var resizer = await ZarrArray.CreateAsync<int>(new DirectoryStore(folder.Path), "a", [8], new ArrayOptions { Chunks = [4], FillValue = 0 });
        var writer = await ZarrArray.OpenAsync<int>(new OtherProcessDirectory(folder.Path), "a", AccessMode.ReadWrite);

        await resizer.ResizeAsync([3]);
        await writer.WriteAsync([Slice.At(5)], new[] { 50 });      // chunk 1: wholly outside the new shape
        await writer.WriteAsync([Slice.At(1)], new[] { 10 });      // inside it

        Assert.False(File.Exists(Path.Combine(folder.Path, "a", "c", "1")), "a chunk outside the shrunk shape was written");
        Assert.Equal(new[] { 3L }, writer.Shape.ToArray());
        await resizer.ResizeAsync([8]);
        Assert.Equal(new[] { 0, 10, 0, 0, 0, 0, 0, 0 }, (await resizer.ReadAsync([Slice.All])).ToArray());
    }

    [Theory]
    [InlineData(ZarrFormat.V3)]
    [InlineData(ZarrFormat.V2)]
    public async Task A_stale_writer_leaves_the_fill_value_beyond_an_edge_shrunk_by_another_process(ZarrFormat format)
    {
        using var folder = new TempDirectory();
        var resizer = await ZarrArray.CreateAsync<int>(new DirectoryStore(folder.Path), "a", [8], new ArrayOptions { Chunks = [4], FillValue = 0, Format = format });
        var writer = await ZarrArray.OpenAsync<int>(new OtherProcessDirectory(folder.Path), "a", AccessMode.ReadWrite);

        await resizer.ResizeAsync([6]);
        await writer.WriteAsync([Slice.Range(4, 8)], new[] { 1, 2, 3, 4 }); // planned as covering chunk 1 of the old shape

        await resizer.ResizeAsync([8]);
        Assert.Equal(new[] { 0, 0, 0, 0, 1, 2, 0, 0 }, (await resizer.ReadAsync([Slice.All])).ToArray());
    }

    [Fact]
    public async Task A_stale_writer_keeps_what_another_process_wrote_beyond_an_edge_it_grew()
    {
        using var folder = new TempDirectory();
        var resizer = await ZarrArray.CreateAsync<int>(new DirectoryStore(folder.Path), "a", [6], new ArrayOptions { Chunks = [4], FillValue = 0 });
        var writer = await ZarrArray.OpenAsync<int>(new OtherProcessDirectory(folder.Path), "a", AccessMode.ReadWrite);

        await resizer.ResizeAsync([8]);
        await resizer.WriteAsync([Slice.At(7)], new[] { 77 });
        await writer.WriteAsync([Slice.Range(4, 6)], new[] { 40, 50 }); // covers chunk 1 as far as the old shape goes

        Assert.Equal(new[] { 0, 0, 0, 0, 40, 50, 0, 77 }, (await resizer.ReadAsync([Slice.All])).ToArray());
        Assert.Equal(new[] { 8L }, writer.Shape.ToArray());
    }

    [Fact]
    public async Task A_stale_whole_chunk_store_follows_a_resize_by_another_process()
    {
        using var folder = new TempDirectory();
        var resizer = await ZarrArray.CreateAsync<int>(new DirectoryStore(folder.Path), "a", [6], new ArrayOptions { Chunks = [4], FillValue = 0 });
        var writer = await ZarrArray.OpenAsync<int>(new OtherProcessDirectory(folder.Path), "a", AccessMode.ReadWrite);
        var storage = writer.ChunkStorage;
        using var encoded = storage.Encode(Bytes(41, 51, 0, 0), [1]);

        await resizer.ResizeAsync([8]);
        await resizer.WriteAsync([Slice.At(7)], new[] { 77 });
        await storage.StoreAsync([1], encoded);
        Assert.Equal(new[] { 0, 0, 0, 0, 41, 51, 0, 77 }, (await resizer.ReadAsync([Slice.All])).ToArray());

        await resizer.ResizeAsync([5]);
        using var outside = storage.Encode(Bytes(1, 2, 3, 4), [1]);
        await storage.StoreAsync([1], outside); // now straddles the new edge: what lies beyond it is the fill value
        await resizer.ResizeAsync([3]);
        await storage.StoreAsync([1], outside); // now wholly outside: not written
        Assert.False(File.Exists(Path.Combine(folder.Path, "a", "c", "1")), "a chunk outside the shrunk shape was stored");
        await resizer.ResizeAsync([8]);
        Assert.Equal(new[] { 0, 0, 0, 0, 0, 0, 0, 0 }, (await resizer.ReadAsync([Slice.All])).ToArray());
    }

    private static byte[] Bytes(params int[] values) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}
