using System.Text.Json.Nodes;
using Zarr.Storage.Datasets;

namespace Zarr.Storage.Tests.Datasets;

/// <summary>Opening groups as datasets (v2 and v3, consolidated or not), CF decoding and its switch, and the writes.</summary>
public sealed class DatasetTests
{
    private static DatasetContents Small() => new DatasetContents()
        .AddCoordinate("x", new[] { 10.0, 20.0, 30.0 })
        .AddVariable("count", ["x"], new[] { 1, -1, 3 }, new JsonObject { ["long_name"] = "count" }, new CfEncoding { FillValue = -1 })
        .AddVariable("flag", ["x"], new[] { true, false, true });

    [Theory]
    [InlineData(ZarrFormat.V2, true)]
    [InlineData(ZarrFormat.V2, false)]
    [InlineData(ZarrFormat.V3, true)]
    [InlineData(ZarrFormat.V3, false)]
    public async Task A_dataset_round_trips_in_both_formats_consolidated_or_not(ZarrFormat format, bool consolidated)
    {
        var store = new MemoryStore();
        await ZarrDataset.CreateAsync(store, "ds", Small(), new DatasetWriteOptions { Format = format, Consolidated = consolidated });
        var dataset = await ZarrDataset.OpenAsync(store, "ds");
        Assert.Equal(consolidated, dataset.Group.UsesConsolidatedMetadata);
        Assert.Equal(format, dataset.Group.Format);
        Assert.Equal([new KeyValuePair<string, long>("x", 3)], dataset.Dimensions.ToArray());
        Assert.Equal(["x"], dataset.Coordinates.Select(c => c.Name));
        Assert.Equal(["count", "flag"], dataset.DataVariables.Select(c => c.Name));

        var count = dataset["count"];
        Assert.Equal(["x"], count.Dimensions.ToArray());
        Assert.Equal(ZarrDataType.Float64, count.DecodedType);
        Assert.Equal(new[] { 1.0, double.NaN, 3.0 }, await count.ReadDoublesAsync());
        Assert.Equal(new[] { false, true, false }, await count.ReadMaskAsync());
        Assert.Equal(new[] { 1, -1, 3 }, await count.ReadAsync<int>());
        Assert.Equal(["long_name"], count.Attributes.Keys);
        Assert.Equal(new[] { true, false, true }, await dataset["flag"].ReadBoolsAsync());
        Assert.Equal(ZarrDataType.Int8, dataset["flag"].Array.DataType);
        Assert.Equal(["x"], dataset["flag"].Array.DimensionNames!);
    }

    [Fact]
    public async Task Without_CF_decoding_the_stored_values_and_every_attribute_show()
    {
        var store = new MemoryStore();
        await ZarrDataset.CreateAsync(store, "", Small());
        var raw = await ZarrDataset.OpenAsync(store, "", new DatasetOpenOptions { DecodeCF = false });
        Assert.False(raw.DecodesCF);
        var count = raw["count"];
        Assert.Equal(DatasetValueKind.Number, count.Kind);
        Assert.Equal(new[] { 1.0, -1.0, 3.0 }, await count.ReadDoublesAsync());
        Assert.Equal(-1, count.Attributes["_FillValue"]!.GetValue<int>());
        var flag = raw["flag"];
        Assert.Equal(DatasetValueKind.Number, flag.Kind);
        Assert.Equal("bool", flag.Attributes["dtype"]!.GetValue<string>());
        Assert.False(flag.Attributes.ContainsKey("_ARRAY_DIMENSIONS"));
    }

    [Fact]
    public async Task Times_in_a_calendar_not_decoded_stay_numbers_with_a_note()
    {
        var store = new MemoryStore();
        var group = await ZarrGroup.CreateAsync(store, "", ZarrFormat.V2);
        var array = await group.CreateArrayAsync<int>("time", [3], new ArrayOptions
        {
            DimensionNames = ["time"],
            // No fill value: a v2 fill value of 0 would mark the first day missing, as it does in xarray.
            FillValueIsNull = true,
            Attributes = new JsonObject { ["units"] = "days since 2000-01-01", ["calendar"] = "noleap" },
        });
        await array.WriteAsync([Slice.All], new[] { 0, 59, 365 });
        var dataset = await ZarrDataset.OpenAsync(store);
        var time = dataset["time"];
        Assert.Equal(DatasetValueKind.Number, time.Kind);
        Assert.Contains("'noleap'", time.DecodingNote, StringComparison.Ordinal);
        Assert.Equal("noleap", time.Attributes["calendar"]!.GetValue<string>());
        Assert.Equal(new[] { 0.0, 59, 365 }, await time.ReadDoublesAsync());
        var refused = await Assert.ThrowsAsync<ZarrException>(() => time.ReadTimesAsync());
        Assert.Contains("noleap", refused.Message, StringComparison.Ordinal);
        // Labels are the raw numbers then.
        Assert.Equal(Slice.At(1), time.Sel("time", 59.0).Selection[0]);
    }

