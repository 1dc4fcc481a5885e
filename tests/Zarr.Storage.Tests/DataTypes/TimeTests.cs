
namespace Zarr.Storage.Tests.DataTypes;

public class TimeTests
{
    [Fact]
    public void DateTime64_converts_with_its_unit()
    {
        var moment = new DateTime(1994, 1, 17, 17, 24, 7, DateTimeKind.Utc).AddTicks(1646606);
        var ns = DateTime64.FromDateTime(moment, TimeUnit.Nanosecond);
        Assert.Equal(758827447164660600, ns.Value);
        Assert.Equal(moment, ns.ToDateTime(TimeUnit.Nanosecond));
        Assert.Equal(new DateTime(1994, 1, 17, 17, 24, 7, DateTimeKind.Utc).AddTicks(1646606), new DateTime64(758827447164660659).ToDateTime(TimeUnit.Nanosecond));

        Assert.Equal(24, DateTime64.FromDateTime(moment, TimeUnit.Year).Value);
        Assert.Equal((24 * 12) + 0, DateTime64.FromDateTime(moment, TimeUnit.Month).Value);
        Assert.Equal(new DateTime(1994, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime64(24).ToDateTime(TimeUnit.Year));
        Assert.Equal(new DateTime(1969, 12, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime64(-1).ToDateTime(TimeUnit.Month));
        Assert.Equal(new DateTime(1970, 1, 1, 0, 0, 20, DateTimeKind.Utc), new DateTime64(2).ToDateTime(TimeUnit.Second, 10));

        // Before the epoch, numpy floors.
        Assert.Equal(-1, DateTime64.FromDateTime(new DateTime(1969, 12, 31, 23, 59, 59, 500, DateTimeKind.Utc), TimeUnit.Second).Value);
        Assert.Equal(DateTimeOffset.UnixEpoch, new DateTime64(0).ToDateTimeOffset(TimeUnit.Attosecond));
    }

    [Fact]
    public void NaT_is_the_smallest_count_and_has_no_DateTime()
    {
        Assert.True(DateTime64.NaT.IsNaT);
        Assert.Equal(long.MinValue, DateTime64.NaT.Value);
        Assert.Equal("NaT", DateTime64.NaT.ToString());
        Assert.Throws<ZarrException>(() => DateTime64.NaT.ToDateTime(TimeUnit.Second));
        Assert.Throws<ZarrException>(() => TimeDelta64.NaT.ToTimeSpan(TimeUnit.Second));
        Assert.True(DateTime64.NaT < new DateTime64(long.MinValue + 1));
    }

    [Fact]
    public void TimeDelta64_converts_fixed_units_only()
    {
        Assert.Equal(TimeSpan.FromSeconds(90), new TimeDelta64(3).ToTimeSpan(TimeUnit.Second, 30));
        Assert.Equal(TimeSpan.FromDays(14), new TimeDelta64(2).ToTimeSpan(TimeUnit.Week));
        Assert.Equal(1500, TimeDelta64.FromTimeSpan(TimeSpan.FromSeconds(1.5), TimeUnit.Millisecond).Value);
        Assert.Equal(15_000_000_000_000_000, TimeDelta64.FromTimeSpan(TimeSpan.FromSeconds(15), TimeUnit.Femtosecond).Value);
        Assert.Throws<ZarrException>(() => new TimeDelta64(1).ToTimeSpan(TimeUnit.Month));
        Assert.Throws<ZarrException>(() => TimeDelta64.FromTimeSpan(TimeSpan.FromDays(1000), TimeUnit.Attosecond));
    }
}