    [Theory]
    [InlineData("hours since 1970-01-01 00:00:00", 36.0, "1970-01-02T12:00:00")]
    [InlineData("days since 2000-1-1", 1.5, "2000-01-02T12:00:00")]
    [InlineData("seconds since 2020-03-01T06:00:00Z", 60.0, "2020-03-01T06:01:00")]
    [InlineData("minutes since 2020-03-01 06:00:00 +01:00", 0.0, "2020-03-01T05:00:00")]
    public void CF_time_units_parse_as_CF_writes_them(string units, double count, string expected)
    {
        var parsed = CfTimeUnits.TryParse(units)!;
        Assert.Equal(expected, parsed.ToDate(count).ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void New_times_take_xarrays_units()
    {
        var start = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        Assert.Equal("days since 2020-01-01 00:00:00", CfTimeUnits.Infer([start, start.AddDays(1), start.AddDays(3)]).ToString());
        Assert.Equal("hours since 2020-01-01 00:00:00", CfTimeUnits.Infer([start, start.AddHours(6)]).ToString());
        Assert.Equal("seconds since 2020-01-01 06:00:00", CfTimeUnits.Infer([start.AddHours(6), start.AddHours(6).AddSeconds(90)]).ToString());
        Assert.Null(CfTimeUnits.TryParse("degC"));
        Assert.Null(CfTimeUnits.TryParse("fortnights since 2020-01-01"));
    }

    [Fact]
    public async Task Dimension_lengths_that_disagree_are_refused_naming_the_variable()
    {
        var store = new MemoryStore();
        var group = await ZarrGroup.CreateAsync(store, "", ZarrFormat.V3);
        await group.CreateArrayAsync<float>("a", [4, 3], new ArrayOptions { DimensionNames = ["time", "x"] });
        await group.CreateArrayAsync<float>("b", [5], new ArrayOptions { DimensionNames = ["time"] });
        var refused = await Assert.ThrowsAsync<ZarrException>(() => ZarrDataset.OpenAsync(store));
        Assert.Contains("variable 'b'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("'time' has length 5", refused.Message, StringComparison.Ordinal);
        Assert.Contains("variable 'a' gives it length 4", refused.Message, StringComparison.Ordinal);

        var unnamed = new MemoryStore();
        var other = await ZarrGroup.CreateAsync(unnamed, "", ZarrFormat.V2);
        await other.CreateArrayAsync<float>("plain", [4]);
        var noNames = await Assert.ThrowsAsync<ZarrException>(() => ZarrDataset.OpenAsync(unnamed));
        Assert.Contains("variable 'plain'", noNames.Message, StringComparison.Ordinal);
        Assert.Contains("_ARRAY_DIMENSIONS", noNames.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_region_write_and_an_append_encode_as_the_stored_values_are()
    {
        var store = new MemoryStore();
        var start = new DateTime(2021, 6, 1, 0, 0, 0, DateTimeKind.Utc);
        var contents = new DatasetContents()
            .AddCoordinate("time", [start, start.AddHours(6)])
            .AddVariable("level", ["time"], new[] { 1.25, 2.5 }, null, new CfEncoding { StorageType = ZarrDataType.Int16, ScaleFactor = 0.25, FillValue = short.MinValue });
        var dataset = await ZarrDataset.CreateAsync(store, "", contents);
        Assert.Equal("hours since 2021-06-01 00:00:00", dataset["time"].Encoding.TimeUnits!.ToString());

        dataset = await dataset.AppendAsync("time", new DatasetContents()
            .AddCoordinate("time", [start.AddHours(12)])
            .AddVariable("level", ["time"], new[] { double.NaN }));
        Assert.Equal(new[] { 0L, 6, 12 }, await dataset["time"].ReadAsync<long>());
        Assert.Equal(new short[] { 5, 10, short.MinValue }, await dataset["level"].ReadAsync<short>());

        dataset = await dataset.WriteRegionAsync(new DatasetContents().AddDimension("time", 1).AddVariable("level", ["time"], new[] { 7.5 }), new Dictionary<string, long> { ["time"] = 2 });
        Assert.Equal(new[] { 1.25, 2.5, 7.5 }, await dataset["level"].ReadDoublesAsync());

        // Consolidated metadata follows the writes.
        var reopened = await ZarrDataset.OpenAsync(store);
        Assert.True(reopened.Group.UsesConsolidatedMetadata);
        Assert.Equal(3, reopened.DimensionLength("time"));

        var misfit = await Assert.ThrowsAsync<ZarrException>(() => dataset.AppendAsync("time", new DatasetContents().AddCoordinate("time", [start.AddHours(18)])));
        Assert.Contains("variable 'level'", misfit.Message, StringComparison.Ordinal);
        var overflow = await Assert.ThrowsAsync<ZarrException>(() => dataset.WriteRegionAsync(new DatasetContents().AddDimension("time", 1).AddVariable("level", ["time"], new[] { 1e6 }), new Dictionary<string, long> { ["time"] = 0 }));
        Assert.Contains("int16", overflow.Message, StringComparison.Ordinal);
    }
}
